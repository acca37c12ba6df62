"""Offline stand-in for a cluster: what an object typically looks like once its controllers have made it ready, so
an expansion can show dependents and status that read live fields (readyReplicas, clusterIP, ...)."""

from __future__ import annotations

import copy
import hashlib
import uuid
from typing import Any

__all__ = ["simulate_ready"]


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


# Simulated objects carry this fixed time (an expansion must give the same object on every pass).
SIMULATED_TIME = "2000-01-01T00:00:00Z"


def _job_status(spec: dict[str, Any]) -> dict[str, Any]:
    """A completed Job as the job controller (and pykro's emulator) reports it: counts, start and completion times,
    and the SuccessCriteriaMet/Complete conditions."""
    message = "Reached expected number of succeeded pods"
    conditions = [
        {"type": kind, "status": "True", "lastProbeTime": SIMULATED_TIME, "lastTransitionTime": SIMULATED_TIME,
         "reason": "CompletionsReached", "message": message}
        for kind in ("SuccessCriteriaMet", "Complete")
    ]  # fmt: skip
    return {
        "startTime": SIMULATED_TIME,
        "completionTime": SIMULATED_TIME,
        "succeeded": int(spec.get("completions", 1) or 1),
        "ready": 0,
        "terminating": 0,
        "uncountedTerminatedPods": {},
        "conditions": conditions,
    }


def _pod_defaults(pod_spec: dict[str, Any]) -> None:
    for key, value in (
        ("restartPolicy", "Always"),
        ("terminationGracePeriodSeconds", 30),
        ("dnsPolicy", "ClusterFirst"),
        ("securityContext", {}),
        ("schedulerName", "default-scheduler"),
    ):
        pod_spec.setdefault(key, value)
    for container in pod_spec.get("containers") or []:
        image = str(container.get("image", ""))
        latest = ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")
        container.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        container.setdefault("resources", {})


def _deployment_defaults(spec: dict[str, Any]) -> None:
    """The API server's defaults for apps/v1 Deployments (pkg/apis/apps/v1/defaults.go)."""
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    strategy = spec.setdefault("strategy", {"type": "RollingUpdate"})
    if strategy.get("type", "RollingUpdate") == "RollingUpdate":
        strategy.setdefault("type", "RollingUpdate")
        strategy.setdefault("rollingUpdate", {"maxSurge": "25%", "maxUnavailable": "25%"})
    template = spec.setdefault("template", {})
    _pod_defaults(template.setdefault("spec", {}))


def simulate_ready(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` as a cluster would report it once ready: server metadata and a typical ready status for
    built-in kinds (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Service, Ingress, PVC, PV, Pod, Namespace,
    CRD), and the API server's defaults for Deployments. Other kinds get server metadata only (existing counts as
    ready for them)."""
    live = copy.deepcopy(obj)
    meta = live.setdefault("metadata", {})
    meta.setdefault("uid", str(uuid.UUID(bytes=_digest(obj)[:16], version=4)))
    meta.setdefault("resourceVersion", "1")
    meta.setdefault("generation", 1)
    spec = live.get("spec") or {}
    kind = live.get("kind")
    status: dict[str, Any] | None = None
    if kind == "Deployment" and isinstance(live.get("spec"), dict):
        _deployment_defaults(live["spec"])
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
        status = _job_status(spec)
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
