"""Values cel-expr-python would cut at a NUL character, found before they reach it.

cel-expr-python 0.1.3 converts a Python ``str`` (a value or a map key) and ``bytes`` into the engine as C strings,
so everything from the first NUL on is silently dropped. A ``bytearray`` keeps its length, so bytes travel as
bytearrays; a string or map key holding a NUL cannot be handed over at all and is refused with an error instead
(CEL literals and values computed inside the engine are not affected, nor are values the engine hands to Python).

Only what an expression reads is handed over (:func:`activation_for`), so only that is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["NulError", "Reads", "activation_for", "reads", "to_engine"]

# the fields read below each variable, as a tree: None where the whole value is read
Tree = dict[str, "Tree | None"]
Reads = tuple[tuple[str, "Tree | None"], ...]
_MISSING: Any = object()


class NulError(ValueError):
    """A string or map key holding a NUL character, which the engine would cut short."""


_CLEAN, _BYTES, _NUL = 0, 1, 2


def to_engine(value: Any, where: str = "value") -> Any:
    """``value`` as the engine can take it without loss: bytes become bytearrays (containers are copied only when
    they hold bytes); a string or map key holding a NUL raises NulError."""
    state = _scan(value)
    if state == _NUL:
        raise NulError(_locate(value, where))
    return _convert(value) if state == _BYTES else value


def _scan(value: Any) -> int:
    """_NUL for a NUL in a string or string key, else _BYTES when some bytes need converting, else _CLEAN."""
    kind = type(value)
    if kind is dict:
        if any(type(key) is str and "\x00" in key for key in value):
            return _NUL
        children: Any = value.values()
    elif kind is list:
        children = value
    else:
        children = None
    if children is not None:
        state = _CLEAN
        for item in children:
            kind = type(item)
            if kind is str:
                if "\x00" in item:
                    return _NUL
            elif kind is dict or kind is list:
                state |= _scan(item)
                if state > _BYTES:
                    return _NUL
            elif kind is bytes:
                state = _BYTES
        return state
    if kind is str:
        return _NUL if "\x00" in value else _CLEAN
    return _BYTES if kind is bytes else _CLEAN


def _locate(value: Any, where: str) -> str:
    """Where the first NUL is below ``value`` (found by _scan), as a sentence."""
    if isinstance(value, str):
        return f"the string at {where} holds a NUL character"
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                return f"the map key {key!r} at {where} holds a NUL character"
            if _scan(item) == _NUL:
                return _locate(item, f"{where}.{key}" if isinstance(key, str) else f"{where}[{key!r}]")
    if isinstance(value, list):
        for index, item in enumerate(value):
            if _scan(item) == _NUL:
                return _locate(item, f"{where}[{index}]")
    return f"{where} holds a NUL character"


def _convert(value: Any) -> Any:
    kind = type(value)
    if kind is bytes:
        return bytearray(value)
    if kind is dict:
        return {key: _convert(item) for key, item in value.items()}
    if kind is list:
        return [_convert(item) for item in value]
    return value


_CHAIN = re.compile(r"((?:\.\??[A-Za-z_]\w*)*)(\()?")


def reads(expression: str, variables: Iterable[str]) -> Reads:
    """The variables ``expression`` may read, with the fields read below each: a superset, as every use of a
    variable name anywhere in the text counts (spaces around a dot end a field chain early, which only widens it)."""
    found: list[tuple[str, tuple[str, ...]]] = []
    for name in variables:
        start = 0
        while (at := expression.find(name, start)) >= 0:
            start = at + len(name)
            if (at and _word(expression[at - 1])) or (start < len(expression) and _word(expression[start])):
                continue  # part of a longer name
            match = _CHAIN.match(expression, start)
            assert match is not None  # the pattern matches the empty string
            chain = match.group(1).replace("?", "").split(".")[1:]
            if match.group(2) and chain:  # the last name is a method called on the value, not a field
                chain.pop()
            found.append((name, tuple(chain)))
    trees: dict[str, Tree | None] = {}
    for root, path in found:
        if root in trees and trees[root] is None:
            continue
        if not path:
            trees[root] = None
            continue
        node = trees.setdefault(root, {})
        assert node is not None
        for key in path[:-1]:
            child = node.setdefault(key, {})
            if child is None:
                break
            node = child
        else:
            node[path[-1]] = None
    return tuple(trees.items())


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def activation_for(activation: Mapping[str, Any], paths: Reads) -> dict[str, Any]:
    """What the engine receives for an expression reading ``paths``: each variable it reads, cut down to the fields
    it names (a map on the way keeps only the keys read through it; a value read whole is kept whole, its bytes as
    bytearrays). The engine converts every value it is given, so this spares it the rest, and a NUL can only reach
    it inside what is read whole: there it raises NulError."""
    out: dict[str, Any] = {}
    for root, tree in paths:
        value = activation.get(root, _MISSING)
        if value is not _MISSING:
            out[root] = _whole(value, root) if tree is None else _pruned(value, tree, root)
    return out


def _whole(value: Any, where: str) -> Any:
    kind = type(value)
    if kind is int or kind is bool or kind is float or value is None:
        return value
    state = _scan(value)
    if state == _NUL:
        raise NulError(_locate(value, where))
    return _convert(value) if state == _BYTES else value


def _pruned(value: Any, tree: Tree, where: str) -> Any:
    if type(value) is not dict:  # not a map: a field read from it fails in the engine, as it would on the whole
        return _whole(value, where)
    out = {}
    for key, below in tree.items():
        item = value.get(key, _MISSING)
        if item is not _MISSING:
            out[key] = _whole(item, f"{where}.{key}") if below is None else _pruned(item, below, f"{where}.{key}")
    return out
