"""References: CEL AST nodes with a CEL type. Operators on them build typed CEL; attribute access builds typed
field selections (checked against the kind's schema for resource references, against the model for ``spec``).

A :class:`Template` is what an f-string over references produces: text and references, kept apart so a resource
field becomes a kro string template (``"${schema.spec.name}-db"``) and an expression becomes a concatenation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from pykro._lazy import Later
from pykro.authoring._location import fail
from pykro.cel import _ast as ast
from pykro.cel._types import CelType
from pykro.errors import CompositionError
from pykro.graph._naming import did_you_mean
from pykro.schema._models import camel

if TYPE_CHECKING:
    from pydantic import BaseModel

    from pykro.authoring import _functions as functions
    from pykro.authoring import _ops as ops
    from pykro.authoring import _symbolic as symbolic
else:
    # Operators, methods and model fields of Ref live in modules that import this one: each is imported when a Ref
    # first uses it.
    functions = Later(globals(), "functions", "pykro.authoring._functions")
    ops = Later(globals(), "ops", "pykro.authoring._ops")
    symbolic = Later(globals(), "symbolic", "pykro.authoring._symbolic")

__all__ = [
    "Origin",
    "Ref",
    "Template",
    "as_ref",
    "cel_of",
    "field",
    "is_ref",
    "node_of",
    "to_node",
    "type_of",
]


@dataclass(frozen=True)
class Origin:
    """Where a resource reference points: the kind and the field path below the resource (for typing)."""

    api_version: str
    kind: str
    path: tuple[str | int, ...] = ()


def _resource_field_type(origin: Origin, path: tuple[str | int, ...]) -> CelType:
    """The field's type from the kind's schema (pykro.resources; imported here, it loads the schemas)."""
    from pykro.resources._typing import field_type

    return field_type(origin.api_version, origin.kind, tuple(path))


class Ref:
    """A typed CEL expression standing for a value known only when the graph runs."""

    __slots__ = ("_model", "_node", "_origin", "_type")
    __hash__ = None  # type: ignore[assignment]

    def __init__(
        self,
        node: ast.Node,
        type: CelType = CelType.DYN,
        *,
        origin: Origin | None = None,
        model: type[BaseModel] | None = None,
    ) -> None:
        self._node = node
        self._type = type
        self._origin = origin
        self._model = model

    def __repr__(self) -> str:
        return f"<pykro ref ${{{cel_of(self)}}}: {self._type}>"

    # ----------------------------------------------------------------------------------------- fields
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in Ref.__slots__:
            raise AttributeError(name)
        if name in functions.METHODS and self._type.kind in functions.receiver_kinds(name):
            return functions.bound_method(self, name)
        return field(self, name)

    def __getitem__(self, key: Any) -> Any:
        return ops.index(self, key)

    # ----------------------------------------------------------------------------------------- operators
    # Typed as Any so that user code passing expressions to pydantic fields type-checks; pykro checks the CEL
    # type of every expression where it is used (status fields, conditions).
    def _bin(self, op: str, other: Any, reflected: bool = False) -> Ref:
        return ops.binary(op, other, self) if reflected else ops.binary(op, self, other)

    def __add__(self, o: Any) -> Any:
        return self._bin("+", o)

    def __radd__(self, o: Any) -> Any:
        return self._bin("+", o, True)

    def __sub__(self, o: Any) -> Any:
        return self._bin("-", o)

    def __rsub__(self, o: Any) -> Any:
        return self._bin("-", o, True)

    def __mul__(self, o: Any) -> Any:
        return self._bin("*", o)

    def __rmul__(self, o: Any) -> Any:
        return self._bin("*", o, True)

    def __truediv__(self, o: Any) -> Any:
        return self._bin("/", o)

    def __rtruediv__(self, o: Any) -> Any:
        return self._bin("/", o, True)

    def __floordiv__(self, o: Any) -> Any:
        return self._bin("//", o)

    def __rfloordiv__(self, o: Any) -> Any:
        return self._bin("//", o, True)

    def __mod__(self, o: Any) -> Any:
        return self._bin("%", o)

    def __rmod__(self, o: Any) -> Any:
        return self._bin("%", o, True)

    def __pow__(self, o: Any) -> Any:
        return self._bin("**", o)

    def __rpow__(self, o: Any) -> Any:
        return self._bin("**", o, True)

    def __and__(self, o: Any) -> Any:
        return self._bin("&", o)

    def __rand__(self, o: Any) -> Any:
        return self._bin("&", o, True)

    def __or__(self, o: Any) -> Any:
        return self._bin("|", o)

    def __ror__(self, o: Any) -> Any:
        return self._bin("|", o, True)

    def __xor__(self, o: Any) -> Any:
        return self._bin("^", o)

    def __rxor__(self, o: Any) -> Any:
        return self._bin("^", o, True)

    def __lt__(self, o: Any) -> Any:
        return self._bin("<", o)

    def __le__(self, o: Any) -> Any:
        return self._bin("<=", o)

    def __gt__(self, o: Any) -> Any:
        return self._bin(">", o)

    def __ge__(self, o: Any) -> Any:
        return self._bin(">=", o)

    def __eq__(self, o: object) -> Any:
        return self._bin("==", o)

    def __ne__(self, o: object) -> Any:
        return self._bin("!=", o)

    def __neg__(self) -> Any:
        return ops.negate(self)

    def __pos__(self) -> Any:
        ops.require_numeric(self, "unary +")
        return self

    def __invert__(self) -> NoReturn:
        raise fail(f"`~` on the reference {cel_of(self)} has no CEL equivalent", "Use `not x` for booleans.")

    # ----------------------------------------------------------------------------------------- misuse
    def __bool__(self) -> NoReturn:
        raise fail(
            f"the truth value of the reference {cel_of(self)} ({self._type}) is only known when the graph runs",
            "Inside a @composition write the condition in the function itself (if/and/or/not are converted), "
            "or compare explicitly, e.g. `x > 0` or `x != ''`.",
        )

    def __iter__(self) -> NoReturn:
        raise fail(
            f"cannot iterate over the reference {cel_of(self)} in plain Python",
            "Loop over it with `for` or a comprehension directly in the @composition function (they become "
            "forEach / map / filter).",
        )

    def __len__(self) -> NoReturn:
        raise fail(f"len() of the reference {cel_of(self)} needs the composition transformer", _IN_COMPOSITION)

    def __contains__(self, item: object) -> NoReturn:
        raise fail(f"`in` over the reference {cel_of(self)} needs the composition transformer", _IN_COMPOSITION)

    def __index__(self) -> NoReturn:
        raise fail(
            f"the reference {cel_of(self)} is not a Python integer (range(), slicing and repetition need concrete "
            "values)",
            "Use forEach over a list field instead of range(), or compute the value in CEL.",
        )

    def __str__(self) -> str:
        raise fail(
            f"str() (or % formatting) of the reference {cel_of(self)} is only known when the graph runs",
            "Write str(x) or an f-string in the @composition function itself, where it is converted to CEL.",
        )

    def __format__(self, spec: str) -> str:
        raise fail(
            f"formatting the reference {cel_of(self)} with str.format() or format(), or in an f-string outside a "
            "@composition function, has no CEL translation",
            "Use an f-string in the @composition function itself, or pykro.cel.concat(...).",
        )

    def __call__(self, *args: Any, **kwargs: Any) -> NoReturn:
        node = self._node
        name = node.field if isinstance(node, ast.Select) else getattr(getattr(node, "index", None), "value", None)
        if isinstance(name, str) and name in _DICT_METHODS:
            raise fail(
                f".{name}() of a map reference has no CEL equivalent (`**m` and dict(m) call .keys())",
                "Iterate the map in a comprehension, [f(k, m[k]) for k in m] (its keys, sorted), or index it, m['k'].",
            )
        raise fail(f"the reference {cel_of(self)} is not callable", "Check the field name.")


_DICT_METHODS = frozenset(name for name in dir(dict) if not name.startswith("_"))


_PYTHON_TYPES: dict[str, type] = {"string": str, "list": list, "int": int, "double": float, "bool": bool}
_IN_COMPOSITION = "Write it directly in the @composition function, where it is converted to CEL."


def node_of(value: Ref) -> ast.Node:
    """The CEL AST of a reference (module functions, so that fields named ``type`` or ``node`` stay fields)."""
    return value._node


def cel_of(value: Ref) -> str:
    """The reference as CEL source."""
    return ast.to_cel(value._node)


def field(ref: Ref, name: str) -> Ref:
    """``ref.name`` as a typed reference (snake_case spec fields map to their camelCase names)."""
    if ref._model is not None and ref._type.kind not in ("list", "map"):
        return _model_field(ref, name)
    if ref._origin is not None:
        return _origin_field(ref, name)
    child = ref._type.field_type(name)
    if child is None:
        _no_field(ref, name)
    return Ref(ast.Select(ref._node, name), child)


def _no_field(ref: Ref, name: str, fields: Mapping[str, Any] | None = None) -> NoReturn:
    python = _PYTHON_TYPES.get(ref._type.kind)
    if python is not None and not name.startswith("_") and hasattr(python, name):
        supported = [m for m in functions.METHODS if ref._type.kind in functions.receiver_kinds(m)]
        raise fail(
            f".{name}() of {cel_of(ref)} ({ref._type}) has no CEL equivalent",
            (f"Supported: {', '.join(sorted(supported))}; " if supported else "")
            + "for other CEL functions use pykro.cel.expr(...).",
        )
    names = list(fields or (ref._type.fields or {}))
    hint = did_you_mean(name, names)
    raise fail(
        f"{cel_of(ref)} ({ref._type}) has no field {name!r}",
        (hint.strip() + " " if hint else "") + (f"Fields: {', '.join(names)}." if names else "Check the path."),
    )


def _model_field(ref: Ref, name: str) -> Ref:
    assert ref._model is not None
    return symbolic.field_ref(ref, ref._model, name)


def _origin_field(ref: Ref, name: str) -> Ref:
    assert ref._origin is not None
    origin = ref._origin
    if ref._type.kind == "map":
        return Ref(ast.Index(ref._node, ast.Literal(name)), ref._type.params[1], origin=_extend(origin, name))
    path = (*origin.path, name)
    try:
        child = _resource_field_type(origin, path)
    except CompositionError as exc:
        alias = camel(name)
        if alias == name:
            raise _relocated(exc) from None
        try:
            child = _resource_field_type(origin, (*origin.path, alias))
        except CompositionError:
            raise _relocated(exc) from None
        name, path = alias, (*origin.path, alias)
    return Ref(ast.Select(ref._node, name), child, origin=Origin(origin.api_version, origin.kind, path))


def _relocated(exc: CompositionError) -> CompositionError:
    """The resolver's error, located at the user's line when it carries no location."""
    return exc if exc.where else fail(exc.what, exc.fix)


def _extend(origin: Origin | None, key: str | int) -> Origin | None:
    return Origin(origin.api_version, origin.kind, (*origin.path, key)) if origin else None


class Template(Ref):
    """A string built from text and references (an f-string or ``+`` over references)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[str | Ref, ...]) -> None:
        merged: list[str | Ref] = []
        for part in parts:
            if isinstance(part, Template):
                merged.extend(part.parts)
            elif isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] += part
            elif not (isinstance(part, str) and part == ""):
                merged.append(part)
        self.parts: tuple[str | Ref, ...] = tuple(merged)
        super().__init__(_concat(self.parts), CelType.STRING)

    def __repr__(self) -> str:
        return f"<pykro template {cel_of(self)}>"


def _concat(parts: tuple[str | Ref, ...]) -> ast.Node:
    nodes = [ast.Literal(p) if isinstance(p, str) else p._node for p in parts] or [ast.Literal("")]
    node = nodes[0]
    for nxt in nodes[1:]:
        node = ast.Binary("+", node, nxt, type=CelType.STRING)
    return node


def is_ref(value: object) -> bool:
    """True for references and templates (values only known when the graph runs)."""
    return isinstance(value, Ref)


def type_of(value: Any) -> CelType:
    """The CEL type of a reference or a plain Python value."""
    if isinstance(value, Ref):
        return value._type
    if value is None:
        return CelType.NULL
    if isinstance(value, bool):
        return CelType.BOOL
    if isinstance(value, int):
        return CelType.INT
    if isinstance(value, float):
        return CelType.DOUBLE
    if isinstance(value, str):
        return CelType.STRING
    if isinstance(value, list | tuple):
        types = {type_of(v) for v in value}
        return CelType.list_of(types.pop() if len(types) == 1 else CelType.DYN)
    if isinstance(value, dict):
        types = {type_of(v) for v in value.values()}
        return CelType.map_of(CelType.STRING, types.pop() if len(types) == 1 else CelType.DYN)
    return CelType.DYN


def to_node(value: Any) -> ast.Node:
    """A CEL node for a reference or a plain value (lists, dicts, models and resources included)."""
    if isinstance(value, Ref):
        return value._node
    if value is None or isinstance(value, bool | int | float | str):
        return ast.Literal(value, type=type_of(value))
    if isinstance(value, list | tuple):
        return ast.ListExpr(tuple(to_node(v) for v in value))
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise fail(f"map keys in expressions must be strings, got {key!r}", "Use string keys.")
        return ast.MapExpr(tuple((ast.Literal(k), to_node(v)) for k, v in value.items()))
    as_ref = getattr(value, "__pykro_ref__", None)
    if as_ref is not None:
        return to_node(as_ref())
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        return to_node(dump(by_alias=True))
    raise fail(f"cannot use {type(value).__name__} value {value!r} in an expression", "Use plain values.")


def as_ref(value: Any) -> Ref:
    """``value`` as a reference (plain values become literals)."""
    if isinstance(value, Ref):
        return value
    as_ref_method = getattr(value, "__pykro_ref__", None)
    if as_ref_method is not None:
        result: Ref = as_ref_method()
        return result
    return Ref(to_node(value), type_of(value))
