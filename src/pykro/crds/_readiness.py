"""Readiness of a custom kind as kro ``readyWhen`` expressions, from the conventions its CRD's status follows.

Expressions are CEL over the identifier ``self`` (replaced by the resource's id when a resource is created):

* ``status.conditions`` of ``{type, status}`` items: ready when the ``Ready`` condition is ``True`` (when the
  object reports no ``Ready`` condition, ``Available`` instead); a condition's own ``observedGeneration``, when it
  has one, must be the object's ``metadata.generation`` (the condition describes the latest spec);
* ``status.observedGeneration``: it must equal ``metadata.generation``;
* otherwise a boolean ``status.ready`` must be true;
* otherwise the object is ready once it exists.

A status the controller has not written yet makes the expression wait (kro treats missing data as not ready).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["SELF", "bind", "condition_true", "conventions", "generation_observed"]

SELF: Final = "self"
_SELF = re.compile(r"\bself\b")


def bind(expression: str, rid: str) -> str:
    """``expression`` with ``self`` replaced by the resource id ``rid``."""
    return _SELF.sub(rid, expression)


def _properties(schema: Any) -> Mapping[str, Any]:
    if not isinstance(schema, Mapping):
        return {}
    props = schema.get("properties")
    return props if isinstance(props, Mapping) else {}


def condition_true(kind: str, *, generation: bool) -> str:
    """CEL: the condition ``kind`` is ``True`` (and, with ``generation``, about the latest generation if it says)."""
    check = f'c.type == "{kind}" && c.status == "True"'
    if generation:
        check += " && (!has(c.observedGeneration) || c.observedGeneration == self.metadata.generation)"
    return f"self.status.conditions.exists(c, {check})"


def generation_observed() -> str:
    """CEL: the controller has observed the latest spec."""
    return "self.status.observedGeneration == self.metadata.generation"


def conventions(schema: Mapping[str, Any]) -> list[str]:
    """The readyWhen expressions the status schema's conventions imply (see the module's docstring)."""
    status = _properties(_properties(schema).get("status"))
    out: list[str] = []
    conditions = status.get("conditions")
    items = _properties(conditions.get("items")) if isinstance(conditions, Mapping) else {}
    if "type" in items and "status" in items:
        generation = "observedGeneration" in items
        ready = condition_true("Ready", generation=generation)
        available = condition_true("Available", generation=generation)
        out.append(f'self.status.conditions.exists(c, c.type == "Ready") ? {ready} : {available}')
    elif isinstance(status.get("ready"), Mapping) and status["ready"].get("type") == "boolean":
        out.append("self.status.ready == true")
    if isinstance(status.get("observedGeneration"), Mapping):
        out.append(generation_observed())
    return out
