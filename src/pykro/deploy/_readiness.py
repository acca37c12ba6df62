"""Per-kind readiness of live objects in the spirit of kstatus (sigs.k8s.io/cli-utils/pkg/kstatus): every rule in
one place. `assess(obj)` says whether an object is Current (ready), InProgress (with what it waits for) or Failed
(a terminal condition). The graph's readyWhen is applied on top of this by the runtime."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pykro._kube import condition, condition_true

__all__ = ["Health", "assess"]

Phase = Literal["current", "in_progress", "failed"]


@dataclass(frozen=True)
class Health:
    """The verdict on one object: ``phase`` and, unless current, what it is waiting for or why it failed."""

    phase: Phase
    message: str = ""

    @property
    def ready(self) -> bool:
        return self.phase == "current"


CURRENT = Health("current")


def _waiting(message: str) -> Health:
    return Health("in_progress", message)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _generation(obj: dict[str, Any]) -> Health | None:
    """In progress while the controller has not observed the latest generation (when it reports one)."""
    status = obj.get("status") or {}
    generation = (obj.get("metadata") or {}).get("generation")
    observed = status.get("observedGeneration")
    if generation is not None and observed is not None and _int(observed) < _int(generation):
        return _waiting(f"observedGeneration {observed} < generation {generation}")
    return None


def _deployment(obj: dict[str, Any]) -> Health:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    progressing = condition(obj, "Progressing") or {}
    if progressing.get("status") == "False" and progressing.get("reason") == "ProgressDeadlineExceeded":
        return Health("failed", str(progressing.get("message") or "progress deadline exceeded"))
    if "observedGeneration" not in status:
        return _waiting("waiting for the controller to observe the Deployment")
    want = _int(spec.get("replicas", 1))
    for field in ("updatedReplicas", "readyReplicas", "availableReplicas"):
        if _int(status.get(field)) < want:
            return _waiting(f"{field} {_int(status.get(field))}/{want}")
    if _int(status.get("replicas")) > want:
        return _waiting(f"old replicas pending termination: {_int(status.get('replicas')) - want}")
    available = condition(obj, "Available")
    if available is not None and available.get("status") != "True":
        return _waiting(f"Available={available.get('status')}: {available.get('message', '')}".rstrip(": "))
    return CURRENT


def _replicated(obj: dict[str, Any]) -> Health:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if "observedGeneration" not in status:
        return _waiting(f"waiting for the controller to observe the {obj.get('kind')}")
    want = _int(spec.get("replicas", 1))
    fields = ["readyReplicas", "availableReplicas"]
    if obj.get("kind") == "StatefulSet":
        fields = ["readyReplicas", "updatedReplicas" if "updatedReplicas" in status else "currentReplicas"]
    for field in fields:
        if _int(status.get(field)) < want:
            return _waiting(f"{field} {_int(status.get(field))}/{want}")
    return CURRENT


def _daemon_set(obj: dict[str, Any]) -> Health:
    status = obj.get("status") or {}
    if "observedGeneration" not in status:
        return _waiting("waiting for the controller to observe the DaemonSet")
    want = _int(status.get("desiredNumberScheduled"))
    for field in ("currentNumberScheduled", "updatedNumberScheduled", "numberAvailable", "numberReady"):
        if _int(status.get(field)) < want:
            return _waiting(f"{field} {_int(status.get(field))}/{want}")
    return CURRENT


def _job(obj: dict[str, Any]) -> Health:
    failed = condition(obj, "Failed")
    if failed is not None and failed.get("status") == "True":
        return Health("failed", str(failed.get("message") or failed.get("reason") or "Job failed"))
    if condition_true(obj, "Complete"):
        return CURRENT
    status = obj.get("status") or {}
    want = _int((obj.get("spec") or {}).get("completions", 1))
    return _waiting(f"succeeded {_int(status.get('succeeded'))}/{want}")


def _pod(obj: dict[str, Any]) -> Health:
    status = obj.get("status") or {}
    phase = status.get("phase")
    if phase == "Succeeded":
        return CURRENT
    if phase == "Failed":
        return Health("failed", str(status.get("message") or status.get("reason") or "Pod failed"))
    for cs in status.get("containerStatuses") or []:
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in ("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull"):
            return Health("failed", f"container {cs.get('name')}: {waiting.get('reason')}")
    if condition_true(obj, "Ready"):
        return CURRENT
    return _waiting(f"pod phase {phase or 'Pending'}")


def _claim(obj: dict[str, Any]) -> Health:
    phase = (obj.get("status") or {}).get("phase")
    if phase == "Bound":
        return CURRENT
    if phase in ("Lost", "Failed"):
        return Health("failed", f"phase {phase}")
    return _waiting(f"phase {phase or 'Pending'} (waiting for Bound)")


def _service(obj: dict[str, Any]) -> Health:
    spec = obj.get("spec") or {}
    if spec.get("type") == "LoadBalancer":
        ingress = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress")
        if not ingress:
            return _waiting("waiting for a load balancer ingress")
    elif spec.get("type", "ClusterIP") == "ClusterIP" and not spec.get("clusterIP"):
        return _waiting("waiting for a cluster IP")
    return CURRENT


def _crd(obj: dict[str, Any]) -> Health:
    names = condition(obj, "NamesAccepted") or {}
    if names.get("status") == "False":
        return Health("failed", str(names.get("message") or "names not accepted"))
    if condition_true(obj, "Established"):
        return CURRENT
    return _waiting("waiting for Established")


def _namespace(obj: dict[str, Any]) -> Health:
    phase = (obj.get("status") or {}).get("phase")
    return CURRENT if phase in (None, "Active") else _waiting(f"phase {phase}")


def _generic(obj: dict[str, Any]) -> Health:
    """kstatus' generic rules: Stalled=True fails, Reconciling=True waits, a Ready condition must be True."""
    stalled, reconciling = condition(obj, "Stalled") or {}, condition(obj, "Reconciling") or {}
    if stalled.get("status") == "True":
        return Health("failed", str(stalled.get("message") or "Stalled"))
    if reconciling.get("status") == "True":
        return _waiting(str(reconciling.get("message") or "Reconciling"))
    ready = condition(obj, "Ready")
    if ready is not None and ready.get("status") != "True":
        reason = ready.get("reason") or ""
        if ready.get("status") == "False" and reason in ("Failed", "Error"):
            return Health("failed", str(ready.get("message") or reason))
        return _waiting(f"Ready={ready.get('status')}: {ready.get('message') or reason}".rstrip(": "))
    return CURRENT


_RULES = {
    "Deployment": _deployment,
    "StatefulSet": _replicated,
    "ReplicaSet": _replicated,
    "DaemonSet": _daemon_set,
    "Job": _job,
    "Pod": _pod,
    "PersistentVolumeClaim": _claim,
    "Service": _service,
    "CustomResourceDefinition": _crd,
    "Namespace": _namespace,
}


def assess(obj: dict[str, Any] | None) -> Health:
    """Is ``obj`` ready? (None: it does not exist yet.)"""
    if obj is None:
        return _waiting("not found")
    if (obj.get("metadata") or {}).get("deletionTimestamp"):
        return _waiting("being deleted")
    stale = _generation(obj)
    if stale is not None:
        return stale
    return _RULES.get(str(obj.get("kind", "")), _generic)(obj)
