"""CEL comparison and equality over the plain Python values the engine hands to library functions."""

from __future__ import annotations

import datetime
from typing import Any

from pykro.cel._library.base import LibraryError

__all__ = ["compare", "distinct_key", "equal", "kind"]


def kind(value: Any) -> str:
    """The comparison kind of a plain value (int, uint and double are all ``number``)."""
    return _kind(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes | bytearray):
        return "bytes"
    if value is None:
        return "null"
    if isinstance(value, datetime.datetime):
        return "timestamp"
    if isinstance(value, datetime.timedelta):
        return "duration"
    return type(value).__name__


def equal(left: Any, right: Any) -> bool:
    """CEL equality: numbers compare across int/uint/double, bool never equals a number."""
    if _kind(left) != _kind(right):
        return False
    if isinstance(left, list):
        return len(left) == len(right) and all(equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(equal(v, right[k]) for k, v in left.items())
    return bool(left == right)


def compare(left: Any, right: Any, function: str) -> int:
    """-1, 0 or 1 as CEL orders two values of the same comparable kind; an error for anything else."""
    kind = _kind(left)
    if kind != _kind(right) or kind not in ("bool", "number", "string", "bytes", "timestamp", "duration"):
        raise LibraryError(f"no such overload: {function} cannot compare {_kind(left)} with {_kind(right)}")
    return int((left > right) - (left < right))


def distinct_key(value: Any) -> Any:
    """A hashable key under which CEL-equal scalars collide (None for values compared one by one)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float | str | bytes):
        return (_kind(value), value)
    return None
