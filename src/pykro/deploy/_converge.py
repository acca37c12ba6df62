"""The apply/readiness loop of a direct-mode deploy: expand the graph over what is observed as ready, apply
every object whose desired state is not live yet (bounded concurrency), and wait for the next change until
every resource is ready, one fails, or a deadline passes."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

from pykro.deploy import _inventory as inventory
from pykro.deploy import _readiness as readiness
from pykro.deploy._api import EVENT_TYPE, ResourceType
from pykro.deploy._errors import DeployError
from pykro.deploy._kinds import Kinds
from pykro.deploy._ledger import Ledger, RunContext
from pykro.deploy._ownership import Ownership
from pykro.deploy._text import labels_of
from pykro.deploy._views import StateBoard
from pykro.graph._analysis import COLLECTION, EXTERNAL, EXTERNAL_COLLECTION
from pykro.runtime import Expansion, expand, identity

__all__ = ["ApplyLoop"]

ObservedInputs = tuple[tuple[str, str], ...]  # (key, resourceVersion if observed as ready, else "")


def _subset(want: Any, have: Any) -> bool:
    """Every field of ``want`` is in ``have`` with the same value (lists element-wise)."""
    if isinstance(want, dict):
        return isinstance(have, dict) and all(k in have and _subset(v, have[k]) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(have, list) and len(want) == len(have) and all(map(_subset, want, have))
    return bool(want == have) or (isinstance(want, int | float) and str(want) == str(have))


def _unchanged(desired: dict[str, Any], live: dict[str, Any], digest: str) -> bool:
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    if annotations.get(inventory.APPLIED_HASH) != digest:
        return False
    return _subset(_as_stored({k: v for k, v in desired.items() if k != "status"}), live)


def _as_stored(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` as the API server stores it where that differs from what is sent: a Secret's ``stringData`` is
    merged into ``data`` (base64) and not kept."""
    string_data = obj.get("stringData")
    if obj.get("kind") != "Secret" or obj.get("apiVersion") != "v1" or not isinstance(string_data, dict):
        return obj
    data = dict(obj.get("data") or {})
    data.update({k: base64.b64encode(str(v).encode()).decode() for k, v in string_data.items()})
    return {**{k: v for k, v in obj.items() if k != "stringData"}, "data": data}


class ApplyLoop:
    """Applies the instance's objects as their inputs become ready and follows them until the deploy is done."""

    def __init__(self, ctx: RunContext, ledger: Ledger, kinds: Kinds, owners: Ownership, board: StateBoard) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.kinds = kinds
        self.owners = owners
        self.board = board

    def observed(self, gated: bool) -> dict[str, Any]:
        """What the runtime observes per resource id (with ``gated``, only objects kstatus calls ready)."""
        out: dict[str, Any] = {}
        for rid, keys in self.ledger.desired_ids.items():
            node = self.ctx.nodes[rid]
            objs = [self.ctx.live.objects[k] for k in keys if k in self.ctx.live.objects]
            if gated and node.type not in (EXTERNAL, EXTERNAL_COLLECTION):
                objs = [o for o in objs if readiness.assess(o).ready]
            if not objs and node.type != EXTERNAL_COLLECTION:
                continue
            out[rid] = objs if node.type in (COLLECTION, EXTERNAL_COLLECTION) else objs[0]
        return out

    def expand(self, gated: bool = True) -> Expansion:
        """Expand until the desired identities are stable (they can depend on observed data)."""
        ctx, ledger = self.ctx, self.ledger
        result = expand(ctx.graph, ctx.instance, self.observed(gated))
        for _ in range(len(ctx.nodes) + 1):
            ids = {rid: [identity(o) for o in st.objects] for rid, st in result.states.items() if st.objects}
            if ids == ledger.desired_ids:
                break
            ledger.desired_ids = ids
            result = expand(ctx.graph, ctx.instance, self.observed(gated))
        return result

    async def converge(self) -> Expansion:
        """Run until every resource is ready (or, without ``wait``, until nothing more can be applied now)."""
        ctx, board = self.ctx, self.board
        deadline = None if ctx.opts.timeout is None else ctx.started + ctx.opts.timeout
        seen: ObservedInputs | None = None
        result: Expansion | None = None
        while True:
            ctx.live.changed.clear()
            self._reap()
            inputs = self._inputs()
            if result is None or inputs != seen:  # the expansion only depends on what the runtime observes
                result = self.expand()
                seen = self._inputs()
            await self.externals(result)
            scheduled = await self._schedule(result)
            views = board.views(result)
            if board.done(views):
                return result
            if not ctx.opts.wait and not scheduled and not self.ledger.inflight:
                return result
            now = time.monotonic()
            if not ctx.opts.follow_events and board.failure(views, now, deadline) is not None:
                await self._read_events()  # for the diagnosis: the Events not followed so far
                views = board.views(result)
            board.check_failures(views, now, deadline)
            wake = [d for d in (deadline, *board.resource_deadlines()) if d is not None]
            await self._sleep(min(wake) - now if wake else None)

    def _inputs(self) -> ObservedInputs:
        """What the gated expansion reads: the desired identities and the versions of those observed as ready."""
        found = []
        for rid, keys in self.ledger.desired_ids.items():
            external = self.ctx.nodes[rid].type in (EXTERNAL, EXTERNAL_COLLECTION)
            for key in keys:
                obj = self.ctx.live.objects.get(key)
                ready = obj is not None and (external or readiness.assess(obj).ready)
                found.append((key, str((obj or {}).get("metadata", {}).get("resourceVersion")) if ready else ""))
        return tuple(found)

    async def _sleep(self, timeout: float | None) -> None:
        live, inflight = self.ctx.live, self.ledger.inflight
        if inflight:
            waiter = asyncio.ensure_future(live.changed.wait())
            try:
                await asyncio.wait([waiter, *inflight.values()], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
            live.changed.clear()
            if live.error is not None:
                raise live.error
        else:
            await live.wait(None if timeout is None else max(timeout, 0.0))

    async def _read_events(self) -> None:
        """The namespace's v1 Events, once, as if they had been followed (no permission: none)."""
        ctx = self.ctx
        try:
            items, _ = await ctx.cluster.list(EVENT_TYPE, ctx.ref.namespace)
        except DeployError:
            return
        for ev in sorted(items, key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or "")):
            ctx.report.on_event("ADDED", ev)

    async def stop(self) -> None:
        """Cancel the applies still in flight and wait for them; a cancellation of this deploy itself propagates,
        an apply that failed meanwhile is reported (the deploy is already stopping for another reason)."""
        tasks = list(self.ledger.inflight.values())
        self.ledger.inflight.clear()
        for task in tasks:
            task.cancel()
        for result in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(result, Exception):
                self.ctx.report.emit("failed", message=f"an apply in flight also failed: {result}")

    def _reap(self) -> None:
        for key, task in list(self.ledger.inflight.items()):
            if task.done():
                del self.ledger.inflight[key]
                task.result()

    async def externals(self, result: Expansion) -> None:
        """Watch the external references of ``result``; an external collection's ids are what its selector picks."""
        live = self.ctx.live
        for rid, st in result.states.items():
            node = self.ctx.nodes[rid]
            if node.type not in (EXTERNAL, EXTERNAL_COLLECTION):
                continue
            for obj in st.objects:
                rt = await self.kinds.resolve(obj)
                meta = obj.get("metadata") or {}
                ns = meta.get("namespace") if rt.namespaced else None
                if node.type == EXTERNAL:
                    await live.track(rt, ns, None, {"metadata.name": str(meta.get("name"))})
                else:
                    labels = (meta.get("selector") or {}).get("matchLabels") or {}
                    await live.track(rt, ns, dict(labels))
                    selected = [
                        identity(o)
                        for o in live.objects.values()
                        if o.get("kind") == rt.kind and all(labels_of(o).get(k) == v for k, v in labels.items())
                    ]
                    self.ledger.desired_ids[rid] = selected

    async def _schedule(self, result: Expansion) -> int:
        """Start an apply for every resolved object whose desired state is not yet live; returns how many."""
        ledger = self.ledger
        count = 0
        unborn = self._unborn_namespaces(result)
        for rid, st in result.states.items():
            node = self.ctx.nodes[rid]
            if node.type in (EXTERNAL, EXTERNAL_COLLECTION) or st.state in ("skipped", "error"):
                continue
            template_labels = labels_of(node.resource.body)
            for obj in st.objects:
                desired = inventory.decorate(obj, self.ctx.ref, rid, template_labels)
                key = identity(desired)
                digest = desired["metadata"]["annotations"][inventory.APPLIED_HASH]
                if key in ledger.inflight or ledger.applied.get(key) == digest:
                    continue
                live = self.ctx.live.objects.get(key)
                if live is not None and self.ctx.opts.keep_live is not None:
                    desired = self.ctx.opts.keep_live(rid, desired, live)
                if live is not None and key in ledger.before and _unchanged(desired, live, digest):
                    ledger.applied[key] = digest
                    ledger.touched[key] = rid
                    ledger.applied_at.setdefault(rid, time.monotonic())
                    continue
                if not self.kinds.served(desired) or desired["metadata"].get("namespace") in unborn:
                    continue  # applied once its CRD is served / its Namespace (of this graph) is applied
                rt = await self.kinds.tracked(desired)
                if not rt.namespaced:
                    desired["metadata"].pop("namespace", None)
                ledger.inflight[key] = asyncio.create_task(self._apply(rid, key, rt, desired, digest))
                count += 1
        return count

    def _unborn_namespaces(self, result: Expansion) -> set[str]:
        """Names of the Namespaces this graph creates that are neither applied by this run nor live yet: objects
        in them wait, as `kubectl apply -f` of one file would create the Namespace first."""
        names: set[str] = set()
        for st in result.states.values():
            if st.state in ("skipped", "error"):
                continue
            for obj in st.objects:
                if obj.get("kind") == "Namespace" and obj.get("apiVersion") == "v1":
                    key = identity(obj)
                    if key not in self.ledger.applied and key not in self.ctx.live.objects:
                        names.add(str((obj.get("metadata") or {}).get("name")))
        return names

    async def _apply(self, rid: str, key: str, rt: ResourceType, desired: dict[str, Any], digest: str) -> None:
        ctx, ledger = self.ctx, self.ledger
        if key not in ledger.before and key not in ledger.checked:
            clash = await self.owners.foreign(rt, desired)
            if clash:
                raise self.owners.takeover_error([clash])
        async with ctx.sem:
            ledger.touched[key] = rid
            if key in ledger.snapshot:
                ledger.updated.add(key)
            out = await ctx.cluster.apply(rt, desired, force=ctx.opts.force_conflicts)
        ledger.applied[key] = digest
        ledger.applied_at.setdefault(rid, time.monotonic())
        ctx.live.put(out)
        meta = out.get("metadata") or {}
        ctx.report.emit("apply", resource=rid, kind=rt.kind, name=str(meta.get("name", "")), message="applied")
