"""pykro's one caching mechanism: bounded stores of results for pure derivations whose inputs repeat (schemas,
resolvers, templates, parsed expressions). `Memo` keeps results by a computed key; `cached` is a bounded
``functools.lru_cache`` for functions of hashable arguments. Both register themselves, so `clear_all` empties every
cache at once (tests use it to start from a known state)."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar, cast

__all__ = ["Memo", "cached", "clear_all"]

K = TypeVar("K")
V = TypeVar("V")
P = ParamSpec("P")
T = TypeVar("T")

_MEMOS: weakref.WeakSet[Memo[Any, Any]] = weakref.WeakSet()
_FUNCTIONS: list[Any] = []


class Memo(Generic[K, V]):
    """Results kept by key; past ``limit`` entries the oldest is dropped. Failures are not kept (callers raise)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: dict[K, V] = {}
        _MEMOS.add(self)

    def get(self, key: K, default: V | None = None) -> V | None:
        return self._items.get(key, default)

    def put(self, key: K, value: V) -> V:
        self._items[key] = value
        if len(self._items) > self.limit:
            del self._items[next(iter(self._items))]
        return value

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def cached(maxsize: int) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """``functools.lru_cache(maxsize)`` that `clear_all` empties (arguments must be hashable)."""

    def wrap(fn: Callable[P, T]) -> Callable[P, T]:
        wrapped = functools.lru_cache(maxsize=maxsize)(fn)
        _FUNCTIONS.append(wrapped)
        return cast(Callable[P, T], wrapped)

    return wrap


def clear_all() -> None:
    """Empty every `Memo` and every `cached` function."""
    for memo in list(_MEMOS):
        memo.clear()
    for fn in _FUNCTIONS:
        fn.cache_clear()
