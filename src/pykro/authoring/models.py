"""``Spec`` and ``Status``: pydantic models (snake_case in Python, camelCase in the CRD) that also accept references
inside a composition; their conversion to kro's SimpleSchema and to CEL types; typed references to spec fields."""

from __future__ import annotations

import json
import types
import typing
from typing import Any, ClassVar, Literal, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from pykro.authoring.location import fail
from pykro.authoring.refs import Origin, Ref, Template, cel_of, is_ref, node_of, type_of
from pykro.cel import ast
from pykro.cel.types import CelType
from pykro.graph.naming import did_you_mean
from pykro.schema.markers import format_marker

_ATOMIC: dict[Any, tuple[str, CelType]] = {
    str: ("string", CelType.STRING),
    int: ("integer", CelType.INT),
    bool: ("boolean", CelType.BOOL),
    float: ("float", CelType.DOUBLE),
}


class Model(BaseModel):
    """Base of Spec and Status: camelCase aliases, and references accepted as field values during a composition."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    _kind: ClassVar[str] = "model"

    def __init__(self, /, **data: Any) -> None:
        if not any(contains_ref(v) for v in data.values()):
            super().__init__(**data)
            return
        values = _check_symbolic(type(self), data)
        built = type(self).model_construct(**values)
        object.__setattr__(self, "__dict__", built.__dict__)
        object.__setattr__(self, "__pydantic_fields_set__", built.__pydantic_fields_set__)
        object.__setattr__(self, "__pydantic_extra__", built.__pydantic_extra__)
        object.__setattr__(self, "__pydantic_private__", built.__pydantic_private__)


class Spec(Model):
    """The instance spec of a composition (the CRD's ``spec``)."""


class Status(Model):
    """The instance status of a composition: every field computed from references (or a literal)."""


def contains_ref(value: Any) -> bool:
    if is_ref(value):
        return True
    if isinstance(value, dict):
        return any(contains_ref(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_ref(v) for v in value)
    if isinstance(value, BaseModel):
        return any(contains_ref(v) for v in value.__dict__.values())
    return False


def _by_name(model: type[BaseModel], name: str) -> tuple[str, FieldInfo] | None:
    for python_name, info in model.model_fields.items():
        if name in (python_name, info.alias):
            return python_name, info
    return None


def _check_symbolic(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """Field values (by Python name) after checking names and the types of references."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        found = _by_name(model, key)
        if found is None:
            raise fail(
                f"{model.__name__} has no field {key!r}",
                did_you_mean(key, model.model_fields).strip() or f"Fields: {', '.join(model.model_fields)}.",
            )
        python_name, info = found
        out[python_name] = coerce(value, info.annotation, f"{model.__name__}.{python_name}")
    missing = [n for n, info in model.model_fields.items() if info.is_required() and n not in out]
    if missing:
        raise fail(f"{model.__name__} is missing the field {missing[0]!r}", f"Pass {missing[0]}=... as well.")
    return out


def coerce(value: Any, annotation: Any, where: str) -> Any:
    """Check a value against a field's annotation; references must have a fitting CEL type (ints widen to float)."""
    expected = cel_type(annotation)
    if is_ref(value):
        got = type_of(value)
        if got.kind == "dyn" or expected.kind == "dyn" or _fits(got, expected):
            if expected.kind == "double" and got.kind == "int":
                return Ref(ast.Call("double", (node_of(value),)), CelType.DOUBLE)
            return value
        raise fail(
            f"field {where} is {_describe(expected)} but {cel_of(value)} is {_describe(got)}",
            _type_fix(expected),
        )
    model = _model_class(annotation)
    if model is not None and isinstance(value, dict):
        return model(**value)
    if model is not None and isinstance(value, BaseModel):
        return value
    if contains_ref(value):
        return value
    try:
        from pydantic import TypeAdapter

        return TypeAdapter(annotation).validate_python(value)
    except Exception as exc:
        raise fail(f"field {where} does not accept {value!r}", str(exc).splitlines()[-1].strip()) from None


def _fits(got: CelType, expected: CelType) -> bool:
    if got.kind == expected.kind:
        return True
    return expected.kind == "double" and got.kind == "int"


def _describe(t: CelType) -> str:
    return {"bool": "a bool", "int": "an int", "double": "a float", "string": "a string"}.get(t.kind, str(t))


def _type_fix(expected: CelType) -> str:
    if expected.kind == "bool":
        return "Give it a condition, e.g. x > 0 or x == 'ready'."
    if expected.kind == "string":
        return "Convert with str(x) or an f-string."
    if expected.kind == "int":
        return "Convert with int(x), or count with len(x)."
    return "Make the expression's type match the field."


# ---------------------------------------------------------------------------------------------------- types
def _unwrap(annotation: Any) -> Any:
    """The annotation without ``Annotated`` and ``| None``."""
    while get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return annotation


def _model_class(annotation: Any) -> type[BaseModel] | None:
    inner = _unwrap(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def cel_type(annotation: Any) -> CelType:
    """The CEL type of a Python annotation (models become objects with camelCase field names)."""
    inner = _unwrap(annotation)
    if inner in _ATOMIC:
        return _ATOMIC[inner][1]
    origin, args = get_origin(inner), get_args(inner)
    if origin is Literal:
        kinds = {type_of(a) for a in args}
        return kinds.pop() if len(kinds) == 1 else CelType.DYN
    if origin in (list, tuple) and args:
        return CelType.list_of(cel_type(args[0]))
    if origin is dict and len(args) == 2:
        return CelType.map_of(CelType.STRING, cel_type(args[1]))
    model = _model_class(inner)
    if model is not None:
        fields = {info.alias or n: cel_type(info.annotation) for n, info in model.model_fields.items()}
        return CelType.object_of(fields, model.__name__)
    return CelType.DYN


def field_ref(parent: Ref, model: type[BaseModel], name: str) -> Ref:
    """``parent.name`` for a model-typed reference (spec fields), by Python or CRD name."""
    found = _by_name(model, name)
    if found is None:
        hint = did_you_mean(name, model.model_fields).strip()
        raise fail(f"{model.__name__} has no field {name!r}", hint or f"Fields: {', '.join(model.model_fields)}.")
    python_name, info = found
    alias = info.alias or python_name
    return Ref(ast.Select(node_of(parent), alias), cel_type(info.annotation), model=_model_of(info.annotation))


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model behind a field: the field's own, or its items' for lists and maps of models."""
    inner = _unwrap(annotation)
    args = get_args(inner)
    if get_origin(inner) in (list, tuple) and args:
        return _model_class(args[0])
    if get_origin(inner) is dict and len(args) == 2:
        return _model_class(args[1])
    return _model_class(inner)


def spec_ref(model: type[BaseModel]) -> Ref:
    """``schema.spec`` as a reference typed by ``model``."""
    root = ast.Select(ast.Ident("schema"), "spec")
    return Ref(root, cel_type(model), model=model)


# ---------------------------------------------------------------------------------------------------- SimpleSchema
def simple_schema(model: type[BaseModel], types: dict[str, Any] | None = None) -> dict[str, Any]:
    """kro SimpleSchema for ``model`` (camelCase names, markers for required/default/description/limits).

    Models used as list items or map values become named custom types, collected into ``types``.
    """
    found: dict[str, Any] = {} if types is None else types
    out: dict[str, Any] = {}
    for python_name, info in model.model_fields.items():
        out[info.alias or python_name] = _simple_field(info, f"{model.__name__}.{python_name}", found)
    return out


def _named(model: type[BaseModel], types: dict[str, Any]) -> str:
    if model.__name__ not in types:
        types[model.__name__] = {}
        types[model.__name__] = simple_schema(model, types)
    return model.__name__


def _simple_type(annotation: Any, where: str, types: dict[str, Any]) -> Any:
    inner = _unwrap(annotation)
    if inner in _ATOMIC:
        return _ATOMIC[inner][0]
    origin, args = get_origin(inner), get_args(inner)
    if origin is Literal:
        return _simple_type(type(args[0]), where, types)
    if origin in (list, tuple) and args:
        item_model = _model_class(args[0])
        return f"[]{_named(item_model, types) if item_model else _simple_type(args[0], where, types)}"
    if origin is dict and len(args) == 2 and args[0] is str:
        value_model = _model_class(args[1])
        return f"map[string]{_named(value_model, types) if value_model else _simple_type(args[1], where, types)}"
    model = _model_class(inner)
    if model is not None:
        return simple_schema(model, types)
    raise fail(
        f"{where}: the type {annotation!r} has no kro SimpleSchema equivalent",
        "Use str, int, float, bool, Literal[...], list[...], dict[str, ...] or a nested Spec model.",
    )


def _simple_field(info: FieldInfo, where: str, types: dict[str, Any]) -> Any:
    typ = _simple_type(info.annotation, where, types)
    if isinstance(typ, dict):
        return typ
    markers: list[tuple[str, str]] = []
    if info.is_required():
        markers.append(("required", "true"))
    else:
        default = info.get_default(call_default_factory=True)
        if default is not None and default is not PydanticUndefined:
            if isinstance(default, BaseModel):
                default = default.model_dump(by_alias=True, mode="json")
            markers.append(("default", default if isinstance(default, str) else json.dumps(default)))
    if info.description:
        markers.append(("description", info.description))
    inner = _unwrap(info.annotation)
    if get_origin(inner) is Literal:
        markers.append(("enum", ",".join(str(a) for a in get_args(inner))))
    for meta in info.metadata:
        markers.extend(_constraint(meta))
    if not markers:
        return typ
    return f"{typ} | " + " ".join(format_marker(k, v) for k, v in markers)


def _constraint(meta: Any) -> list[tuple[str, str]]:
    if isinstance(meta, annotated_types.Ge):
        return [("minimum", str(meta.ge))]
    if isinstance(meta, annotated_types.Le):
        return [("maximum", str(meta.le))]
    if isinstance(meta, annotated_types.MinLen):
        return [("minLength", str(meta.min_length))]
    if isinstance(meta, annotated_types.MaxLen):
        return [("maxLength", str(meta.max_length))]
    pattern = getattr(meta, "pattern", None)
    if isinstance(pattern, str):
        return [("pattern", pattern)]
    if isinstance(meta, annotated_types.Gt | annotated_types.Lt):
        raise fail("gt/lt bounds have no kro SimpleSchema marker", "Use ge=/le= (minimum/maximum) instead.", None)
    return []


def status_fields(model: type[BaseModel]) -> dict[str, tuple[str, Any]]:
    """CRD name -> (Python name, annotation) for a status model."""
    return {info.alias or n: (n, info.annotation) for n, info in model.model_fields.items()}


__all__ = ["Model", "Origin", "Spec", "Status", "Template", "cel_type", "simple_schema", "spec_ref"]
