"""List functions: Kubernetes' lists library and cel-go's ext.Lists (the parts cel-expr-python lacks)."""

from __future__ import annotations

import functools
import itertools
from typing import Any

from pykro.cel._library import opaque
from pykro.cel._library.base import Fn, LibraryError, fn, glob, member
from pykro.cel._library.values import compare, distinct_key, equal
from pykro.cel._library.values import kind as kind_of_value
from pykro.cel._types import CelType

__all__ = [
    "FUNCTIONS",
    "distinct",
    "flatten",
    "index_of",
    "is_sorted",
    "last_index_of",
    "list_slice",
    "lists_range",
    "merge_entries",
    "sort",
    "sort_order",
    "total",
    "zip_map",
]

D, INT, BOOL = CelType.DYN, CelType.INT, CelType.BOOL
L = CelType.list_of(D)


def is_sorted(items: list[Any]) -> bool:
    return all(compare(a, b, "isSorted") <= 0 for a, b in itertools.pairwise(items))


def total(items: list[Any]) -> Any:
    """sum(): the empty list sums to 0."""
    result: Any = None
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | float):
            raise LibraryError(f"no such overload: sum over {type(item).__name__}")
        result = item if result is None else result + item
    return 0 if result is None else result


def _extreme(items: list[Any], name: str, prefer: int) -> Any:
    if not items:
        raise LibraryError(f"{name} called on empty list")
    best = items[0]
    for item in items[1:]:
        if compare(best, item, name) == prefer:
            best = item
    return best


def index_of(items: list[Any], value: Any) -> int:
    return next((i for i, item in enumerate(items) if equal(item, value)), -1)


def last_index_of(items: list[Any], value: Any) -> int:
    return next((i for i in range(len(items) - 1, -1, -1) if equal(items[i], value)), -1)


def lists_range(n: int) -> list[int]:
    return list(range(n))


def list_slice(items: list[Any], start: int, end: int) -> list[Any]:
    if start < 0 or end < 0:
        raise LibraryError(f"cannot slice({start}, {end}), negative indexes not supported")
    if start > end:
        raise LibraryError(f"cannot slice({start}, {end}), start index must be less than or equal to end index")
    if end > len(items):
        raise LibraryError(f"cannot slice({start}, {end}), list is length {len(items)}")
    return items[start:end]


def flatten(items: list[Any], depth: int = 1) -> list[Any]:
    if depth < 0:
        raise LibraryError("level must be non-negative")
    out: list[Any] = []
    for item in items:
        if isinstance(item, list) and depth > 0:
            out.extend(flatten(item, depth - 1))
        else:
            out.append(item)
    return out


def sort(items: list[Any]) -> list[Any]:
    return sorted(items, key=functools.cmp_to_key(lambda a, b: compare(a, b, "sort")))


def distinct(items: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    out: list[Any] = []
    for item in items:
        key = distinct_key(item)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        elif any(equal(item, kept) for kept in out):
            continue
        out.append(item)
    return out


def sort_order(keys: list[Any]) -> list[int]:
    """ext.Lists' sortBy: the positions of the items in the order of their keys (stable; keys of one comparable
    kind, as cel-go's messages say)."""
    kinds = {kind_of_value(key) for key in keys}
    if len(kinds) > 1:
        raise LibraryError("list elements must have the same type")
    if kinds - {"bool", "number", "string", "bytes", "timestamp", "duration"}:
        raise LibraryError("list elements must be comparable")

    def by_key(a: int, b: int) -> int:
        return compare(keys[a], keys[b], "sortBy")

    return sorted(range(len(keys)), key=functools.cmp_to_key(by_key))


def zip_map(keys: list[Any], values: list[Any]) -> dict[Any, Any]:
    """transformMap's result: each key with the value computed for it."""
    return dict(zip(keys, values, strict=True))


def merge_entries(entries: list[Any]) -> dict[Any, Any]:
    """transformMapEntry's result: the union of the one-entry maps; a key given twice is an error (as cel-go)."""
    out: dict[Any, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict) or opaque.kind_of(entry) is not None:
            raise LibraryError(f"transformMapEntry: the expression must give a map, got {opaque.describe(entry)}")
        for key, value in entry.items():
            if any(equal(key, seen) for seen in out):
                raise LibraryError(f"insert failed: key {key!r} already exists")
            out[key] = value
    return out


FUNCTIONS: list[Fn] = [
    fn("isSorted", member("list_is_sorted_bool", (L,), BOOL, is_sorted)),
    fn("sum", member("list_sum", (L,), D, total)),
    fn("max", member("list_max", (L,), D, lambda items: _extreme(items, "max", -1))),
    fn("min", member("list_min", (L,), D, lambda items: _extreme(items, "min", 1))),
    fn("indexOf", member("list_a_index_of_int", (L, D), INT, index_of)),
    fn("lastIndexOf", member("list_a_last_index_of_int", (L, D), INT, last_index_of)),
    fn("lists.range", glob("lists_range", (INT,), CelType.list_of(INT), lists_range)),
    fn("slice", member("list_slice", (L, INT, INT), L, list_slice)),
    fn("flatten", member("list_flatten", (L,), L, flatten), member("list_flatten_int", (L, INT), L, flatten)),
    fn("sort", member("list_sort", (L,), L, sort)),
    fn("distinct", member("list_distinct", (L,), L, distinct)),
    fn("reverse", member("list_reverse", (L,), L, lambda items: items[::-1])),
    # targets of pykro.cel._rewrite's comprehension rewrites (not part of kro's library)
    fn("__pykro_sort_order", glob("__pykro_sort_order_list", (L,), CelType.list_of(INT), sort_order)),
    fn("__pykro_zip", glob("__pykro_zip_list_list", (L, L), CelType.map_of(D, D), zip_map)),
    fn("__pykro_entries", glob("__pykro_entries_list", (L,), CelType.map_of(D, D), merge_entries)),
]
