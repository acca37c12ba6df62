"""KRO mode: `KroFactory` hands the graph to kro. Deploy = apply the RGD (server-side apply), wait until kro
accepts it (state Active; GraphAccepted=False is terminal and carries kro's message) and the generated CRD is
Established, apply the instance CR, wait for ``status.state == ACTIVE`` and Ready=True, and hydrate the status
from the CR."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from pykro import yamlio
from pykro.deploy import readiness
from pykro.deploy.api import CRD_TYPE, NAMESPACE_TYPE, Cluster, ResourceType
from pykro.deploy.base import FactoryBase
from pykro.deploy.direct import Diff, DiffEntry, _unified, created_text, instance_object
from pykro.deploy.engine import _conditions_text
from pykro.deploy.errors import DeployError, ReadinessTimeout, ResourceFailed
from pykro.deploy.handle import Instance, InstanceInfo
from pykro.deploy.live import LiveSet
from pykro.deploy.names import check_name
from pykro.deploy.progress import ProgressEvent
from pykro.deploy.sync import run_sync
from pykro.errors import PykroError
from pykro.graph import Graph
from pykro.graph.analysis import EXTERNAL, EXTERNAL_COLLECTION
from pykro.graph.crd import plural_of
from pykro.runtime import expand, identity, observed_from_objects, prepare_instance
from pykro.runtime import labels as kro_labels

T = TypeVar("T")
RGD_TYPE = ResourceType("kro.run/v1alpha1", "ResourceGraphDefinition", "resourcegraphdefinitions", False)


def _refuse_direct_options(resource_timeout: float | None, on_failure: str | None, prune: bool) -> None:
    """Direct-mode options kro cannot honour are errors, never ignored (``prune=False`` only exists in
    `DeployOptions`)."""
    for given, option, why in (
        (resource_timeout is not None, "--resource-timeout", "kro decides itself how long each resource may take"),
        (on_failure == "rollback", "--on-failure rollback", "kro keeps what it created when a resource fails"),
        (not prune, "DeployOptions(prune=False)", "kro always prunes what left the graph"),
    ):
        if given:
            raise DeployError(
                f"{option} is not supported with --mode kro: {why}",
                where=option.split()[0],
                fix="Drop the option, or deploy with --mode direct.",
            )


def _condition(obj: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    for cond in ((obj or {}).get("status") or {}).get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == kind:
            return cond
    return {}


def _current(obj: dict[str, Any], cond: dict[str, Any]) -> bool:
    """The condition speaks about the object's current generation (or does not say)."""
    observed = cond.get("observedGeneration")
    generation = (obj.get("metadata") or {}).get("generation")
    return observed is None or generation is None or int(observed) >= int(generation)


class KroFactory(FactoryBase):
    """Deploys instances of ``graph`` through kro (the cluster must run kro, or the emulator's simulated one)."""

    mode = "kro"

    def __init__(self, graph: Graph, **options: Any) -> None:
        super().__init__(graph, **options)
        self.crd_name = f"{plural_of(graph.kind)}.{graph.group}"

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
        on_failure: str | None = None,
        force_conflicts: bool | None = None,
    ) -> Instance:
        """Apply the RGD, wait for kro to serve the kind, apply the instance and wait until kro says it is ready.
        ``resource_timeout`` and ``on_failure="rollback"`` are direct-mode options: kro decides per resource and
        keeps what it created, so they are refused here rather than ignored."""
        _refuse_direct_options(
            resource_timeout if resource_timeout is not None else self.options.resource_timeout,
            on_failure or self.options.on_failure,
            self.options.prune,
        )
        limit = timeout if timeout is not None else self.options.timeout
        waiting = wait if wait is not None else self.options.wait
        force = force_conflicts if force_conflicts is not None else self.options.force_conflicts

        async def run(cluster: Cluster) -> Instance:
            started = time.monotonic()
            deadline = None if limit is None else started + limit
            obj = instance_object(self.graph, spec, name, cluster.namespace, self.spec_model)
            self.redactor.learn_spec(self.graph, obj["spec"])
            self._learn(prepare_instance(self.graph, obj, source=f"{self.graph.kind} {obj['metadata']['name']}"))
            namespace_exists = await cluster.reachable(cluster.namespace)
            if await cluster.find_type(RGD_TYPE.api_version, RGD_TYPE.kind) is None:
                raise DeployError(
                    "kro is not installed in this cluster (no ResourceGraphDefinition CRD)",
                    where=f"context {cluster.context}",
                    fix="Install kro v0.9.3 (or use --mode direct; with --local the emulator runs a simulated kro).",
                )
            emit = self._emitter(started)
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
                await self._until(live, identity(rgd), self._rgd_ready, deadline, emit, "rgd")
                crd_key = identity(
                    {"apiVersion": CRD_TYPE.api_version, "kind": CRD_TYPE.kind, "metadata": {"name": self.crd_name}}
                )
                await self._until(live, crd_key, self._crd_ready, deadline, emit, "crd")
                rt = cluster.type_of_crd(live.objects[crd_key])[0]
                await live.track(rt, cluster.namespace, None, {"metadata.name": obj["metadata"]["name"]})
                applied = await cluster.apply(rt, obj, force=force)
                live.put(applied)
                emit("instance", rt.kind, obj["metadata"]["name"], "applied", "")
                key = identity(applied)
                if waiting:
                    await self._until(live, key, self._instance_ready, deadline, emit, "instance")
                    await self._track_children(cluster, live, str(applied["metadata"].get("uid", "")))
                    await self._until(live, key, lambda o: self._settled(o, live), deadline, emit, "status")
                    if self._required:
                        await self._until(live, key, self._status_complete, deadline, emit, "status")
                result = self._instance(live.objects.get(key) or applied, cluster.namespace)
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
                self.reporter.emit(ProgressEvent("failed", message=str(exc), elapsed=time.monotonic() - started))
                raise
            finally:
                await live.close()

        return await self._with(run)

    def deploy(self, spec: Any, **kwargs: Any) -> Instance:
        return run_sync(self.adeploy(spec, **kwargs))

    def _emitter(self, started: float) -> Callable[[str, str, str, str, str], None]:
        shown: dict[str, tuple[str, str]] = {}

        def emit(rid: str, kind: str, name: str, state: str, detail: str) -> None:
            if shown.get(rid) == (state, detail):
                return
            shown[rid] = (state, detail)
            self.reporter.emit(
                ProgressEvent(
                    "state",
                    resource=rid,
                    kind=kind,
                    name=name,
                    state=state,
                    waiting_on=detail,
                    elapsed=time.monotonic() - started,
                )
            )

        return emit

    @staticmethod
    def _rgd_ready(obj: dict[str, Any] | None) -> tuple[str, str]:
        if obj is None:
            return "waiting", "not found"
        accepted = _condition(obj, "GraphAccepted")
        if accepted.get("status") == "False" and _current(obj, accepted):
            return "failed", str(accepted.get("message") or accepted.get("reason") or "graph not accepted")
        state = (obj.get("status") or {}).get("state")
        ready = _condition(obj, "Ready")
        if state == "Active" and (not ready or (ready.get("status") == "True" and _current(obj, ready))):
            return "ready", ""
        return "in progress", f"state {state or 'unknown'}; conditions {_conditions_text(obj)}"

    @staticmethod
    def _crd_ready(obj: dict[str, Any] | None) -> tuple[str, str]:
        if obj is None:
            return "waiting", "kro has not created the CRD yet"
        return (
            ("ready", "") if _condition(obj, "Established").get("status") == "True" else ("in progress", "Established")
        )

    async def _track_children(self, cluster: Cluster, live: LiveSet, uid: str) -> None:
        """Watch the objects kro made for the instance (kro labels them with the instance's uid)."""
        kinds = {
            (r.api_version, r.kind)
            for rid, r in ((r.id, r) for r in self.graph.resources)
            if "${" not in r.api_version + r.kind
            and self.graph.analysis.nodes[rid].type not in (EXTERNAL, EXTERNAL_COLLECTION)
        }
        for api_version, kind in sorted(kinds):
            rt = await cluster.find_type(api_version, kind)
            if rt is not None:
                await live.track(rt, cluster.namespace if rt.namespaced else None, {kro_labels.INSTANCE_ID: uid})

    def _settled(self, obj: dict[str, Any] | None, live: LiveSet) -> tuple[str, str]:
        """kro reports ACTIVE as soon as its readyWhen rules hold, with the status it computed before the children
        it just updated moved (``ready: false`` right after scaling up). Settled: every child is ready by the same
        rules as direct mode, and the status fields kro wrote are what the graph's status expressions give for the
        children as they are now (fields pykro cannot evaluate locally are not compared)."""
        if obj is None:
            return "waiting", "not found"
        uid = str((obj.get("metadata") or {}).get("uid", ""))
        children = [
            o
            for o in live.objects.values()
            if ((o.get("metadata") or {}).get("labels") or {}).get(kro_labels.INSTANCE_ID) == uid
        ]
        for child in children:
            health = readiness.assess(child)
            if not health.ready:
                meta = child.get("metadata") or {}
                return "in progress", f"{child.get('kind')}/{meta.get('name')}: {health.message}"
        try:
            bare: dict[str, Any] = {k: obj[k] for k in ("apiVersion", "kind", "metadata", "spec") if k in obj}
            expected = expand(self.graph, bare, observed_from_objects(self.graph, bare, children)).status
        except PykroError:
            return "ready", ""
        actual = obj.get("status") or {}
        stale = sorted(
            k
            for k, v in json.loads(json.dumps(expected)).items()
            if k not in ("conditions", "state") and actual.get(k) != v
        )
        if stale:
            return "in progress", "kro has not updated the status fields yet: " + ", ".join(stale)
        return "ready", ""

    @property
    def _required(self) -> list[str]:
        """Status fields the typed status needs (by their CRD names): kro reports ACTIVE before the status
        expressions over not-yet-populated fields resolve, so deploy also waits for these."""
        if self.status_model is None:
            return []
        return [
            info.alias or name
            for name, info in self.status_model.model_fields.items()
            if info.is_required() and (info.alias or name) in self.graph.status
        ]

    def _status_complete(self, obj: dict[str, Any] | None) -> tuple[str, str]:
        status = (obj or {}).get("status") or {}
        missing = [f for f in self._required if f not in status]
        return (
            ("ready", "") if not missing else ("in progress", "status fields not resolved yet: " + ", ".join(missing))
        )

    @staticmethod
    def _instance_ready(obj: dict[str, Any] | None) -> tuple[str, str]:
        if obj is None:
            return "waiting", "not found"
        status = obj.get("status") or {}
        ready = _condition(obj, "Ready")
        if status.get("state") == "ACTIVE" and ready.get("status") == "True" and _current(obj, ready):
            return "ready", ""
        message = str(ready.get("message") or "waiting for kro").splitlines()[0]
        return "in progress", f"state {status.get('state') or 'unknown'}: {message}"

    async def _until(
        self,
        live: LiveSet,
        key: str,
        check: Callable[[dict[str, Any] | None], tuple[str, str]],
        deadline: float | None,
        emit: Callable[[str, str, str, str, str], None],
        rid: str,
    ) -> None:
        kind = key.split("/")[-3]
        name = key.rsplit("/", 1)[-1]
        while True:
            state, detail = check(live.objects.get(key))
            emit(rid, kind, name, state, detail)
            if state == "ready":
                return
            if state == "failed":
                raise ResourceFailed(
                    f"kro rejected the {rid} {name!r}: {detail}",
                    where=key,
                    fix="Fix the graph (`pykro rgd validate` shows the same error offline) and deploy again.",
                )
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise ReadinessTimeout(
                    f"{rid} {name!r} was not ready in time: {detail}",
                    where=key,
                    fix="Check kro's logs and the object's conditions; raise --timeout if it is just slow.",
                )
            await live.wait(left)

    def _instance(self, obj: dict[str, Any], namespace: str) -> Instance:
        self.redactor.learn_spec(self.graph, obj.get("spec") or {})
        status = dict(obj.get("status") or {})
        meta = obj.get("metadata") or {}
        ready = _condition(obj, "Ready").get("status") == "True"
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

    def status(self, name: str) -> Instance:
        return run_sync(self.astatus(name))

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

    def instances(self) -> list[InstanceInfo]:
        return run_sync(self.ainstances())

    async def adelete(self, name: str, *, timeout: float | None = None) -> list[dict[str, Any]]:
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

    def delete(self, name: str, **kwargs: Any) -> list[dict[str, Any]]:
        return run_sync(self.adelete(name, **kwargs))

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
                text = self.redactor.text(_unified({**live, "status": None}, after, key, self.graph))
                diff.entries.append(DiffEntry(rid, key, "update" if text else "unchanged", text))
            return diff

        return await self._with(fn)

    def diff(self, spec: Any, **kwargs: Any) -> Diff:
        return run_sync(self.adiff(spec, **kwargs))


async def graph_of_kro_instance(cluster: Cluster, name: str, namespace: str, composition: str | None) -> Graph | None:
    """The graph of the kro instance ``name`` in ``namespace``: the RGD whose kind has an instance of that name
    (None when no RGD has one; an error when several do and ``composition`` does not choose)."""
    if await cluster.find_type(RGD_TYPE.api_version, RGD_TYPE.kind) is None:
        return None
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


__all__ = ["RGD_TYPE", "KroFactory", "graph_of_kro_instance"]
