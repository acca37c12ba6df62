"""`LiveSet`: the live objects a deploy cares about, kept current by watches (list, then watch from the list's
resourceVersion; a stream that ends or breaks is re-listed and resumed, with deletions seen in between synthesised).
Every change sets `changed`, so the engine sleeps on an event, never on a timer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from pykro.deploy import _transport as http
from pykro.deploy._api import Cluster, ResourceType
from pykro.deploy._errors import DeployError
from pykro.runtime import identity

__all__ = ["LiveSet"]

Listener = Callable[[str, dict[str, Any]], None]
log = logging.getLogger(__name__)
# what a watch stream can end with that a re-list repairs: HTTP errors (ApiError included, e.g. 410 Gone after the
# watch's own retries), dropped connections and read timeouts
TRANSIENT = (http.HTTPError, OSError, TimeoutError)


def _newer(new: dict[str, Any], old: dict[str, Any] | None) -> bool:
    """True unless ``old`` carries a strictly newer numeric resourceVersion than ``new``."""
    if old is None:
        return True
    a = (new.get("metadata") or {}).get("resourceVersion", "")
    b = (old.get("metadata") or {}).get("resourceVersion", "")
    if str(a).isdigit() and str(b).isdigit():
        return int(a) >= int(b)
    return True


class LiveSet:
    """Watched objects by identity (``apiVersion/kind/namespace/name``)."""

    def __init__(self, cluster: Cluster, listener: Listener | None = None) -> None:
        self.cluster = cluster
        self.objects: dict[str, dict[str, Any]] = {}
        self.changed = asyncio.Event()
        self.listener = listener
        self.error: Exception | None = None
        self._streams: dict[tuple[Any, ...], asyncio.Task[None]] = {}
        self._owned: dict[tuple[Any, ...], set[str]] = {}

    @staticmethod
    def _key(
        rt: ResourceType, namespace: str | None, labels: dict[str, str] | None, fields: dict[str, str] | None
    ) -> tuple[Any, ...]:
        return (
            rt,
            namespace if rt.namespaced else None,
            tuple(sorted((labels or {}).items())),
            tuple(sorted((fields or {}).items())),
        )

    async def track(
        self,
        rt: ResourceType,
        namespace: str | None,
        labels: dict[str, str] | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        """List now (so the set is current when this returns) and keep watching; idempotent."""
        key = self._key(rt, namespace, labels, fields)
        if key in self._streams:
            return
        self._owned[key] = set()
        rv = await self._relist(key)
        self._streams[key] = asyncio.create_task(self._follow(key, rv), name=f"watch:{rt.kind}")

    async def _relist(self, key: tuple[Any, ...]) -> str:
        rt, namespace, labels, fields = key
        items, rv = await self.cluster.list(rt, namespace, dict(labels) or None)
        wanted = dict(fields)
        if wanted.get("metadata.name"):
            items = [o for o in items if (o.get("metadata") or {}).get("name") == wanted["metadata.name"]]
        seen = set()
        for obj in items:
            seen.add(identity(obj))
            self._update("ADDED", obj, key)
        for gone in self._owned[key] - seen:
            old = self.objects.pop(gone, None)
            self._owned[key].discard(gone)
            if old is not None:
                self._notify("DELETED", old)
        return rv

    async def _follow(self, key: tuple[Any, ...], rv: str) -> None:
        rt, namespace, labels, fields = key
        while True:
            try:
                async for kind, obj in self.cluster.watch(
                    rt, namespace, dict(labels) or None, rv, dict(fields) or None
                ):
                    rv = str((obj.get("metadata") or {}).get("resourceVersion") or rv)
                    self._update(kind, obj, key)
            except TRANSIENT as exc:  # a broken stream: re-list below and resume
                log.info("watch of %s broke (%s: %s); re-listing", rt.description, type(exc).__name__, exc)
            except Exception as exc:  # a bug: surface it to whoever waits on this set
                self.error = exc
                self.changed.set()
                return
            try:
                rv = await self._relist(key)
            except DeployError as exc:
                self.error = exc
                self.changed.set()
                return

    def _update(self, kind: str, obj: dict[str, Any], key: tuple[Any, ...] | None = None) -> None:
        ident = identity(obj)
        if kind == "DELETED":
            if self.objects.pop(ident, None) is not None:
                self._notify(kind, obj)
            if key is not None:
                self._owned[key].discard(ident)
            return
        if kind not in ("ADDED", "MODIFIED"):
            return
        if not _newer(obj, self.objects.get(ident)):
            return
        if key is not None:
            self._owned[key].add(ident)
        self.objects[ident] = obj
        self._notify(kind, obj)

    def _notify(self, kind: str, obj: dict[str, Any]) -> None:
        self.changed.set()
        if self.listener is not None:
            self.listener(kind, obj)

    def put(self, obj: dict[str, Any]) -> None:
        """Record an object returned by a write (kept unless a newer version was already seen)."""
        self._update("MODIFIED", obj)

    def forget(self, ident: str) -> None:
        if self.objects.pop(ident, None) is not None:
            self.changed.set()

    async def wait(self, timeout: float | None) -> None:
        """Until something changed (or ``timeout`` seconds passed); clears the flag. A watch that failed for good
        (or hit an unexpected error) raises its error here."""
        if not self.changed.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):  # not wait_for: on 3.11 it can swallow a cancellation
                    await self.changed.wait()
        self.changed.clear()
        if self.error is not None:
            raise self.error

    async def close(self) -> None:
        tasks = list(self._streams.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # the watches end cancelled; ours propagates
        self._streams.clear()
