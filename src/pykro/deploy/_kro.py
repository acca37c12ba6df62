"""KRO mode: `KroFactory` hands the graph to kro. Deploy = apply the RGD (server-side apply), wait until kro
accepts it (state Active; GraphAccepted=False is terminal and carries kro's message) and the generated CRD is
Established, apply the instance CR, wait for ``status.state == ACTIVE`` and Ready=True, and hydrate the status
from the CR."""

from __future__ import annotations

import time
from typing import Any, TypeVar

from pykro import _yamlio as yamlio
from pykro.deploy._api import CRD_TYPE, NAMESPACE_TYPE, Cluster, ResourceType
from pykro.deploy._base import FactoryBase
from pykro.deploy._diffs import Diff, DiffEntry, created_text, unified
from pykro.deploy._direct import instance_object
from pykro.deploy._errors import DeployError, ReadinessTimeout
from pykro.deploy._handle import Instance, InstanceInfo
from pykro.deploy._inventory import InstanceRef
from pykro.deploy._kro_wait import (
    condition,
    crd_ready,
    instance_ready,
    required_status,
    rgd_ready,
    settled,
    state_emitter,
    status_complete,
    track_children,
    until,
)
from pykro.deploy._live import LiveSet
from pykro.deploy._modes import check_other_mode, drop_direct_record
from pykro.deploy._names import check_name
from pykro.deploy._options import OnFailure, check_option
from pykro.deploy._progress import ProgressEvent
from pykro.errors import PykroError
from pykro.graph import Graph
from pykro.graph._crd import plural_of
from pykro.graph._naming import check_names
from pykro.runtime import expand, identity, prepare_instance

T = TypeVar("T")
RGD_TYPE = ResourceType.of("kro.run/v1alpha1", "ResourceGraphDefinition", "resourcegraphdefinitions", False)


def _refuse_direct_options(
    resource_timeout: float | None, on_failure: str | None, prune: bool, per_resource: bool = False
) -> None:
    """Direct-mode options kro cannot honour are errors, never ignored (``prune=False`` only exists in
    `DeployOptions`)."""
    for given, option, why in (
        (resource_timeout is not None, "--resource-timeout", "kro decides itself how long each resource may take"),
        (on_failure == "rollback", "--on-failure rollback", "kro keeps what it created when a resource fails"),
        (not prune, "DeployOptions(prune=False)", "kro always prunes what left the graph"),
        (per_resource, "DeployOptions(resource_timeouts=...)", "kro decides itself how long each resource may take"),
    ):
        if given:
            raise DeployError(
                f"{option} is not supported with --mode kro: {why}",
                where=option.split()[0],
                fix="Drop the option, or deploy with --mode direct.",
            )


class KroFactory(FactoryBase):
    """Deploys instances of ``graph`` through kro (the cluster must run kro, or the emulator's simulated one)."""

    mode = "kro"

    @property
    def crd_name(self) -> str:
        """The name of the CRD kro generates for the graph's kind."""
        return f"{plural_of(self.graph.kind)}.{self.graph.group}"

    def to_yaml(self, spec: Any, *, name: str | None = None, namespace: str = "default") -> str:
        """The instance CR for ``spec`` as YAML (what `deploy` applies after the RGD)."""
        return yamlio.dump(instance_object(self.graph, spec, name, namespace, self.spec_model))

    def rgd(self) -> dict[str, Any]:
        return self.graph.to_rgd()

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
        switch_mode: bool = False,
    ) -> Instance:
        """Apply the RGD, wait for kro to serve the kind, apply the instance and wait until kro says it is ready.
        ``resource_timeout`` and ``on_failure="rollback"`` are direct-mode options: kro decides per resource and
        keeps what it created, so they are refused here rather than ignored. An instance deployed in direct mode is
        refused, or with ``switch_mode`` handed to kro, which adopts its objects (see `pykro.deploy._modes`)."""
        opts = self.options.with_changes(
            timeout=timeout,
            resource_timeout=resource_timeout,
            wait=wait,
            on_failure=on_failure,
            force_conflicts=force_conflicts,
        )
        _refuse_direct_options(opts.resource_timeout, opts.on_failure, opts.prune, bool(opts.resource_timeouts))
        limit, waiting, force = opts.timeout, opts.wait, opts.force_conflicts
        if switch_mode and not waiting:
            raise DeployError(
                "--switch-mode waits until kro has adopted the instance's objects before pykro drops its record",
                where="--no-wait",
                fix="Leave --no-wait out when switching modes.",
            )

        async def run(cluster: Cluster) -> Instance:
            started = time.monotonic()
            deadline = None if limit is None else started + limit
            obj = instance_object(self.graph, spec, name, cluster.namespace, self.spec_model)
            self.redactor.learn_spec(self.graph, obj["spec"])
            prepared = prepare_instance(self.graph, obj, source=f"{self.graph.kind} {obj['metadata']['name']}")
            self._learn(prepared)
            self._check_object_names(obj["metadata"]["name"], prepared)
            namespace_exists = await cluster.reachable(cluster.namespace)
            if await cluster.find_type(RGD_TYPE.api_version, RGD_TYPE.kind) is None:
                raise DeployError(
                    "kro is not installed in this cluster (no ResourceGraphDefinition CRD)",
                    where=f"context {cluster.context}",
                    fix="Install kro v0.9.3 (or use --mode direct; with --local the emulator runs a simulated kro).",
                )
            ref = InstanceRef(self.graph.name, obj["metadata"]["name"], cluster.namespace)
            # a switch from direct mode: its record is dropped once kro has the instance ready
            adopting = namespace_exists and await check_other_mode(cluster, self.graph, ref, "kro", switch_mode)
            emit = state_emitter(self.reporter, started)
            live = LiveSet(cluster)
            try:
                if not namespace_exists and self.graph.namespaced:
                    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": cluster.namespace}}
                    await cluster.apply(NAMESPACE_TYPE, ns)
                await live.track(RGD_TYPE, None, None, {"metadata.name": self.graph.name})
                await live.track(CRD_TYPE, None, None, {"metadata.name": self.crd_name})
                rgd = await cluster.apply(RGD_TYPE, self.graph.to_rgd(), force=force)
                live.put(rgd)
                emit("rgd", RGD_TYPE.kind, self.graph.name, "applied", "")
                await until(live, identity(rgd), rgd_ready, deadline, emit, "rgd")
                crd_key = identity(
                    {"apiVersion": CRD_TYPE.api_version, "kind": CRD_TYPE.kind, "metadata": {"name": self.crd_name}}
                )
                await until(live, crd_key, crd_ready, deadline, emit, "crd")
                rt = cluster.type_of_crd(live.objects[crd_key])[0]
                await live.track(rt, cluster.namespace, None, {"metadata.name": obj["metadata"]["name"]})
                applied = await cluster.apply(rt, obj, force=force)
                live.put(applied)
                emit("instance", rt.kind, obj["metadata"]["name"], "applied", "")
                key = identity(applied)
                if waiting:
                    await until(live, key, instance_ready, deadline, emit, "instance")
                    await track_children(self.graph, cluster, live, str(applied["metadata"].get("uid", "")))
                    await until(live, key, lambda o: settled(self.graph, o, live), deadline, emit, "status")
                    required = required_status(self.graph, self.status_model)
                    if required:
                        await until(live, key, status_complete(required), deadline, emit, "status")
                result = self._instance(live.objects.get(key) or applied, cluster.namespace)
                if adopting:
                    await self._finish_switch(cluster, ref, result, started)
                self.reporter.emit(
                    ProgressEvent(
                        "done",
                        state=result.state,
                        message=f"{self.graph.kind} {result.name} is {result.state}",
                        elapsed=time.monotonic() - started,
                    )
                )
                return result
            except DeployError as exc:
                if adopting:
                    kept = "The direct-mode record is kept (nothing was deleted): re-run the same command to finish."
                    exc.fix = f"{exc.fix.rstrip('.')}. {kept}" if exc.fix else kept
                    exc.args = (exc.render(),)
                self.reporter.emit(ProgressEvent("failed", message=str(exc), elapsed=time.monotonic() - started))
                raise
            finally:
                await live.close()

        return await self._with(run)

    async def _finish_switch(self, cluster: Cluster, ref: InstanceRef, result: Instance, started: float) -> None:
        """A switch from direct mode: once kro says the instance is ready, drop the direct-mode record."""
        if result.state != "ACTIVE":
            raise DeployError(
                f"kro has not made {self.graph.kind} {ref.name!r} ready (state {result.state}), so the switch from "
                "direct mode is not finished",
                where=f"namespace {ref.namespace}",
                fix="Check `pykro status` and kro's conditions on the instance.",
            )
        released = await drop_direct_record(cluster, self.graph, ref, self.options.lock_wait)
        self.reporter.emit(
            ProgressEvent(
                "switch",
                message=f"kro adopted {released} object(s) of {ref.name}; dropped the direct-mode record",
                elapsed=time.monotonic() - started,
            )
        )

    def _instance(self, obj: dict[str, Any], namespace: str) -> Instance:
        self.redactor.learn_spec(self.graph, obj.get("spec") or {})
        status = dict(obj.get("status") or {})
        meta = obj.get("metadata") or {}
        ready = condition(obj, "Ready").get("status") == "True"
        state = "ACTIVE" if status.get("state") == "ACTIVE" and ready else str(status.get("state") or "IN_PROGRESS")
        return Instance(
            name=str(meta.get("name")),
            namespace=str(meta.get("namespace") or namespace),
            composition=self.graph.name,
            mode=self.mode,
            state=state,
            status_data=self._redact_status(status),
            objects=[obj],
            status_model=self.status_model,
        )

    # ------------------------------------------------------------------------------------------ read back
    async def _instance_type(self, cluster: Cluster) -> ResourceType | None:
        return await cluster.find_type(self.graph.instance_api_version, self.graph.kind)

    async def astatus(self, name: str) -> Instance:
        check_name(name, what=f"{self.graph.kind} instance name")

        async def fn(cluster: Cluster) -> Instance:
            rt = await self._instance_type(cluster)
            obj = await cluster.get(rt, name, cluster.namespace) if rt is not None else None
            if obj is None:
                raise DeployError(
                    f"no {self.graph.kind} instance named {name!r} in namespace {cluster.namespace!r}",
                    fix="Check the name and -n/--namespace.",
                )
            return self._instance(obj, cluster.namespace)

        return await self._with(fn)

    async def ainstances(self) -> list[InstanceInfo]:
        async def fn(cluster: Cluster) -> list[InstanceInfo]:
            rt = await self._instance_type(cluster)
            if rt is None:
                return []
            items, _ = await cluster.list(rt, cluster.namespace)
            rows = []
            for obj in items:
                inst = self._instance(obj, cluster.namespace)
                rows.append(InstanceInfo(inst.name, inst.namespace, self.graph.name, self.mode, inst.state))
            return sorted(rows, key=lambda r: (r.namespace, r.name))

        return await self._with(fn)

    async def adelete(self, name: str, *, timeout: float | None = None) -> list[dict[str, Any]]:
        check_option("timeout", timeout)
        """Delete the instance CR and wait until kro has removed it (and, through its finalizer, its objects)."""
        check_name(name, what=f"{self.graph.kind} instance name")
        limit = timeout if timeout is not None else self.options.timeout

        async def fn(cluster: Cluster) -> list[dict[str, Any]]:
            started = time.monotonic()
            rt = await self._instance_type(cluster)
            live = LiveSet(cluster)
            try:
                if rt is not None:
                    await live.track(rt, cluster.namespace, None, {"metadata.name": name})
                if rt is None or not live.objects:
                    raise DeployError(
                        f"no {self.graph.kind} instance named {name!r} in namespace {cluster.namespace!r}",
                        fix="Check the name and -n/--namespace.",
                    )
                await cluster.delete(rt, name, cluster.namespace)
                self.reporter.emit(ProgressEvent("delete", kind=rt.kind, name=name, message="deleting"))
                deadline = None if limit is None else started + limit
                while live.objects:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        raise ReadinessTimeout(
                            f"{self.graph.kind} {name!r} was not deleted in time (kro's finalizer is still on it)",
                            fix="Check kro's logs; the instance's objects may be blocked by their own finalizers.",
                        )
                    await live.wait(left)
                self.reporter.emit(
                    ProgressEvent(
                        "done", message=f"deleted {self.graph.kind} {name}", elapsed=time.monotonic() - started
                    )
                )
                return []
            finally:
                await live.close()

        return await self._with(fn)

    def _check_object_names(self, name: str, prepared: dict[str, Any]) -> None:
        """Refuse, before any write, an object name the spec alone makes invalid (as direct mode does). A graph
        that cannot be expanded here is left to kro, whose own message is then reported."""
        try:
            objects = expand(self.graph, prepared, {}).objects
        except PykroError:
            return
        check_names(self.graph.kind, name, objects, where=f"{self.graph.kind} {name}")

    async def adiff(self, spec: Any, *, name: str | None = None) -> Diff:
        """What applying the RGD and the instance would change (server-side dry run where the kinds exist)."""

        async def fn(cluster: Cluster) -> Diff:
            obj = instance_object(self.graph, spec, name, cluster.namespace, self.spec_model)
            self.redactor.learn_spec(self.graph, obj["spec"])
            self._learn(prepare_instance(self.graph, obj))
            await cluster.reachable(cluster.namespace)
            diff = Diff()
            pairs: list[tuple[str, ResourceType | None, dict[str, Any]]] = [
                ("rgd", await cluster.find_type(RGD_TYPE.api_version, RGD_TYPE.kind), self.graph.to_rgd()),
                ("instance", await self._instance_type(cluster), obj),
            ]
            for rid, rt, desired in pairs:
                key = identity(desired)
                meta = desired["metadata"]
                live = await cluster.get(rt, meta["name"], meta.get("namespace")) if rt is not None else None
                if live is None:
                    diff.entries.append(DiffEntry(rid, key, "create", created_text(desired, self.graph)))
                    continue
                assert rt is not None
                after = await cluster.apply(rt, desired, dry_run=True)
                text = self.redactor.text(unified({**live, "status": None}, after, key, self.graph))
                diff.entries.append(DiffEntry(rid, key, "update" if text else "unchanged", text))
            return diff

        return await self._with(fn)


async def _rgds_with_instance(
    cluster: Cluster, name: str, namespace: str, composition: str | None
) -> list[dict[str, Any]]:
    """The RGDs (only ``composition`` when given) whose kind has an instance ``name`` in ``namespace``."""
    if await cluster.find_type(RGD_TYPE.api_version, RGD_TYPE.kind) is None:
        return []
    found: list[dict[str, Any]] = []
    for rgd in (await cluster.list(RGD_TYPE))[0]:
        rgd_name = str((rgd.get("metadata") or {}).get("name"))
        if composition and rgd_name != composition:
            continue
        schema = (rgd.get("spec") or {}).get("schema") or {}
        rt = await cluster.find_type(
            f"{schema.get('group') or 'kro.run'}/{schema.get('apiVersion')}", str(schema.get("kind"))
        )
        if rt is not None and await cluster.get(rt, name, namespace if rt.namespaced else None) is not None:
            found.append(rgd)
    return found


async def kro_instances_named(cluster: Cluster, name: str, namespace: str, composition: str | None) -> list[str]:
    """The names of the RGDs with a kro instance ``name`` in ``namespace`` (only ``composition`` when given)."""
    return sorted(str(r["metadata"]["name"]) for r in await _rgds_with_instance(cluster, name, namespace, composition))


async def graph_of_kro_instance(cluster: Cluster, name: str, namespace: str, composition: str | None) -> Graph | None:
    """The graph of the kro instance ``name`` in ``namespace``: the RGD whose kind has an instance of that name
    (None when no RGD has one; an error when several do and ``composition`` does not choose)."""
    found = await _rgds_with_instance(cluster, name, namespace, composition)
    if len(found) > 1:
        names = ", ".join(sorted(str(r["metadata"]["name"]) for r in found))
        raise DeployError(
            f"several kro instances are named {name!r} in namespace {namespace!r} (RGDs: {names})",
            fix="Pass --composition RGD_NAME to choose one.",
        )
    if not found:
        return None
    rgd = found[0]
    return Graph.from_rgd(
        {k: rgd[k] for k in ("apiVersion", "kind", "metadata", "spec") if k in rgd},
        source=f"ResourceGraphDefinition {rgd['metadata']['name']}",
        validate=False,
    )


__all__ = ["RGD_TYPE", "KroFactory", "graph_of_kro_instance", "kro_instances_named"]
