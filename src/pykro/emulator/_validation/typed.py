"""The type errors server-side apply meets when it turns an applied configuration into a typed value of a built-in
kind (sigs.k8s.io/structured-merge-diff typed/validate.go and helpers.go): a scalar of the wrong type, a list or map
given something else, each named by its field path (`.spec.replicas`, `.spec.containers[name="c"].image`) with Go's
formatting of the value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pykro.errors import go_quote
from pykro.schema import _kubernetes as kubernetes
from pykro.schema._causes import go_number

__all__ = ["apply_type_errors", "go_value"]

ListKeys = Callable[[tuple[str, ...], list[Any]], "list[str] | str | None"]

# types whose value the apiserver's typed schema leaves open (untyped scalars, deduced values)
_OPEN = frozenset(
    {
        "io.k8s.apimachinery.pkg.api.resource.Quantity",
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
        "io.k8s.apimachinery.pkg.runtime.RawExtension",
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
    }
)


def apply_type_errors(api_version: str, kind: str, obj: Mapping[str, Any], list_keys: ListKeys) -> list[str]:
    """Each type error of ``obj`` as structured-merge-diff words it (`.spec.replicas: expected numeric (int or
    float), got string`), in document order."""
    schema = kubernetes.builtin_schema(api_version, kind)
    out: list[str] = []
    if schema is not None:
        _walk(obj, schema, "", (), list_keys, out)
    return out


def _walk(
    value: Any, schema: Mapping[str, Any], at: str, names: tuple[str, ...], keys: ListKeys, out: list[str]
) -> None:
    if value is None:
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref.rsplit("/", 1)[-1] in _OPEN:
            return
        schema = kubernetes.resolve(schema)
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or [])
    where = f"{at}: " if at else ""
    if "properties" in schema or "additionalProperties" in schema or "object" in types:
        if not isinstance(value, dict):
            out.append(f"{where}expected map, got {_plain(value)}")
            return
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key) if key in properties else extra
            if isinstance(sub, Mapping):
                _walk(item, sub, f"{at}.{key}", (*names, str(key)), keys, out)
    elif "array" in types:
        if not isinstance(value, list):
            out.append(f"{where}expected list, got {_plain(value)}")
            return
        items = schema.get("items")
        if not isinstance(items, Mapping):
            return
        merge = keys(names, value)
        for n, item in enumerate(value):
            _walk(item, items, at + _element(n, item, merge), names, keys, out)
    elif "integer" in types or "number" in types:
        if isinstance(value, bool) or not isinstance(value, int | float):
            out.append(f"{where}expected numeric (int or float), got {_go_type(value)}")
    elif "string" in types:
        if not isinstance(value, str):
            out.append(f"{where}expected string, got &value.valueUnstructured{{Value:{_sharp(value)}}}")
    elif "boolean" in types and not isinstance(value, bool):
        out.append(f"{where}expected boolean, got {_plain(value)}")


def _element(n: int, item: Any, merge: list[str] | str | None) -> str:
    """fieldpath.PathElement.String(): `[name="c"]` in a keyed list, `[="x"]` in a set, `[0]` otherwise."""
    if isinstance(merge, list) and isinstance(item, dict) and all(k in item for k in merge):
        return "[" + ",".join(f"{k}={_to_string(item[k])}" for k in sorted(merge)) + "]"
    if merge == "set" and not isinstance(item, dict | list):
        return f"[={_to_string(item)}]"
    return f"[{n}]"


def _to_string(value: Any) -> str:
    """value.ToString: strings quoted, numbers and booleans as Go's %v writes them."""
    if isinstance(value, str):
        return go_quote(value)
    return _v(value)


def _go_type(value: Any) -> str:
    """%T of the value an unstructured object holds."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    return "int64" if isinstance(value, int) else "float64"


def _plain(value: Any) -> str:
    """%v of a *value.valueUnstructured: `&{` + %v of what it holds + `}`."""
    return "&{" + _v(value) + "}"


def go_value(value: Any) -> str:
    """Go's %v (and %+v) of a decoded JSON value: `map[a:1 b:[x y]]`, keys sorted as fmt sorts them."""
    return _v(value)


def _v(value: Any) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return go_number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_v(value[k])}" for k in sorted(value)) + "]"
    return "[" + " ".join(_v(item) for item in value) + "]"


def _sharp(value: Any) -> str:
    """%#v of an interface{} holding a JSON value."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, dict):
        return "map[string]interface {}{" + ", ".join(f"{go_quote(k)}:{_sharp(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(_sharp(item) for item in value) + "}"
    return _v(value)
