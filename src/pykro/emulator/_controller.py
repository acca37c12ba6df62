"""The in-process contract between the emulator's server and its controllers (the workload simulator and any
test helper): `ClusterAPI` is the store seen through the same admission as HTTP, `Controller` is a task that runs
against it until cancelled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["ClusterAPI", "Controller", "WatchEvent"]


@dataclass(frozen=True)
class WatchEvent:
    """One change of one object: type is "ADDED", "MODIFIED" or "DELETED"."""

    type: str
    object: dict[str, Any]


class ClusterAPI(Protocol):
    """In-process access to the emulator's store; writes go through the same admission as HTTP requests."""

    async def get(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> dict[str, Any] | None: ...

    async def list(
        self, api_version: str, kind: str, namespace: str | None = None, label_selector: str | None = None
    ) -> list[dict[str, Any]]: ...

    async def create(self, obj: dict[str, Any]) -> dict[str, Any]: ...

    async def update(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Replace an object; no resourceVersion check when `obj` carries none."""
        ...

    async def update_status(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Write only the status (status subresource semantics)."""
        ...

    async def delete(
        self, api_version: str, kind: str, name: str, namespace: str | None = None, propagation: str = "Background"
    ) -> None: ...

    async def record_event(
        self,
        involved: dict[str, Any],
        reason: str,
        message: str,
        type: str = "Normal",
        component: str = "pykro-emulator",
    ) -> None:
        """Write a v1 Event about `involved` (also visible as events.k8s.io/v1)."""
        ...

    def watch(self) -> AsyncIterator[WatchEvent]:
        """Every change of every kind from the moment of the call."""
        ...


class Controller(Protocol):
    """A background task of the emulator (started on app startup, cancelled on cleanup)."""

    name: str

    async def run(self, api: ClusterAPI) -> None:
        """Run until cancelled; must not block the event loop."""
        ...
