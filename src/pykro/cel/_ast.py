"""An immutable, typed AST of CEL covering the whole grammar (cel-spec langdef), printed back by :func:`to_cel`.

Macros keep their call shape: ``xs.all(x, p)`` is ``Call("all", (Ident("x"), p), target=xs)``, ``has(a.b)`` is
``Call("has", (Select(Ident("a"), "b"),))`` and ``cel.bind(v, init, body)`` is a call on the target ``cel``.
Every node may carry a ``type`` (a :class:`CelType`) for the authoring layer; it does not take part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Union

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
    "to_cel",
    "walk",
]

LiteralValue = Union[None, bool, int, float, str, bytes]  # noqa: UP007 - a runtime alias


@dataclass(frozen=True)
class Literal:
    """A constant: null, bool, int, double (float), string (str) or bytes."""

    value: LiteralValue
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class UInt:
    """An unsigned integer constant (``1u``)."""

    value: int
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class Ident:
    """A name; a leading dot (``.a``, root-scoped) is kept in ``name``."""

    name: str
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class Select:
    """``operand.field``, or ``operand.?field`` when ``optional``."""

    operand: Node
    field: str
    optional: bool = False
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class Index:
    """``operand[index]``, or ``operand[?index]`` when ``optional``."""

    operand: Node
    index: Node
    optional: bool = False
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class Call:
    """``function(args)`` or ``target.function(args)`` (also every macro)."""

    function: str
    args: tuple[Node, ...] = ()
    target: Node | None = None
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class Unary:
    """``!operand`` or ``-operand``."""

    op: str
    operand: Node
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class Binary:
    """A binary operator: ``|| && == != < <= > >= in + - * / %``."""

    op: str
    left: Node
    right: Node
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class Conditional:
    """``cond ? then : otherwise``."""

    cond: Node
    then: Node
    otherwise: Node
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class ListExpr:
    """``[a, b]``; positions listed in ``optional`` are optional elements (``[?a]``)."""

    items: tuple[Node, ...] = ()
    optional: tuple[int, ...] = ()
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class MapExpr:
    """``{k: v}``; entry positions listed in ``optional`` are optional entries (``{?k: v}``)."""

    entries: tuple[tuple[Node, Node], ...] = ()
    optional: tuple[int, ...] = ()
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class StructExpr:
    """A message literal ``Name{field: v}``; field positions listed in ``optional`` are ``?field: v``."""

    name: str
    fields: tuple[tuple[str, Node], ...] = ()
    optional: tuple[int, ...] = ()
    type: CelType | None = dc_field(default=None, compare=False, kw_only=True)


Node = Union[Literal, UInt, Ident, Select, Index, Call, Unary, Binary, Conditional, ListExpr, MapExpr, StructExpr]  # noqa: UP007


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
