"""The emulated apiserver's operations on the store — create, get, list, update, patch, apply, delete — with
admission, optimistic concurrency, generation, managedFields, finalizers, garbage collection and namespace
lifecycle. HTTP handlers and the in-process ClusterAPI both call `Engine`; every method runs on the event loop and
never awaits, so each request is atomic.

`Engine` is one class built in layers, one module per concern, each calling only itself and the layers below:
`base` (state, lookups, reads) → `deletion` (delete, finalizers, garbage collection, namespace termination) →
`writes` (create, admission, storage) → `scale` → `updates` (update, patch, apply) → `Engine` (bootstrap,
restore, events)."""

from __future__ import annotations

from typing import Any

from pykro._kube import now
from pykro.emulator._engine.base import SYSTEM_NAMESPACES, ListResult, WriteOptions
from pykro.emulator._engine.updates import Updates

__all__ = ["Engine", "ListResult", "WriteOptions"]


class Engine(Updates):
    """All cluster state and the apiserver's write semantics."""

    # bootstrap ---------------------------------------------------------------------------------------------------
    def bootstrap(self) -> None:
        """The objects every cluster has: system namespaces, the `kubernetes` service, one node."""
        ns_type = self._type("v1", "Namespace")
        for name in SYSTEM_NAMESPACES:
            if self.store.get(ns_type.key, "", name) is None:
                self.create(ns_type, None, {"metadata": {"name": name}}, WriteOptions(manager="kube-apiserver"))
        svc = self._type("v1", "Service")
        if self.store.get(svc.key, "default", "kubernetes") is None:
            ip = str(self.ips.net.network_address + 1)
            self.ips.used.discard(ip)  # reserved for this service
            body = {
                "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
                "spec": {"clusterIP": ip, "ports": [{"name": "https", "port": 443, "targetPort": 6443}]},
            }
            self.create(svc, "default", body, WriteOptions(manager="kube-apiserver"))

    def restore(self) -> None:
        """Rebuild derived state after objects were loaded into the store (CRDs served, IPs reserved)."""
        crd = self._type("apiextensions.k8s.io/v1", "CustomResourceDefinition")
        svc = self._type("v1", "Service")
        for rt, act in ((crd, self.registry.serve_crd), (svc, self.ips.restore)):
            table = self.store.tables.get(rt.key)
            for space, names in list(table.by_ns.items()) if table else ():
                for name in list(names):
                    obj = self.store.get(rt.key, space, name)
                    if obj is not None:
                        act(obj)

    # events -----------------------------------------------------------------------------------------------------
    def record_event(
        self, involved: dict[str, Any], reason: str, message: str, type: str, component: str
    ) -> dict[str, Any]:
        """Write a v1 Event about `involved` and its events.k8s.io/v1 twin (same name)."""
        meta = involved.get("metadata") or {}
        ns = meta.get("namespace") or "default"
        name = f"{meta.get('name', 'object')}.{self.rng.getrandbits(64):016x}"
        ts = now()
        micro = now(micro=True)
        ref = {
            "kind": involved.get("kind"),
            "namespace": meta.get("namespace"),
            "name": meta.get("name"),
            "uid": meta.get("uid"),
            "apiVersion": involved.get("apiVersion"),
            "resourceVersion": meta.get("resourceVersion"),
        }
        ref = {k: v for k, v in ref.items() if v}
        core = {
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": ref,
            "reason": reason,
            "message": message,
            "source": {"component": component},
            "firstTimestamp": ts,
            "lastTimestamp": ts,
            "count": 1,
            "type": type,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": "",
        }
        opts = WriteOptions(manager=component, field_validation="Ignore")
        created = self.create(self._type("v1", "Event"), ns, core, opts)
        twin = {
            "metadata": {"name": name, "namespace": ns},
            "eventTime": micro,
            "reportingController": component,
            "reportingInstance": component,
            "action": reason,
            "reason": reason,
            "regarding": ref,
            "note": message,
            "type": type,
        }
        self.create(self._type("events.k8s.io/v1", "Event"), ns, twin, opts)
        return created
