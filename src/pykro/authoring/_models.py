"""``Spec`` and ``Status``: pydantic models (snake_case in Python, camelCase in the CRD) that also accept references
inside a composition (their CEL types and typed references to spec fields: ``pykro.authoring._symbolic``;
SimpleSchema: ``pykro.schema._models``)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal, cast, get_args, get_origin

import pydantic
import pydantic_core
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from pykro.authoring._location import fail, user_location
from pykro.errors import CompositionError, ValidationError
from pykro.graph._naming import did_you_mean
from pykro.schema._ints import int_misfit
from pykro.schema._models import secret_paths

_CONFIG = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Model(BaseModel):
    """Base of Spec and Status: camelCase aliases, and references accepted as field values during a composition."""

    # The three bases are never validated on their own in practice: their validators are built on first use (not at
    # `import pykro`); the config is reset below so the user's models are built when defined, as pydantic does.
    model_config = ConfigDict(**_CONFIG, defer_build=True)
    _kind: ClassVar[str] = "model"

    def __init__(self, /, **data: Any) -> None:
        # references and the composition being built: loaded with the first model built, not when one is defined
        from pykro.authoring import _context as context
        from pykro.authoring._symbolic import check_symbolic, contains_ref

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
        values = check_symbolic(type(self), data)
        built = type(self).model_construct(**values)
        object.__setattr__(self, "__dict__", built.__dict__)
        object.__setattr__(self, "__pydantic_fields_set__", built.__pydantic_fields_set__)
        object.__setattr__(self, "__pydantic_extra__", built.__pydantic_extra__)
        object.__setattr__(self, "__pydantic_private__", built.__pydantic_private__)

    @pydantic.field_validator("*", mode="after")
    @classmethod
    def _fits_int64(cls, value: Any) -> Any:
        """Refuse an int beyond int64 (in the field or in a list or dict it holds): a Kubernetes ``integer`` is an
        int64, and the API server turns a bigger number into a float, losing digits."""
        misfit = _int64_misfit(value)
        if misfit is not None:
            raise pydantic_core.PydanticCustomError("int64", misfit)
        return value


def _int64_misfit(value: Any) -> str | None:
    if isinstance(value, int):
        return int_misfit(value, "int64")
    if isinstance(value, dict | list | tuple):
        for item in value.values() if isinstance(value, dict) else value:
            found = _int64_misfit(item)
            if found is not None:
                return found
    return None


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
        line_errors = [  # a custom error is rebuilt from its type and message
            {**err, "type": pydantic_core.PydanticCustomError(err["type"], err["msg"])}
            if err["type"] == "int64"
            else err
            for err in errors
        ]
        made = cls.from_exception_data(exc.title, cast(Any, line_errors))
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


__all__ = ["Model", "Spec", "SpecValueError", "Status", "check_models"]
