"""The simulated kubelet and scheduler: pods are bound to the simulated node, wait for their claims, then run (or
complete, for a Job's pods), stay pending ("never") or crash-loop / fail ("fail") after their delay."""

from __future__ import annotations

import copy
import hashlib
from typing import TYPE_CHECKING, Any

from pykro._kube import condition_true
from pykro._kube import now as now_rfc3339
from pykro.emulator._simulation.objects import (
    Obj,
    controller_ref,
    deep_merge,
    deleting,
    key_of,
    meta,
    owner_reference,
    set_condition,
    uid,
)

if TYPE_CHECKING:
    from pykro.emulator._simulation.simulator import Simulator

__all__ = ["NODE_IP", "pod_done", "pod_from_template", "pod_ready", "reconcile_pod", "uid_hex"]

NODE_IP = "10.0.0.10"
KUBELET = "kubelet"


def pod_from_template(sim: Simulator, owner: Obj, template: dict[str, Any], labels: dict[str, str]) -> Obj:
    """A Pod for `owner` from a pod template, already bound to the simulated node (name left to the caller)."""
    tmeta = template.get("metadata") or {}
    spec = copy.deepcopy(template.get("spec") or {})
    spec.setdefault("nodeName", sim.rules.node_name)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("schedulerName", "default-scheduler")
    metadata: dict[str, Any] = {
        "namespace": meta(owner).get("namespace"),
        "labels": {**(tmeta.get("labels") or {}), **labels},
        "ownerReferences": [owner_reference(owner)],
    }
    if tmeta.get("annotations"):
        metadata["annotations"] = dict(tmeta["annotations"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def pod_ready(pod: Obj) -> bool:
    return not deleting(pod) and pod.get("status", {}).get("phase") == "Running" and condition_true(pod, "Ready")


def pod_done(pod: Obj) -> bool:
    return pod.get("status", {}).get("phase") in ("Succeeded", "Failed")


async def reconcile_pod(sim: Simulator, pod: Obj) -> None:
    if deleting(pod) or pod_done(pod) or pod_ready(pod):
        return
    spec = pod.get("spec") or {}
    if not spec.get("nodeName"):
        await _bind(sim, pod)
        return
    rule, delay, _ = await sim.pod_plan(pod)
    outcome = rule.outcome if rule is not None else "ready"
    waiting = await _unbound_claims(sim, pod)
    due = sim.elapsed(key_of(pod), f"{uid(pod)}/pod", delay) and not waiting
    ref = controller_ref(pod)
    completes = ref is not None and ref.get("kind") == "Job"
    old = pod.get("status") or {}
    if not due or outcome == "never":
        stage = "pending"
    elif completes:
        stage = "succeeded" if outcome == "ready" else "failed"
    else:
        stage = "running" if outcome == "ready" else "crashing"
    status = _status(pod, stage, waiting, rule.status if rule is not None and due else None)
    if not await sim.write_status(pod, status):
        return
    name = f"{meta(pod).get('namespace')}/{meta(pod)['name']}"
    if "startTime" not in old:
        await sim.event(pod, "Scheduled", f"Successfully assigned {name} to {spec['nodeName']}", "default-scheduler")
    if stage != "pending" and old.get("phase") in (None, "Pending"):
        for c in spec.get("containers") or []:
            await sim.event(pod, "Pulled", f'Container image "{c.get("image")}" already present on machine', KUBELET)
            await sim.event(pod, "Created", f"Created container: {c.get('name')}", KUBELET)
            await sim.event(pod, "Started", f"Started container {c.get('name')}", KUBELET)
            if stage == "crashing":
                message = f"Back-off restarting failed container {c.get('name')} in pod {meta(pod)['name']}"
                await sim.event(pod, "BackOff", message, KUBELET, "Warning")


async def _bind(sim: Simulator, pod: Obj) -> None:
    """Schedule a user-made pod onto the simulated node."""
    body = copy.deepcopy(await sim.fresh(pod) or pod)
    body["metadata"].pop("resourceVersion", None)
    body["spec"]["nodeName"] = sim.rules.node_name
    await sim.update(body)


async def _unbound_claims(sim: Simulator, pod: Obj) -> list[str]:
    """Names of the pod's PersistentVolumeClaims that are not Bound yet (the pod waits for them)."""
    namespace = str(meta(pod).get("namespace") or "")
    out = []
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if not claim:
            continue
        pvc = await sim.get("v1", "PersistentVolumeClaim", claim, namespace)
        if pvc is None or (pvc.get("status") or {}).get("phase") != "Bound":
            out.append(claim)
            sim.claim_waiters.setdefault((namespace, claim), set()).add(key_of(pod))
    return out


def _status(pod: Obj, stage: str, waiting: list[str], extra: Any) -> dict[str, Any]:
    old = pod.get("status") or {}
    containers = (pod.get("spec") or {}).get("containers") or []
    now = now_rfc3339()
    start = old.get("startTime", now)
    ip = old.get("podIP") or _pod_ip(pod)
    phase = {"pending": "Pending", "running": "Running", "crashing": "Running"}.get(stage, stage.capitalize())
    status: dict[str, Any] = {"phase": phase}
    conds = old.get("conditions")
    names = ",".join(c.get("name", "") for c in containers)
    ready = stage == "running"
    inits = (pod.get("spec") or {}).get("initContainers") or []
    conds = set_condition(conds, "PodReadyToStartContainers", "False" if waiting else "True", "", "")
    conds = set_condition(conds, "PodScheduled", "True", "", "")
    if inits and stage == "pending":
        message = f"containers with incomplete status: [{','.join(c.get('name', '') for c in inits)}]"
        conds = set_condition(conds, "Initialized", "False", "ContainersNotInitialized", message)
    else:
        conds = set_condition(conds, "Initialized", "True", "", "")
    if ready:
        conds = set_condition(conds, "ContainersReady", "True", "", "")
        conds = set_condition(conds, "Ready", "True", "", "")
    elif stage in ("succeeded", "failed"):
        conds = set_condition(conds, "ContainersReady", "False", "PodCompleted", "")
        conds = set_condition(conds, "Ready", "False", "PodCompleted", "")
    else:
        message = f"containers with unready status: [{names}]"
        conds = set_condition(conds, "ContainersReady", "False", "ContainersNotReady", message)
        conds = set_condition(conds, "Ready", "False", "ContainersNotReady", message)
    for c in conds:  # the kubelet leaves reason/message empty on healthy conditions
        if not c["reason"]:
            del c["reason"], c["message"]
    status["conditions"] = conds
    status["hostIP"] = NODE_IP
    status["hostIPs"] = [{"ip": NODE_IP}]
    if stage != "pending" or not waiting:
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
    status["startTime"] = start
    if inits:
        status["initContainerStatuses"] = [_init_container(c, stage, uid(pod)) for c in inits]
    status["containerStatuses"] = [_container(c, stage, old, now, uid(pod)) for c in containers]
    status["qosClass"] = "BestEffort"
    return deep_merge(status, extra) if extra else status


def _init_container(c: dict[str, Any], stage: str, pod_uid: str) -> dict[str, Any]:
    """Init containers have run to completion once the pod is past pending."""
    done = stage != "pending"
    state: dict[str, Any] = (
        {"terminated": {"exitCode": 0, "reason": "Completed"}} if done else {"waiting": {"reason": "PodInitializing"}}
    )
    out: dict[str, Any] = {
        "name": c.get("name"),
        "image": c.get("image"),
        "imageID": f"docker.io/library/{c.get('image')}" if done else "",
        "ready": done,
        "restartCount": 0,
        "started": False,
        "state": state,
    }
    if done:
        out["containerID"] = f"containerd://{uid_hex(pod_uid + 'init' + c.get('name', ''))}"
    return out


def _container(c: dict[str, Any], stage: str, old: dict[str, Any], now: str, pod_uid: str) -> dict[str, Any]:
    prev: dict[str, Any] = next((s for s in old.get("containerStatuses") or [] if s.get("name") == c.get("name")), {})
    started = (prev.get("state") or {}).get("running", {}).get("startedAt", now)
    state: dict[str, Any]
    if stage == "running":
        state = {"running": {"startedAt": started}}
    elif stage == "succeeded":
        state = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": started, "finishedAt": now}}
    elif stage == "failed":
        state = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": started, "finishedAt": now}}
    elif stage == "crashing":
        state = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off restarting failed container"}}
    else:
        state = {"waiting": {"reason": "ContainerCreating"}}
    if prev.get("state", {}).get("terminated") and stage in ("succeeded", "failed"):
        state = prev["state"]
    out: dict[str, Any] = {
        "name": c.get("name"),
        "image": c.get("image"),
        "imageID": "",
        "ready": stage == "running",
        "restartCount": 1 if stage == "crashing" else 0,
        "started": stage == "running",
        "state": state,
    }
    if stage != "pending":
        out["imageID"] = f"docker.io/library/{c.get('image')}"
        out["containerID"] = f"containerd://{uid_hex(pod_uid + c.get('name', ''))}"
    if stage == "crashing":
        out["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": started, "finishedAt": now}}
        out["lastState"] = prev.get("lastState", out["lastState"])
    return out


def uid_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _pod_ip(pod: Obj) -> str:
    """A stable address for the pod in 10.244.0.0/16, derived from its uid."""
    digest = int(uid_hex(uid(pod))[:8], 16)
    return f"10.244.{(digest >> 8) % 256}.{digest % 254 + 1}"
