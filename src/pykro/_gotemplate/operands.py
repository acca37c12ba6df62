"""Execution helpers: errors with a source position, Go's rules for number literals, argument type checks
(``validateType``) and field access on maps (``evalField``), shared by the compiled closures of ``exec``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from .nodes import Bool, Dot, Field, Identifier, Nil, Node, Number, String, Variable
from .sig import GO_TYPE_NAMES
from .values import I64, MISSING, StrList, StrMap, go_type

__all__ = ["ExecError", "MissingKey", "converter", "field", "ideal", "literal_text", "raise_at", "validate"]

MissingKey = Literal["default", "zero", "error"]


class ExecError(Exception):
    """An execution error at source offset ``pos``."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def ideal(node: Number) -> object:
    """Go's idealConstant: the value of a number literal with no type context."""
    text = node.text.lstrip("+-").lower()
    if not node.is_char and any(c in text for c in ".ep") and not (text.startswith("0x") and "p" not in text):
        return node.float_value
    if node.is_int:
        return node.int_value
    raise ExecError(f"{node.text} overflows int", node.pos)


def literal_text(node: Node) -> str:
    if isinstance(node, String):
        return node.quoted
    if isinstance(node, Number):
        return node.text
    if isinstance(node, Bool):
        return "true" if node.value else "false"
    if isinstance(node, Nil):
        return "nil"
    if isinstance(node, Dot):
        return "."
    if isinstance(node, Field):
        return "." + ".".join(node.names)
    if isinstance(node, Variable):
        return ".".join((node.name, *node.names))
    if isinstance(node, Identifier):
        return node.name
    return "(pipeline)"


def validate(value: object, typ: str, pos: int, fn: str = "") -> object:
    """Go's validateType: a runtime value passed to a parameter of Go type ``typ``."""
    if typ == "value":
        return value
    if value is MISSING:
        if typ == "any":
            return None
        if typ == "list":
            return []
        if typ == "map":
            return {}
        raise ExecError(f"{fn + ': ' if fn else ''}invalid value; expected {GO_TYPE_NAMES[typ]}", pos)
    if typ == "any":
        return value
    ok = False
    if typ == "str":
        ok = isinstance(value, str)
    elif typ == "int":
        ok = type(value) is int
    elif typ == "i64":
        ok = type(value) is I64
    elif typ == "float":
        ok = isinstance(value, float)
    elif typ == "bool":
        ok = isinstance(value, bool)
    elif typ == "list":
        ok = isinstance(value, (list, tuple)) and not isinstance(value, StrList)
    elif typ == "map":
        ok = isinstance(value, Mapping) and not isinstance(value, StrMap)
    if not ok:
        got = "interface {}" if value is None else go_type(value)
        prefix = f"{fn}: " if fn else ""
        raise ExecError(f"{prefix}wrong type for value; expected {GO_TYPE_NAMES[typ]}; got {got}", pos)
    return value


def raise_at(message: str, pos: int) -> object:
    raise ExecError(message, pos)


def converter(typ: str, pos: int, fn: str = "") -> Callable[[object], object]:
    """Validation of a piped-in value for a parameter of Go type ``typ``. Go unwraps a command's result between
    pipeline stages, so a nil piped in is a missing value (``reflect.Value{}``), not a nil interface."""
    if typ == "value":
        return lambda v: MISSING if v is None else v
    if typ == "any":
        return lambda v: None if v is MISSING else v
    if typ == "str":
        return lambda v: v if v.__class__ is str else validate(MISSING if v is None else v, "str", pos, fn)
    return lambda v: validate(MISSING if v is None else v, typ, pos, fn)


def field(recv: object, name: str, pos: int, mode: MissingKey) -> object:
    """Go's evalField on a receiver that is not a dict holding ``name``."""
    if isinstance(recv, Mapping):
        if name in recv:
            return recv[name]
        if mode == "error":
            raise ExecError(f'map has no entry for key "{name}"', pos)
        if mode == "zero":
            return "" if isinstance(recv, StrMap) else None
        return MISSING
    if recv is MISSING:
        if mode == "error":
            raise ExecError(f'nil data; no entry for key "{name}"', pos)
        return MISSING
    if recv is None:
        raise ExecError(f"nil pointer evaluating interface {{}}.{name}", pos)
    raise ExecError(f"can't evaluate field {name} in type {go_type(recv)}", pos)
