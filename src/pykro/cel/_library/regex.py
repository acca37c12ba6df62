"""Kubernetes' regex library: ``s.find(re)`` and ``s.findAll(re[, limit])`` with RE2 semantics, as Go's regexp."""

from __future__ import annotations

from typing import Any

from pykro import _memo as memo
from pykro.cel._library.base import Fn, LibraryError, fn, member
from pykro.cel._types import CelType

__all__ = ["FUNCTIONS", "find", "find_all"]

S, INT = CelType.STRING, CelType.INT


@memo.cached(maxsize=256)
def _compile(pattern: str) -> Any:
    import re2  # imported when a regex function first runs (not to type-check one)

    try:
        return re2.compile(pattern)
    except re2.error as exc:
        raise LibraryError(f"Illegal regex: {exc}") from None


def find(text: str, pattern: str) -> str:
    match = _compile(pattern).search(text)
    return str(match.group(0)) if match else ""


def find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    """Go's FindAllString: at most ``limit`` matches (all when negative); an empty match right after the previous
    match is skipped."""
    out: list[str] = []
    previous_end = -1
    for match in _compile(pattern).finditer(text):
        if 0 <= limit <= len(out):
            break
        if match.start() == match.end() == previous_end:
            continue
        out.append(str(match.group(0)))
        previous_end = match.end()
    return out


FUNCTIONS: list[Fn] = [
    fn("find", member("string_find_string", (S, S), S, find)),
    fn(
        "findAll",
        member("string_find_all_string", (S, S), CelType.list_of(S), find_all),
        member("string_find_all_string_int", (S, S, INT), CelType.list_of(S), find_all),
    ),
]
