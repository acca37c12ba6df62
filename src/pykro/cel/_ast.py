"""An immutable, typed AST of CEL covering the whole grammar (cel-spec langdef), printed back by :func:`to_cel`.

Macros keep their call shape: ``xs.all(x, p)`` is ``Call("all", (Ident("x"), p), target=xs)``, ``has(a.b)`` is
``Call("has", (Select(Ident("a"), "b"),))`` and ``cel.bind(v, init, body)`` is a call on the target ``cel``.
Every node may carry a ``type`` (a :class:`CelType`) for the authoring layer; it does not take part in equality.

The nodes behave as ``@dataclass(frozen=True)`` classes with a keyword-only ``type`` excluded from ``==`` and
``hash`` (same ``repr``, ``__match_args__``, FrozenInstanceError), written out (see :mod:`pykro._frozen`).
"""

from __future__ import annotations

from typing import Any, TypeVar, Union

from pykro._frozen import Frozen, set_field
from pykro.cel._types import CelType

__all__ = [
    "Binary",
    "Call",
    "Conditional",
    "Ident",
    "Index",
    "ListExpr",
    "Literal",
    "MapExpr",
    "Node",
    "Select",
    "StructExpr",
    "UInt",
    "Unary",
    "children",
    "field_names",
    "is_node",
    "replace",
    "to_cel",
    "walk",
]

LiteralValue = Union[None, bool, int, float, str, bytes]  # noqa: UP007 - a runtime alias


class _Node(Frozen):
    """A node: ``==`` and ``hash`` over its fields without ``type``."""

    __match_args__: tuple[str, ...]
    type: CelType | None

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{self.__class__.__qualname__}({shown}, type={self.type!r})"


class Literal(_Node):
    """A constant: null, bool, int, double (float), string (str) or bytes."""

    __match_args__ = ("value",)
    value: LiteralValue

    def __init__(self, value: LiteralValue, *, type: CelType | None = None) -> None:
        set_field(self, "value", value)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.value,) == (other.value,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.value,))


class UInt(_Node):
    """An unsigned integer constant (``1u``)."""

    __match_args__ = ("value",)
    value: int

    def __init__(self, value: int, *, type: CelType | None = None) -> None:
        set_field(self, "value", value)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.value,) == (other.value,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.value,))


class Ident(_Node):
    """A name; a leading dot (``.a``, root-scoped) is kept in ``name``."""

    __match_args__ = ("name",)
    name: str

    def __init__(self, name: str, *, type: CelType | None = None) -> None:
        set_field(self, "name", name)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.name,) == (other.name,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.name,))


class Select(_Node):
    """``operand.field``, or ``operand.?field`` when ``optional``."""

    __match_args__ = ("operand", "field", "optional")
    operand: Node
    field: str
    optional: bool

    def __init__(self, operand: Node, field: str, optional: bool = False, *, type: CelType | None = None) -> None:
        set_field(self, "operand", operand)
        set_field(self, "field", field)
        set_field(self, "optional", optional)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.operand, self.field, self.optional) == (other.operand, other.field, other.optional)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.operand, self.field, self.optional))


class Index(_Node):
    """``operand[index]``, or ``operand[?index]`` when ``optional``."""

    __match_args__ = ("operand", "index", "optional")
    operand: Node
    index: Node
    optional: bool

    def __init__(self, operand: Node, index: Node, optional: bool = False, *, type: CelType | None = None) -> None:
        set_field(self, "operand", operand)
        set_field(self, "index", index)
        set_field(self, "optional", optional)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.operand, self.index, self.optional) == (other.operand, other.index, other.optional)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.operand, self.index, self.optional))


class Call(_Node):
    """``function(args)`` or ``target.function(args)`` (also every macro)."""

    __match_args__ = ("function", "args", "target")
    function: str
    args: tuple[Node, ...]
    target: Node | None

    def __init__(
        self, function: str, args: tuple[Node, ...] = (), target: Node | None = None, *, type: CelType | None = None
    ) -> None:
        set_field(self, "function", function)
        set_field(self, "args", args)
        set_field(self, "target", target)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.function, self.args, self.target) == (other.function, other.args, other.target)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.function, self.args, self.target))


class Unary(_Node):
    """``!operand`` or ``-operand``."""

    __match_args__ = ("op", "operand")
    op: str
    operand: Node

    def __init__(self, op: str, operand: Node, *, type: CelType | None = None) -> None:
        set_field(self, "op", op)
        set_field(self, "operand", operand)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.op, self.operand) == (other.op, other.operand)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.op, self.operand))


class Binary(_Node):
    """A binary operator: ``|| && == != < <= > >= in + - * / %``."""

    __match_args__ = ("op", "left", "right")
    op: str
    left: Node
    right: Node

    def __init__(self, op: str, left: Node, right: Node, *, type: CelType | None = None) -> None:
        set_field(self, "op", op)
        set_field(self, "left", left)
        set_field(self, "right", right)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.op, self.left, self.right) == (other.op, other.left, other.right)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.op, self.left, self.right))


class Conditional(_Node):
    """``cond ? then : otherwise``."""

    __match_args__ = ("cond", "then", "otherwise")
    cond: Node
    then: Node
    otherwise: Node

    def __init__(self, cond: Node, then: Node, otherwise: Node, *, type: CelType | None = None) -> None:
        set_field(self, "cond", cond)
        set_field(self, "then", then)
        set_field(self, "otherwise", otherwise)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.cond, self.then, self.otherwise) == (other.cond, other.then, other.otherwise)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.cond, self.then, self.otherwise))


class ListExpr(_Node):
    """``[a, b]``; positions listed in ``optional`` are optional elements (``[?a]``)."""

    __match_args__ = ("items", "optional")
    items: tuple[Node, ...]
    optional: tuple[int, ...]

    def __init__(
        self, items: tuple[Node, ...] = (), optional: tuple[int, ...] = (), *, type: CelType | None = None
    ) -> None:
        set_field(self, "items", items)
        set_field(self, "optional", optional)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.items, self.optional) == (other.items, other.optional)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.items, self.optional))


class MapExpr(_Node):
    """``{k: v}``; entry positions listed in ``optional`` are optional entries (``{?k: v}``)."""

    __match_args__ = ("entries", "optional")
    entries: tuple[tuple[Node, Node], ...]
    optional: tuple[int, ...]

    def __init__(
        self,
        entries: tuple[tuple[Node, Node], ...] = (),
        optional: tuple[int, ...] = (),
        *,
        type: CelType | None = None,
    ) -> None:
        set_field(self, "entries", entries)
        set_field(self, "optional", optional)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.entries, self.optional) == (other.entries, other.optional)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.entries, self.optional))


class StructExpr(_Node):
    """A message literal ``Name{field: v}``; field positions listed in ``optional`` are ``?field: v``."""

    __match_args__ = ("name", "fields", "optional")
    name: str
    fields: tuple[tuple[str, Node], ...]
    optional: tuple[int, ...]

    def __init__(
        self,
        name: str,
        fields: tuple[tuple[str, Node], ...] = (),
        optional: tuple[int, ...] = (),
        *,
        type: CelType | None = None,
    ) -> None:
        set_field(self, "name", name)
        set_field(self, "fields", fields)
        set_field(self, "optional", optional)
        set_field(self, "type", type)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.name, self.fields, self.optional) == (other.name, other.fields, other.optional)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.name, self.fields, self.optional))


Node = Union[Literal, UInt, Ident, Select, Index, Call, Unary, Binary, Conditional, ListExpr, MapExpr, StructExpr]  # noqa: UP007


_N = TypeVar("_N", bound=_Node)


def field_names(node: Node) -> tuple[str, ...]:
    """The fields of ``node`` in order, without ``type``."""
    return node.__match_args__


def is_node(value: object) -> bool:
    """Whether ``value`` is a node of this AST."""
    return isinstance(value, _Node)


def replace(node: _N, **changes: Any) -> _N:
    """A copy of ``node`` with ``changes`` (field name to value) applied, as ``dataclasses.replace`` does."""
    values = {name: getattr(node, name) for name in node.__match_args__}
    values["type"] = node.type
    values.update(changes)
    return node.__class__(**values)


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node`` in source order."""
    if isinstance(node, Select):
        return (node.operand,)
    if isinstance(node, Index):
        return (node.operand, node.index)
    if isinstance(node, Call):
        return ((node.target,) if node.target is not None else ()) + node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Conditional):
        return (node.cond, node.then, node.otherwise)
    if isinstance(node, ListExpr):
        return node.items
    if isinstance(node, MapExpr):
        return tuple(part for entry in node.entries for part in entry)
    if isinstance(node, StructExpr):
        return tuple(value for _, value in node.fields)
    return ()


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children, in source order."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


def to_cel(node: Node) -> str:
    """Print ``node`` as CEL source with minimal parentheses (see :mod:`pykro.cel._printer`)."""
    return printer.render(node)


from pykro.cel import _printer as printer  # noqa: E402  (the printer reads the node classes above)
