"""Print an AST as CEL source with the fewest parentheses CEL's precedence and associativity allow."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from pykro import _memo as memo
from pykro.cel._ast import (
    Binary,
    Call,
    Conditional,
    Ident,
    Index,
    ListExpr,
    Literal,
    MapExpr,
    Node,
    Select,
    StructExpr,
    UInt,
    Unary,
)

__all__ = ["literal", "precedence", "quote", "render"]

PRECEDENCE = {"||": 2, "&&": 3, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "in": 4}
PRECEDENCE.update({"+": 5, "-": 5, "*": 6, "/": 6, "%": 6})
CONDITIONAL, UNARY, MEMBER = 1, 7, 8
IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
ESCIDENT_RE = re.compile(r"[A-Za-z0-9_.\-/ ]+\Z")
KEYWORDS = frozenset({"true", "false", "null", "in"})  # reserved words are fine as field names
STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def render(node: Node) -> str:
    """CEL source for ``node``."""
    return _render(node)


def precedence(node: Node) -> int:
    """The binding strength of ``node``'s outermost construct (higher binds tighter)."""
    if isinstance(node, Binary):
        return PRECEDENCE[node.op]
    if isinstance(node, Select | Ident | Call | Index):
        return MEMBER
    if isinstance(node, Conditional):
        return CONDITIONAL
    if isinstance(node, Unary) or (isinstance(node, Literal) and _is_negative(node.value)):
        return UNARY
    return MEMBER


def _is_negative(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and (value < 0 or math.copysign(1, value) < 0)


def _wrap(node: Node, minimum: int) -> str:
    text = _render(node)
    return f"({text})" if precedence(node) < minimum else text


def _render(node: Node) -> str:
    printer = _PRINTERS.get(type(node))
    if printer is None:
        raise TypeError(f"not a CEL AST node: {node!r}")
    return printer(node)


def _index(node: Index) -> str:
    return f"{_wrap(node.operand, MEMBER)}[{'?' if node.optional else ''}{_render(node.index)}]"


def _call(node: Call) -> str:
    args = ", ".join(_render(arg) for arg in node.args)
    prefix = f"{_wrap(node.target, MEMBER)}." if node.target is not None else ""
    return f"{prefix}{node.function}({args})"


def _binary(node: Binary) -> str:
    level = PRECEDENCE[node.op]
    return f"{_wrap(node.left, level)} {node.op} {_wrap(node.right, level + 1)}"


def _conditional(node: Conditional) -> str:
    return f"{_wrap(node.cond, 2)} ? {_wrap(node.then, 2)} : {_wrap(node.otherwise, CONDITIONAL)}"


def _list(node: ListExpr) -> str:
    marks = set(node.optional)
    return "[" + ", ".join(("?" if i in marks else "") + _render(item) for i, item in enumerate(node.items)) + "]"


def _map(node: MapExpr) -> str:
    marks = set(node.optional)
    parts = (("?" if i in marks else "") + f"{_render(k)}: {_render(v)}" for i, (k, v) in enumerate(node.entries))
    return "{" + ", ".join(parts) + "}"


def _struct(node: StructExpr) -> str:
    marks = set(node.optional)
    parts = (("?" if i in marks else "") + f"{_field(f)}: {_render(v)}" for i, (f, v) in enumerate(node.fields))
    return node.name + "{" + ", ".join(parts) + "}"


def _unary_operand(node: Unary) -> str:
    operand = node.operand
    if isinstance(operand, Unary) and operand.op == node.op:
        return _render(operand)
    if isinstance(operand, Literal) and isinstance(operand.value, int | float) and not isinstance(operand.value, bool):
        # "-1" would read back as the literal -1: keep a negated literal distinct; "--1" is fine
        if node.op == "-" and _is_negative(operand.value):
            return _render(operand)
        return f"({_render(operand)})"
    return _wrap(operand, MEMBER)


def _field(name: str) -> str:
    if IDENT_RE.match(name) and name not in KEYWORDS:
        return name
    if ESCIDENT_RE.match(name):
        return f"`{name}`"
    raise ValueError(f"field name {name!r} cannot be written in CEL; use an index expression instead")


def _select(node: Select) -> str:
    return _wrap(node.operand, MEMBER) + _member(node.field, node.optional)


@memo.cached(maxsize=4096)
def _member(name: str, optional: bool) -> str:
    """How a field selection is written after its operand: ``.name``, ``.`esc-aped```, or an index ``["a b"]``."""
    mark = "?" if optional else ""
    if not (IDENT_RE.match(name) and name not in KEYWORDS) and not ESCIDENT_RE.match(name):
        return f"[{mark}{quote(name)}]"
    return f".{mark}{_field(name)}"


def literal(value: object) -> str:
    """CEL source for a constant (null, bool, int, float, str or bytes) that reads back as the same type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f'double("{"NaN" if math.isnan(value) else "-Infinity" if value < 0 else "Infinity"}")'
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bytes):
        return 'b"' + "".join(_byte(b) for b in value) + '"'
    raise TypeError(f"not a CEL literal value: {value!r}")


def quote(text: str) -> str:
    """A double-quoted CEL string literal for ``text``."""
    return '"' + "".join(_char(c) for c in text) + '"'


def _char(c: str) -> str:
    if c in STRING_ESCAPES:
        return STRING_ESCAPES[c]
    if c.isprintable():
        return c
    code = ord(c)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _byte(b: int) -> str:
    c = chr(b)
    if c in STRING_ESCAPES:
        return STRING_ESCAPES[c]
    return c if 0x20 <= b < 0x7F else f"\\x{b:02x}"


_PRINTERS: dict[type[Any], Callable[[Any], str]] = {
    Literal: lambda node: literal(node.value),
    UInt: lambda node: f"{node.value}u",
    Ident: lambda node: node.name,
    Select: _select,
    Index: _index,
    Call: _call,
    Unary: lambda node: node.op + _unary_operand(node),
    Binary: _binary,
    Conditional: _conditional,
    ListExpr: _list,
    MapExpr: _map,
    StructExpr: _struct,
}
