"""pydantic models -> structural OpenAPI v3 (a CRD's schema) -> kro SimpleSchema: the one converter.

Fields are camelCase in the schema (``app_image`` -> ``appImage``) unless the field has an alias. Fields without
a default are ``required``; ``Optional``/``X | None`` is ``nullable``; ``int | str`` is
``x-kubernetes-int-or-string``; ``Literal``/``Enum`` become ``enum``; ``Field`` constraints map to their OpenAPI
keywords. The result is structural: no ``$ref``, no ``anyOf``.

Two SimpleSchema forms: ``model_to_simple``/``model_to_simple_types`` go through the OpenAPI schema (sorted
fields, custom types named after their field); ``simple_schema`` is the form a composition's RGD carries (fields
in model order under pydantic's own keys, nested models inline, models in lists/maps as custom types named after
their class).
"""

from __future__ import annotations

import datetime
import enum
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final, cast

import pydantic
import pydantic_core
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from pykro.errors import ValidationError

__all__ = [
    "camel",
    "field_name",
    "find_field",
    "item_model",
    "model_class",
    "model_to_openapi",
    "model_to_simple",
    "model_to_simple_types",
    "reveal",
    "secret_paths",
    "simple_schema",
    "unwrap",
]

_SCALARS: Final[dict[Any, dict[str, Any]]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    bytes: {"type": "string", "format": "byte"},
    datetime.datetime: {"type": "string", "format": "date-time"},
    datetime.date: {"type": "string", "format": "date"},
    datetime.timedelta: {"type": "string", "format": "duration"},
    pydantic.SecretStr: {"type": "string"},
}
_UNION_TYPES: Final = (typing.Union, types.UnionType)
_SIMPLE_ATOMIC: Final[dict[Any, str]] = {
    str: "string",
    int: "integer",
    bool: "boolean",
    float: "float",
    pydantic.SecretStr: "string",
}


def camel(name: str) -> str:
    """``app_image`` -> ``appImage`` (leading underscores dropped, already-camel names unchanged)."""
    head, *rest = name.lstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def field_name(name: str, info: FieldInfo) -> str:
    """The property name of a model field in the schema: its alias if it has one, else camelCase."""
    for alias in (info.serialization_alias, info.alias):
        if isinstance(alias, str):
            return alias
    return camel(name)


def model_to_openapi(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    """The structural OpenAPI v3 object schema of a pydantic model."""
    from pykro.schema._simple import ordered  # the SimpleSchema modules load on first use, not on `import pykro`

    schema: dict[str, Any] = ordered(_Builder(model).model(model, model.__name__))
    return schema


def model_to_simple(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    """The kro SimpleSchema ``spec`` of a model (models nested in lists/maps need ``model_to_simple_types``)."""
    from pykro.schema._simple import from_openapi

    return from_openapi(_without_nullable(model_to_openapi(model)))


def model_to_simple_types(model: type[pydantic.BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(spec, types)`` in kro SimpleSchema; nested models used in lists or maps become custom types."""
    from pykro.schema._simple import from_openapi_types

    return from_openapi_types(_without_nullable(model_to_openapi(model)))


def _without_nullable(schema: Any) -> Any:
    """SimpleSchema has no ``nullable``: an unset optional field is simply absent."""
    if isinstance(schema, dict):
        return {k: _without_nullable(v) for k, v in schema.items() if k != "nullable"}
    return schema


class _Builder:
    def __init__(self, root: type[pydantic.BaseModel]) -> None:
        self.stack: list[type[pydantic.BaseModel]] = []
        self.root = root

    def model(self, model: type[pydantic.BaseModel], where: str) -> dict[str, Any]:
        if model in self.stack:
            chain = " -> ".join(m.__name__ for m in [*self.stack, model])
            raise ValidationError(
                f"recursive model {chain} cannot be expressed as a structural schema",
                where=where,
                fix="Break the cycle, e.g. type the recursive field as dict[str, Any].",
            )
        self.stack.append(model)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for name, info in model.model_fields.items():
            if info.exclude:
                continue
            key = field_name(name, info)
            properties[key] = self.field(info, f"{where}.{name}")
            if info.is_required():
                required.append(key)
        self.stack.pop()
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = sorted(required)
        if not properties:
            del schema["properties"]
            schema["x-kubernetes-preserve-unknown-fields"] = True
        return schema

    def field(self, info: FieldInfo, where: str) -> dict[str, Any]:
        _check_secret_default(info, where)
        schema = self.annotation(info.annotation, where)
        _constrain(schema, info.metadata, where)
        if info.description:
            schema["description"] = info.description
        default = _default_of(info)
        if default is not PydanticUndefined and default is not None:
            schema["default"] = {} if _is_default_instance(default) else to_json(default)
        return schema

    def annotation(self, annotation: Any, where: str) -> dict[str, Any]:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            schema = self.annotation(args[0], where)
            _constrain(schema, [m for a in args[1:] for m in (a.metadata if isinstance(a, FieldInfo) else [a])], where)
            return schema
        if annotation in _SCALARS:
            return dict(_SCALARS[annotation])
        if annotation is Any or annotation is object:
            return {"x-kubernetes-preserve-unknown-fields": True}
        if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
            return self.model(annotation, where)
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return _enum([member.value for member in annotation], where)
        if origin is typing.Literal:
            return _enum(list(args), where)
        if origin in _UNION_TYPES:
            return self.union(args, where)
        if origin in (list, tuple, set, frozenset, Sequence) or (
            isinstance(origin, type) and issubclass(origin, Sequence) and origin not in (str, bytes)
        ):
            items = [a for a in args if a is not Ellipsis]
            if origin is tuple and len(set(items)) > 1:
                raise ValidationError("tuples of mixed types have no structural schema", where=where)
            schema = {"type": "array", "items": self.annotation(items[0] if items else Any, f"{where}[]")}
            if origin in (set, frozenset):
                schema["x-kubernetes-list-type"] = "set"
            return schema
        if origin in (dict, Mapping) or (isinstance(origin, type) and issubclass(origin, Mapping)):
            key, value = args if args else (str, Any)
            if key is not str:
                raise ValidationError("only dict[str, ...] maps have a structural schema", where=where)
            return {"type": "object", "additionalProperties": self.annotation(value, f"{where}[]")}
        if annotation in (list, tuple, set, frozenset):
            return {"type": "array", "items": {"x-kubernetes-preserve-unknown-fields": True}}
        if annotation is dict:
            return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        raise ValidationError(f"the type {annotation!r} has no structural schema", where=where)

    def union(self, args: tuple[Any, ...], where: str) -> dict[str, Any]:
        nullable = type(None) in args
        rest = [a for a in args if a is not type(None)]
        if set(rest) == {int, str}:
            schema: dict[str, Any] = {"x-kubernetes-int-or-string": True}
        elif len(rest) == 1:
            schema = self.annotation(rest[0], where)
        else:
            raise ValidationError(
                f"the union {' | '.join(getattr(a, '__name__', repr(a)) for a in args)} has no structural schema",
                where=where,
                fix="Use one type (plus None), or int | str.",
            )
        if nullable:
            schema["nullable"] = True
        return schema


def _enum(values: list[Any], where: str) -> dict[str, Any]:
    kinds = {type(v) for v in values}
    if kinds <= {str}:
        return {"type": "string", "enum": values}
    if kinds <= {int}:
        return {"type": "integer", "enum": values}
    if kinds <= {bool}:
        return {"type": "boolean", "enum": values}
    if kinds <= {int, float}:
        return {"type": "number", "enum": values}
    raise ValidationError("enum values must all be strings or all numbers", where=where)


def _constrain(schema: dict[str, Any], metadata: Sequence[Any], where: str) -> None:
    """Map annotated-types / pydantic constraints (ge, gt, le, lt, min/max length, pattern, multiple_of)."""
    for item in metadata:
        schema.update(_constraints(item, schema.get("type") == "array"))


def _constraints(item: Any, is_array: bool) -> Iterator[tuple[str, Any]]:
    """The OpenAPI keywords of one constraint object, in a fixed order."""
    for attr, key, exclusive in (
        ("ge", "minimum", ""),
        ("gt", "minimum", "exclusiveMinimum"),
        ("le", "maximum", ""),
        ("lt", "maximum", "exclusiveMaximum"),
    ):
        if getattr(item, attr, None) is not None:
            yield key, getattr(item, attr)
            if exclusive:
                yield exclusive, True
    if getattr(item, "min_length", None) is not None:
        yield ("minItems" if is_array else "minLength"), item.min_length
    if getattr(item, "max_length", None) is not None:
        yield ("maxItems" if is_array else "maxLength"), item.max_length
    if getattr(item, "pattern", None) is not None:
        yield "pattern", str(getattr(item.pattern, "pattern", item.pattern))
    if getattr(item, "multiple_of", None) is not None:
        yield "multipleOf", item.multiple_of


def _default_of(info: FieldInfo) -> Any:
    if info.default is not PydanticUndefined:
        return info.default
    factory = info.default_factory
    if factory is None:
        return PydanticUndefined
    try:
        return factory()  # type: ignore[call-arg]
    except TypeError:  # a factory taking the validated data: no static default
        return PydanticUndefined


def _is_default_instance(value: Any) -> bool:
    """A model instance equal to its class's all-defaults instance: ``default: {}`` says the same (the apiserver
    fills the nested defaults in), and it is what kro derives for nested objects."""
    if not isinstance(value, pydantic.BaseModel):
        return False
    try:
        return bool(value == type(value)())
    except pydantic.ValidationError:
        return False


def to_json(value: Any) -> Any:
    """A default value as it appears in the schema (models with camelCase keys, enums by value)."""
    if isinstance(value, pydantic.BaseModel):
        fields = type(value).model_fields
        return {field_name(n, f): to_json(getattr(value, n)) for n, f in fields.items() if not f.exclude}
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------------------------------------------- secrets
def _check_secret_default(info: FieldInfo, where: str) -> None:
    """A ``SecretStr`` field may not have a default: the schema (and so the RGD and CRD) would carry it in clear."""
    if info.is_required() or unwrap(info.annotation) is not pydantic.SecretStr:
        return
    if _default_of(info) not in (None, PydanticUndefined):
        raise ValidationError(
            f"{where}: a SecretStr field cannot have a default (the RGD and the CRD would show it in clear text)",
            fix="Make it required, or Optional with default None, and pass the value at deploy time.",
        )


def secret_paths(model: type[pydantic.BaseModel], prefix: str = "") -> list[str]:
    """The spec paths (CRD names, dotted; ``*`` for every list item or map value) of the fields typed
    ``pydantic.SecretStr``: pykro masks their values wherever it prints or records a spec."""
    found: list[str] = []
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        path = f"{prefix}{info.alias or name}"
        annotation = unwrap(info.annotation)
        while True:
            origin, args = typing.get_origin(annotation), typing.get_args(annotation)
            if origin in (list, tuple) and args:
                annotation, path = unwrap(args[0]), path + ".*"
            elif origin is dict and len(args) == 2:
                annotation, path = unwrap(args[1]), path + ".*"
            else:
                break
        if annotation is pydantic.SecretStr:
            found.append(path)
        elif isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
            found.extend(secret_paths(annotation, path + "."))
    return found


def reveal(model: pydantic.BaseModel, **options: Any) -> dict[str, Any]:
    """``model_dump(mode="json", by_alias=True, **options)`` with every ``SecretStr`` as its value (JSON mode would
    write ``**********``, silently changing what reaches the cluster)."""

    def plain(value: Any) -> Any:
        if isinstance(value, pydantic.SecretStr):
            return value.get_secret_value()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    dumped = plain(model.model_dump(mode="python", by_alias=True, **options))
    out: dict[str, Any] = pydantic_core.to_jsonable_python(dumped)
    return out


# ---------------------------------------------------------------------------------------------------- annotations
def unwrap(annotation: Any) -> Any:
    """The annotation without ``Annotated`` and ``| None``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in _UNION_TYPES:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return unwrap(args[0])
    return annotation


def model_class(annotation: Any) -> type[pydantic.BaseModel] | None:
    """The pydantic model an annotation names (through ``Annotated`` and ``| None``), if any."""
    inner = unwrap(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, pydantic.BaseModel) else None


def item_model(annotation: Any) -> type[pydantic.BaseModel] | None:
    """The model behind a field: the field's own, or its items' for lists and maps of models."""
    inner = unwrap(annotation)
    args = typing.get_args(inner)
    if typing.get_origin(inner) in (list, tuple) and args:
        return model_class(args[0])
    if typing.get_origin(inner) is dict and len(args) == 2:
        return model_class(args[1])
    return model_class(inner)


def find_field(model: type[pydantic.BaseModel], name: str) -> tuple[str, FieldInfo] | None:
    """``(python name, field)`` of the field called ``name`` in Python or by its alias."""
    for python_name, info in model.model_fields.items():
        if name in (python_name, info.alias):
            return python_name, info
    return None


# ---------------------------------------------------------------------------------------------------- RGD form
def simple_schema(model: type[pydantic.BaseModel], types: dict[str, Any] | None = None) -> dict[str, Any]:
    """kro SimpleSchema for ``model`` as a composition's RGD carries it (markers for required, default,
    description, enum and limits). Models used as list items or map values become custom types named after their
    class, collected into ``types``. Raises ``ValidationError`` (``where`` = model.field) for types kro cannot say.
    """
    if not types:  # a whole model's schema is pure in the model: kept per class, handed out as copies
        from pykro._yamlio import copy_data  # the YAML module loads on first use, not when models are defined

        cached = _SIMPLE_SCHEMAS.get(model)
        if cached is None:
            found: dict[str, Any] = {}
            cached = _SIMPLE_SCHEMAS[model] = (_simple_object(model, found), found)
        if types is not None:
            types.update(copy_data(cached[1]))
        result: dict[str, Any] = copy_data(cached[0])
        return result
    return _simple_object(model, types)


_SIMPLE_SCHEMAS: dict[type[pydantic.BaseModel], tuple[dict[str, Any], dict[str, Any]]] = {}


def _simple_object(model: type[pydantic.BaseModel], types: dict[str, Any]) -> dict[str, Any]:
    return {
        info.alias or name: _simple_field(info, f"{model.__name__}.{name}", types)
        for name, info in model.model_fields.items()
    }


def _named(model: type[pydantic.BaseModel], types: dict[str, Any]) -> str:
    if model.__name__ not in types:
        types[model.__name__] = {}
        types[model.__name__] = _simple_object(model, types)
    return model.__name__


def _simple_type(annotation: Any, where: str, types: dict[str, Any]) -> Any:
    inner = unwrap(annotation)
    if inner in _SIMPLE_ATOMIC:
        return _SIMPLE_ATOMIC[inner]
    origin, args = typing.get_origin(inner), typing.get_args(inner)
    if origin is typing.Literal:
        return _simple_type(type(args[0]), where, types)
    if origin in (list, tuple) and args:
        item = model_class(args[0])
        return f"[]{_named(item, types) if item else _simple_type(args[0], where, types)}"
    if origin is dict and len(args) == 2 and args[0] is str:
        value = model_class(args[1])
        return f"map[string]{_named(value, types) if value else _simple_type(args[1], where, types)}"
    model = model_class(inner)
    if model is not None:
        return simple_schema(model, types)
    raise ValidationError(
        f"{where}: the type {annotation!r} has no kro SimpleSchema equivalent",
        fix="Use str, int, float, bool, Literal[...], list[...], dict[str, ...] or a nested Spec model.",
    )


def _simple_field(info: FieldInfo, where: str, types: dict[str, Any]) -> Any:
    _check_secret_default(info, where)
    typ = _simple_type(info.annotation, where, types)
    if isinstance(typ, dict):
        return typ
    markers: list[tuple[str, str]] = []
    if info.is_required():
        markers.append(("required", "true"))
    else:
        # the factory itself, not get_default(call_default_factory=True): pydantic 2.10.0 refuses that call without
        # validated data, and a spec default never depends on other fields
        factory = info.default_factory
        default = cast(Callable[[], Any], factory)() if factory is not None else info.default
        if default is not None and default is not PydanticUndefined:
            if isinstance(default, pydantic.BaseModel):
                default = default.model_dump(by_alias=True, mode="json")
            import json

            markers.append(("default", default if isinstance(default, str) else json.dumps(default)))
    if info.description:
        markers.append(("description", info.description))
    inner = unwrap(info.annotation)
    if typing.get_origin(inner) is typing.Literal:
        markers.append(("enum", ",".join(str(a) for a in typing.get_args(inner))))
    for item in info.metadata:
        markers.extend(_markers(item, typ.startswith("[]"), where))
    if not markers:
        return typ
    from pykro.schema._markers import format_marker

    return f"{typ} | " + " ".join(format_marker(k, v) for k, v in markers)


def _markers(item: Any, is_array: bool, where: str) -> list[tuple[str, str]]:
    """SimpleSchema markers of one constraint (kro has no exclusive bounds and no multipleOf)."""
    out = list(_constraints(item, is_array))
    if any(key in ("exclusiveMinimum", "exclusiveMaximum") for key, _ in out):
        raise ValidationError(
            f"{where}: gt/lt bounds have no kro SimpleSchema marker", fix="Use ge=/le= (minimum/maximum) instead."
        )
    if any(key == "multipleOf" for key, _ in out):
        raise ValidationError(f"{where}: multiple_of has no kro SimpleSchema marker", fix="Drop the constraint.")
    return [(key, str(value)) for key, value in out]


def describe_errors(exc: pydantic.ValidationError, limit: int = 8) -> str:
    """A pydantic validation error as one line: ``services.user.image: Field required; replicas: ...``."""
    parts = []
    for err in exc.errors()[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{where}: {err['msg']}")
    more = len(exc.errors()) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
