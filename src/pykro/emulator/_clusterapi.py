"""`EngineAPI`: the in-process `ClusterAPI` that controllers (the simulator, tests) use — the same admission as
HTTP, no network. Failures raise `StatusError` (with .code and .reason, as the apiserver would answer)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

from pykro.emulator._controller import WatchEvent
from pykro.emulator._engine import Engine, WriteOptions
from pykro.emulator._store import Change, Watcher

__all__ = ["EngineAPI"]

MANAGER = "pykro-emulator"


class _Subscription:
    """An async iterator over every change from the moment it was created."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._watcher: Watcher | None = engine.store.subscribe(None)

    def __aiter__(self) -> _Subscription:
        return self

    async def __anext__(self) -> WatchEvent:
        if self._watcher is None:
            raise StopAsyncIteration
        try:
            change: Change | None = await self._watcher.queue.get()
        except asyncio.CancelledError:
            self.close()
            raise
        if change is None:
            self.close()
            raise StopAsyncIteration
        return WatchEvent(change.type, copy.deepcopy(change.obj))

    def backlog(self) -> int:
        """Changes made but not yet taken from this subscription."""
        return self._watcher.queue.qsize() if self._watcher is not None else 0

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        if self._watcher is not None:
            self._engine.store.unsubscribe(self._watcher)
            self._watcher = None


class EngineAPI:
    """`ClusterAPI` over an `Engine` (objects returned are copies the caller may change)."""

    def __init__(self, engine: Engine, manager: str = MANAGER) -> None:
        self.engine = engine
        self.manager = manager

    def _opts(self) -> WriteOptions:
        return WriteOptions(manager=self.manager, field_validation="Ignore")

    async def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        obj = self.engine.find(self.engine.type_of(api_version, kind), namespace, name)
        return copy.deepcopy(obj) if obj is not None else None

    async def list(
        self, api_version: str, kind: str, namespace: str | None = None, label_selector: str | None = None
    ) -> list[dict[str, Any]]:
        found = self.engine.list(self.engine.type_of(api_version, kind), namespace, label_selector)
        return found.items  # decoded afresh for this call

    async def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        rt = self.engine.type_of(obj.get("apiVersion", ""), obj.get("kind", ""))
        ns = (obj.get("metadata") or {}).get("namespace")
        return copy.deepcopy(self.engine.create(rt, ns, obj, self._opts()))

    async def _update(self, obj: dict[str, Any], subresource: str | None) -> dict[str, Any]:
        rt = self.engine.type_of(obj.get("apiVersion", ""), obj.get("kind", ""))
        meta = obj.get("metadata") or {}
        out = self.engine.update(
            rt, meta.get("namespace"), meta.get("name", ""), obj, self._opts(), subresource, require_rv=False
        )
        return copy.deepcopy(out)

    async def update(self, obj: dict[str, Any]) -> dict[str, Any]:
        return await self._update(obj, None)

    async def update_status(self, obj: dict[str, Any]) -> dict[str, Any]:
        return await self._update(obj, "status")

    async def delete(
        self, api_version: str, kind: str, name: str, namespace: str | None = None, propagation: str = "Background"
    ) -> None:
        self.engine.delete(self.engine.type_of(api_version, kind), namespace, name, propagation)

    async def record_event(
        self,
        involved: dict[str, Any],
        reason: str,
        message: str,
        type: str = "Normal",
        component: str = "pykro-emulator",
    ) -> None:
        self.engine.record_event(involved, reason, message, type, component)

    def watch(self) -> AsyncIterator[WatchEvent]:
        return _Subscription(self.engine)
