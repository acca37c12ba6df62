"""Bare field paths (``schema.spec.name``, ``web.status.readyReplicas``) and string templates made only of them,
resolved in Python instead of through the CEL engine.

A lookup answers only when the engine's answer is certain: every key on the way is present in a plain ``dict``,
the variable's whole value is one the engine can convert (it converts a variable entirely before selecting from
it, and fails on anything it cannot hold), and the result is a scalar the engine hands back unchanged. Anything
else returns ``DEFER`` and the caller asks the engine, so its errors and "data pending" stay exactly its own.

:meth:`Resolver.pending` answers the one question soft status resolution asks of expressions it cannot resolve
yet: is the result certainly a "no such key" error (data pending)?
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pykro import _memo as memo
from pykro._memo import Memo
from pykro.cel._ast import Binary, Conditional, Ident, Literal, Node, Select, UInt, Unary
from pykro.cel._template import Expr, Template
from pykro.cel._types import CelType
from pykro.graph._naming import CEL_RESERVED  # never plain field names in a select expression

__all__ = ["DEFER", "Resolver", "bare_path", "convertible", "template_paths"]

DEFER: Any = object()
Path = tuple[str, ...]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT_MIN, _INT_MAX = -(2**63), 2**63
_SCALARS = (str, bool, int, float, type(None))
# Operators that evaluate both operands and return the first error among them.
_STRICT = frozenset({"==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "in"})
_PRESENT, _MISSING = "present", "missing"


@memo.cached(maxsize=16384)
def bare_path(expression: str) -> Path | None:
    """The keys of ``a.b.c`` (identifiers joined by dots, nothing else), or None for any other expression."""
    keys = tuple(expression.split("."))
    if all(_IDENT.fullmatch(key) and key not in CEL_RESERVED for key in keys):
        return keys
    return None


_TEMPLATES: Memo[str, tuple[str | Path, ...]] = Memo(16384)


def template_paths(concatenation: str, template: Template) -> tuple[str | Path, ...] | None:
    """A template's parts as text and bare paths (None when some part is any other expression), kept per CEL."""
    found = _TEMPLATES.get(concatenation)
    if found is None:
        parts: list[str | Path] = []
        for part in template.parts:
            keys = bare_path(part.expression) if isinstance(part, Expr) else part
            if keys is None:
                parts = []  # some part is not a bare path: kept as (), answered as None
                break
            parts.append(keys)
        found = _TEMPLATES.put(concatenation, tuple(parts))
    return found or None


def convertible(value: Any) -> bool:
    """True when the engine takes ``value`` as a variable unchanged: plain dicts/lists (not subclasses) of UTF-8
    strings and bytes without NUL (the engine cuts both at a NUL), int64 integers, floats, booleans and None, with
    such string or int64 map keys (cyclic data: False)."""
    try:
        return _plain(value)
    except RecursionError:
        return False


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is str:
                if not ((key.isascii() or _utf8(key)) and "\x00" not in key):
                    return False
            elif not _small_int(key):
                return False
            leaf = type(item)
            if leaf is str:  # the common leaves, checked without a call
                if not ((item.isascii() or _utf8(item)) and "\x00" not in item):
                    return False
            elif leaf is bool or leaf is float or item is None:
                continue
            elif leaf is int:
                if not _INT_MIN <= item < _INT_MAX:
                    return False
            elif not _plain(item):
                return False
        return True
    if kind is list:
        for item in value:
            leaf = type(item)
            if leaf is str:
                if not ((item.isascii() or _utf8(item)) and "\x00" not in item):
                    return False
            elif leaf is int:
                if not _INT_MIN <= item < _INT_MAX:
                    return False
            elif not (leaf is bool or leaf is float or item is None or _plain(item)):
                return False
        return True
    if kind is str:
        return _text(value)
    if kind is int:
        return bool(_INT_MIN <= value < _INT_MAX)
    if kind is bytes:
        return b"\x00" not in value
    return kind is bool or kind is float or value is None


def _small_int(key: Any) -> bool:
    return type(key) is bool or (type(key) is int and _INT_MIN <= key < _INT_MAX)


def _text(text: str) -> bool:
    """UTF-8 text without NUL (the engine cuts strings at a NUL)."""
    return (text.isascii() or _utf8(text)) and "\x00" not in text


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Resolver:
    """Looks bare paths up in activations of an evaluator's ``dyn`` variables. Within one expansion a variable's
    value is never changed, so each path's answer is kept with the value it came from (held, so its identity is
    never reused while kept) and convertibility is checked once per value."""

    def __init__(self, variables: Mapping[str, CelType]) -> None:
        self.variables = frozenset(name for name, kind in variables.items() if kind == CelType.DYN)
        self._checked: dict[int, tuple[Any, bool]] = {}
        self._answers: dict[Path, tuple[Any, Any]] = {}

    def lookup(self, keys: Path, ctx: Mapping[str, Any]) -> Any:
        """The scalar at ``keys`` in ``ctx``, or DEFER."""
        root = ctx.get(keys[0], DEFER)
        if root is DEFER:
            return DEFER
        kept = self._answers.get(keys)
        if kept is not None and kept[0] is root:
            return kept[1]
        answer = self._lookup(keys, root)
        self._answers[keys] = (root, answer)
        return answer

    def _lookup(self, keys: Path, root: Any) -> Any:
        if keys[0] not in self.variables or not self._convertible(root):
            return DEFER
        value = root
        for key in keys[1:]:
            if type(value) is not dict:
                return DEFER
            value = value.get(key, DEFER)
            if value is DEFER:
                return DEFER
        if not isinstance(value, _SCALARS):
            return DEFER
        return value

    def pending(self, tree: Node, ctx: Mapping[str, Any]) -> bool:
        """True when evaluating ``tree`` certainly ends in the engine's "no such key" error: a path misses a key
        of a plain dict, and every other operand on the way is a literal, a path that is present, or itself
        certainly pending. Strict operators return the first error of their operands (here all "no such key");
        ``&&``/``||`` are pending only when both sides are; ``?:`` when its condition is."""
        if isinstance(tree, Binary):
            if tree.op in ("&&", "||"):
                return self.pending(tree.left, ctx) and self.pending(tree.right, ctx)
            if tree.op not in _STRICT:
                return False
            found = False
            for operand in (tree.left, tree.right):
                if isinstance(operand, Literal | UInt):
                    continue
                state = self._probe(operand, ctx)
                if state is _MISSING or (state is None and self.pending(operand, ctx)):
                    found = True
                elif state is not _PRESENT:
                    return False
            return found
        if isinstance(tree, Unary):
            return self.pending(tree.operand, ctx)
        if isinstance(tree, Conditional):
            return self.pending(tree.cond, ctx)
        return self._probe(tree, ctx) is _MISSING

    def _probe(self, node: Node, ctx: Mapping[str, Any]) -> str | None:
        """``_PRESENT`` / ``_MISSING`` (a plain dict lacks a key) for a plain path into a convertible variable;
        None for anything else."""
        keys: list[str] = []
        while isinstance(node, Select) and not node.optional:
            keys.append(node.field)
            node = node.operand
        if not isinstance(node, Ident) or node.name not in self.variables:
            return None
        value = ctx.get(node.name, DEFER)
        if value is DEFER or not self._convertible(value):
            return None
        for key in reversed(keys):
            if type(value) is not dict:
                return None
            value = value.get(key, DEFER)
            if value is DEFER:
                return _MISSING
        return _PRESENT

    def template(self, parts: tuple[str | Path, ...], ctx: Mapping[str, Any]) -> Any:
        """The joined string when every path part is a string, or DEFER."""
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.lookup(part, ctx)
            if type(value) is not str:
                return DEFER
            out.append(value)
        return "".join(out)

    def _convertible(self, value: Any) -> bool:
        kind = type(value)
        if kind is not dict and kind is not list:
            return convertible(value)
        entry = self._checked.get(id(value))
        if entry is not None and entry[0] is value:
            return entry[1]
        ok = convertible(value)
        self._checked[id(value)] = (value, ok)
        return ok
