"""The parse tree of a Go template (the node kinds of ``text/template/parse``).

Variables are resolved while parsing: each declaration gets a slot in its template's frame and each use names the
slot, so execution indexes a list instead of searching a stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Action",
    "Bool",
    "Break",
    "Chain",
    "Command",
    "Continue",
    "Dot",
    "Field",
    "Identifier",
    "If",
    "Nil",
    "Node",
    "Number",
    "Pipe",
    "Range",
    "String",
    "Template",
    "Text",
    "Tree",
    "Variable",
    "With",
]


@dataclass(slots=True)
class Node:
    pos: int


@dataclass(slots=True)
class Text(Node):
    text: str


@dataclass(slots=True)
class Dot(Node):
    pass


@dataclass(slots=True)
class Nil(Node):
    pass


@dataclass(slots=True)
class Bool(Node):
    value: bool


@dataclass(slots=True)
class Number(Node):
    text: str
    is_int: bool
    int_value: int
    is_float: bool
    float_value: float
    is_char: bool = False


@dataclass(slots=True)
class String(Node):
    text: str  # the unquoted value
    quoted: str  # as written


@dataclass(slots=True)
class Field(Node):
    names: tuple[str, ...]  # .a.b -> ("a", "b")


@dataclass(slots=True)
class Variable(Node):
    name: str  # "$x" or "$"
    slot: int
    names: tuple[str, ...]  # fields after the variable


@dataclass(slots=True)
class Identifier(Node):
    name: str


@dataclass(slots=True)
class Chain(Node):
    node: Node  # a parenthesized pipeline (or other term)
    names: tuple[str, ...]


@dataclass(slots=True)
class Command(Node):
    args: list[Node]


@dataclass(slots=True)
class Pipe(Node):
    decls: list[tuple[str, int]]  # (name, slot); slot -1: assignment to an undeclared variable
    is_assign: bool
    cmds: list[Command]


@dataclass(slots=True)
class Action(Node):
    pipe: Pipe


@dataclass(slots=True)
class If(Node):
    pipe: Pipe
    body: list[Node]
    orelse: list[Node] | None


@dataclass(slots=True)
class With(Node):
    pipe: Pipe
    body: list[Node]
    orelse: list[Node] | None


@dataclass(slots=True)
class Range(Node):
    pipe: Pipe
    body: list[Node]
    orelse: list[Node] | None


@dataclass(slots=True)
class Template(Node):
    name: str
    pipe: Pipe | None


@dataclass(slots=True)
class Break(Node):
    pass


@dataclass(slots=True)
class Continue(Node):
    pass


@dataclass(slots=True)
class Tree:
    """One template: the main one, a ``define`` or a ``block``."""

    name: str
    root: list[Node] = field(default_factory=list)
    nslots: int = 1
