"""The direct-mode deploy of one instance: the graph runs with pykro's runtime (kro's semantics) against the live
objects, every resource whose dependencies are ready is server-side applied at once (bounded concurrency), and
readiness is followed through watches: kstatus-style rules (`readiness.assess`) gate what the runtime sees as
observed, the graph's readyWhen applies on top. Dependents are applied the moment their inputs are ready; objects
that left the graph or whose includeWhen turned false are pruned; on failure the deploy either keeps everything
and reports the exact state, or rolls back what it created (reverse deletion waves).

`DeployRun` puts the parts together: `kinds.Kinds` (served types and watches), `ownership.Ownership`,
`record.InstanceRecord`, `converge.ApplyLoop` (the apply/readiness loop), `views.StateBoard` (states, failures,
timeouts), `recovery.Recovery` (keep or roll back), `report.RunReport` (progress and cluster Events), sharing a
`ledger.Ledger` and a `ledger.RunContext`."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
from typing import Any

from pykro.deploy import _inventory as inventory
from pykro.deploy._api import EVENT_TYPE, NAMESPACE_TYPE, Cluster
from pykro.deploy._converge import ApplyLoop
from pykro.deploy._errors import DeployError
from pykro.deploy._handle import Instance
from pykro.deploy._kinds import Kinds
from pykro.deploy._ledger import Ledger, RunContext
from pykro.deploy._live import LiveSet
from pykro.deploy._lock import InstanceLock
from pykro.deploy._modes import check_other_mode
from pykro.deploy._options import DeployOptions, OnFailure
from pykro.deploy._ownership import Ownership
from pykro.deploy._progress import Reporter
from pykro.deploy._record import InstanceRecord
from pykro.deploy._recovery import Recovery
from pykro.deploy._report import RunReport
from pykro.deploy._teardown import delete_waves, waves_for
from pykro.deploy._text import labels_of
from pykro.deploy._views import StateBoard
from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.graph._naming import check_names
from pykro.runtime import Expansion, expand

__all__ = ["DeployOptions", "DeployRun", "OnFailure"]


class DeployRun:
    """One deploy of one instance (see the module docstring); `execute()` returns the hydrated `Instance`."""

    def __init__(
        self,
        cluster: Cluster,
        graph: Graph,
        instance: dict[str, Any],
        ref: inventory.InstanceRef,
        reporter: Reporter,
        options: DeployOptions,
        *,
        mode: str = "direct",
    ) -> None:
        self.ledger = Ledger()
        self.report = RunReport(reporter, self.ledger)
        self.ctx = RunContext(
            cluster,
            graph,
            instance,
            ref,
            options,
            mode,
            LiveSet(cluster),
            self.report,
            asyncio.Semaphore(max(1, options.concurrency)),
        )
        self.kinds = Kinds(self.ctx)
        self.owners = Ownership(self.ctx, self.ledger, self.kinds)
        self.record = InstanceRecord(self.ctx)
        self.board = StateBoard(self.ctx, self.ledger, self.kinds)
        self.loop = ApplyLoop(self.ctx, self.ledger, self.kinds, self.owners, self.board)
        self.events = LiveSet(cluster)
        self.lock: InstanceLock | None = None
        self.namespace_exists = False
        self.created_namespace = False
        self.first: Expansion | None = None
        self.new = False  # no record was found before the lock was taken

    @property
    def live(self) -> LiveSet:
        return self.ctx.live

    # ------------------------------------------------------------------------------------------ entry point
    async def execute(self) -> Instance:
        ctx = self.ctx
        ctx.report.emit("start", message=f"deploying {ctx.graph.kind} {ctx.ref.namespace}/{ctx.ref.name}")
        try:
            await self.preflight()
            if self.namespace_exists:  # the instance in kro mode is refused (a new namespace holds none)
                await check_other_mode(ctx.cluster, ctx.graph, ctx.ref, "direct", False)
            await self.owners.check_first(self.first, namespace_exists=self.namespace_exists)
            prior = None
            if self.namespace_exists:
                prior = await self.record.read()
                self.record.check(prior)
            self.new = prior is None
            await self._begin()
            result = await self.loop.converge()
            if ctx.opts.prune and result.state == "ACTIVE":
                await self._prune()
            await self.record.write(
                "ACTIVE" if result.state == "ACTIVE" else "IN_PROGRESS", self.kinds.used, final=True
            )
            instance = self.instance_of(result)
            ctx.report.emit(
                "done", state=instance.state, message=f"{ctx.graph.kind} {ctx.ref.name} is {instance.state}"
            )
            return instance
        except DeployError as exc:
            await self._fail(exc)
            raise
        finally:
            await self.loop.stop()
            await ctx.live.close()
            await self.events.close()
            if self.lock is not None:
                await self.lock.release()

    # ------------------------------------------------------------------------------------------ before writing
    async def preflight(self) -> None:
        """Everything that can be checked before the first write: the cluster answers, every kind is served,
        every resource the spec alone decides can be built from it."""
        ctx = self.ctx
        self.namespace_exists = await ctx.cluster.reachable(ctx.ref.namespace)
        await self.kinds.preflight()
        first = self.first = expand(ctx.graph, ctx.instance, {})
        check_names(ctx.graph.kind, ctx.ref.name, first.objects, where=f"{ctx.graph.kind} {ctx.ref.name}")
        for rid, st in first.states.items():
            if st.state == "pending" and st.waiting_on == ["schema"] and not st.objects:
                raise ValidationError(
                    f"resource {rid!r} cannot be built from this spec: {st.message}",
                    where=f"{ctx.graph.kind} {ctx.ref.name}",
                    fix="Set the spec field the expression reads (it is unset and has no default).",
                )

    async def _begin(self) -> None:
        """Write the namespace, take the instance's lock, read what exists (the record, the instance's objects,
        kept as they are for a rollback) while writing the record."""
        ctx, kinds, ledger = self.ctx, self.kinds, self.ledger
        if not self.namespace_exists:
            ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ctx.ref.namespace}}
            await ctx.cluster.apply(NAMESPACE_TYPE, ns)
            ctx.cluster.namespaces.add(ctx.ref.namespace)
            self.created_namespace = True
            ctx.report.emit("apply", kind="Namespace", name=ctx.ref.namespace, message="created the namespace")
        self.lock = InstanceLock(
            ctx.cluster,
            ctx.ref,
            "deploy",
            wait=ctx.opts.lock_wait,
            on_wait=lambda message: ctx.report.emit("lock", message=message),
        )
        await self.lock.acquire(new=self.new)
        # A Lease created just now means no one held the lock since the record was read (absent): not read again.
        previous = self.record.absent() if self.lock.created else await self.record.load()
        types = []
        for api_version, kind in sorted(set(previous) | kinds.used):
            rt = kinds.types.get(f"{api_version}/{kind}") or await ctx.cluster.find_type(api_version, kind)
            if rt is not None:
                kinds.types[f"{api_version}/{kind}"] = rt
                types.append(rt)
        kinds.used |= set(previous)
        # the record is written while the watches start (no object is written before both are done)
        done = await asyncio.gather(
            *(kinds.track(rt) for rt in types),
            self._track_events(),
            self.record.write("IN_PROGRESS", kinds.used),
            return_exceptions=True,
        )
        failed = next((r for r in done if isinstance(r, BaseException)), None)
        if failed is not None:
            raise failed
        ledger.before = set(ctx.live.objects)
        ledger.snapshot.update(copy.deepcopy(ctx.live.objects))
        for ident, obj in ctx.live.objects.items():
            ledger.touched[ident] = labels_of(obj).get(inventory.RESOURCE_ID, "")

    async def _track_events(self) -> None:
        """Follow v1 Events in the namespace (a missing namespace or no permission only loses the events); without
        ``follow_events`` the apply loop reads them once if the deploy fails (`ApplyLoop.converge`)."""
        if not self.ctx.opts.follow_events:
            return
        with contextlib.suppress(DeployError):
            await self.events.track(EVENT_TYPE, self.ctx.ref.namespace)
        self.events.listener = self.report.on_event

    # ------------------------------------------------------------------------------------------ prune, failure
    async def _prune(self) -> None:
        """Delete the instance's objects the graph no longer renders (reverse waves)."""
        ctx = self.ctx
        wanted = {k for keys in self.ledger.desired_ids.values() for k in keys}
        stale = [
            obj
            for ident, obj in ctx.live.objects.items()
            if ident not in wanted
            and labels_of(obj).get(inventory.INSTANCE) == ctx.ref.name
            and labels_of(obj).get(inventory.COMPOSITION) == ctx.ref.composition
        ]
        if stale:
            waves = waves_for(stale, ctx.graph.deletion_waves())
            await delete_waves(
                ctx.cluster,
                ctx.live,
                waves,
                ctx.report.reporter.emit,
                started=ctx.started,
                timeout=ctx.opts.timeout,
                verb="prune",
            )

    async def _fail(self, exc: DeployError) -> None:
        """Stop, then keep (record FAILED) or roll back; what was done is added to the error's text."""
        ctx = self.ctx
        ctx.report.emit("failed", message=str(exc))
        await self.loop.stop()
        if self.lock is None or self.lock.lease is None or self.record.current is None:
            return  # stopped before the lock or the record: nothing of the instance was written
        recovery = Recovery(
            ctx, self.ledger, self.kinds, self.record, self.lock, created_namespace=self.created_namespace
        )
        try:
            outcome = await (recovery.rollback() if ctx.opts.on_failure == "rollback" else recovery.keep())
        except DeployError as cleanup:
            outcome = f"Cleaning up after the failure also failed: {cleanup}"
            ctx.report.emit("failed", message=outcome)
        exc.fix = f"{exc.fix.rstrip('.')}. {outcome}" if exc.fix else outcome
        exc.args = (exc.render(),)

    # ------------------------------------------------------------------------------------------ result
    def instance_of(self, gated: Expansion) -> Instance:
        """The instance as deployed: state and status from the full (ungated) expansion over the live objects."""
        ctx = self.ctx
        full = expand(ctx.graph, ctx.instance, self.loop.observed(gated=False))
        state = "ACTIVE" if gated.state == "ACTIVE" and full.state == "ACTIVE" else str(full.state or "IN_PROGRESS")
        if self.board.shown and not self.board.all_shown_settled():
            state = "IN_PROGRESS"
        live = ctx.live.objects
        objects = [live[k] for keys in self.ledger.desired_ids.values() for k in keys if k in live]
        return Instance(
            name=ctx.ref.name,
            namespace=ctx.ref.namespace,
            composition=ctx.ref.composition,
            mode=ctx.mode,
            state=state,
            status_data=json.loads(json.dumps(full.status)),
            resources=full.states,
            objects=objects,
        )
