"""The direct-mode deploy of one instance: the graph runs with pykro's runtime (kro's semantics) against the live
objects, every resource whose dependencies are ready is server-side applied at once (bounded concurrency), and
readiness is followed through watches: kstatus-style rules (`readiness.assess`) gate what the runtime sees as
observed, the graph's readyWhen applies on top. Dependents are applied the moment their inputs are ready; objects
that left the graph or whose includeWhen turned false are pruned; on failure the deploy either keeps everything
and reports the exact state, or rolls back what it created (reverse deletion waves)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import time
from dataclasses import dataclass
from typing import Any, Literal

from pykro.deploy import fields, inventory, readiness
from pykro.deploy.api import CONFIGMAP_TYPE, EVENT_TYPE, NAMESPACE_TYPE, SECRET_TYPE, Cluster, ResourceType
from pykro.deploy.errors import DeployError, OwnershipConflict, ReadinessTimeout, ResourceFailed
from pykro.deploy.handle import Instance
from pykro.deploy.live import LiveSet
from pykro.deploy.lock import InstanceLock
from pykro.deploy.progress import ProgressEvent, Reporter
from pykro.deploy.teardown import delete_waves, waves_for
from pykro.errors import ValidationError
from pykro.graph import Graph, secrets
from pykro.graph.analysis import COLLECTION, EXTERNAL, EXTERNAL_COLLECTION
from pykro.runtime import Expansion, expand, identity

OnFailure = Literal["keep", "rollback"]


@dataclass
class DeployOptions:
    """How to deploy: overall and per-resource readiness timeouts (seconds, None = no limit), whether to wait,
    what to do on failure, SSA conflict forcing, taking over objects of another instance (or not pykro's),
    apply concurrency, pruning, and how long to wait for another deploy/delete of the instance to finish."""

    timeout: float | None = 600.0
    resource_timeout: float | None = None
    wait: bool = True
    on_failure: OnFailure = "keep"
    force_conflicts: bool = False
    concurrency: int = 16
    prune: bool = True
    force_takeover: bool = False
    lock_wait: float = 10.0


def _labels_of(obj: dict[str, Any]) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("labels") or {})


def _subset(want: Any, have: Any) -> bool:
    """Every field of ``want`` is in ``have`` with the same value (lists element-wise)."""
    if isinstance(want, dict):
        return isinstance(have, dict) and all(k in have and _subset(v, have[k]) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(have, list) and len(want) == len(have) and all(map(_subset, want, have))
    return bool(want == have) or (isinstance(want, int | float) and str(want) == str(have))


def _short(ident: str) -> str:
    """``Kind/name`` of an identity ``apiVersion/kind/namespace/name``."""
    parts = ident.split("/")
    return f"{parts[-3]}/{parts[-1]}"


def _conditions_text(obj: dict[str, Any] | None) -> str:
    conds = ((obj or {}).get("status") or {}).get("conditions") or []
    parts = [
        f"{c.get('type')}={c.get('status')}" + (f" ({c.get('message')})" if c.get("message") else "") for c in conds
    ]
    return "; ".join(parts) or "none"


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
        self.cluster = cluster
        self.graph = graph
        self.nodes = graph.analysis.nodes
        self.instance = instance
        self.ref = ref
        self.reporter = reporter
        self.opts = options
        self.mode = mode
        self.started = time.monotonic()
        self.live = LiveSet(cluster)
        self.events = LiveSet(cluster)
        self.types: dict[str, ResourceType] = {}
        self.desired_ids: dict[str, list[str]] = {}
        self.applied: dict[str, str] = {}
        self.touched: dict[str, str] = {}
        self.before: set[str] = set()
        self.inflight: dict[str, asyncio.Task[None]] = {}
        self.applied_at: dict[str, float] = {}
        self.shown: dict[str, tuple[str, str]] = {}
        self.recent: dict[str, list[str]] = {}
        self.sem = asyncio.Semaphore(max(1, options.concurrency))
        self.record_before: dict[str, Any] | None = None
        self.record_existed = False
        self.kinds: set[tuple[str, str]] = set()
        self.deferred: set[tuple[str, str]] = set()
        self.first: Expansion | None = None
        self.checked: set[str] = set()
        self.snapshot: dict[str, dict[str, Any]] = {}
        self.updated: set[str] = set()
        self.record_original: dict[str, Any] | None = None
        self.created_namespace = False
        self.lock: InstanceLock | None = None
        self.secret_written = False
        self.secret_original: dict[str, Any] | None = None  # the record's Secret as it was before this deploy

    # ------------------------------------------------------------------------------------------ reporting
    def emit(self, type_: str, **fields: Any) -> None:
        self.reporter.emit(ProgressEvent(type_, elapsed=time.monotonic() - self.started, **fields))

    def _on_event(self, kind: str, ev: dict[str, Any]) -> None:
        involved = ev.get("involvedObject") or ev.get("regarding") or {}
        ident = "/".join(
            (
                str(involved.get("apiVersion", "")),
                str(involved.get("kind", "")),
                str(involved.get("namespace", "") or ""),
                str(involved.get("name", "")),
            )
        )
        if ident not in self.touched and ident not in self.applied:
            return
        message = str(ev.get("message") or ev.get("note") or "")
        self.recent.setdefault(ident, []).append(f"{ev.get('type', 'Normal')} {ev.get('reason', '')}: {message}")
        del self.recent[ident][:-5]
        self.emit(
            "event",
            resource=self.touched.get(ident, ""),
            kind=str(involved.get("kind", "")),
            name=str(involved.get("name", "")),
            message=f"{ev.get('reason', '')}: {message}",
            event_type=str(ev.get("type") or "Normal"),
        )

    # ------------------------------------------------------------------------------------------ entry point
    async def execute(self) -> Instance:
        self.emit("start", message=f"deploying {self.graph.kind} {self.ref.namespace}/{self.ref.name}")
        try:
            await self._preflight()
            await self._check_owners()
            await self._begin()
            result = await self._converge()
            if self.opts.prune and result.state == "ACTIVE":
                await self._prune(result)
            await self._write_record("ACTIVE" if result.state == "ACTIVE" else "IN_PROGRESS", final=True)
            instance = self._instance(result)
            self.emit("done", state=instance.state, message=f"{self.graph.kind} {self.ref.name} is {instance.state}")
            return instance
        except DeployError as exc:
            await self._fail(exc)
            raise
        finally:
            await self._stop_applies()
            await self.live.close()
            await self.events.close()
            if self.lock is not None:
                await self.lock.release()

    # ------------------------------------------------------------------------------------------ before writing
    async def _preflight(self) -> None:
        """Everything that can be checked before the first write: the cluster answers, every kind is served."""
        self.namespace_exists = await self.cluster.reachable(self.ref.namespace)
        crd_kinds = {
            (
                f"{(r.template or {}).get('spec', {}).get('group')}",
                str(((r.template or {}).get("spec") or {}).get("names", {}).get("kind")),
            )
            for r in self.graph.resources
            if r.kind == "CustomResourceDefinition" and r.template
        }
        for res in self.graph.resources:
            api_version, kind = res.api_version, res.kind
            if "${" in api_version or "${" in kind:
                continue
            rt = await self.cluster.find_type(api_version, kind)
            if rt is None:
                if (api_version.rpartition("/")[0], kind) in crd_kinds:
                    self.deferred.add((api_version, kind))
                    continue
                await self.cluster.resolve(api_version, kind)
            else:
                self.types[f"{api_version}/{kind}"] = rt
            self.kinds.add((api_version, kind))
        first = self.first = expand(self.graph, self.instance, {})
        for rid, st in first.states.items():
            if st.state == "pending" and st.waiting_on == ["schema"] and not st.objects:
                raise ValidationError(
                    f"resource {rid!r} cannot be built from this spec: {st.message}",
                    where=f"{self.graph.kind} {self.ref.name}",
                    fix="Set the spec field the expression reads (it is unset and has no default).",
                )

    async def _check_owners(self) -> None:
        """Before the first write: every object the spec already names (the first expansion) that exists must be
        this instance's (`inventory.foreign_owner`), unless ``force_takeover``. Objects named later (from other
        resources' data) are checked just before their first apply."""
        pending = []
        for rid, st in (self.first.states if self.first else {}).items():
            if self.nodes[rid].type in (EXTERNAL, EXTERNAL_COLLECTION) or st.state in ("skipped", "error"):
                continue
            for obj in st.objects:
                rt = self.types.get(f"{obj.get('apiVersion')}/{obj.get('kind')}")
                if rt is not None:
                    pending.append(self._foreign(rt, obj))
        clashes = [c for c in await asyncio.gather(*pending) if c]
        if clashes:
            raise self._takeover_error(clashes)
        if self.namespace_exists:
            self._check_record(await self.cluster.get(CONFIGMAP_TYPE, self.ref.record_name, self.ref.namespace))

    def _check_record(self, record: dict[str, Any] | None) -> None:
        if record is not None and not self.ref.owns_record(record):
            labels = (record.get("metadata") or {}).get("labels") or {}
            raise DeployError(
                f"the record name {self.ref.record_name!r} is taken by instance {labels.get(inventory.RECORD_OF)!r} "
                f"of composition {labels.get(inventory.COMPOSITION)!r}",
                where=f"namespace {self.ref.namespace}",
                fix="Use an instance name that does not join with the composition name to the same text.",
            )

    async def _foreign(self, rt: ResourceType, obj: dict[str, Any]) -> str | None:
        """Why ``obj`` may not be written by this instance, or None (it does not exist, is ours, or is taken over
        with ``force_takeover``)."""
        meta = obj.get("metadata") or {}
        self.checked.add(identity(obj))
        async with self.sem:
            live = await self.cluster.get(rt, str(meta.get("name")), meta.get("namespace") or self.ref.namespace)
        clash = None if live is None else inventory.foreign_owner(live, self.ref)
        if clash and self.opts.force_takeover:
            self.emit("takeover", kind=rt.kind, name=str(meta.get("name")), message=f"taking over: {clash}")
            self.snapshot[identity(obj)] = copy.deepcopy(live or {})  # a rollback restores it, never deletes it
            return None
        return clash

    def _takeover_error(self, clashes: list[str]) -> OwnershipConflict:
        shown = "; ".join(clashes[:5]) + (f"; and {len(clashes) - 5} more" if len(clashes) > 5 else "")
        return OwnershipConflict(
            f"deploying {self.graph.kind} {self.ref.name!r} would take over objects it does not own: {shown}",
            where=f"namespace {self.ref.namespace}",
            fix=(
                "Choose another instance name or namespace, or remove those objects; to take them over deliberately "
                "pass --force-takeover (force_takeover=True)."
            ),
        )

    async def _type(self, obj: dict[str, Any]) -> ResourceType:
        key = f"{obj.get('apiVersion')}/{obj.get('kind')}"
        rt = self.types.get(key)
        if rt is None:
            rt = await self.cluster.find_type(str(obj.get("apiVersion")), str(obj.get("kind")), refresh=True)
            if rt is None:
                rt = await self.cluster.resolve(str(obj.get("apiVersion")), str(obj.get("kind")))
            self.types[key] = rt
            await self._track(rt)
        return rt

    def _scope(self, rt: ResourceType) -> str | None:
        cross = any(
            "namespace" in ((r.template or {}).get("metadata") or {})
            for r in self.graph.resources
            if r.api_version == rt.api_version and r.kind == rt.kind
        )
        return None if cross or not rt.namespaced else self.ref.namespace

    async def _track(self, rt: ResourceType) -> None:
        await self.live.track(rt, self._scope(rt), self.ref.selector)

    async def _begin(self) -> None:
        """Write the namespace, take the instance's lock, read what exists (the record, the instance's objects,
        kept as they are for a rollback), then write the record."""
        if not self.namespace_exists:
            ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.ref.namespace}}
            await self.cluster.apply(NAMESPACE_TYPE, ns)
            self.created_namespace = True
            self.emit("apply", kind="Namespace", name=self.ref.namespace, message="created the namespace")
        self.lock = InstanceLock(
            self.cluster,
            self.ref,
            "deploy",
            wait=self.opts.lock_wait,
            on_wait=lambda message: self.emit("lock", message=message),
        )
        await self.lock.acquire()
        record = await self.cluster.get(CONFIGMAP_TYPE, self.ref.record_name, self.ref.namespace)
        self._check_record(record)
        self.record_before = self.record_original = record
        self.record_existed = self.record_before is not None
        previous = inventory.parse_kinds(
            ((self.record_before or {}).get("metadata") or {}).get("annotations", {}).get(inventory.CONTAINS_KINDS, "")
        )
        types = []
        for api_version, kind in sorted(set(previous) | self.kinds):
            rt = self.types.get(f"{api_version}/{kind}") or await self.cluster.find_type(api_version, kind)
            if rt is not None:
                self.types[f"{api_version}/{kind}"] = rt
                types.append(rt)
        await asyncio.gather(*(self._track(rt) for rt in types), self._track_events())
        self.kinds |= set(previous)
        self.before = set(self.live.objects)
        self.snapshot.update(copy.deepcopy(self.live.objects))
        for ident, obj in self.live.objects.items():
            self.touched[ident] = _labels_of(obj).get(inventory.RESOURCE_ID, "")
        await self._write_record("IN_PROGRESS")

    async def _track_events(self) -> None:
        """Follow v1 Events in the namespace (a missing namespace or no permission only loses the events)."""
        with contextlib.suppress(DeployError):
            await self.events.track(EVENT_TYPE, self.ref.namespace)
        self.events.listener = self._on_event

    async def _write_record(self, state: str, *, final: bool = False) -> None:
        """Write the instance's parent record unless it already says the same (re-deploys write nothing)."""
        if final:
            kinds = {
                (str(o.get("apiVersion")), str(o.get("kind")))
                for o in self.live.objects.values()
                if _labels_of(o).get(inventory.INSTANCE) == self.ref.name
            }
        else:
            kinds = set(self.kinds)
        spec = self.instance.get("spec") or {}
        masked, rgd_yaml = inventory.record_content(self.graph, spec)
        rec = inventory.record(self.ref, masked, rgd_yaml, sorted(kinds), state, self.mode)
        await self._write_spec_secret(rec, spec)
        old = self.record_before
        if old is not None and (old.get("data") or {}) == rec["data"]:
            old_ann = (old.get("metadata") or {}).get("annotations") or {}
            old_kinds = set(inventory.parse_kinds(old_ann.get(inventory.CONTAINS_KINDS, "")))
            if not final and kinds <= old_kinds:
                return
            if final and kinds == old_kinds and old_ann.get(inventory.STATE) == state:
                return
        self.record_before = await self.cluster.apply(CONFIGMAP_TYPE, rec)

    async def _write_spec_secret(self, rec: dict[str, Any], spec: dict[str, Any]) -> None:
        """Keep the full spec in the record's Secret when the graph has secret spec fields (once per deploy)."""
        if self.secret_written or not secrets.secret_paths(self.graph):
            return
        self.secret_written = True
        self.secret_original = await self.cluster.get(SECRET_TYPE, self.ref.record_name, self.ref.namespace)
        if inventory.spec_of_secret(self.secret_original) != json.loads(json.dumps(spec)):
            await self.cluster.apply(SECRET_TYPE, inventory.record_secret(self.ref, rec, spec))

    # ------------------------------------------------------------------------------------------ the loop
    def _observed(self, gated: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for rid, keys in self.desired_ids.items():
            node = self.nodes[rid]
            objs = [self.live.objects[k] for k in keys if k in self.live.objects]
            if gated and node.type not in (EXTERNAL, EXTERNAL_COLLECTION):
                objs = [o for o in objs if readiness.assess(o).ready]
            if not objs and node.type != EXTERNAL_COLLECTION:
                continue
            out[rid] = objs if node.type in (COLLECTION, EXTERNAL_COLLECTION) else objs[0]
        return out

    def expand(self, gated: bool = True) -> Expansion:
        """Expand until the desired identities are stable (they can depend on observed data)."""
        result = expand(self.graph, self.instance, self._observed(gated))
        for _ in range(len(self.nodes) + 1):
            ids = {rid: [identity(o) for o in st.objects] for rid, st in result.states.items() if st.objects}
            if ids == self.desired_ids:
                break
            self.desired_ids = ids
            result = expand(self.graph, self.instance, self._observed(gated))
        return result

    async def _converge(self) -> Expansion:
        deadline = None if self.opts.timeout is None else self.started + self.opts.timeout
        seen: tuple[tuple[str, str], ...] | None = None
        result: Expansion | None = None
        while True:
            self.live.changed.clear()
            self._reap()
            inputs = self._inputs()
            if result is None or inputs != seen:  # the expansion only depends on what the runtime observes
                result = self.expand()
                seen = self._inputs()
            await self._externals(result)
            scheduled = await self._schedule(result)
            views = self._views(result)
            if self._done(result, views):
                return result
            if not self.opts.wait and not scheduled and not self.inflight:
                return result
            now = time.monotonic()
            self._check_failures(views, now, deadline)
            wake = [d for d in (deadline, *self._resource_deadlines()) if d is not None]
            await self._sleep(min(wake) - now if wake else None)

    def _inputs(self) -> tuple[tuple[str, str], ...]:
        """What the gated expansion reads: the desired identities and the versions of those observed as ready."""
        found = []
        for rid, keys in self.desired_ids.items():
            external = self.nodes[rid].type in (EXTERNAL, EXTERNAL_COLLECTION)
            for key in keys:
                obj = self.live.objects.get(key)
                ready = obj is not None and (external or readiness.assess(obj).ready)
                found.append((key, str((obj or {}).get("metadata", {}).get("resourceVersion")) if ready else ""))
        return tuple(found)

    async def _sleep(self, timeout: float | None) -> None:
        if self.inflight:
            waiter = asyncio.ensure_future(self.live.changed.wait())
            try:
                await asyncio.wait(
                    [waiter, *self.inflight.values()], timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                waiter.cancel()
            self.live.changed.clear()
            if self.live.error is not None:
                raise self.live.error
        else:
            await self.live.wait(None if timeout is None else max(timeout, 0.0))

    async def _stop_applies(self) -> None:
        """Cancel the applies still in flight and wait for them; a cancellation of this deploy itself propagates,
        an apply that failed meanwhile is reported (the deploy is already stopping for another reason)."""
        tasks = list(self.inflight.values())
        self.inflight.clear()
        for task in tasks:
            task.cancel()
        for result in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(result, Exception):
                self.emit("failed", message=f"an apply in flight also failed: {result}")

    def _reap(self) -> None:
        for key, task in list(self.inflight.items()):
            if task.done():
                del self.inflight[key]
                task.result()

    async def _externals(self, result: Expansion) -> None:
        for rid, st in result.states.items():
            node = self.nodes[rid]
            if node.type not in (EXTERNAL, EXTERNAL_COLLECTION):
                continue
            for obj in st.objects:
                rt = await self._type_untracked(obj)
                meta = obj.get("metadata") or {}
                ns = meta.get("namespace") if rt.namespaced else None
                if node.type == EXTERNAL:
                    await self.live.track(rt, ns, None, {"metadata.name": str(meta.get("name"))})
                else:
                    labels = (meta.get("selector") or {}).get("matchLabels") or {}
                    await self.live.track(rt, ns, dict(labels))
                    selected = [
                        identity(o)
                        for o in self.live.objects.values()
                        if o.get("kind") == rt.kind and all(_labels_of(o).get(k) == v for k, v in labels.items())
                    ]
                    self.desired_ids[rid] = selected

    async def _type_untracked(self, obj: dict[str, Any]) -> ResourceType:
        key = f"{obj.get('apiVersion')}/{obj.get('kind')}"
        if key not in self.types:
            self.types[key] = await self.cluster.resolve(str(obj.get("apiVersion")), str(obj.get("kind")))
        return self.types[key]

    async def _schedule(self, result: Expansion) -> int:
        """Start an apply for every resolved object whose desired state is not yet live; returns how many."""
        count = 0
        for rid, st in result.states.items():
            node = self.nodes[rid]
            if node.type in (EXTERNAL, EXTERNAL_COLLECTION) or st.state in ("skipped", "error"):
                continue
            template_labels = _labels_of(node.resource.body)
            for obj in st.objects:
                desired = inventory.decorate(obj, self.ref, rid, template_labels)
                key = identity(desired)
                digest = desired["metadata"]["annotations"][inventory.APPLIED_HASH]
                if key in self.inflight or self.applied.get(key) == digest:
                    continue
                live = self.live.objects.get(key)
                if live is not None and key in self.before and self._unchanged(desired, live, digest):
                    self.applied[key] = digest
                    self.touched[key] = rid
                    self.applied_at.setdefault(rid, time.monotonic())
                    continue
                if not self._served(desired):
                    continue
                rt = await self._type(desired)
                if not rt.namespaced:
                    desired["metadata"].pop("namespace", None)
                self.inflight[key] = asyncio.create_task(self._apply(rid, key, rt, desired, digest))
                count += 1
        return count

    def _served(self, obj: dict[str, Any]) -> bool:
        """False while ``obj``'s kind is defined by a CRD of this graph that is not Established yet."""
        pair = (str(obj.get("apiVersion")), str(obj.get("kind")))
        if pair not in self.deferred or f"{pair[0]}/{pair[1]}" in self.types:
            return True
        for crd in self.live.objects.values():
            if crd.get("kind") == "CustomResourceDefinition" and readiness.assess(crd).ready:
                for defined in self.cluster.type_of_crd(crd):
                    self.types[f"{defined.api_version}/{defined.kind}"] = defined
        return f"{pair[0]}/{pair[1]}" in self.types

    @staticmethod
    def _unchanged(desired: dict[str, Any], live: dict[str, Any], digest: str) -> bool:
        annotations = (live.get("metadata") or {}).get("annotations") or {}
        if annotations.get(inventory.APPLIED_HASH) != digest:
            return False
        return _subset({k: v for k, v in desired.items() if k != "status"}, live)

    async def _apply(self, rid: str, key: str, rt: ResourceType, desired: dict[str, Any], digest: str) -> None:
        if key not in self.before and key not in self.checked:
            clash = await self._foreign(rt, desired)
            if clash:
                raise self._takeover_error([clash])
        async with self.sem:
            self.touched[key] = rid
            if key in self.snapshot:
                self.updated.add(key)
            out = await self.cluster.apply(rt, desired, force=self.opts.force_conflicts)
        self.applied[key] = digest
        self.applied_at.setdefault(rid, time.monotonic())
        self.live.put(out)
        meta = out.get("metadata") or {}
        self.emit("apply", resource=rid, kind=rt.kind, name=str(meta.get("name", "")), message="applied")

    # ------------------------------------------------------------------------------------------ states
    def _views(self, result: Expansion) -> dict[str, tuple[str, str, list[readiness.Health]]]:
        """rid -> (display state, detail, kstatus health of each object)."""
        views: dict[str, tuple[str, str, list[readiness.Health]]] = {}
        for rid, st in result.states.items():
            node = self.nodes[rid]
            keys = self.desired_ids.get(rid, []) if st.objects else []
            healths = [readiness.assess(self.live.objects.get(k)) for k in keys]
            if st.state == "skipped":
                view = ("skipped", "includeWhen is false")
            elif st.state == "error":
                view = ("failed", st.message)
            elif not st.objects and st.waiting_on == ["schema"]:
                view = ("failed", f"the spec does not provide what it needs: {st.message}")
            elif not st.objects and node.type not in (EXTERNAL_COLLECTION,):
                view = ("waiting", ", ".join(st.waiting_on) or st.message)
            elif node.type in (EXTERNAL, EXTERNAL_COLLECTION):
                view = ("ready", "") if st.state == "ready" else ("waiting", st.message)
            elif st.objects and not all(self._served(o) for o in st.objects):
                view = ("waiting", f"the CRD of {node.resource.kind} to be established")
            elif any(k in self.inflight or (k not in self.applied and k not in self.live.objects) for k in keys):
                view = ("applying", "")
            elif any(h.phase == "failed" for h in healths):
                view = ("failed", next(h.message for h in healths if h.phase == "failed"))
            elif not all(h.ready for h in healths):
                view = ("in progress", next(h.message for h in healths if not h.ready))
            elif st.state != "ready":
                view = ("in progress", st.message)
            else:
                view = ("ready", "")
            views[rid] = (*view, healths)
            self._show(rid, node.resource.kind, keys, view)
        return views

    def _show(self, rid: str, kind: str, keys: list[str], view: tuple[str, str]) -> None:
        if self.shown.get(rid) == view:
            return
        self.shown[rid] = view
        name = keys[0].rpartition("/")[2] if len(keys) == 1 else (f"{len(keys)} objects" if keys else "")
        self.emit("state", resource=rid, kind=kind, name=name, state=view[0], waiting_on=view[1])

    def _done(self, result: Expansion, views: dict[str, tuple[str, str, list[readiness.Health]]]) -> bool:
        if self.inflight:
            return False
        return all(v[0] in ("ready", "skipped") for v in views.values())

    def _resource_deadlines(self) -> list[float]:
        limit = self.opts.resource_timeout
        if limit is None:
            return []
        return [t + limit for rid, t in self.applied_at.items() if self.shown.get(rid, ("",))[0] != "ready"]

    def _check_failures(
        self, views: dict[str, tuple[str, str, list[readiness.Health]]], now: float, deadline: float | None
    ) -> None:
        for rid, (state, detail, _) in views.items():
            if state == "failed":
                raise ResourceFailed(
                    f"resource {rid!r} failed: {detail}",
                    where=self._where(rid),
                    fix=f"{self._diagnosis(rid)} Fix the cause and deploy again.",
                )
        limit = self.opts.resource_timeout
        for rid, since in self.applied_at.items():
            state, detail, _ = views.get(rid, ("", "", []))
            if limit is not None and state not in ("ready", "skipped") and now - since >= limit:
                raise ReadinessTimeout(
                    f"resource {rid!r} was not ready after {limit:g}s: waiting for {detail or 'readiness'}",
                    where=self._where(rid),
                    fix=f"{self._diagnosis(rid)} Raise the timeout or fix the resource.",
                )
        if deadline is not None and now >= deadline:
            waiting = [f"{rid} ({v[0]}: {v[1]})" for rid, v in views.items() if v[0] not in ("ready", "skipped")]
            first = next((rid for rid, v in views.items() if v[0] not in ("ready", "skipped", "waiting")), None)
            raise ReadinessTimeout(
                f"{self.graph.kind} {self.ref.name!r} was not ready after {self.opts.timeout:g}s; not ready: "
                + "; ".join(waiting),
                where=f"namespace {self.ref.namespace}",
                fix=(self._diagnosis(first) + " " if first else "") + "Raise --timeout or fix the resources above.",
            )

    def _where(self, rid: str) -> str:
        keys = self.desired_ids.get(rid, [])
        return keys[0] if keys else f"resource {rid}"

    def _diagnosis(self, rid: str) -> str:
        parts = []
        for key in self.desired_ids.get(rid, []):
            obj = self.live.objects.get(key)
            parts.append(f"{key}: conditions {_conditions_text(obj)}")
            if self.recent.get(key):
                parts.append("last events: " + " | ".join(self.recent[key][-3:]))
        return ("Last observed: " + "; ".join(parts) + ".") if parts else ""

    # ------------------------------------------------------------------------------------------ prune, failure
    async def _prune(self, result: Expansion) -> None:
        wanted = {k for rid, keys in self.desired_ids.items() for k in keys}
        stale = [
            obj
            for ident, obj in self.live.objects.items()
            if ident not in wanted
            and _labels_of(obj).get(inventory.INSTANCE) == self.ref.name
            and _labels_of(obj).get(inventory.COMPOSITION) == self.ref.composition
        ]
        if stale:
            waves = waves_for(stale, self.graph.deletion_waves())
            await delete_waves(
                self.cluster,
                self.live,
                waves,
                self.reporter.emit,
                started=self.started,
                timeout=self.opts.timeout,
                verb="prune",
            )

    async def _fail(self, exc: DeployError) -> None:
        """Stop, then keep (record FAILED) or roll back; what was done is added to the error's text."""
        self.emit("failed", message=str(exc))
        await self._stop_applies()
        if self.lock is None or self.lock.lease is None or self.record_before is None:
            return  # stopped before the lock or the record: nothing of the instance was written
        try:
            outcome = await (self._rollback() if self.opts.on_failure == "rollback" else self._keep())
        except DeployError as cleanup:
            outcome = f"Cleaning up after the failure also failed: {cleanup}"
            self.emit("failed", message=outcome)
        exc.fix = f"{exc.fix.rstrip('.')}. {outcome}" if exc.fix else outcome
        exc.args = (exc.render(),)

    async def _keep(self) -> str:
        if self.record_before is not None:
            await self._write_record("FAILED", final=True)
        if self.record_existed:
            return "Nothing was rolled back (on_failure keep): the objects stay as applied and the instance is FAILED."
        made = [f"{len(self._ours())} objects", "the instance record (state FAILED)"]
        if self.created_namespace:
            made.append(f"namespace {self.ref.namespace}")
        return (
            f"Kept what this first deploy created ({', '.join(made)}); `pykro delete {self.ref.name}` removes them "
            "(--on-failure rollback would have removed them)."
        )

    def _ours(self) -> list[dict[str, Any]]:
        return [o for o in self.live.objects.values() if _labels_of(o).get(inventory.INSTANCE) == self.ref.name]

    async def _rollback(self) -> str:
        """Put back what this deploy changed: objects it updated get their previous pykro-applied fields again
        (`fields.applied_state` of the object as read before), objects it created are deleted (reverse waves),
        the record gets its previous spec and state back once the restored objects are ready again; after a
        first deploy the record, the lock and a namespace this deploy created are deleted too."""
        done: list[str] = []
        restored = await self._restore()
        if restored:
            done.append("restored " + ", ".join(_short(k) for k in restored))
        created = [o for k, o in self.live.objects.items() if k not in self.snapshot and k in self.touched]
        await delete_waves(
            self.cluster,
            self.live,
            waves_for(created, self.graph.deletion_waves()),
            self.reporter.emit,
            started=self.started,
            timeout=self.opts.timeout,
            honour_retain=False,
            verb="rollback",
        )
        if created:
            done.append("deleted " + ", ".join(_short(identity(o)) for o in created))
        if self.record_original is not None:
            ready = await self._settle(restored)
            await self._restore_record(ready)
            done.append(
                "the instance keeps its previous spec"
                + ("" if ready else f" but is FAILED: the restored objects were not ready after {self.opts.timeout:g}s")
            )
        else:
            if self.record_before is not None:
                if self.secret_written:
                    await self.cluster.delete(SECRET_TYPE, self.ref.record_name, self.ref.namespace)
                await self.cluster.delete(CONFIGMAP_TYPE, self.ref.record_name, self.ref.namespace)
                self.emit("rollback", kind="ConfigMap", name=self.ref.record_name, message="deleted the record")
            if self.lock is not None:
                await self.lock.release(delete=True)
            if self.created_namespace:
                done.append(await self._delete_namespace())
            done.append("no record is left")
        return "Rolled back: " + "; ".join(done) + "."

    async def _delete_namespace(self) -> str:
        """Delete the namespace this deploy created and wait until it is gone (a namespace still terminating
        would refuse the next deploy's writes), up to the deploy timeout afresh."""
        ns = self.ref.namespace
        await self.live.track(NAMESPACE_TYPE, None, None, {"metadata.name": ns})
        await self.cluster.delete(NAMESPACE_TYPE, ns)
        self.emit("rollback", kind="Namespace", name=ns, message="deleting the namespace")
        deadline = None if self.opts.timeout is None else time.monotonic() + self.opts.timeout
        ident = f"v1/Namespace//{ns}"
        while ident in self.live.objects:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return f"deleted namespace {ns} it had created (still terminating)"
            await self.live.wait(left)
        return f"deleted namespace {ns} it had created"

    async def _restore(self) -> list[str]:
        """Re-apply the pykro-owned fields of every object this deploy updated, as they were before it."""
        restored = []
        for key in sorted(self.updated):
            before = self.snapshot.get(key)
            body = fields.applied_state(before, inventory.FIELD_MANAGER) if before else None
            if before is None or body is None:
                continue
            rt = await self._type_untracked(before)
            if not rt.namespaced:
                body["metadata"].pop("namespace", None)
            self.live.put(await self.cluster.apply(rt, body, force=True))
            self.applied.pop(key, None)
            restored.append(key)
            meta = before.get("metadata") or {}
            rid = ((meta.get("labels") or {}).get(inventory.RESOURCE_ID)) or ""
            self.emit(
                "rollback",
                resource=rid,
                kind=str(before.get("kind")),
                name=str(meta.get("name")),
                message="restored the state before this deploy",
            )
        return restored

    async def _settle(self, keys: list[str]) -> bool:
        """Wait (up to the deploy timeout, afresh) until the restored objects are ready again."""
        deadline = None if self.opts.timeout is None else time.monotonic() + self.opts.timeout
        while True:
            if all(readiness.assess(self.live.objects.get(k)).ready for k in keys if k in self.live.objects):
                return True
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            await self.live.wait(left)

    async def _restore_record(self, ready: bool) -> None:
        """The record as it was before this deploy (its spec stays the instance's spec); FAILED if not ready."""
        old = self.record_original or {}
        meta = old.get("metadata") or {}
        annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k.startswith(inventory.PREFIX)}
        if not ready:
            annotations[inventory.STATE] = "FAILED"
        rec = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": self.ref.record_name,
                "namespace": self.ref.namespace,
                "labels": dict(meta.get("labels") or {}),
                "annotations": annotations,
            },
            "data": dict(old.get("data") or {}),
        }
        self.record_before = await self.cluster.apply(CONFIGMAP_TYPE, rec)
        kept = inventory.spec_of_secret(self.secret_original)
        if self.secret_written and kept is not None:  # the spec with its secret values, as it was
            await self.cluster.apply(SECRET_TYPE, inventory.record_secret(self.ref, rec, kept))
        elif self.secret_written:
            await self.cluster.delete(SECRET_TYPE, self.ref.record_name, self.ref.namespace)
        self.emit("rollback", kind="ConfigMap", name=self.ref.record_name, message="restored the record")

    # ------------------------------------------------------------------------------------------ result
    def _instance(self, gated: Expansion) -> Instance:
        full = expand(self.graph, self.instance, self._observed(gated=False))
        state = "ACTIVE" if gated.state == "ACTIVE" and full.state == "ACTIVE" else str(full.state or "IN_PROGRESS")
        if self.shown and not all(v[0] in ("ready", "skipped") for v in self.shown.values()):
            state = "IN_PROGRESS"
        objects = [self.live.objects[k] for keys in self.desired_ids.values() for k in keys if k in self.live.objects]
        return Instance(
            name=self.ref.name,
            namespace=self.ref.namespace,
            composition=self.ref.composition,
            mode=self.mode,
            state=state,
            status_data=json.loads(json.dumps(full.status)),
            resources=full.states,
            objects=objects,
        )
