"""Author-defined status conditions (``spec.schema.status.conditions``), evaluated and stamped as kro v0.9.3's
instance controller does (pkg/runtime/conditions.go, pkg/controller/instance/status.go).

When an RGD declares conditions, only they appear on the instance's ``status.conditions``; kro's built-ins stay
readable through ``runtime.condition(schema, 'Ready')``. kro stamps ``lastTransitionTime`` with the clock when a
status changes; offline pykro keeps the previous time when the status is unchanged and otherwise leaves it out, so
the output is deterministic.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pykro import cel
from pykro.cel._library.runtime import Condition

if TYPE_CHECKING:
    from pykro.runtime._run import ExpansionRun

__all__ = ["Evaluated", "evaluate", "wire_conditions"]

_WIRE_KEYS = ("type", "status", "lastTransitionTime", "reason", "message", "observedGeneration")


@dataclass
class Evaluated:
    """The authored conditions of one expansion: in declaration order, whether some entry produced nothing this
    time (data pending or a failure), and the failures (kro logs them and sets state ERROR)."""

    conditions: list[Condition] = field(default_factory=list)
    incomplete: bool = False
    failures: list[str] = field(default_factory=list)


def evaluate(run: ExpansionRun, builtins: list[dict[str, Any]]) -> Evaluated:
    """Evaluate every conditions entry; ``schema.status.conditions`` holds kro's built-ins for this expansion."""
    result = Evaluated()
    schema = {**run.schema_value, "status": {"conditions": [_lookup_shape(c) for c in builtins]}}
    for fld in run.analysis.conditions:
        ctx = run.context(tuple(r for r in fld.roots if r != "schema"))
        if "schema" in fld.roots:
            ctx["schema"] = schema
        try:
            value = run.evaluator.evaluate(fld.cel, ctx)
        except cel.CelDataPending:
            result.incomplete = True
            continue
        except cel.CelError as exc:
            result.failures.append(f"{fld.cel!r}: {exc.what}")
            continue
        produced = _flatten(value)
        if produced is None:
            result.failures.append(
                f"{fld.cel!r}: condition {fld.cel!r} must return a Condition or list(Condition), got {_kind(value)}"
            )
            continue
        result.conditions.extend(produced)
    counts = Counter(c.type for c in result.conditions)
    duplicated = sorted(t for t, n in counts.items() if n > 1)
    if duplicated:
        result.conditions = [c for c in result.conditions if counts[c.type] == 1]
        result.failures.append(f"duplicate condition type(s) [{' '.join(duplicated)}] dropped")
    if result.failures:
        result.incomplete = True
    return result


def wire_conditions(evaluated: Evaluated, previous: Any, generation: int) -> list[dict[str, Any]]:
    """The conditions kro writes: each authored one stamped with ``observedGeneration`` (lastTransitionTime kept
    when its status did not change); when incomplete, previously written types not produced now are kept after."""
    before = _decode(previous)
    by_type = {c["type"]: c for c in before}
    out: list[dict[str, Any]] = []
    for cond in evaluated.conditions:
        wire: dict[str, Any] = {"type": cond.type, "status": cond.status}
        prior = by_type.get(cond.type)
        if prior is not None and prior["status"] == cond.status and prior.get("lastTransitionTime"):
            wire["lastTransitionTime"] = prior["lastTransitionTime"]
        if cond.reason:
            wire["reason"] = cond.reason
        if cond.message:
            wire["message"] = cond.message
        if generation:
            wire["observedGeneration"] = generation
        out.append(wire)
    if evaluated.incomplete:
        produced = {c["type"] for c in out}
        out.extend(c for c in before if c["type"] not in produced)
    return out


def _flatten(value: Any) -> list[Condition] | None:
    if isinstance(value, Condition):
        return [value]
    if isinstance(value, list) and all(isinstance(item, Condition) for item in value):
        return list(value)
    return None


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    return {dict: "map", str: "string", bool: "bool", int: "int", float: "double"}.get(type(value), "null_type")


def _lookup_shape(condition: dict[str, Any]) -> dict[str, str]:
    """A built-in condition as runtime.condition reads it: the four fields, empty when unset."""
    return {key: str(condition.get(key) or "") for key in ("type", "status", "reason", "message")}


def _decode(previous: Any) -> list[dict[str, Any]]:
    """The previously written conditions kro can decode (mappings with a string type and status)."""
    if not isinstance(previous, list):
        return []
    out = []
    for item in previous:
        if isinstance(item, dict) and isinstance(item.get("type"), str) and isinstance(item.get("status"), str):
            out.append({key: item[key] for key in _WIRE_KEYS if key in item})
    return out
