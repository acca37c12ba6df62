"""Offline stand-in for a cluster: what an object typically looks like once its controllers have made it ready, so
an expansion can show dependents and status that read live fields (readyReplicas, clusterIP, ...)."""

from __future__ import annotations

import copy
import hashlib
import uuid
from typing import Any


def _digest(obj: dict[str, Any]) -> bytes:
    meta = obj.get("metadata") or {}
    key = "/".join(str(x) for x in (obj.get("apiVersion"), obj.get("kind"), meta.get("namespace"), meta.get("name")))
    return hashlib.sha256(key.encode()).digest()


def _ip(obj: dict[str, Any], prefix: str) -> str:
    d = _digest(obj)
    return f"{prefix}.{d[0] % 250 + 1}.{d[1] % 250 + 1}"


def _available(kind: str) -> list[dict[str, Any]]:
    return [
        {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
         "message": f"{kind} has minimum availability."},
        {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
         "message": f"{kind} has successfully progressed."},
    ]  # fmt: skip


def simulate_ready(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` as a cluster would report it once ready: server metadata and a typical ready status for
    built-in kinds (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Service, Ingress, PVC, PV, Pod, Namespace,
    CRD). Other kinds are returned with server metadata only (existing counts as ready for them)."""
    live = copy.deepcopy(obj)
    meta = live.setdefault("metadata", {})
    meta.setdefault("uid", str(uuid.UUID(bytes=_digest(obj)[:16], version=4)))
    meta.setdefault("resourceVersion", "1")
    meta.setdefault("generation", 1)
    spec = live.get("spec") or {}
    kind = live.get("kind")
    status: dict[str, Any] | None = None
    if kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        n = int(spec.get("replicas", 1) or 0)
        status = {"observedGeneration": 1, "replicas": n, "readyReplicas": n, "availableReplicas": n,
                  "updatedReplicas": n}  # fmt: skip
        if kind == "StatefulSet":
            status["currentReplicas"] = n
        if kind == "Deployment":
            status["conditions"] = _available(kind)
    elif kind == "DaemonSet":
        status = {"observedGeneration": 1, "desiredNumberScheduled": 1, "currentNumberScheduled": 1,
                  "numberReady": 1, "numberAvailable": 1, "updatedNumberScheduled": 1}  # fmt: skip
    elif kind == "Job":
        status = {"succeeded": int(spec.get("completions", 1) or 1),
                  "conditions": [{"type": "Complete", "status": "True"}]}  # fmt: skip
    elif kind == "Service":
        live_spec = live.setdefault("spec", {})
        if live_spec.get("clusterIP") != "None":
            live_spec.setdefault("clusterIP", _ip(obj, "10.96"))
            live_spec.setdefault("clusterIPs", [live_spec["clusterIP"]])
        live_spec.setdefault("type", "ClusterIP")
        ingress = [{"ip": _ip(obj, "203.0")}] if live_spec["type"] == "LoadBalancer" else []
        status = {"loadBalancer": {"ingress": ingress} if ingress else {}}
    elif kind == "Ingress":
        status = {"loadBalancer": {"ingress": [{"ip": _ip(obj, "203.0")}]}}
    elif kind in ("PersistentVolumeClaim", "PersistentVolume"):
        status = {"phase": "Bound"}
    elif kind == "Pod":
        status = {"phase": "Running", "podIP": _ip(obj, "10.244"),
                  "conditions": [{"type": "Ready", "status": "True"}]}  # fmt: skip
    elif kind == "Namespace":
        status = {"phase": "Active"}
    elif kind == "CustomResourceDefinition":
        status = {"acceptedNames": copy.deepcopy(spec.get("names") or {}),
                  "conditions": [{"type": "Established", "status": "True"},
                                 {"type": "NamesAccepted", "status": "True"}]}  # fmt: skip
    if status is not None:
        live["status"] = {**status, **(live.get("status") or {})}
    return live
