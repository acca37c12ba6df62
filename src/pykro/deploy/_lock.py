"""One deploy or delete per instance at a time: a coordination.k8s.io/v1 Lease named like the instance's record, in
its namespace. It is taken with create (or, when free or expired, replace at the read resourceVersion, so two
takers cannot both win), renewed while the operation runs, and released at the end (holder cleared). A lock whose
holder stopped renewing expires ``DURATION`` seconds after its last renewal; until then others wait up to
``wait`` seconds and then fail naming the holder."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pykro._kube import now
from pykro.deploy import _inventory as inventory
from pykro.deploy._api import LEASE_TYPE, Cluster
from pykro.deploy._errors import ApiFailure, DeployError

__all__ = ["InstanceLock", "InstanceLocked", "holder_identity"]

DURATION = 60
RENEW_EVERY = DURATION / 3
POLL = 0.25


class InstanceLocked(DeployError):
    """Another deploy or delete of the same instance holds its lock."""


def holder_identity() -> str:
    """Who takes the lock: user@host, process id and a random suffix (two runs in one process differ)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()} ({uuid.uuid4().hex[:8]})"


def _bare(lease: dict[str, Any]) -> dict[str, Any]:
    """The Lease to send back in a replace: its resourceVersion kept (optimistic), managedFields left out."""
    meta = {k: v for k, v in (lease.get("metadata") or {}).items() if k != "managedFields"}
    return {**lease, "metadata": meta}


def _age(stamp: Any) -> float | None:
    """Seconds since a MicroTime or Time (None when unset or unreadable: the lock is then not taken as expired)."""
    try:
        when = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (datetime.now(UTC) - when).total_seconds()


class InstanceLock:
    """The lock of one instance, for one operation (``verb``: deploy or delete)."""

    def __init__(
        self,
        cluster: Cluster,
        ref: inventory.InstanceRef,
        verb: str,
        *,
        wait: float,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.cluster = cluster
        self.ref = ref
        self.verb = verb
        self.wait = wait
        self.on_wait = on_wait
        self.holder = holder_identity()
        self.lease: dict[str, Any] | None = None
        self.created = False
        self._renewer: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return self.ref.record_name

    def _body(self, base: dict[str, Any] | None) -> dict[str, Any]:
        stamp = now(micro=True)
        meta: dict[str, Any] = {
            "name": self.name,
            "namespace": self.ref.namespace,
            "labels": {
                inventory.ROLE: "lock",
                inventory.RECORD_OF: self.ref.name,
                inventory.COMPOSITION: self.ref.composition,
                inventory.MANAGED_BY: "pykro",
            },
            "annotations": {inventory.PREFIX + "operation": self.verb},
        }
        if base is not None:
            meta["resourceVersion"] = (base.get("metadata") or {}).get("resourceVersion")
        spec = {
            "holderIdentity": self.holder,
            "leaseDurationSeconds": DURATION,
            "acquireTime": stamp,
            "renewTime": stamp,
        }
        return {"apiVersion": LEASE_TYPE.api_version, "kind": LEASE_TYPE.kind, "metadata": meta, "spec": spec}

    async def acquire(self, *, new: bool = False) -> None:
        """Take the lock, waiting up to ``wait`` seconds while another live holder has it. With ``new`` (the
        instance has no record, so most likely no Lease either) it first tries a plain create, saving the read;
        ``created`` then says whether that create won (no Lease existed: no one held the lock meanwhile)."""
        deadline = time.monotonic() + self.wait
        told = False
        if new:
            try:
                self.lease = await self.cluster.create(LEASE_TYPE, self._body(None))
            except ApiFailure as exc:
                if exc.code != 409:  # 409: it exists; read it below
                    raise
            else:
                self.created = True
                self._renewer = asyncio.create_task(self._renew(), name=f"lock:{self.name}")
                return
        while True:
            current = await self.cluster.get(LEASE_TYPE, self.name, self.ref.namespace)
            spec = (current or {}).get("spec") or {}
            holder = spec.get("holderIdentity")
            age = _age(spec.get("renewTime") or spec.get("acquireTime"))
            expired = age is not None and age > int(spec.get("leaseDurationSeconds") or 0)
            if current is not None and holder == self.holder:  # our own create, its answer lost and retried
                self.lease = current
                self._renewer = asyncio.create_task(self._renew(), name=f"lock:{self.name}")
                return
            free = current is None or not holder or expired
            if free:
                try:
                    if current is None:
                        self.lease = await self.cluster.create(LEASE_TYPE, self._body(None))
                    else:
                        self.lease = await self.cluster.replace(LEASE_TYPE, self._body(current))
                except ApiFailure as exc:
                    if exc.code != 409:  # 409: another taker won the race; look again
                        raise
                    continue
                self._renewer = asyncio.create_task(self._renew(), name=f"lock:{self.name}")
                return
            if time.monotonic() >= deadline:
                raise self._held(current or {}, age)
            if not told and self.on_wait is not None:
                self.on_wait(f"waiting for the lock held by {holder}")
                told = True
            await asyncio.sleep(min(POLL, max(deadline - time.monotonic(), 0.0)))

    def _held(self, lease: dict[str, Any], age: float | None) -> InstanceLocked:
        spec = lease.get("spec") or {}
        operation = ((lease.get("metadata") or {}).get("annotations") or {}).get(inventory.PREFIX + "operation")
        doing = f"a {operation}" if operation else "another operation"
        renewed = f", last renewed {age:.0f}s ago" if age is not None else ""
        return InstanceLocked(
            f"instance {self.ref.name!r} is locked by {doing} run by {spec.get('holderIdentity')} (since "
            f"{spec.get('acquireTime')}{renewed}); waited {self.wait:g}s",
            where=f"Lease {self.name} in namespace {self.ref.namespace}",
            fix=(
                "Wait for that run to finish and try again. If its process is gone, the lock expires "
                f"{spec.get('leaseDurationSeconds') or DURATION}s after its last renewal, or break it now with "
                f"`kubectl delete lease -n {self.ref.namespace} {self.name}`."
            ),
        )

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY)
            if self.lease is None:
                return
            body = _bare(self.lease)
            body["spec"] = {**(self.lease.get("spec") or {}), "renewTime": now(micro=True)}
            try:
                self.lease = await self.cluster.replace(LEASE_TYPE, body)
            except DeployError:
                return  # lost (broken by hand) or unreachable: the operation goes on, its writes are its own

    async def release(self, *, delete: bool = False) -> None:
        """Give the lock back (holder cleared, or the Lease deleted with the instance); a lock already lost or
        broken (someone else holds it now) is left alone."""
        if self._renewer is not None:
            self._renewer.cancel()
            await asyncio.gather(self._renewer, return_exceptions=True)
            self._renewer = None
        lease, self.lease = self.lease, None
        while lease is not None:
            if delete:
                with contextlib.suppress(ApiFailure):
                    await self.cluster.delete(LEASE_TYPE, self.name, self.ref.namespace)
                return
            body = _bare(lease)
            body["spec"] = {k: v for k, v in (lease.get("spec") or {}).items() if k != "holderIdentity"}
            try:
                await self.cluster.replace(LEASE_TYPE, body)
                return
            except ApiFailure as exc:
                if exc.code != 409:  # 404: deleted meanwhile
                    return
            # 409: a renewal cancelled in flight moved the resourceVersion on; look again
            lease = await self.cluster.get(LEASE_TYPE, self.name, self.ref.namespace)
            if ((lease or {}).get("spec") or {}).get("holderIdentity") != self.holder:
                return
