"""What a failed direct-mode deploy leaves: everything kept as applied (the record says FAILED), or rolled back
(objects it updated restored, objects it created deleted in reverse waves, the record as it was)."""

from __future__ import annotations

import time
from typing import Any

from pykro.deploy import _fields as fields
from pykro.deploy import _inventory as inventory
from pykro.deploy import _readiness as readiness
from pykro.deploy._api import NAMESPACE_TYPE
from pykro.deploy._kinds import Kinds
from pykro.deploy._ledger import Ledger, RunContext
from pykro.deploy._lock import InstanceLock
from pykro.deploy._record import InstanceRecord
from pykro.deploy._teardown import delete_waves, waves_for
from pykro.deploy._text import labels_of, short
from pykro.runtime import identity

__all__ = ["Recovery"]


class Recovery:
    """Keeps or rolls back what one failed deploy wrote; each returns a sentence saying what it did."""

    def __init__(
        self,
        ctx: RunContext,
        ledger: Ledger,
        kinds: Kinds,
        record: InstanceRecord,
        lock: InstanceLock | None,
        *,
        created_namespace: bool,
    ) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.kinds = kinds
        self.record = record
        self.lock = lock
        self.created_namespace = created_namespace

    async def keep(self) -> str:
        ctx = self.ctx
        if self.record.current is not None:
            await self.record.write("FAILED", self.kinds.used, final=True)
        if self.record.existed:
            return "Nothing was rolled back (on_failure keep): the objects stay as applied and the instance is FAILED."
        made = [f"{len(self._ours())} objects", "the instance record (state FAILED)"]
        if self.created_namespace:
            made.append(f"namespace {ctx.ref.namespace}")
        return (
            f"Kept what this first deploy created ({', '.join(made)}); `pykro delete {ctx.ref.name}` removes them "
            "(--on-failure rollback would have removed them)."
        )

    def _ours(self) -> list[dict[str, Any]]:
        return [o for o in self.ctx.live.objects.values() if labels_of(o).get(inventory.INSTANCE) == self.ctx.ref.name]

    async def rollback(self) -> str:
        """Put back what this deploy changed: objects it updated get their previous pykro-applied fields again
        (`fields.applied_state` of the object as read before), objects it created are deleted (reverse waves),
        the record gets its previous spec and state back once the restored objects are ready again; after a
        first deploy the record, the lock and a namespace this deploy created are deleted too."""
        ctx, ledger = self.ctx, self.ledger
        done: list[str] = []
        restored = await self._restore()
        if restored:
            done.append("restored " + ", ".join(short(k) for k in restored))
        created = [o for k, o in ctx.live.objects.items() if k not in ledger.snapshot and k in ledger.touched]
        await delete_waves(
            ctx.cluster,
            ctx.live,
            waves_for(created, ctx.graph.deletion_waves()),
            ctx.report.reporter.emit,
            started=ctx.started,
            timeout=ctx.opts.timeout,
            honour_retain=False,
            verb="rollback",
        )
        if created:
            done.append("deleted " + ", ".join(short(identity(o)) for o in created))
        if self.record.original is not None:
            ready = await self._settle(restored)
            await self.record.restore(ready)
            done.append(
                "the instance keeps its previous spec"
                + ("" if ready else f" but is FAILED: the restored objects were not ready after {ctx.opts.timeout:g}s")
            )
        else:
            await self.record.delete()
            if self.lock is not None:
                await self.lock.release(delete=True)
            if self.created_namespace:
                done.append(await self._delete_namespace())
            done.append("no record is left")
        return "Rolled back: " + "; ".join(done) + "."

    async def _delete_namespace(self) -> str:
        """Delete the namespace this deploy created and wait until it is gone (a namespace still terminating
        would refuse the next deploy's writes), up to the deploy timeout afresh."""
        ctx = self.ctx
        ns = ctx.ref.namespace
        await ctx.live.track(NAMESPACE_TYPE, None, None, {"metadata.name": ns})
        await ctx.cluster.delete(NAMESPACE_TYPE, ns)
        ctx.report.emit("rollback", kind="Namespace", name=ns, message="deleting the namespace")
        deadline = None if ctx.opts.timeout is None else time.monotonic() + ctx.opts.timeout
        ident = f"v1/Namespace//{ns}"
        while ident in ctx.live.objects:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return f"deleted namespace {ns} it had created (still terminating)"
            await ctx.live.wait(left)
        return f"deleted namespace {ns} it had created"

    async def _restore(self) -> list[str]:
        """Re-apply the pykro-owned fields of every object this deploy updated, as they were before it."""
        ctx, ledger = self.ctx, self.ledger
        restored = []
        for key in sorted(ledger.updated):
            before = ledger.snapshot.get(key)
            body = fields.applied_state(before, inventory.FIELD_MANAGER) if before else None
            if before is None or body is None:
                continue
            rt = await self.kinds.resolve(before)
            if not rt.namespaced:
                body["metadata"].pop("namespace", None)
            ctx.live.put(await ctx.cluster.apply(rt, body, force=True))
            ledger.applied.pop(key, None)
            restored.append(key)
            meta = before.get("metadata") or {}
            rid = ((meta.get("labels") or {}).get(inventory.RESOURCE_ID)) or ""
            ctx.report.emit(
                "rollback",
                resource=rid,
                kind=str(before.get("kind")),
                name=str(meta.get("name")),
                message="restored the state before this deploy",
            )
        return restored

    async def _settle(self, keys: list[str]) -> bool:
        """Wait (up to the deploy timeout, afresh) until the restored objects are ready again."""
        live, timeout = self.ctx.live, self.ctx.opts.timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if all(readiness.assess(live.objects.get(k)).ready for k in keys if k in live.objects):
                return True
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            await live.wait(left)
