"""What the apiserver does with a custom resource and its CRD's structural OpenAPI v3 schema.

``apply_defaults`` and ``prune`` mirror apiextensions-apiserver's defaulting and pruning algorithms;
``validate`` mirrors kube-openapi's schema validation (as converted to field errors for CRDs), the
``x-kubernetes-list-type`` set/map invariants and ``x-kubernetes-validations`` CEL rules (``pykro.schema._rules``), in
that order, with the apiserver's wording (see ``pykro.schema._causes``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from pykro import _memo as memo
from pykro._yamlio import copy_data
from pykro.schema import _causes as c
from pykro.schema._causes import FieldCause, go_json, go_number, go_quote
from pykro.schema._formats import check_format
from pykro.schema._ints import int_misfit

__all__ = ["MISSING", "FieldCause", "apply_defaults", "int_misfits", "prune", "validate"]

MISSING: Final = object()
"""Marks an absent old object (a create rather than an update)."""

_META_FIELDS: Final = frozenset({"apiVersion", "kind", "metadata"})
_BLOCKING: Final = frozenset({c.NOT_SUPPORTED, c.REQUIRED, c.TOO_LONG, c.TOO_MANY, c.TYPE_INVALID})
_BLOCKED_MESSAGE: Final = (
    "some validation rules were not checked because the object was invalid; "
    "correct the existing errors to complete validation"
)

Schema = Mapping[str, Any]


# ---------------------------------------------------------------- schema navigation


def _prop(schema: Schema | None, key: str) -> Schema | None:
    """The schema of ``key`` in an object: its property, else ``additionalProperties`` (if a schema)."""
    if schema is None:
        return None
    props = schema.get("properties")
    if props and key in props:
        sub: Schema = props[key]
        return sub
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, Mapping) else None


def _items(schema: Schema | None) -> Schema | None:
    items = schema.get("items") if schema is not None else None
    return items if isinstance(items, Mapping) else None


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# ---------------------------------------------------------------- defaulting


def apply_defaults(schema: Schema, obj: Any) -> Any:
    """Return a copy of ``obj`` defaulted as the apiserver does on create/update/read.

    Non-nullable ``null`` values without a default are dropped first; then missing (or non-nullable ``null``)
    properties, map values and list items get a deep copy of their schema default, recursively (also inside
    defaults that were just filled in).
    """
    out = copy_data(obj)
    _prune_nulls(out, schema)
    _default(out, schema)
    return out


def _non_nullable_null(value: Any, schema: Schema | None) -> bool:
    return value is None and schema is not None and not schema.get("nullable", False)


def _prune_nulls(value: Any, schema: Schema | None) -> None:
    if isinstance(value, dict):
        for key in list(value):
            sub = _prop(schema, key)
            if _non_nullable_null(value[key], sub) and sub is not None and "default" not in sub:
                del value[key]
            else:
                _prune_nulls(value[key], sub)
    elif isinstance(value, list):
        items = _items(schema)
        for item in value:
            _prune_nulls(item, items)


def _default(value: Any, schema: Schema | None) -> None:
    if schema is None:
        return
    if isinstance(value, dict):
        for key, sub in (schema.get("properties") or {}).items():
            if sub.get("default") is None:
                continue
            if key not in value or _non_nullable_null(value[key], sub):
                value[key] = copy_data(sub["default"])
        extra = schema.get("additionalProperties")
        for key in value:
            props = schema.get("properties") or {}
            if key in props:
                _default(value[key], props[key])
            elif isinstance(extra, Mapping):
                if _non_nullable_null(value[key], extra) and extra.get("default") is not None:
                    value[key] = copy_data(extra["default"])
                _default(value[key], extra)
    elif isinstance(value, list):
        items = _items(schema)
        if items is None:
            return
        for i, item in enumerate(value):
            if _non_nullable_null(item, items) and items.get("default") is not None:
                value[i] = copy_data(items["default"])
            _default(value[i], items)


# ---------------------------------------------------------------- pruning


def prune(schema: Schema, obj: Any, *, root: bool = True) -> Any:
    """Return a copy of ``obj`` without the fields ``schema`` does not specify.

    ``x-kubernetes-preserve-unknown-fields`` keeps unknown fields (still pruning inside known ones);
    ``apiVersion``/``kind``/``metadata`` are kept at the resource root (``root=True``) and in embedded resources.
    """
    out = copy_data(obj)
    effective: Schema = {**schema, "x-kubernetes-embedded-resource": True} if root else schema
    _prune(out, effective)
    return out


def _prune(value: Any, schema: Schema | None) -> None:
    if schema is not None and schema.get("x-kubernetes-preserve-unknown-fields"):
        _prune_known(value, schema)
        return
    if isinstance(value, dict):
        embedded = schema is not None and schema.get("x-kubernetes-embedded-resource", False)
        for key in list(value):
            if embedded and key in _META_FIELDS:
                continue
            sub = _prop(schema, key)
            if sub is None:
                del value[key]
            else:
                _prune(value[key], sub)
    elif isinstance(value, list):
        items = _items(schema)
        for item in value:
            _prune(item, items)


def _prune_known(value: Any, schema: Schema) -> None:
    if isinstance(value, dict):
        embedded = schema.get("x-kubernetes-embedded-resource", False)
        for key, item in value.items():
            if embedded and key in _META_FIELDS:
                continue
            sub = _prop(schema, key)
            if sub is not None:
                _prune(item, sub)
    elif isinstance(value, list):
        items = _items(schema)
        if items is not None:
            for item in value:
                _prune_known(item, items)


# ---------------------------------------------------------------- validation


def validate(schema: Schema, obj: Any, path: str = "", *, old: Any = MISSING) -> list[FieldCause]:
    """Validate ``obj`` against a structural schema; return the apiserver's causes (empty when valid).

    ``path`` prefixes every field (``validate(spec_schema, spec, "spec")``). ``old`` is the previous object on
    an update: transition rules (those using ``oldSelf``) only run when it is given.
    """
    found = _Found()
    _check(schema, obj, path, found)
    _check_list_types(schema, obj, path, found)
    if found.rules:
        if any(cause.reason in _BLOCKING for cause in found):
            found.append(c.invalid("", None, _BLOCKED_MESSAGE))
        else:
            from pykro.schema._rules import check_rules

            found.extend(check_rules(schema, obj, path, old))
    return found


def int_misfits(schema: Schema, obj: Any, path: str = "") -> list[FieldCause]:
    """Causes for the ints under ``obj`` out of their field's range (int32 for ``format: int32``, else int64): what
    pykro refuses before the API server silently turns a too big number into a float (not an apiserver check)."""
    found: list[FieldCause] = []
    stack: list[tuple[Schema | None, Any, str]] = [(schema, obj, path)]
    while stack:
        node, value, name = stack.pop()
        if isinstance(value, dict):
            stack.extend((_prop(node, str(k)), v, _child(name, str(k))) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((_items(node), v, f"{name}[{i}]") for i, v in enumerate(value))
        else:
            misfit = int_misfit(value, node.get("format") if node is not None else None)
            if misfit is not None:
                found.append(c.invalid(name, value, f"{name} in body {misfit}"))
    return sorted(found, key=lambda cause: cause.field)


class _Found(list[FieldCause]):
    """Causes found so far; ``rules`` notes whether a visited schema node carries CEL rules."""

    rules = False


def _declared_types(schema: Schema) -> tuple[str, ...]:
    if schema.get("x-kubernetes-int-or-string"):
        return ("integer", "string")
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,) if declared else ()
    return tuple(declared or ())


def _type_ok(actual: str, declared: tuple[str, ...], value: Any) -> bool:
    if actual in declared:
        return True
    if actual == "number" and "integer" in declared:
        return float(value).is_integer()
    return actual == "integer" and "number" in declared


def _check(schema: Schema, value: Any, name: str, found: list[FieldCause]) -> None:
    if "x-kubernetes-validations" in schema and isinstance(found, _Found):
        found.rules = True
    declared = _declared_types(schema)
    if value is None:
        if declared and "null" not in declared and not schema.get("nullable", False):
            msg = f'{name} in body must be of type {",".join(declared)}: "null"'
            found.append(c.cause(c.TYPE_INVALID, name, "null", msg))
        _check_enum(schema, value, name, found)
        return
    actual = c.json_type(value)
    if declared and not _type_ok(actual, declared, value):
        msg = f"{name} in body must be of type {','.join(declared)}: {go_quote(actual)}"
        found.append(c.cause(c.TYPE_INVALID, name, actual, msg))
        return
    _check_composition(schema, value, name, found)
    if actual == "string":
        _check_string(schema, value, name, found)
    elif actual in ("integer", "number"):
        _check_number(schema, value, name, found)
    elif actual == "array":
        _check_array(schema, value, name, found)
    _check_enum(schema, value, name, found)
    if actual == "object":
        _check_object(schema, value, name, found)


@memo.cached(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _check_string(schema: Schema, value: str, name: str, found: list[FieldCause]) -> None:
    max_length, min_length, pattern = schema.get("maxLength"), schema.get("minLength"), schema.get("pattern")
    if max_length is not None and len(value) > max_length:
        found.append(c.too_long(name, int(max_length)))
    elif min_length is not None and len(value) < min_length:
        found.append(c.invalid(name, value, f"{name} in body should be at least {min_length} chars long"))
    elif pattern is not None:
        regex = _regex(pattern)
        if regex is None:
            found.append(c.invalid(name, value, f"{name} in body should match '{pattern}, but pattern is invalid'"))
        elif not regex.search(value):
            found.append(c.invalid(name, value, f"{name} in body should match '{pattern}'"))
    fmt = schema.get("format")
    if fmt and not check_format(fmt, value):
        msg = f"{name} in body must be of type {fmt}: {go_quote(value)}"
        found.append(c.cause(c.TYPE_INVALID, name, value, msg))


def _check_number(schema: Schema, value: float, name: str, found: list[FieldCause]) -> None:
    multiple = schema.get("multipleOf")
    if multiple is not None and multiple > 0 and not float(value / multiple).is_integer():
        found.append(c.invalid(name, value, f"{name} in body should be a multiple of {go_number(multiple)}"))
    minimum = schema.get("minimum")
    if minimum is not None:
        exclusive = bool(schema.get("exclusiveMinimum"))
        if value < minimum or (exclusive and value == minimum):
            word = "greater than" if exclusive else "greater than or equal to"
            found.append(c.invalid(name, value, f"{name} in body should be {word} {go_number(minimum)}"))
    maximum = schema.get("maximum")
    if maximum is not None:
        exclusive = bool(schema.get("exclusiveMaximum"))
        if value > maximum or (exclusive and value == maximum):
            word = "less than" if exclusive else "less than or equal to"
            found.append(c.invalid(name, value, f"{name} in body should be {word} {go_number(maximum)}"))


def _check_array(schema: Schema, value: list[Any], name: str, found: list[FieldCause]) -> None:
    items = _items(schema)
    if items is not None:
        for i, item in enumerate(value):
            _check(items, item, f"{name}[{i}]", found)
    size = len(value)
    min_items, max_items = schema.get("minItems"), schema.get("maxItems")
    if min_items is not None and size < min_items:
        found.append(c.invalid(name, size, f"{name} in body should have at least {min_items} items"))
    if max_items is not None and size > max_items:
        found.append(c.too_many(name, size, int(max_items)))
    if schema.get("uniqueItems") and len({go_json(v) for v in value}) < size:
        found.append(c.invalid(name, "", f"{name} in body shouldn't contain duplicates"))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _check_enum(schema: Schema, value: Any, name: str, found: list[FieldCause]) -> None:
    enum = schema.get("enum")
    if enum and not any(_same(value, allowed) for allowed in enum):
        found.append(c.not_supported(name, value, list(enum)))


def _check_object(schema: Schema, value: Mapping[str, Any], name: str, found: list[FieldCause]) -> None:
    count = len(value)
    max_props, min_props = schema.get("maxProperties"), schema.get("minProperties")
    if max_props is not None and count > max_props:
        found.append(c.too_many(name, count, int(max_props)))
    if min_props is not None and count < min_props:
        found.append(c.invalid(name, count, f"{name} in body should have at least {min_props} properties"))
    for key in schema.get("required") or ():
        if key not in value:
            found.append(c.required(_child(name, key)))
    props = schema.get("properties") or {}
    for key, sub in props.items():
        if key in value:
            _check(sub, value[key], _child(name, key), found)
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        for key, item in value.items():
            if key not in props:
                _check(extra, item, _child(name, key), found)


def _check_composition(schema: Schema, value: Any, name: str, found: list[FieldCause]) -> None:
    for sub in schema.get("allOf") or ():
        _check(sub, value, name, found)
    any_of = schema.get("anyOf")
    if any_of:
        results = [_sub_check(sub, value, name) for sub in any_of]
        if all(results):
            found.append(c.invalid("", "", f"{go_quote(name)} must validate at least one schema (anyOf)"))
            found.extend(results[0])
    one_of = schema.get("oneOf")
    if one_of:
        results = [_sub_check(sub, value, name) for sub in one_of]
        passing = sum(1 for r in results if not r)
        if passing != 1:
            found.append(c.invalid("", "", f"{go_quote(name)} must validate one and only one schema (oneOf)"))
            if passing == 0:
                found.extend(results[0])
    negated = schema.get("not")
    if isinstance(negated, Mapping) and not _sub_check(negated, value, name):
        found.append(c.invalid("", "", f"{go_quote(name)} must not validate the schema (not)"))


def _sub_check(schema: Schema, value: Any, name: str) -> list[FieldCause]:
    sub_found: list[FieldCause] = []
    _check(schema, value, name, sub_found)
    return sub_found


# ---------------------------------------------------------------- list types


def _check_list_types(schema: Schema | None, value: Any, path: str, found: list[FieldCause]) -> None:
    if schema is None:
        return
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                _check_list_types(props[key], item, _child(path, key), found)
            elif isinstance(extra, Mapping):
                _check_list_types(extra, item, f"{path}[{key}]", found)
    elif isinstance(value, list):
        list_type = schema.get("x-kubernetes-list-type")
        if list_type == "set":
            for i in _repeats([go_json(v) for v in value]):
                found.append(c.duplicate(f"{path}[{i}]", value[i]))
        elif list_type == "map":
            _check_list_map(schema, value, path, found)
        items = _items(schema)
        for i, item in enumerate(value):
            _check_list_types(items, item, f"{path}[{i}]", found)


def _repeats(keys: list[str]) -> list[int]:
    """Indices of the second occurrence of every repeated key (the apiserver reports each duplicate once)."""
    seen: dict[str, int] = {}
    out = []
    for i, key in enumerate(keys):
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            out.append(i)
    return out


def _check_list_map(schema: Schema, value: list[Any], path: str, found: list[FieldCause]) -> None:
    for i, item in enumerate(value):
        if item is not None and not isinstance(item, dict):
            found.append(c.invalid(f"{path}[{i}]", item, "must be an object for an array of list-type map"))
            return
    key_fields = list(schema.get("x-kubernetes-list-map-keys") or ())
    keys = [{k: item[k] for k in key_fields if k in item} if item else {} for item in value]
    for i in _repeats([go_json(k) for k in keys]):
        found.append(c.duplicate(f"{path}[{i}]", keys[i]))
