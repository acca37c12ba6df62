"""Direct mode: `DirectFactory` deploys a graph's instances straight to a cluster (see `engine.DeployRun`), and reads
them back from any process through pykro's inventory: `status`, `instances`, `diff` and `delete`."""

from __future__ import annotations

import json
import time
from typing import Any, TypeVar, Unpack

from pydantic import BaseModel

from pykro.deploy import _inventory as inventory
from pykro.deploy._api import CONFIGMAP_TYPE, SECRET_TYPE, Cluster
from pykro.deploy._base import DeployKeywords, FactoryBase
from pykro.deploy._diffs import Diff, DiffEntry, created_text, unified
from pykro.deploy._engine import DeployRun
from pykro.deploy._errors import ApiFailure, DeployError
from pykro.deploy._handle import Instance, InstanceInfo
from pykro.deploy._lock import InstanceLock
from pykro.deploy._modes import check_other_mode
from pykro.deploy._names import check_name
from pykro.deploy._options import OnFailure, check_option
from pykro.deploy._progress import NullReporter, ProgressEvent
from pykro.deploy._sync import run_sync
from pykro.deploy._teardown import delete_waves, waves_for
from pykro.deploy._text import labels_of
from pykro.graph import Graph
from pykro.graph import _secrets as secrets
from pykro.graph._analysis import EXTERNAL, EXTERNAL_COLLECTION
from pykro.runtime import identity, prepare_instance
from pykro.runtime._values import check_spec
from pykro.schema._models import reveal

__all__ = [
    "DirectDeployKeywords",
    "DirectFactory",
    "graph_of_record",
    "instance_object",
    "list_instances",
    "records_named",
    "spec_dict",
]

T = TypeVar("T")


def spec_dict(spec: Any) -> dict[str, Any]:
    """A spec as the CRD holds it: a mapping, or a pydantic model dumped by alias (camelCase)."""
    if isinstance(spec, BaseModel):
        return reveal(spec, exclude_none=True)
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise DeployError(f"a spec must be a mapping or a pydantic model, not {type(spec).__name__}")
    return dict(spec)


def instance_object(
    graph: Graph,
    spec: Any,
    name: str | None,
    namespace: str,
    model: type[BaseModel] | None = None,
    *,
    check: bool = True,
) -> dict[str, Any]:
    """The instance (CR) for ``spec``: named ``name``, or the spec's own ``name`` field. With ``check`` the spec is
    checked with strict field validation first (``model``, the composition's spec model, adds its Python names and
    rules)."""
    values = spec_dict(spec)
    chosen = name or values.get("name")
    if not isinstance(chosen, str) or not chosen:
        raise DeployError(
            f"the {graph.kind} instance has no name",
            fix="Pass name=... (or --name), or give the spec a `name` field.",
        )
    meta: dict[str, Any] = {"name": check_name(chosen, what=f"{graph.kind} instance name")}  # before it is quoted
    if check:
        values = check_spec(graph.openapi, values, model=model, what=f"{graph.kind} spec")
    if graph.namespaced:
        meta["namespace"] = namespace
    return {"apiVersion": graph.instance_api_version, "kind": graph.kind, "metadata": meta, "spec": values}


class DirectDeployKeywords(DeployKeywords, total=False):
    """The keywords of `DirectFactory.adeploy`, for its synchronous twin."""

    force_takeover: bool | None


class DirectFactory(FactoryBase):
    """Deploys instances of ``graph`` with pykro's engine (no kro needed in the cluster)."""

    mode = "direct"

    def _ref(self, cluster: Cluster, name: str) -> inventory.InstanceRef:
        return inventory.InstanceRef(self.graph.name, name, cluster.namespace)

    def _typed(self, instance: Instance) -> Instance:
        instance.status_model = self.status_model
        instance.status_data = self._redact_status(instance.status_data)
        return instance

    # ------------------------------------------------------------------------------------------ deploy
    async def adeploy(
        self,
        spec: Any,
        *,
        name: str | None = None,
        timeout: float | None = None,
        resource_timeout: float | None = None,
        wait: bool | None = None,
        on_failure: OnFailure | None = None,
        force_conflicts: bool | None = None,
        force_takeover: bool | None = None,
        switch_mode: bool = False,
    ) -> Instance:
        """Deploy (or update) one instance and wait until it is ready; returns it with its hydrated status.
        Objects of another instance, or not created by pykro, are an `OwnershipConflict` unless
        ``force_takeover``; a concurrent deploy or delete of the same instance is waited for (`lock_wait`). An
        instance deployed in kro mode is refused (``switch_mode`` too: see `pykro.deploy._modes`)."""
        opts = self.options.with_changes(
            timeout=timeout,
            resource_timeout=resource_timeout,
            wait=wait,
            on_failure=on_failure,
            force_conflicts=force_conflicts,
            force_takeover=force_takeover,
        )

        async def run(cluster: Cluster) -> Instance:
            obj = instance_object(self.graph, spec, name, cluster.namespace, self.spec_model)
            self.redactor.learn_spec(self.graph, obj["spec"])
            prepared = prepare_instance(self.graph, obj, source=f"{self.graph.kind} {obj['metadata']['name']}")
            self._learn(prepared)
            ref = self._ref(cluster, prepared["metadata"]["name"])
            if switch_mode:  # refused when there is a kro instance to switch from (else the deploy checks it)
                await check_other_mode(cluster, self.graph, ref, "direct", switch_mode)
            result = await DeployRun(cluster, self.graph, prepared, ref, self.reporter, opts).execute()
            return self._typed(result)

        return await self._with(run)

    def deploy(self, spec: Any, **options: Unpack[DirectDeployKeywords]) -> Instance:
        """Synchronous `adeploy` (the same keywords)."""
        return run_sync(self.adeploy(spec, **options))

    # ------------------------------------------------------------------------------------------ read back
    async def _observe(
        self, cluster: Cluster, name: str, instance: dict[str, Any] | None = None
    ) -> tuple[DeployRun, dict[str, Any] | None]:
        """A run watching the instance's objects, for ``instance`` (a prepared instance object) or else the spec
        of the instance's record; also the record (None when there is none)."""
        ref = self._ref(cluster, name)
        await cluster.reachable(cluster.namespace)
        record = await cluster.get(CONFIGMAP_TYPE, ref.record_name, ref.namespace)
        if record is not None and not ref.owns_record(record):
            record = None
        spec = json.loads(((record or {}).get("data") or {}).get("spec") or "{}")
        if record is not None and secrets.secret_paths(self.graph):
            try:
                kept = await cluster.get(SECRET_TYPE, ref.record_name, ref.namespace)
            except ApiFailure as exc:  # no right to read Secrets: go on with the masked spec
                if exc.code != 403:
                    raise
                kept = None
            spec = inventory.spec_of_secret(kept) or spec
        self.redactor.learn_spec(self.graph, spec)  # the deployed spec's secrets, also when diffing a new one
        if instance is None:
            instance = instance_object(self.graph, spec, name, cluster.namespace, check=False)  # checked when deployed
            if record is not None:  # no record: nothing to validate (a missing instance, or objects left behind)
                instance = prepare_instance(self.graph, instance)
        run = DeployRun(cluster, self.graph, instance, ref, NullReporter(), self.options)
        kinds = {(r.api_version, r.kind) for r in self.graph.resources if "${" not in r.api_version + r.kind}
        annotations = ((record or {}).get("metadata") or {}).get("annotations") or {}
        kinds |= set(inventory.parse_kinds(annotations.get(inventory.CONTAINS_KINDS, "")))
        for api_version, kind in sorted(kinds):
            rt = await cluster.find_type(api_version, kind)
            if rt is not None:
                run.kinds.types[f"{api_version}/{kind}"] = rt
                await run.kinds.track(rt)
        return run, record

    async def astatus(self, name: str) -> Instance:
        """The instance as it is now, status hydrated from the live objects with the same engine as deploy."""
        check_name(name, what=f"{self.graph.kind} instance name")

        async def fn(cluster: Cluster) -> Instance:
            run, record = await self._observe(cluster, name)
            try:
                if record is None and not run.live.objects:
                    raise self._missing(name, cluster.namespace)
                gated = run.loop.expand()
                await run.loop.externals(gated)
                gated = run.loop.expand()
                run.board.views(gated)
                instance = run.instance_of(gated)
                annotations = ((record or {}).get("metadata") or {}).get("annotations") or {}
                if annotations.get(inventory.STATE) == "FAILED":
                    instance.state = "FAILED"  # the last deploy failed: its spec is not (all) applied
                return self._typed(instance)
            finally:
                await run.live.close()

        return await self._with(fn)

    def _missing(self, name: str, namespace: str) -> DeployError:
        return DeployError(
            f"no {self.graph.kind} instance named {name!r} in namespace {namespace!r}",
            fix="Check the name and -n/--namespace (`pykro list` shows the instances).",
        )

    async def ainstances(self) -> list[InstanceInfo]:
        """The instances of this graph in the namespace (from their parent records)."""

        async def fn(cluster: Cluster) -> list[InstanceInfo]:
            return await list_instances(cluster, cluster.namespace, self.graph.name)

        return await self._with(fn)

    # ------------------------------------------------------------------------------------------ diff
    async def adiff(self, spec: Any, *, name: str | None = None) -> Diff:
        """What a deploy of ``spec`` would change (server-side dry-run apply), without writing anything."""

        async def fn(cluster: Cluster) -> Diff:
            obj = instance_object(self.graph, spec, name, cluster.namespace, self.spec_model)
            self.redactor.learn_spec(self.graph, obj["spec"])
            prepared = prepare_instance(self.graph, obj)
            self._learn(prepared)
            run, _ = await self._observe(cluster, prepared["metadata"]["name"], prepared)
            try:
                await run.preflight()
                return await self._diff(cluster, run)
            finally:
                await run.live.close()

        return await self._with(fn)

    async def _diff(self, cluster: Cluster, run: DeployRun) -> Diff:
        diff = Diff()
        result = run.loop.expand(gated=False)
        await run.loop.externals(result)
        result = run.loop.expand(gated=False)
        wanted: set[str] = set()
        for rid, st in result.states.items():
            node = run.ctx.nodes[rid]
            if node.type in (EXTERNAL, EXTERNAL_COLLECTION) or st.state == "skipped":
                continue
            if st.state == "error":  # a deploy would stop here: so does the diff, never "no changes"
                raise self.redactor.error(
                    DeployError(
                        f"resource {rid!r} cannot be rendered: {st.message}",
                        fix="Fix the expression or the spec value it reads; a deploy of this spec would fail.",
                    )
                )
            if not st.objects:
                diff.entries.append(DiffEntry(rid, f"{node.resource.kind}", "pending", st.message))
                continue
            for obj in st.objects:
                desired = inventory.decorate(obj, run.ctx.ref, rid, labels_of(node.resource.body))
                key = identity(desired)
                wanted.add(key)
                live = run.live.objects.get(key)
                rt = await run.kinds.resolve(desired)
                if not rt.namespaced:
                    desired["metadata"].pop("namespace", None)
                try:
                    after = await cluster.apply(rt, desired, dry_run=True)
                except DeployError as exc:
                    if live is not None or getattr(exc, "code", None) != 404:
                        raise
                    after = desired
                if live is None:
                    diff.entries.append(DiffEntry(rid, key, "create", created_text(after)))
                    continue
                text = unified(live, after, key)
                diff.entries.append(DiffEntry(rid, key, "update" if text else "unchanged", text))
        for key, obj in run.live.objects.items():
            labels = (obj.get("metadata") or {}).get("labels") or {}
            if key not in wanted and labels.get(inventory.INSTANCE) == run.ctx.ref.name:
                diff.entries.append(DiffEntry(labels.get(inventory.RESOURCE_ID, ""), key, "delete"))
        return self._redact_diff(diff)

    def _redact_diff(self, diff: Diff) -> Diff:
        for entry in diff.entries:
            entry.text = self.redactor.text(entry.text)
        return diff

    # ------------------------------------------------------------------------------------------ delete
    async def adelete(self, name: str, *, timeout: float | None = None) -> list[dict[str, Any]]:
        check_option("timeout", timeout)
        """Delete the instance's objects in reverse waves and wait until they are gone (Retain objects are
        released instead); returns the retained objects."""
        check_name(name, what=f"{self.graph.kind} instance name")

        async def fn(cluster: Cluster) -> list[dict[str, Any]]:
            started = time.monotonic()
            ref = self._ref(cluster, name)
            await self._delete_locked(cluster, name, started, timeout, dry=True)  # missing: an error, no write
            lock = InstanceLock(
                cluster,
                ref,
                "delete",
                wait=self.options.lock_wait,
                on_wait=lambda message: self.reporter.emit(ProgressEvent("lock", message=message)),
            )
            await lock.acquire()
            try:
                return await self._delete_locked(cluster, name, started, timeout)
            finally:
                await lock.release(delete=True)

        return await self._with(fn)

    async def _delete_locked(
        self, cluster: Cluster, name: str, started: float, timeout: float | None, *, dry: bool = False
    ) -> list[dict[str, Any]]:
        """Delete the instance (its lock held); with ``dry``, only raise when there is nothing to delete."""
        run, record = await self._observe(cluster, name)
        try:
            objects = [
                o
                for o in run.live.objects.values()
                if ((o.get("metadata") or {}).get("labels") or {}).get(inventory.INSTANCE) == name
            ]
            if record is None and not objects:
                raise self._missing(name, cluster.namespace)
            if dry:
                return []
            self.reporter.emit(_start(f"deleting {self.graph.kind} {cluster.namespace}/{name}"))
            waves = waves_for(objects, self.graph.deletion_waves())
            limit = timeout if timeout is not None else self.options.timeout
            kept = await delete_waves(
                cluster, run.live, waves, self.reporter.emit, started=started, timeout=limit, released_from=run.ctx.ref
            )
            if record is not None:
                if secrets.secret_paths(self.graph):
                    await cluster.delete(SECRET_TYPE, run.ctx.ref.record_name, run.ctx.ref.namespace)
                await cluster.delete(CONFIGMAP_TYPE, run.ctx.ref.record_name, run.ctx.ref.namespace)
            self.reporter.emit(_done(f"deleted {self.graph.kind} {name}", started))
            return kept
        finally:
            await run.live.close()


def _start(message: str) -> Any:
    from pykro.deploy._progress import ProgressEvent

    return ProgressEvent("start", message=message)


def _done(message: str, started: float) -> Any:
    from pykro.deploy._progress import ProgressEvent

    return ProgressEvent("done", message=message, elapsed=time.monotonic() - started)


async def list_instances(cluster: Cluster, namespace: str | None, composition: str | None = None) -> list[InstanceInfo]:
    """Instances known to pykro's inventory (all namespaces when ``namespace`` is None)."""
    labels = {inventory.ROLE: "instance"}
    if composition:
        labels[inventory.COMPOSITION] = composition
    items, _ = await cluster.list(CONFIGMAP_TYPE, namespace, labels)
    rows = []
    for rec in items:
        meta = rec.get("metadata") or {}
        lab, ann = meta.get("labels") or {}, meta.get("annotations") or {}
        rows.append(
            InstanceInfo(
                name=str(lab.get(inventory.RECORD_OF, "")),
                namespace=str(meta.get("namespace", "")),
                composition=str(lab.get(inventory.COMPOSITION, "")),
                mode=str(ann.get(inventory.MODE, "direct")),
                state=str(ann.get(inventory.STATE, "")),
            )
        )
    return sorted(rows, key=lambda r: (r.namespace, r.composition, r.name))


async def _check_composition(cluster: Cluster, namespace: str, composition: str) -> None:
    """Refuse a ``--composition`` that no instance in ``namespace`` has (a typo would read as a missing instance)."""
    items, _ = await cluster.list(CONFIGMAP_TYPE, namespace, {inventory.ROLE: "instance"})
    known = {str(((i.get("metadata") or {}).get("labels") or {}).get(inventory.COMPOSITION)) for i in items}
    if composition in known:
        return
    from pykro.graph._naming import did_you_mean

    listed = f" (compositions with instances there: {', '.join(map(repr, sorted(known)))})" if known else ""
    raise DeployError(
        f"no pykro instance of composition {composition!r} in namespace {namespace!r}{listed}",
        where="--composition",
        fix=did_you_mean(composition, known).strip() or "Check --composition and -n/--namespace (`pykro list`).",
    )


async def records_named(cluster: Cluster, name: str, namespace: str, composition: str | None) -> list[str]:
    """The compositions of the direct-mode instances named ``name`` in ``namespace`` (only ``composition``'s)."""
    labels = {inventory.ROLE: "instance", inventory.RECORD_OF: name}
    if composition:
        labels[inventory.COMPOSITION] = composition
    items, _ = await cluster.list(CONFIGMAP_TYPE, namespace, labels)
    return sorted(str(((i.get("metadata") or {}).get("labels") or {}).get(inventory.COMPOSITION)) for i in items)


async def graph_of_record(cluster: Cluster, name: str, namespace: str, composition: str | None) -> Graph:
    """The graph an instance was deployed with, read from its parent record (so `pykro status NAME` needs no file)."""
    labels = {inventory.ROLE: "instance", inventory.RECORD_OF: name}
    if composition:
        labels[inventory.COMPOSITION] = composition
    items, _ = await cluster.list(CONFIGMAP_TYPE, namespace, labels)
    if not items:
        if composition:
            await _check_composition(cluster, namespace, composition)
        raise DeployError(
            f"no pykro instance named {name!r} in namespace {namespace!r}",
            fix="Check the name and -n/--namespace (`pykro list` shows the instances).",
        )
    if len(items) > 1:
        found = ", ".join(
            sorted(str((i.get("metadata") or {}).get("labels", {}).get(inventory.COMPOSITION)) for i in items)
        )
        raise DeployError(
            f"several instances are named {name!r} in namespace {namespace!r} (compositions: {found})",
            fix="Pass --composition to choose one.",
        )
    rgd = str((items[0].get("data") or {}).get("rgd") or "")
    return Graph.from_rgd(rgd, source=f"record of {name}")
