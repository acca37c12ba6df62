"""A bounded store of results by key, for pure derivations whose inputs repeat (schemas, resolvers, templates)."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(Generic[K, V]):
    """Results kept by key; past ``limit`` entries the oldest is dropped. Failures are not kept (callers raise)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: dict[K, V] = {}

    def get(self, key: K, default: V | None = None) -> V | None:
        return self._items.get(key, default)

    def put(self, key: K, value: V) -> V:
        self._items[key] = value
        if len(self._items) > self.limit:
            del self._items[next(iter(self._items))]
        return value

    def __len__(self) -> int:
        return len(self._items)
