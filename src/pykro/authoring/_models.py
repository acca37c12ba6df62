"""``Spec`` and ``Status``: pydantic models (snake_case in Python, camelCase in the CRD) that also accept references
inside a composition; their CEL types and typed references to spec fields (SimpleSchema: ``pykro.schema._models``)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal, cast, get_args, get_origin

import pydantic
from pydantic import BaseModel, ConfigDict, SecretStr
from pydantic.alias_generators import to_camel

from pykro.authoring import _context as context
from pykro.authoring._location import fail, user_location
from pykro.authoring._refs import Origin, Ref, Template, cel_of, is_ref, node_of, type_of
from pykro.cel import _ast as ast
from pykro.cel._types import CelType
from pykro.errors import CompositionError, ValidationError
from pykro.graph._naming import did_you_mean
from pykro.schema._models import find_field, item_model, model_class, secret_paths, unwrap

_ATOMIC: dict[Any, CelType] = {
    str: CelType.STRING,
    SecretStr: CelType.STRING,
    int: CelType.INT,
    bool: CelType.BOOL,
    float: CelType.DOUBLE,
}


_CONFIG = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Model(BaseModel):
    """Base of Spec and Status: camelCase aliases, and references accepted as field values during a composition."""

    # The three bases are never validated on their own in practice: their validators are built on first use (not at
    # `import pykro`); the config is reset below so the user's models are built when defined, as pydantic does.
    model_config = ConfigDict(**_CONFIG, defer_build=True)
    _kind: ClassVar[str] = "model"

    def __init__(self, /, **data: Any) -> None:
        if not any(contains_ref(v) for v in data.values()):
            if not isinstance(self, Status) and context.current() is None:
                try:  # a plain pydantic model outside a composition
                    super().__init__(**data)
                except pydantic.ValidationError as exc:
                    raise SpecValueError.of(type(self), exc) from None
                return
            try:
                super().__init__(**data)
            except pydantic.ValidationError as exc:
                raise _mistake(type(self), exc) from None
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


for _base in (Model, Spec, Status):
    _base.model_config = ConfigDict(**_CONFIG)  # each its own, as pydantic gives each class


class SpecValueError(ValidationError, pydantic.ValidationError):
    """A Spec (or a model inside one) built in user code with a value its field refuses: one short paragraph naming
    the field, the value (never a secret field's) and the caller's ``file:line:col``.

    It is both a :class:`pykro.errors.ValidationError` (a user error: the CLI prints the paragraph, no traceback)
    and a ``pydantic.ValidationError`` with pydantic's ``errors()``, so code written against plain pydantic models
    (``except pydantic.ValidationError``) keeps working."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # pydantic builds it; what/where/fix are set by of()
        pass

    def __str__(self) -> str:
        return self.render()

    @classmethod
    def of(cls, model: type[BaseModel], exc: pydantic.ValidationError) -> SpecValueError:
        errors = exc.errors()
        made = cls.from_exception_data(exc.title, cast(Any, errors))
        hidden = {path.rsplit(".", 1)[-1] for path in secret_paths(model)}
        parts = [_explain(model, err, hidden) for err in errors[:3]]
        more = f"; and {len(errors) - 3} more" if len(errors) > 3 else ""
        made.what = f"invalid {model.__name__}: " + "; ".join(parts) + more
        made.where = user_location()
        made.fix = "Give each field a value of its type."
        made.args = (made.render(),)
        return made


def _explain(model: type[BaseModel], err: Any, hidden: set[str]) -> str:
    """``replicas: 'three' is refused (Input should be a valid integer)`` for one pydantic error."""
    loc = [str(step) for step in err["loc"]]
    field = ".".join(loc) or "(the model)"
    names = [step for step in err["loc"] if isinstance(step, str)]
    if err["type"] == "missing":
        return f"{field} is missing"
    if err["type"] == "extra_forbidden":
        fields = model.model_fields if len(loc) == 1 else {}
        hint = did_you_mean(loc[-1], [*fields, *(f.alias for f in fields.values() if f.alias)]) if fields else ""
        return f"there is no field {field}" + (f" ({hint.strip()})" if hint else "")
    secret = bool(names) and (names[-1] in hidden or to_camel(names[-1]) in hidden)
    value = "(a secret value)" if secret else _value_text(err.get("input"))
    return f"{field} = {value} is refused ({err['msg']})"


def _value_text(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:50] + f"... ({len(text)} characters)"


def _mistake(model: type[BaseModel], exc: pydantic.ValidationError) -> CompositionError:
    """pydantic's first complaint about a status (or a model built in a composition) at the user's line; values
    are not shown (a field may hold a secret)."""
    first = exc.errors()[0]
    loc = [str(step) for step in first["loc"]]
    name = loc[0] if loc else ""
    if first["type"] == "extra_forbidden" and len(loc) == 1:
        hint = did_you_mean(name, model.model_fields).strip()
        return fail(f"{model.__name__} has no field {name!r}", hint or f"Fields: {', '.join(model.model_fields)}.")
    if first["type"] == "missing" and len(loc) == 1:
        return fail(f"{model.__name__} is missing the field {name!r}", f"Pass {name}=... as well.")
    where = ".".join([model.__name__, *loc])
    return fail(f"field {where}: {first['msg']}", "Give it a value of the field's type.")


def check_models(model: type[BaseModel], where: str, base: type[Model]) -> None:
    """Refuse a plain ``pydantic.BaseModel`` anywhere in a spec or status model: its fields would keep their Python
    (snake_case) names in the CRD while the rest is camelCase, and it would ignore unknown fields."""
    seen: set[type[BaseModel]] = set()

    def visit(current: type[BaseModel], owner: str) -> None:
        if current in seen:
            return
        seen.add(current)
        if not issubclass(current, Model):
            raise CompositionError(
                f"{owner} is typed {current.__name__}, a plain pydantic.BaseModel",
                where=where,
                fix=f"Derive it from pykro.{base.__name__} (class {current.__name__}(pykro.{base.__name__})), so its "
                "fields get camelCase CRD names like the others and unknown fields are rejected.",
            )
        for name, info in current.model_fields.items():
            for inner in _models_in(info.annotation):
                visit(inner, f"{current.__name__}.{name}")

    visit(model, f"the {base.__name__.lower()} model")


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation mentions (inside Annotated, unions, lists, dicts)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    args = get_args(annotation)
    if get_origin(annotation) is Literal:
        return []
    return [m for a in args for m in _models_in(a)]


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


def _check_symbolic(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
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


__all__ = ["Model", "Origin", "Spec", "Status", "Template", "cel_type", "spec_ref"]
