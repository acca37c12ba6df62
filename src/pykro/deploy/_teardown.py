"""Deleting objects of an instance in waves (dependents before what they depend on), waiting through watches until
each wave is gone; objects marked ``pykro.io/deletion-policy: Retain`` are released (inventory labels removed, a
``pykro.io/released-from`` annotation left so that the same instance, deployed again, may adopt them)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pykro.deploy import _inventory as inventory
from pykro.deploy._api import Cluster
from pykro.deploy._errors import ReadinessTimeout
from pykro.deploy._live import LiveSet
from pykro.deploy._progress import ProgressEvent
from pykro.runtime import identity

__all__ = ["delete_waves", "waves_for"]

Emit = Callable[[ProgressEvent], None]


def waves_for(objects: list[dict[str, Any]], deletion_waves: list[list[str]]) -> list[list[dict[str, Any]]]:
    """Group objects by their resource id into deletion waves; ids no longer in the graph go first."""
    position = {rid: i for i, wave in enumerate(deletion_waves) for rid in wave}
    groups: dict[int, list[dict[str, Any]]] = {}
    for obj in objects:
        rid = ((obj.get("metadata") or {}).get("labels") or {}).get(inventory.RESOURCE_ID, "")
        groups.setdefault(position.get(rid, -1), []).append(obj)
    return [groups[i] for i in sorted(groups)]


async def delete_waves(
    cluster: Cluster,
    live: LiveSet,
    waves: list[list[dict[str, Any]]],
    emit: Emit,
    *,
    started: float,
    timeout: float | None,
    honour_retain: bool = True,
    verb: str = "delete",
    released_from: inventory.InstanceRef | None = None,
) -> list[dict[str, Any]]:
    """Delete wave by wave and wait until every deleted object has disappeared; returns the retained objects."""
    deadline = None if timeout is None else time.monotonic() + timeout
    kept: list[dict[str, Any]] = []
    for wave in waves:
        pending: set[str] = set()
        jobs: list[Awaitable[Any]] = []
        for obj in wave:
            meta = obj.get("metadata") or {}
            rt = await cluster.resolve(str(obj.get("apiVersion")), str(obj.get("kind")))
            name, ns = str(meta.get("name")), meta.get("namespace")
            if honour_retain and inventory.retained(obj):
                patch: dict[str, Any] = {
                    "metadata": {"labels": {inventory.INSTANCE: None, inventory.COMPOSITION: None}}
                }
                if released_from is not None:
                    patch["metadata"]["annotations"] = {inventory.RELEASED_FROM: released_from.key}
                jobs.append(cluster.merge_patch(rt, name, ns, patch))
                live.forget(identity(obj))
                kept.append(obj)
                emit(_event("retain", obj, started, "kept (deletion policy Retain)"))
                continue
            pending.add(identity(obj))
            jobs.append(cluster.delete(rt, name, ns))
            emit(_event(verb, obj, started, "deleting"))
        await asyncio.gather(*jobs)
        while pending & set(live.objects):
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                names = ", ".join(sorted(pending & set(live.objects)))
                raise ReadinessTimeout(
                    f"timed out waiting for deletion of {names}",
                    fix="Check the objects' finalizers (kubectl get -o yaml) and retry the delete.",
                )
            await live.wait(left)
    return kept


def _event(kind: str, obj: dict[str, Any], started: float, message: str) -> ProgressEvent:
    meta = obj.get("metadata") or {}
    rid = (meta.get("labels") or {}).get(inventory.RESOURCE_ID, "")
    return ProgressEvent(
        kind,
        resource=rid,
        kind=str(obj.get("kind", "")),
        name=str(meta.get("name", "")),
        state="deleted" if kind != "retain" else "retained",
        message=message,
        elapsed=time.monotonic() - started,
    )
