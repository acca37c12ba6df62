"""``x-kubernetes-validations``: CEL rules of a structural schema, evaluated like the apiserver does.

Each rule sees ``self`` (the value at its node) and, for transition rules, ``oldSelf`` (the correlated old value:
same object key, or same list-map keys). Transition rules are skipped on create. A failing rule yields the
apiserver's cause: its ``reason`` (default ``FieldValueInvalid``), its ``fieldPath``, its ``messageExpression``
or ``message`` (default ``failed rule: <rule>``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from pykro.schema import _causes as c
from pykro.schema._causes import FieldCause

if TYPE_CHECKING:
    from pykro.cel import Evaluator

__all__ = ["check_rules"]

_OLD_SELF: Final = re.compile(r"\boldSelf\b")
_MISSING: Final = object()

Schema = Mapping[str, Any]


@cache
def _evaluator() -> Evaluator:
    from pykro.cel import Evaluator

    return Evaluator(["self", "oldSelf"])


def check_rules(schema: Schema, obj: Any, path: str, old: Any) -> list[FieldCause]:
    """Evaluate every rule of ``schema`` over ``obj`` (``old`` is the previous object, or a missing marker)."""
    from pykro.schema._structural import MISSING

    found: list[FieldCause] = []
    _walk(schema, obj, path, _MISSING if old is MISSING else old, found)
    return found


def _schema_type(schema: Schema) -> str:
    if schema.get("x-kubernetes-int-or-string"):
        return "integer"
    declared = schema.get("type")
    return declared if isinstance(declared, str) else ""


def _walk(schema: Schema, value: Any, path: str, old: Any, found: list[FieldCause]) -> None:
    if value is None:
        return
    for rule in schema.get("x-kubernetes-validations") or ():
        failure = _run(rule, schema, value, path, old)
        if failure is not None:
            found.append(failure)
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            old_item = old.get(key, _MISSING) if isinstance(old, dict) else _MISSING
            if key in props:
                _walk(props[key], item, f"{path}.{key}" if path else key, old_item, found)
            elif isinstance(extra, Mapping):
                _walk(extra, item, f"{path}[{key}]", old_item, found)
    elif isinstance(value, list):
        items = schema.get("items")
        if not isinstance(items, Mapping):
            return
        old_items = _correlate(schema, old)
        for i, item in enumerate(value):
            _walk(items, item, f"{path}[{i}]", old_items(item), found)


def _correlate(schema: Schema, old: Any) -> Any:
    """A lookup from a new list item to its old counterpart (only list-type map lists correlate)."""
    keys = list(schema.get("x-kubernetes-list-map-keys") or ())
    if schema.get("x-kubernetes-list-type") != "map" or not keys or not isinstance(old, list):
        return lambda item: _MISSING
    index = {tuple(o.get(k) for k in keys): o for o in old if isinstance(o, dict)}

    def lookup(item: Any) -> Any:
        return index.get(tuple(item.get(k) for k in keys), _MISSING) if isinstance(item, dict) else _MISSING

    return lookup


def _rule_text(rule: Mapping[str, Any]) -> str:
    return str(rule.get("message") or rule.get("rule") or "").strip()


def _run(rule: Mapping[str, Any], schema: Schema, value: Any, path: str, old: Any) -> FieldCause | None:
    from pykro.cel import CelCompileError, CelError

    expression = str(rule.get("rule") or "").strip()
    if not expression:
        return None
    uses_old = bool(_OLD_SELF.search(expression))
    if uses_old and old is _MISSING and not rule.get("optionalOldSelf"):
        return None
    kind = _schema_type(schema)
    activation = {"self": value, "oldSelf": None if old is _MISSING else old}
    try:
        result = _evaluator().evaluate(expression, activation)
    except CelCompileError as err:
        return c.invalid(path, kind, f"rule compile error: {err.what}")
    except CelError as err:
        return c.invalid(path, kind, f"{err.what} evaluating rule: {_rule_text(rule)}")
    if result is True:
        return None
    field_path = str(rule.get("fieldPath") or "").lstrip(".")
    where = f"{path}.{field_path}" if path and field_path else (field_path or path)
    detail = _message(rule, activation) or (str(rule.get("message") or "").strip() or f"failed rule: {expression}")
    bad = c.OMIT if kind in ("object", "array") else value
    reason = rule.get("reason") or c.INVALID
    if reason == c.FORBIDDEN:
        return c.forbidden(where, detail)
    if reason == c.REQUIRED:
        return c.required(where, detail)
    if reason == c.DUPLICATE:
        return c.duplicate(where, bad)
    return c.invalid(where, bad, detail)


def _message(rule: Mapping[str, Any], activation: Mapping[str, Any]) -> str:
    """The evaluated ``messageExpression``, or "" when absent or unusable (the apiserver falls back too)."""
    from pykro.cel import CelError

    expression = rule.get("messageExpression")
    if not expression:
        return ""
    try:
        text = _evaluator().evaluate(str(expression), activation)
    except CelError:
        return ""
    if not isinstance(text, str):
        return ""
    text = text.strip()
    return "" if not text or "\n" in text else text
