"""What the workload simulator does to which object, and after how long: per-kind delays plus an ordered list of
rules (first match wins) selecting objects by kind, name, namespace and labels. A workload (Deployment, ReplicaSet,
StatefulSet, DaemonSet, Job, CronJob) also matches a rule that matches its pod template seen as a Pod (kind Pod, the
workload's name and namespace, the template's labels), and its pods follow the workload's rule: a rule selecting the
pods holds back the workload too. Loadable from YAML (`--rules`):

    delays: {Deployment: 200, StatefulSet: 500}   # ms per kind (the others keep DEFAULT_DELAYS_MS)
    default_delay_ms: 50                          # custom kinds
    jitter_ms: 20                                 # + seeded random 0..20 ms
    events: true
    rules:
      - {kind: Deployment, name: "slow-*", delay_ms: 2000}
      - {kind: "*", namespace: broken, outcome: fail}
      - {kind: PersistentVolumeClaim, labels: {tier: cold}, outcome: never}
      - {kind: Database, delay_ms: 300, condition: Ready, status: {endpoint.host: db.local, phase: Available}}
"""

from __future__ import annotations

import difflib
import fnmatch
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, cast, get_args

from pykro import yamlio
from pykro.errors import ValidationError

__all__ = ["DEFAULT_DELAYS_MS", "Rule", "SimulationRules", "expand_paths", "pod_view"]

Outcome = Literal["ready", "never", "fail"]
TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
"""Where each workload kind keeps the template of its pods."""
OUTCOMES: tuple[str, ...] = get_args(Outcome)

DEFAULT_DELAYS_MS: dict[str, int] = {
    "Pod": 50,
    "Deployment": 50,
    "ReplicaSet": 50,
    "StatefulSet": 50,
    "DaemonSet": 50,
    "Job": 50,
    "PersistentVolumeClaim": 20,
    "Service": 20,
    "Ingress": 20,
    "CustomResourceDefinition": 0,
}
"""Milliseconds from a change (new object, new generation, new pod) to its simulated outcome. For pods made by a
workload, the workload's kind decides."""


@dataclass(frozen=True)
class Rule:
    """Objects matching kind/name/namespace (globs) and labels (all equal) get `outcome` after `delay_ms` (the
    kind's default when None). For custom kinds a matching rule is what makes the simulator act at all: it sets
    the condition `condition` (unless None) and deep-merges `status` into the object's status (for built-in kinds
    too, once they are ready); dotted keys are paths: {"endpoint.port": 5432} sets status.endpoint.port."""

    kind: str = "*"
    name: str = "*"
    namespace: str = "*"
    labels: Mapping[str, str] = field(default_factory=dict)
    delay_ms: int | None = None
    outcome: Outcome = "ready"
    status: Mapping[str, Any] | None = None
    condition: str | None = "Ready"

    def __post_init__(self) -> None:
        if self.status is not None:
            object.__setattr__(self, "status", expand_paths(self.status))

    def matches(self, obj: Mapping[str, Any]) -> bool:
        meta = obj.get("metadata") or {}
        labels = meta.get("labels") or {}
        return (
            fnmatch.fnmatchcase(str(obj.get("kind", "")), self.kind)
            and fnmatch.fnmatchcase(str(meta.get("name", "")), self.name)
            and fnmatch.fnmatchcase(str(meta.get("namespace") or ""), self.namespace)
            and all(labels.get(k) == v for k, v in self.labels.items())
        )

    def names_kind(self, kind: str) -> bool:
        """True when this rule selects `kind` explicitly (not through a bare "*")."""
        return self.kind != "*" and fnmatch.fnmatchcase(kind, self.kind)


@dataclass
class SimulationRules:
    """Configuration of the workload simulator (see `Rule`); `jitter_ms` adds a seeded random 0..jitter_ms to every
    delay; `events` records kubelet/controller Events for what the simulator does."""

    delays: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DELAYS_MS))
    default_delay_ms: int = 50
    jitter_ms: int = 0
    rules: list[Rule] = field(default_factory=list)
    events: bool = True
    node_name: str = "pykro-node-0"

    def rule_for(self, obj: Mapping[str, Any]) -> Rule | None:
        """The first rule matching `obj` or, for a workload, its pods (`pod_view`), or None."""
        pods = pod_view(obj)
        return next((r for r in self.rules if r.matches(obj) or (pods is not None and r.matches(pods))), None)

    def delay_s(self, obj: Mapping[str, Any], rule: Rule | None, seed: int, jitter_key: str = "") -> float:
        """Seconds until `obj` reaches its outcome: deterministic for (seed, kind, namespace, name, generation,
        jitter_key) — a workload's pods pass their own name so that they do not all get ready at once."""
        kind = str(obj.get("kind", ""))
        ms: float = self.delays.get(kind, self.default_delay_ms)
        if rule is not None and rule.delay_ms is not None:
            ms = rule.delay_ms
        if self.jitter_ms > 0:
            meta = obj.get("metadata") or {}
            name = f"{meta.get('namespace', '')}|{meta.get('name', '')}|{meta.get('generation', 0)}|{jitter_key}"
            token = f"{seed}|{kind}|{name}"
            ms += random.Random(token).uniform(0, self.jitter_ms)
        return max(0.0, ms / 1000.0)

    def custom_kind_selected(self, kind: str) -> bool:
        return any(r.names_kind(kind) for r in self.rules)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "rules") -> SimulationRules:
        _check_keys(data, cls, where)
        out = cls()
        if "delays" in data:
            delays = data["delays"]
            if not isinstance(delays, Mapping) or not all(isinstance(v, int) for v in delays.values()):
                raise ValidationError("`delays` must map kinds to milliseconds", where=f"{where}.delays")
            out.delays = {**DEFAULT_DELAYS_MS, **{str(k): int(v) for k, v in delays.items()}}
        for name in ("default_delay_ms", "jitter_ms"):
            if name in data:
                setattr(out, name, _int(data[name], f"{where}.{name}"))
        if "events" in data:
            out.events = bool(data["events"])
        if "node_name" in data:
            out.node_name = str(data["node_name"])
        items = data.get("rules") or []
        if not isinstance(items, list):
            raise ValidationError("`rules` must be a list", where=f"{where}.rules")
        out.rules = [_rule(item, f"{where}.rules[{i}]") for i, item in enumerate(items)]
        return out

    @classmethod
    def from_yaml(cls, text: str, where: str = "rules") -> SimulationRules:
        data = yamlio.load(text) or {}
        if not isinstance(data, Mapping):
            raise ValidationError("a simulation rules file must be a mapping", where=where)
        return cls.from_dict(data, where)

    @classmethod
    def load(cls, path: str | Path) -> SimulationRules:
        return cls.from_yaml(Path(path).read_text(encoding="utf-8"), where=str(path))


def pod_view(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """A workload's pod template as rules see it: a Pod with the workload's name and namespace and the template's
    labels; None for other kinds."""
    path = TEMPLATE_PATHS.get(str(obj.get("kind", "")))
    if path is None:
        return None
    node: Any = obj
    for part in path:
        node = node.get(part) if isinstance(node, Mapping) else None
    labels = ((node or {}).get("metadata") or {}).get("labels") if isinstance(node, Mapping) else None
    meta = obj.get("metadata") or {}
    return {"kind": "Pod", "metadata": {"name": meta.get("name"), "namespace": meta.get("namespace"), "labels": labels}}


def expand_paths(values: Mapping[str, Any]) -> dict[str, Any]:
    """{"a.b": 1, "c": {"d.e": 2}} -> {"a": {"b": 1}, "c": {"d": {"e": 2}}}."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        *parents, leaf = str(key).split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = expand_paths(value) if isinstance(value, Mapping) else value
    return out


def _rule(item: Any, where: str) -> Rule:
    if not isinstance(item, Mapping):
        raise ValidationError("each rule must be a mapping", where=where)
    _check_keys(item, Rule, where)
    outcome = item.get("outcome", "ready")
    if outcome not in OUTCOMES:
        raise ValidationError(
            f"unknown outcome {outcome!r}", where=f"{where}.outcome", fix=f"Use one of: {', '.join(OUTCOMES)}."
        )
    labels = item.get("labels") or {}
    status = item.get("status")
    if not isinstance(labels, Mapping) or (status is not None and not isinstance(status, Mapping)):
        raise ValidationError("`labels` and `status` must be mappings", where=where)
    delay = item.get("delay_ms")
    return Rule(
        kind=str(item.get("kind", "*")),
        name=str(item.get("name", "*")),
        namespace=str(item.get("namespace", "*")),
        labels={str(k): str(v) for k, v in labels.items()},
        delay_ms=None if delay is None else _int(delay, f"{where}.delay_ms"),
        outcome=cast(Outcome, outcome),
        status=dict(status) if status is not None else None,
        condition=None if item.get("condition", "Ready") is None else str(item.get("condition", "Ready")),
    )


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"expected a non-negative integer, got {value!r}", where=where)
    return value


def _check_keys(data: Mapping[str, Any], cls: type[Any], where: str) -> None:
    known = [f.name for f in fields(cls)]
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"Did you mean `{close[0]}`?" if close else f"Known keys: {', '.join(known)}."
            raise ValidationError(f"unknown key `{key}`", where=f"{where}.{key}", fix=hint)
