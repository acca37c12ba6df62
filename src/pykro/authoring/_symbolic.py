"""Spec and Status models over references: the CEL types of their fields (``cel_type``), typed references to spec
fields (``spec_ref``, ``field_ref``) and field values checked against their annotations when some are references
(``check_symbolic``). Loaded when a composition is first compiled or a model first built, not when one is defined."""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, SecretStr

from pykro.authoring._location import fail
from pykro.authoring._refs import Ref, cel_of, is_ref, node_of, type_of
from pykro.cel import _ast as ast
from pykro.cel._types import CelType
from pykro.graph._naming import did_you_mean
from pykro.schema._models import find_field, item_model, model_class, unwrap

__all__ = ["cel_type", "check_symbolic", "coerce", "contains_ref", "field_ref", "spec_ref"]

_ATOMIC: dict[Any, CelType] = {
    str: CelType.STRING,
    SecretStr: CelType.STRING,
    int: CelType.INT,
    bool: CelType.BOOL,
    float: CelType.DOUBLE,
}


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


def check_symbolic(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """Field values (by Python name) after checking names and the types of references."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        found = find_field(model, key)
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
    model = model_class(annotation)
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
def cel_type(annotation: Any) -> CelType:
    """The CEL type of a Python annotation (models become objects with camelCase field names)."""
    inner = unwrap(annotation)
    if inner in _ATOMIC:
        return _ATOMIC[inner]
    origin, args = get_origin(inner), get_args(inner)
    if origin is Literal:
        kinds = {type_of(a) for a in args}
        return kinds.pop() if len(kinds) == 1 else CelType.DYN
    if origin in (list, tuple) and args:
        return CelType.list_of(cel_type(args[0]))
    if origin is dict and len(args) == 2:
        return CelType.map_of(CelType.STRING, cel_type(args[1]))
    model = model_class(inner)
    if model is not None:
        fields = {info.alias or n: cel_type(info.annotation) for n, info in model.model_fields.items()}
        return CelType.object_of(fields, model.__name__)
    return CelType.DYN


# Typing a model's field is pure in (model, name); compositions read the same spec fields over and over.
_FIELDS: dict[tuple[type[BaseModel], str], tuple[str, CelType, type[BaseModel] | None]] = {}
_MODEL_TYPES: dict[type[BaseModel], CelType] = {}


def field_ref(parent: Ref, model: type[BaseModel], name: str) -> Ref:
    """``parent.name`` for a model-typed reference (spec fields), by Python or CRD name."""
    typed = _FIELDS.get((model, name))
    if typed is None:
        found = find_field(model, name)
        if found is None:
            hint = did_you_mean(name, model.model_fields).strip()
            raise fail(f"{model.__name__} has no field {name!r}", hint or f"Fields: {', '.join(model.model_fields)}.")
        python_name, info = found
        typed = (info.alias or python_name, cel_type(info.annotation), item_model(info.annotation))
        _FIELDS[(model, name)] = typed
    alias, typ, inner = typed
    return Ref(ast.Select(node_of(parent), alias), typ, model=inner)


def spec_ref(model: type[BaseModel]) -> Ref:
    """``schema.spec`` as a reference typed by ``model``."""
    typ = _MODEL_TYPES.get(model)
    if typ is None:
        typ = _MODEL_TYPES[model] = cel_type(model)
    return Ref(ast.Select(ast.Ident("schema"), "spec"), typ, model=model)
