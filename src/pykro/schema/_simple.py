"""kro SimpleSchema ⇄ OpenAPI v3, with kro v0.9.3's output and error texts.

``to_openapi`` is kro's ``simpleschema.ToOpenAPISpec`` (``pkg/simpleschema``): atomic types, ``object``,
``[]T``, ``map[string]T``, nested objects, custom ``types`` (ordered by their dependencies, cycles rejected) and
the markers. ``from_openapi`` goes back for the schemas SimpleSchema can express.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any, Final

from pykro._graphs import dependencies_first, find_cycle
from pykro._memo import Memo
from pykro.errors import ValidationError
from pykro.schema._markers import (
    Atomic,
    Custom,
    Map,
    Marker,
    Object,
    SimpleSchemaError,
    SimpleType,
    Slice,
    deps,
    format_marker,
    parse_bool,
    parse_field,
    parse_float,
    parse_int,
    parse_type_string,
)

__all__ = ["from_openapi", "from_openapi_types", "ordered", "to_openapi"]

_FIX: Final = "See kro's SimpleSchema reference: https://kro.run/docs/concepts/simple-schema"
_IMMUTABLE: Final = {"rule": "self == oldSelf", "message": "field is immutable"}
_VALIDATION_MESSAGE: Final = "validation failed"
# JSONSchemaProps field order (how kro/kubectl serialise a schema).
_ORDER: Final = (
    "description",
    "type",
    "format",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "enum",
    "maxProperties",
    "minProperties",
    "required",
    "items",
    "properties",
    "additionalProperties",
    "nullable",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-int-or-string",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-list-type",
    "x-kubernetes-map-type",
    "x-kubernetes-validations",
)
_GO_TYPES: Final = {bool: "bool", int: "float64", float: "float64", list: "[]interface {}", type(None): "<nil>"}


class _Failure(Exception):
    """A kro error with the YAML path of the offending field."""

    def __init__(self, message: str, where: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint


def to_openapi(
    spec: Mapping[str, Any] | None,
    types: Mapping[str, Any] | None = None,
    *,
    path: str = "spec",
    types_path: str | None = None,
) -> dict[str, Any]:
    """Convert a SimpleSchema ``spec`` (with optional custom ``types``) to a structural OpenAPI v3 schema.

    Errors raise ``ValidationError`` with kro's message and the YAML path of the field, e.g. ``where=
    "spec.schema.spec.replicas"`` when ``path="spec.schema.spec"``. ``types_path`` defaults to ``path`` with its
    last segment replaced by ``types``.
    """
    if types_path is None:
        types_path = f"{path.rpartition('.')[0]}.types" if "." in path else "types"
    # The conversion is pure in its inputs and graphs repeat the same specs: results are kept by the inputs' repr
    # (exact for YAML data: it tells 1 from "1" and keeps key order), handed out as copies.
    key = repr((spec, types, path, types_path))
    found = _CONVERTED.get(key)
    if found is None:
        found = convert(spec or {}, types or {}, path, types_path)
        _CONVERTED.put(key, found)
    from pykro._yamlio import copy_data  # the YAML module loads on first use, not when models are defined

    result: dict[str, Any] = copy_data(found)
    return result


_CONVERTED: Memo[str, dict[str, Any]] = Memo(1024)


def convert(spec: Mapping[str, Any], types: Mapping[str, Any], path: str, types_path: str) -> dict[str, Any]:
    """:func:`to_openapi` itself, without keeping the result (every call converts)."""
    try:
        transformer = _Transformer(types, types_path)
        schema: dict[str, Any] = ordered(transformer.build_object(spec, path))
        return schema
    except _Failure as err:
        raise ValidationError(err.message, where=err.where, fix=f"{err.hint} {_FIX}" if err.hint else _FIX) from None


class _Transformer:
    def __init__(self, types: Mapping[str, Any], types_path: str) -> None:
        self.types: dict[str, tuple[dict[str, Any], bool]] = {}
        self._load(types, types_path)

    # -- custom types

    def _load(self, types: Mapping[str, Any], types_path: str) -> None:
        parsed: dict[str, list[str]] = {}
        for name, spec in types.items():
            try:
                parsed[name] = sorted(set(_spec_deps(spec)))
            except SimpleSchemaError as err:
                raise _Failure(f"parsing type {name}: {err}", f"{types_path}.{name}", err.hint) from None
        for name, dependencies in parsed.items():
            for dep in dependencies:
                if dep not in parsed:
                    raise _Failure(f"node {dep} does not exist", f"{types_path}.{name}")
                if dep == name:
                    raise _Failure("self references are not allowed", f"{types_path}.{name}")
        for name in parsed:
            cycle = find_cycle(parsed, [name])
            if cycle:
                text = " -> ".join(cycle)
                raise _Failure(
                    f"cyclic dependency in type {name}: graph contains a cycle: {text}", f"{types_path}.{name}"
                )
        for name in dependencies_first(parsed):
            spec = types[name]
            where = f"{types_path}.{name}"
            try:
                if isinstance(spec, str):
                    holder: dict[str, Any] = {"required": []}
                    schema = self.build_field(name, spec, holder, where)
                    self.types[name] = (schema, bool(holder["required"]))
                else:
                    self.types[name] = (self.build_object(spec, where), False)
            except _Failure as err:
                raise _Failure(f"building schema for {name}: {err.message}", err.where, err.hint) from None

    def resolve(self, name: str, where: str) -> dict[str, Any]:
        if name not in self.types:
            raise _Failure(f"unknown type: {name}", where)
        return copy.deepcopy(self.types[name][0])

    # -- schemas

    def build_object(self, spec: Mapping[str, Any], where: str) -> dict[str, Any]:
        if not isinstance(spec, Mapping):
            raise _Failure(f"unexpected type: {_go_type(spec)}", where)
        schema: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        child_default = False
        for name in sorted(spec):
            field = spec[name]
            field_where = f"{where}.{name}"
            if isinstance(field, str):
                sub = self.build_field(name, field, schema, field_where)
            elif isinstance(field, Mapping):
                sub = self.build_object(field, field_where)
            else:
                raise _Failure(f"unexpected type: {_go_type(field)}", field_where)
            schema["properties"][name] = sub
            child_default = child_default or "default" in sub
        if not schema["required"] and child_default:
            schema["default"] = {}
        schema["required"] = sorted(schema["required"])
        for key in ("properties", "required"):
            if not schema[key]:
                del schema[key]
        return schema

    def build_field(self, name: str, text: str, parent: dict[str, Any], where: str) -> dict[str, Any]:
        try:
            typ, markers = parse_field(text)
        except SimpleSchemaError as err:
            raise _Failure(str(err), where, err.hint) from None
        schema = self.type_schema(typ, where)
        if isinstance(typ, Custom) and self.types[typ.name][1]:
            parent.setdefault("required", []).append(name)
        try:
            for marker in markers:
                _apply(schema, marker, name, parent)
            keys = schema.get("x-kubernetes-list-map-keys")
            list_type = schema.get("x-kubernetes-list-type")
            if keys and list_type is None:
                raise SimpleSchemaError("listMapKey set while listType is unset, listType must be set to map")
            if keys and list_type != "map":
                raise SimpleSchemaError(
                    f"listMapKey set while listType is set to {list_type}, listType must be set to map"
                )
        except SimpleSchemaError as err:
            raise _Failure(str(err), where, err.hint) from None
        return schema

    def type_schema(self, typ: SimpleType, where: str) -> dict[str, Any]:
        if isinstance(typ, Atomic):
            return {"type": "number" if typ.name == "float" else typ.name}
        if isinstance(typ, Object):
            return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        if isinstance(typ, Slice):
            return {"type": "array", "items": self.type_schema(typ.elem, where)}
        if isinstance(typ, Map):
            return {"type": "object", "additionalProperties": self.type_schema(typ.value, where)}
        return self.resolve(typ.name, where)


def _spec_deps(spec: Any) -> list[str]:
    if isinstance(spec, str):
        return deps(parse_type_string(spec))
    if isinstance(spec, Mapping):
        out: list[str] = []
        for name, field in spec.items():
            try:
                out.extend(_spec_deps(field))
            except SimpleSchemaError as err:
                raise SimpleSchemaError(f"field {name}: {err}") from None
        return out
    raise SimpleSchemaError(f"unexpected type: {_go_type(spec)}")


def _go_type(value: Any) -> str:
    return _GO_TYPES.get(type(value), type(value).__name__)


def _whole(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 1e21 else value


def _apply(schema: dict[str, Any], marker: Marker, key: str, parent: dict[str, Any]) -> None:
    """Apply one marker as kro's ``applyMarker`` does (raising its error texts)."""
    kind, value, typ = marker.key, marker.value, schema.get("type")
    if kind == "required":
        if _bool_marker("required", value):
            parent.setdefault("required", []).append(key)
    elif kind == "default":
        schema["default"] = _default_value(typ, value)
    elif kind == "description":
        schema["description"] = value
    elif kind in ("minimum", "maximum"):
        try:
            schema[kind] = _whole(parse_float(value))
        except SimpleSchemaError as err:
            raise SimpleSchemaError(f"failed to parse {kind} enum value: {err}") from None
    elif kind == "validation":
        if not value.strip():
            raise SimpleSchemaError("validation failed")
        schema.setdefault("x-kubernetes-validations", []).append({"rule": value, "message": _VALIDATION_MESSAGE})
    elif kind == "immutable":
        if _bool_marker("immutable", value):
            schema.setdefault("x-kubernetes-validations", []).append(dict(_IMMUTABLE))
    elif kind == "enum":
        schema["enum"] = _enum_values(typ, value)
    elif kind in _COUNT_MARKERS:
        _only_for(kind, typ, _COUNT_MARKERS[kind])
        schema[kind] = _parse_int_marker(kind, value)
    elif kind == "pattern":
        _apply_pattern(schema, typ, value)
    elif kind == "uniqueItems":
        _apply_unique(schema, typ, value)
    elif kind == "listType":
        _apply_list_type(schema, typ, value)
    elif kind == "listMapKey":
        if typ != "array":
            raise SimpleSchemaError("listMapKey marker only applies to array types")
        keys = schema.setdefault("x-kubernetes-list-map-keys", [])
        if value in keys:
            raise SimpleSchemaError(f"duplicate listMapKey marker, value {value}")
        keys.append(value)


_COUNT_MARKERS = {"minLength": "string", "maxLength": "string", "minItems": "array", "maxItems": "array"}
"""The whole-number markers and the one type each is valid for."""


def _bool_marker(kind: str, value: str) -> bool:
    """A boolean marker's value, or kro's error for it."""
    try:
        return parse_bool(value)
    except SimpleSchemaError as err:
        raise SimpleSchemaError(f"failed to parse {kind} marker value: {err}") from None


def _only_for(kind: str, typ: Any, want: str) -> None:
    """kro's error for a ``kind`` marker on a type other than ``want``."""
    if typ != want:
        raise SimpleSchemaError(f"{kind} marker is only valid for {want} types, got type: {typ}")


def _parse_int_marker(kind: str, value: str) -> int:
    try:
        return parse_int(value)
    except SimpleSchemaError as err:
        raise SimpleSchemaError(f"failed to parse {kind} value: {err}") from None


def _default_value(typ: Any, value: str) -> Any:
    if typ == "string":
        return value
    checks = {"integer": (parse_int, "integer"), "number": (parse_float, "number"), "boolean": (parse_bool, "boolean")}
    if typ in checks:
        check, noun = checks[typ]
        try:
            check(value)
        except SimpleSchemaError:
            raise SimpleSchemaError(f"default value must be a valid {noun}, got: {value}") from None
    try:
        return json.loads(value)
    except ValueError:
        raise SimpleSchemaError(f"default value must be valid JSON, got: {value}") from None


def _enum_values(typ: Any, value: str) -> list[Any]:
    out: list[Any] = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            raise SimpleSchemaError("empty enum values are not allowed")
        if typ == "string":
            out.append(item)
        elif typ == "integer":
            try:
                out.append(parse_int(item))
            except SimpleSchemaError as err:
                raise SimpleSchemaError(f"failed to parse integer enum value: {err}") from None
        else:
            raise SimpleSchemaError(f"enum values only supported for string and integer types, got type: {typ}")
    return out


_UNSUPPORTED_RE: Final = re.compile(r"\(\?[=!]|\(\?<[=!]|\\[1-9]")


def _apply_pattern(schema: dict[str, Any], typ: Any, value: str) -> None:
    if value == "":
        raise SimpleSchemaError("pattern marker value cannot be empty")
    _only_for("pattern", typ, "string")
    unsupported = _UNSUPPORTED_RE.search(value)
    if unsupported:
        raise SimpleSchemaError(
            f"invalid pattern regex: error parsing regexp: invalid or unsupported Perl syntax: `{unsupported.group()}`"
        )
    try:
        re.compile(value)
    except re.error as err:
        raise SimpleSchemaError(f"invalid pattern regex: error parsing regexp: {err}") from None
    schema["pattern"] = value


def _apply_unique(schema: dict[str, Any], typ: Any, value: str) -> None:
    unique = _bool_marker("uniqueItems", value)
    _only_for("uniqueItems", typ, "array")
    if unique:
        current = schema.get("x-kubernetes-list-type")
        if current is not None and current != "set":
            raise SimpleSchemaError(f"cannot set unique when listType is set to {current}")
        schema["x-kubernetes-list-type"] = "set"


def _apply_list_type(schema: dict[str, Any], typ: Any, value: str) -> None:
    if typ != "array":
        raise SimpleSchemaError("listType marker only applies to array types")
    if value not in ("atomic", "set", "map"):
        raise SimpleSchemaError(f"unsupported value for listType {value}, needs to be one of atomic, set, or map")
    current = schema.get("x-kubernetes-list-type")
    if current is not None and current != value:
        raise SimpleSchemaError(
            f"listType attempting to overwrite set type of {current}, "
            "this can happen if you set contradictory markers like unique=true | listType=map"
        )
    schema["x-kubernetes-list-type"] = value


def ordered(schema: Any) -> Any:
    """Recursively put schema keys in JSONSchemaProps order (properties sorted), for stable YAML."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key in _ORDER:
        if key not in schema:
            continue
        value = schema[key]
        if key == "properties":
            value = {name: ordered(sub) for name, sub in sorted(value.items())}
        elif key in ("items", "additionalProperties"):
            value = ordered(value)
        out[key] = value
    for key, value in schema.items():
        out.setdefault(key, value)
    return out


# ---------------------------------------------------------------- OpenAPI -> SimpleSchema


_STRUCTURE: Final = frozenset({"type", "properties", "required", "items", "additionalProperties"})
_PLAIN_MARKERS: Final = (
    "minimum",
    "maximum",
    "pattern",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
)


def from_openapi(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Convert an object schema (as ``to_openapi`` produces) back to a SimpleSchema spec.

    Raises ``ValidationError`` for what SimpleSchema cannot say; schemas whose list items or map values are
    objects with properties need custom types: use ``from_openapi_types``.
    """
    spec, types = from_openapi_types(schema)
    if types:
        names = ", ".join(sorted(types))
        raise ValidationError(
            f"this schema needs SimpleSchema custom types ({names})",
            fix="Use from_openapi_types(), which returns (spec, types).",
        )
    return spec


def from_openapi_types(schema: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Convert an object schema to ``(spec, types)``; nested objects that need markers or live inside lists or
    maps become custom types named after their field (``Endpoint``, ``EndpointItem`` ...)."""
    back = _Back()
    spec = back.fields(schema, "spec")
    return spec, back.types


class _Back:
    def __init__(self) -> None:
        self.types: dict[str, Any] = {}

    def fields(self, schema: Mapping[str, Any], where: str) -> dict[str, Any]:
        if schema.get("type") != "object":
            raise ValidationError("only object schemas have SimpleSchema fields", where=where)
        required = set(schema.get("required") or ())
        out: dict[str, Any] = {}
        for name, sub in (schema.get("properties") or {}).items():
            out[name] = self.field(name, sub, name in required, f"{where}.{name}")
        return out

    def field(self, name: str, schema: Mapping[str, Any], required: bool, where: str) -> Any:
        if self._plain_object(schema) and not required:
            return self.fields(schema, where)
        type_text = self.type_text(name, schema, where, top=True)
        markers = self.markers(schema, where)
        if required:
            markers.insert(0, "required=true")
        return f"{type_text} | {' '.join(markers)}" if markers else type_text

    def _plain_object(self, schema: Mapping[str, Any]) -> bool:
        """An object written as a nested map: properties only, plus the ``default: {}`` kro derives itself."""
        if schema.get("type") != "object" or "properties" not in schema:
            return False
        if set(schema) - _STRUCTURE - {"default"}:
            return False
        return "default" not in schema or (schema["default"] == {} and _derived_default(schema))

    def type_text(self, name: str, schema: Mapping[str, Any], where: str, *, top: bool) -> str:
        """The type expression; ``top`` means markers may follow (else the schema must be bare)."""
        typ = schema.get("type")
        if not top and self.markers(schema, where):
            return self.custom(name, self.field(name, schema, False, where))
        if typ in ("string", "integer", "boolean"):
            return str(typ)
        if typ == "number":
            return "float"
        if typ == "array":
            return "[]" + self.type_text(f"{name}Item", schema.get("items") or {}, f"{where}.items", top=False)
        if typ == "object":
            if _opaque(schema):
                return "object"
            extra = schema.get("additionalProperties")
            if isinstance(extra, Mapping):
                return "map[string]" + self.type_text(f"{name}Value", extra, f"{where}.additionalProperties", top=False)
            if "properties" in schema:
                return self.custom(name, self.fields(schema, where))
        raise ValidationError(f"SimpleSchema cannot express this schema: {json.dumps(schema)}", where=where)

    def custom(self, name: str, spec: Any) -> str:
        base = name[:1].upper() + name[1:]
        type_name, n = base, 2
        while type_name in self.types and self.types[type_name] != spec:
            type_name, n = f"{base}{n}", n + 1
        self.types[type_name] = spec
        return type_name

    def markers(self, schema: Mapping[str, Any], where: str) -> list[str]:
        out: list[str] = []
        if "default" in schema and not (
            schema.get("type") == "object" and schema["default"] == {} and _derived_default(schema)
        ):
            default = schema["default"]
            text = default if isinstance(default, str) else json.dumps(default, separators=(",", ":"))
            out.append(format_marker("default", text))
        if "description" in schema:
            out.append(format_marker("description", str(schema["description"])))
        for key in _PLAIN_MARKERS:
            if key in schema:
                value = schema[key]
                out.append(format_marker(key, value if isinstance(value, str) else _number_text(value)))
        if "enum" in schema:
            values = [str(v) for v in schema["enum"]]
            if any("," in v or not v.strip() or v != v.strip() for v in values):
                raise ValidationError("enum values with commas or surrounding spaces cannot be expressed", where=where)
            out.append(format_marker("enum", ",".join(values)))
        list_type = schema.get("x-kubernetes-list-type")
        if list_type == "set":
            out.append("uniqueItems=true")
        elif list_type:
            out.append(format_marker("listType", str(list_type)))
        out.extend(format_marker("listMapKey", str(k)) for k in schema.get("x-kubernetes-list-map-keys") or ())
        for rule in schema.get("x-kubernetes-validations") or ():
            if dict(rule) == _IMMUTABLE:
                out.append("immutable=true")
            elif set(rule) == {"rule", "message"} and rule["message"] == _VALIDATION_MESSAGE:
                out.append(format_marker("validation", str(rule["rule"])))
            else:
                raise ValidationError(f"SimpleSchema cannot express the validation rule {dict(rule)}", where=where)
        unsupported = set(schema) - _STRUCTURE - _EXPRESSIBLE
        if _opaque(schema):
            unsupported.discard("x-kubernetes-preserve-unknown-fields")
        if unsupported:
            raise ValidationError(f"SimpleSchema cannot express {', '.join(sorted(unsupported))}", where=where)
        return out


_EXPRESSIBLE: Final = frozenset(
    {"default", "description", "enum", "x-kubernetes-list-type", "x-kubernetes-list-map-keys"}
    | {"x-kubernetes-validations", *_PLAIN_MARKERS}
)


def _opaque(schema: Mapping[str, Any]) -> bool:
    """SimpleSchema's ``object``: an object keeping unknown fields, with no declared properties."""
    return (
        schema.get("type") == "object"
        and schema.get("x-kubernetes-preserve-unknown-fields") is True
        and "properties" not in schema
        and "additionalProperties" not in schema
    )


def _derived_default(schema: Mapping[str, Any]) -> bool:
    """Whether kro would add ``default: {}`` itself (no required fields, some child has a default)."""
    props = schema.get("properties") or {}
    return not schema.get("required") and any("default" in sub for sub in props.values())


def _number_text(value: Any) -> str:
    return json.dumps(value)
