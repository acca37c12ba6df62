"""What the apiserver's JSON decoder refuses in a built-in object, found by walking it beside its kind's schema: a
quantity `resource.ParseQuantity` cannot parse, a value an integer, boolean or int-or-string field cannot hold (a
fraction, a number out of range, a string for an integer). The apiserver answers these 400 BadRequest before any
validation, with Go's error text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pykro.cel._library.base import LibraryError
from pykro.cel._library.quantity import FORMAT_WRONG, parse_quantity
from pykro.schema import _kubernetes as kubernetes

__all__ = ["decode_error"]

_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"


def decode_error(api_version: str, kind: str, obj: Mapping[str, Any]) -> str | None:
    """Go's decoding error for this object (None when it decodes). An error returned by a field's own decoder
    (Quantity, IntOrString) stops decoding and wins over a type error saved on the way, as in encoding/json."""
    schema = kubernetes.builtin_schema(api_version, kind)
    if schema is None:
        return None
    found: dict[str, str] = {}
    _walk(obj, schema, kind, (), found)
    return found.get("returned") or found.get("saved")


def _walk(value: Any, schema: Mapping[str, Any], struct: str, path: tuple[str, ...], found: dict[str, str]) -> None:
    if "returned" in found or value is None:
        return
    ref = schema.get("$ref")
    name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None
    if name == _QUANTITY:
        problem = _quantity_error(value)
        if problem:
            found["returned"] = problem
        return
    if name == _INT_OR_STRING:
        if not isinstance(value, str):
            problem = _scalar_error(value, "int32", struct, path)
            if problem:
                found["returned"] = problem
        return
    if name is not None:
        schema = kubernetes.resolve(schema)
        struct = name.rsplit(".", 1)[-1]
    types = _types(schema)
    if ("integer" in types or "boolean" in types) and "saved" not in found:
        go_type = str(schema.get("format") or "int64") if "integer" in types else "bool"
        problem = _scalar_error(value, go_type, struct, path)
        if problem:
            found["saved"] = problem
    elif isinstance(value, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                _walk(item, properties[key], struct, (*path, str(key)), found)
            elif isinstance(extra, Mapping):  # a map: its keys are not part of Go's field path
                _walk(item, extra, struct, path, found)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for item in value:
            _walk(item, schema["items"], struct, path, found)


def _types(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type")
    return [declared] if isinstance(declared, str) else list(declared or [])


def _quantity_error(value: Any) -> str | None:
    """resource.Quantity's UnmarshalJSON: the text (or number) with surrounding spaces trimmed must parse."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return FORMAT_WRONG
    if isinstance(value, int | float):
        return None
    try:
        parse_quantity(value.strip())
    except LibraryError as err:
        return str(err)
    return None


_LIMITS = {"int32": 2**31, "int64": 2**63}


def _scalar_error(value: Any, go_type: str, struct: str, path: tuple[str, ...]) -> str | None:
    """encoding/json's UnmarshalTypeError for a value an integer or boolean field cannot hold (None if it can)."""
    if go_type == "bool":
        if isinstance(value, bool):
            return None
        what = "number" if isinstance(value, int | float) else _json_type(value)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        what = _json_type(value)
    elif isinstance(value, float) or not -_LIMITS.get(go_type, 2**63) <= value < _LIMITS.get(go_type, 2**63):
        what = f"number {value!r}"
    else:
        return None
    return f"json: cannot unmarshal {what} into Go struct field {struct}.{'.'.join(path)} of type {go_type}"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "number"
