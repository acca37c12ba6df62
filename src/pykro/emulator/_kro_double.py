"""TEST DOUBLE — a simulated KRO controller for the emulator, built on pykro's own graph and runtime. It is not
kro: it exists so that pykro's KRO mode (`pykro.deploy.KroFactory`) can be exercised without a real kro, and it
only imitates kro v0.9.3's observable contract:

* registers a ResourceGraphDefinition CRD (kro.run/v1alpha1) generated here, with a permissive schema;
* for every RGD: validates it with `Graph.from_rgd` (on error: state Inactive, GraphAccepted=False with the message
  as reason InvalidResourceGraph), else creates the instance CRD (`graph.crd()`) and, once it is Established, sets
  state Active, topologicalOrder, resources and the conditions GraphAccepted, KindReady, ControllerReady, Ready;
* for every instance: adds kro's labels and finalizer, runs the graph with `pykro.runtime.expand` against the
  children it finds, creates/updates what resolved, deletes what includeWhen switched off and the forEach items
  that left their list, and writes the status
  (state, conditions, resolved fields); on deletion it removes the children in deletion waves, then its finalizer.

Enable it with ``LocalCluster(kro=True)`` or pass ``SimulatedKro()`` in ``controllers``."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from typing import Any

from pykro._kube import condition_true, now
from pykro.emulator._controller import ClusterAPI, WatchEvent
from pykro.errors import PykroError
from pykro.graph import Graph
from pykro.graph._analysis import COLLECTION, EXTERNAL, EXTERNAL_COLLECTION
from pykro.runtime import _labels as kl
from pykro.runtime import expand, identity

log = logging.getLogger(__name__)
RGD_API = "kro.run/v1alpha1"
RGD_KIND = "ResourceGraphDefinition"
CRD_API = "apiextensions.k8s.io/v1"
CRD_KIND = "CustomResourceDefinition"
_InstanceKey = tuple[str, str, str]  # (rgd name, namespace, name)


def rgd_crd() -> dict[str, Any]:
    """The ResourceGraphDefinition CRD the double serves (kro's kind and names, a permissive structural schema)."""
    open_object = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return {
        "apiVersion": CRD_API,
        "kind": CRD_KIND,
        "metadata": {"name": "resourcegraphdefinitions.kro.run"},
        "spec": {
            "group": "kro.run",
            "scope": "Cluster",
            "names": {
                "kind": RGD_KIND,
                "listKind": "ResourceGraphDefinitionList",
                "plural": "resourcegraphdefinitions",
                "singular": "resourcegraphdefinition",
                "shortNames": ["rgd"],
            },
            "versions": [
                {
                    "name": "v1alpha1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "apiVersion": {"type": "string"},
                                "kind": {"type": "string"},
                                "metadata": {"type": "object"},
                                "spec": {
                                    "type": "object",
                                    "required": ["schema"],
                                    "properties": {
                                        "schema": open_object,
                                        "resources": {"type": "array", "items": open_object},
                                    },
                                },
                                "status": open_object,
                            },
                        }
                    },
                }
            ],
        },
    }


def _cond(kind: str, ok: bool, reason: str, message: str, generation: int) -> dict[str, Any]:
    return {
        "type": kind,
        "status": "True" if ok else "False",
        "reason": reason,
        "message": message,
        "observedGeneration": generation,
        "lastTransitionTime": now(),
    }


def _same_conditions(a: list[Any], b: list[Any]) -> bool:
    strip = [{k: v for k, v in c.items() if k != "lastTransitionTime"} for c in a]
    return strip == [{k: v for k, v in c.items() if k != "lastTransitionTime"} for c in b]


def _overlay(live: Any, desired: Any) -> Any:
    """``desired`` laid over ``live`` (maps merged, everything else replaced), like an apply of the template."""
    if isinstance(live, dict) and isinstance(desired, dict):
        out = dict(live)
        for key, value in desired.items():
            out[key] = _overlay(live.get(key), value)
        return out
    return copy.deepcopy(desired)


class SimulatedKro:
    """TEST DOUBLE of kro's RGD and instance controllers (see the module docstring)."""

    name = "kro-double"

    def __init__(self, *, register_rgd_crd: bool = True) -> None:
        self.register_rgd_crd = register_rgd_crd
        self.graphs: dict[str, Graph] = {}
        self.kinds: dict[tuple[str, str], str] = {}
        self.dirty: set[_InstanceKey] = set()
        self.rgds_dirty: set[str] = set()
        self.wake = asyncio.Event()

    # ------------------------------------------------------------------------------------------ loop
    async def run(self, api: ClusterAPI) -> None:
        stream = api.watch()
        if self.register_rgd_crd and await api.get(CRD_API, CRD_KIND, "resourcegraphdefinitions.kro.run") is None:
            await api.create(rgd_crd())
        worker = asyncio.create_task(self._work(api))
        try:
            with contextlib.suppress(PykroError, KeyError, LookupError):
                for rgd in await api.list(RGD_API, RGD_KIND):
                    self.rgds_dirty.add(rgd["metadata"]["name"])
            self.wake.set()
            async for event in stream:
                self._route(event)
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    def _route(self, event: WatchEvent) -> None:
        obj = event.object
        meta = obj.get("metadata") or {}
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        if api_version == RGD_API and kind == RGD_KIND:
            self.rgds_dirty.add(str(meta.get("name")))
        elif kind == CRD_KIND:
            names = ((obj.get("spec") or {}).get("names") or {}).get("kind")
            group = (obj.get("spec") or {}).get("group")
            for rgd_name, graph in self.graphs.items():
                if graph.kind == names and graph.group == group:
                    self.rgds_dirty.add(rgd_name)
        elif (api_version, kind) in self.kinds:
            self.dirty.add((self.kinds[(api_version, kind)], str(meta.get("namespace") or ""), str(meta.get("name"))))
        else:
            labels = meta.get("labels") or {}
            if labels.get(kl.OWNED) == "true" and kl.INSTANCE_NAME in labels:
                for rgd_name, graph in self.graphs.items():
                    if graph.kind == labels.get(kl.INSTANCE_KIND) and graph.group == labels.get(kl.INSTANCE_GROUP):
                        ns = labels.get(kl.INSTANCE_NAMESPACE, "")
                        self.dirty.add((rgd_name, ns, labels[kl.INSTANCE_NAME]))
        self.wake.set()

    async def _work(self, api: ClusterAPI) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            rgds, self.rgds_dirty = self.rgds_dirty, set()
            for name in sorted(rgds):
                try:
                    await self._reconcile_rgd(api, name)
                except Exception:
                    log.exception("kro double: reconciling RGD %s failed", name)
            instances, self.dirty = self.dirty, set()
            for key in sorted(instances):
                try:
                    await self._reconcile_instance(api, key)
                except Exception:
                    log.exception("kro double: reconciling instance %s failed", key)
            await asyncio.sleep(0)

    # ------------------------------------------------------------------------------------------ RGDs
    async def _reconcile_rgd(self, api: ClusterAPI, name: str) -> None:
        rgd = await api.get(RGD_API, RGD_KIND, name)
        if rgd is None:
            graph = self.graphs.pop(name, None)
            if graph is not None:
                self.kinds.pop((graph.instance_api_version, graph.kind), None)
            return
        meta = rgd.get("metadata") or {}
        generation = int(meta.get("generation", 1))
        source = {
            "apiVersion": RGD_API,
            "kind": RGD_KIND,
            "metadata": {"name": name, "uid": meta.get("uid", "")},
            "spec": rgd.get("spec") or {},
        }
        try:
            graph = Graph.from_rgd(source)
            crd = graph.crd()
        except PykroError as exc:
            conds = [
                _cond("GraphAccepted", False, "InvalidResourceGraph", exc.render(), generation),
                _cond("Ready", False, "InvalidResourceGraph", exc.render(), generation),
            ]
            await self._rgd_status(api, rgd, {"state": "Inactive", "conditions": conds})
            return
        self.graphs[name] = graph
        self.kinds[(graph.instance_api_version, graph.kind)] = name
        live_crd = await api.get(CRD_API, CRD_KIND, crd["metadata"]["name"])
        if live_crd is None:
            live_crd = await api.create(crd)
        elif (live_crd.get("spec") or {}) != crd["spec"]:
            live_crd = await api.update({**live_crd, "spec": crd["spec"]})
        established = condition_true(live_crd, "Established")
        accepted = _cond("GraphAccepted", True, "Valid", "resource graph and schema are valid", generation)
        kind_ready = _cond(
            "KindReady",
            established,
            "Ready" if established else "Pending",
            "kind is ready" if established else "waiting for the CRD to be established",
            generation,
        )
        controller = _cond("ControllerReady", established, "Running" if established else "Pending", "", generation)
        ready = _cond("Ready", established, "Ready" if established else "Pending", "", generation)
        status = {
            "state": "Active" if established else "Inactive",
            "topologicalOrder": graph.topological_order,
            "resources": [
                {"id": rid, "dependencies": [{"id": d} for d in deps]} if deps else {"id": rid}
                for rid, deps in graph.dependencies.items()
            ],
            "conditions": [accepted, kind_ready, controller, ready],
        }
        await self._rgd_status(api, rgd, status)
        if established:
            for inst in await api.list(graph.instance_api_version, graph.kind):
                m = inst.get("metadata") or {}
                self.dirty.add((name, str(m.get("namespace") or ""), str(m.get("name"))))
            self.wake.set()

    @staticmethod
    async def _rgd_status(api: ClusterAPI, rgd: dict[str, Any], status: dict[str, Any]) -> None:
        old = rgd.get("status") or {}
        if {k: v for k, v in old.items() if k != "conditions"} == {
            k: v for k, v in status.items() if k != "conditions"
        } and _same_conditions(old.get("conditions") or [], status["conditions"]):
            return
        await api.update_status({**rgd, "status": status})

    # ------------------------------------------------------------------------------------------ instances
    async def _reconcile_instance(self, api: ClusterAPI, key: _InstanceKey) -> None:
        rgd_name, namespace, name = key
        graph = self.graphs.get(rgd_name)
        if graph is None:
            return
        inst = await api.get(graph.instance_api_version, graph.kind, name, namespace or None)
        if inst is None:
            return
        meta = inst["metadata"]
        if meta.get("deletionTimestamp"):
            await self._finalize(api, graph, inst)
            return
        labels = dict(meta.get("labels") or {})
        wanted = kl.instance_labels(graph.name, str(graph.metadata_extra.get("uid", "")))
        finalizers = list(meta.get("finalizers") or [])
        if any(labels.get(k) != v for k, v in wanted.items()) or kl.FINALIZER not in finalizers:
            meta["labels"] = {**labels, **wanted}
            meta["finalizers"] = [*finalizers, kl.FINALIZER] if kl.FINALIZER not in finalizers else finalizers
            inst = await api.update(inst)
        observed = await self._observe(api, graph, inst)
        result = expand(graph, inst, observed)
        for rid, state in result.states.items():
            node = graph.analysis.nodes[rid]
            if node.type in (EXTERNAL, EXTERNAL_COLLECTION):
                continue
            if state.state == "skipped":
                await self._delete_children(api, graph, inst, [rid])
                continue
            for desired in state.objects:
                await self._apply(api, desired)
            if node.type == COLLECTION and (state.objects or state.state == "ready"):
                await self._prune_items(api, graph, inst, rid, state.objects)
        status = dict(result.status)
        old = inst.get("status") or {}
        same = {k: v for k, v in old.items() if k != "conditions"} == {
            k: v for k, v in status.items() if k != "conditions"
        } and _same_conditions(old.get("conditions") or [], status.get("conditions") or [])
        if not same:
            await api.update_status({**inst, "status": status})

    async def _observe(self, api: ClusterAPI, graph: Graph, inst: dict[str, Any]) -> dict[str, Any]:
        """Live children by desired identity, expanding again as identities that depend on them become known."""
        observed: dict[str, Any] = {}
        for _ in range(len(graph.resources) + 1):
            result = expand(graph, inst, observed)
            found: dict[str, Any] = {}
            for rid, state in result.states.items():
                node = graph.analysis.nodes[rid]
                if node.type == EXTERNAL_COLLECTION:
                    found[rid] = await self._select(api, state.objects)
                    continue
                live = []
                for desired in state.objects:
                    m = desired.get("metadata") or {}
                    obj = await api.get(desired["apiVersion"], desired["kind"], m.get("name", ""), m.get("namespace"))
                    if obj is not None:
                        live.append(obj)
                if live:
                    found[rid] = live if node.type == COLLECTION else live[0]
            if found == observed:
                break
            observed = found
        return observed

    @staticmethod
    async def _select(api: ClusterAPI, refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for ref in refs:
            m = ref.get("metadata") or {}
            match = (m.get("selector") or {}).get("matchLabels") or {}
            selector = ",".join(f"{k}={v}" for k, v in match.items()) or None
            out.extend(await api.list(ref["apiVersion"], ref["kind"], m.get("namespace"), selector))
        return out

    @staticmethod
    async def _apply(api: ClusterAPI, desired: dict[str, Any]) -> None:
        m = desired.get("metadata") or {}
        live = await api.get(desired["apiVersion"], desired["kind"], m.get("name", ""), m.get("namespace"))
        if live is None:
            await api.create(copy.deepcopy(desired))
            return
        merged = _overlay(live, {k: v for k, v in desired.items() if k != "status"})
        if merged != live:
            await api.update(merged)

    async def _children(self, api: ClusterAPI, graph: Graph, inst: dict[str, Any], rid: str) -> list[dict[str, Any]]:
        node = graph.analysis.nodes[rid]
        body = node.resource.body
        meta = inst["metadata"]
        selector = f"{kl.INSTANCE_NAME}={meta['name']},{kl.NODE_ID}={rid}"
        if "${" in str(body.get("apiVersion", "")) + str(body.get("kind", "")):
            return []
        try:
            found = await api.list(str(body["apiVersion"]), str(body["kind"]), None, selector)
        except Exception:
            return []
        uid = str(meta.get("uid", ""))
        return [o for o in found if ((o.get("metadata") or {}).get("labels") or {}).get(kl.INSTANCE_ID) == uid]

    async def _prune_items(
        self, api: ClusterAPI, graph: Graph, inst: dict[str, Any], rid: str, desired: list[dict[str, Any]]
    ) -> None:
        """Delete the forEach items that left the list (kro prunes them through its applyset)."""
        wanted = {identity(o, namespace=False) for o in desired}
        for obj in await self._children(api, graph, inst, rid):
            m = obj["metadata"]
            if identity(obj, namespace=False) not in wanted and not m.get("deletionTimestamp"):
                await api.delete(obj["apiVersion"], obj["kind"], m["name"], m.get("namespace"))

    async def _delete_children(self, api: ClusterAPI, graph: Graph, inst: dict[str, Any], rids: list[str]) -> int:
        count = 0
        for rid in rids:
            for obj in await self._children(api, graph, inst, rid):
                m = obj["metadata"]
                if not m.get("deletionTimestamp"):
                    await api.delete(obj["apiVersion"], obj["kind"], m["name"], m.get("namespace"))
                count += 1
        return count

    async def _finalize(self, api: ClusterAPI, graph: Graph, inst: dict[str, Any]) -> None:
        """Delete the children wave by wave (a wave only once the previous one is gone), then drop the finalizer."""
        for wave in graph.deletion_waves():
            wave = [rid for rid in wave if graph.analysis.nodes[rid].type not in (EXTERNAL, EXTERNAL_COLLECTION)]
            if await self._delete_children(api, graph, inst, wave):
                return
        meta = inst["metadata"]
        meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != kl.FINALIZER]
        await api.update(inst)


__all__ = ["SimulatedKro", "rgd_crd"]
