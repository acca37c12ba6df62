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
from typing import Any, Literal, TypeVar, cast, get_args

from pykro import _yamlio as yamlio
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
        """Checks every field now (a rule made in Python gets the checks of a rules file), then expands `status`."""
        for name in ("kind", "name", "namespace"):
            _typed(getattr(self, name), str, f"rule.{name}", "a string (a glob)")
        if not isinstance(self.labels, Mapping):
            raise ValidationError(f"expected a mapping of label values, got {self.labels!r}", where="rule.labels")
        for key, value in self.labels.items():
            _typed(key, str, "rule.labels", "a string")
            _typed(value, str, f"rule.labels.{key}", "a string (label values are text)")
        if self.delay_ms is not None:
            _int(self.delay_ms, "rule.delay_ms")
        if self.outcome not in OUTCOMES:
            raise ValidationError(
                f"unknown outcome {self.outcome!r}", where="rule.outcome", fix=f"Use one of: {', '.join(OUTCOMES)}."
            )
        if self.status is not None and not isinstance(self.status, Mapping):
            raise ValidationError(f"expected a mapping, got {self.status!r}", where="rule.status")
        if self.condition is not None:
            _typed(self.condition, str, "rule.condition", "a string or None")
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
        """Rules from a mapping, checked whole: an unknown key, a value of the wrong type or a kind the simulator
        would never act on is a ValidationError at its YAML path (with the closest known name)."""
        _check_keys(data, cls, where)
        out = cls()
        for name in ("default_delay_ms", "jitter_ms"):
            if name in data:
                setattr(out, name, _int(data[name], f"{where}.{name}"))
        if "events" in data:
            out.events = _typed(data["events"], bool, f"{where}.events", "true or false")
        if "node_name" in data:
            out.node_name = _typed(data["node_name"], str, f"{where}.node_name", "a string")
        items = data.get("rules") or []
        if not isinstance(items, list):
            raise ValidationError("`rules` must be a list", where=f"{where}.rules")
        out.rules = [_rule(item, f"{where}.rules[{i}]") for i, item in enumerate(items)]
        if "delays" in data:
            delays = data["delays"]
            if not isinstance(delays, Mapping):
                raise ValidationError("`delays` must map kinds to milliseconds", where=f"{where}.delays")
            for kind, ms in delays.items():
                _check_kind(kind, f"{where}.delays.{kind}", out.rules)
                _int(ms, f"{where}.delays.{kind}")
            out.delays = {**DEFAULT_DELAYS_MS, **delays}
        return out

    @classmethod
    def from_yaml(cls, text: str, where: str = "rules") -> SimulationRules:
        data = yamlio.load_values(text, where) or {}
        if not isinstance(data, Mapping):
            raise ValidationError("a simulation rules file must be a mapping", where=where)
        return cls.from_dict(data, where)

    @classmethod
    def load(cls, path: str | Path) -> SimulationRules:
        """The rules of a YAML file; errors name ``FILE: yaml.path``."""
        try:
            return cls.from_yaml(yamlio.read_user_file(path, what="simulation rules file"), where=str(path))
        except ValidationError as exc:
            if exc.where and exc.where.startswith(f"{path}."):
                exc.where = f"{path}: {exc.where[len(str(path)) + 1 :]}"
                exc.args = (exc.render(),)
            raise


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
    for key, value in labels.items():
        _typed(key, str, f"{where}.labels", "a string (quote it)")
        _typed(value, str, f"{where}.labels.{key}", "a string (quote it: label values are text)")
    text = {k: _typed(item.get(k, "*"), str, f"{where}.{k}", "a string") for k in ("kind", "name", "namespace")}
    if text["kind"] != "*":
        _check_kind(text["kind"], f"{where}.kind", None)
    delay = item.get("delay_ms")
    condition = item.get("condition", "Ready")
    return Rule(
        kind=text["kind"],
        name=text["name"],
        namespace=text["namespace"],
        labels={str(k): str(v) for k, v in labels.items()},
        delay_ms=None if delay is None else _int(delay, f"{where}.delay_ms"),
        outcome=cast(Outcome, outcome),
        status=dict(status) if status is not None else None,
        condition=None if condition is None else _typed(condition, str, f"{where}.condition", "a string or null"),
    )


T = TypeVar("T")


def _typed(value: Any, kind: type[T], where: str, what: str) -> T:
    """``value`` if it is a ``kind`` (a YAML-version-dependent scalar such as ``yes`` or ``010`` is not)."""
    if isinstance(value, yamlio.Ambiguous) and kind is str:
        return cast(T, str(value))  # text as written: a name, a label value
    if not isinstance(value, kind) or isinstance(value, yamlio.Ambiguous) or (kind is int and isinstance(value, bool)):
        raise ValidationError(f"expected {what}, got {value!r}", where=where)
    return value


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or isinstance(value, yamlio.Ambiguous) or value < 0:
        raise ValidationError(f"expected a non-negative integer, got {value!r}", where=where)
    return value


def _check_kind(kind: Any, where: str, rules: list[Rule] | None) -> None:
    """Refuse a kind the simulator would never act on: a built-in kind it does not simulate, a near-miss of a
    built-in kind (``Deploymnet``, ``deployment``) and, under ``delays`` (``rules`` given), a custom kind no rule
    selects. A rule's own kind may be any custom kind (or a glob)."""
    from pykro.emulator._registry import BUILTINS
    from pykro.graph._naming import did_you_mean

    simulated = set(DEFAULT_DELAYS_MS) | set(TEMPLATE_PATHS)
    builtin = {t.kind for t in BUILTINS}
    text = _typed(kind, str, where, "a kind (a string)")
    if text in simulated or (rules is None and any(ch in text for ch in "*?[")):
        return
    if text in builtin:
        raise ValidationError(
            f"the simulator does not act on {text} objects (it simulates {', '.join(sorted(simulated))})",
            where=where,
            fix="Remove it.",
        )
    custom = {r.kind for r in rules or () if r.kind != "*"}
    hint = did_you_mean(text, simulated | custom).strip()
    if _near(text, builtin):
        raise ValidationError(f"unknown kind {text!r} (kinds are case-sensitive)", where=where, fix=hint or None)
    if rules is not None and not any(r.names_kind(text) for r in rules):
        raise ValidationError(
            f"no rule selects kind {text!r}, so the simulator never acts on it and this delay never applies",
            where=where,
            fix=hint or "Add a rule with this kind (custom kinds are simulated only when a rule names them).",
        )


def _near(kind: str, builtin: set[str]) -> bool:
    """True when ``kind`` looks like a misspelt built-in kind (same letters in another case, or one edit away)."""
    lowered = {b.lower() for b in builtin}
    return kind.lower() in lowered or bool(difflib.get_close_matches(kind, builtin, n=1, cutoff=0.85))


def _check_keys(data: Mapping[str, Any], cls: type[Any], where: str) -> None:
    yamlio.check_keys(data, [f.name for f in fields(cls)], where)
