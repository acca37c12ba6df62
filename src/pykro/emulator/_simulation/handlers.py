"""What the simulator does per kind: the table of reconcilers, plus the simple ones (the node, claims and volumes,
load balancers, ingresses, CRDs, and rule-selected custom kinds)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from pykro._kube import condition_true
from pykro.emulator._simulation.batch import reconcile_cron_job, reconcile_job
from pykro.emulator._simulation.endpoints import delete_endpoints, sync_endpoints
from pykro.emulator._simulation.objects import (
    Obj,
    deep_merge,
    deleting,
    key_of,
    meta,
    set_condition,
    uid,
)
from pykro.emulator._simulation.operators import operator_handlers
from pykro.emulator._simulation.pods import NODE_IP, reconcile_pod
from pykro.emulator._simulation.workloads import (
    reconcile_daemon_set,
    reconcile_deployment,
    reconcile_replica_set,
    reconcile_stateful_set,
)

if TYPE_CHECKING:
    from pykro.emulator._simulation.simulator import Handler, Simulator

__all__ = [
    "HANDLERS",
    "ensure_node",
    "on_deleted",
    "reconcile_claim",
    "reconcile_crd",
    "reconcile_custom",
    "reconcile_ingress",
    "reconcile_service",
]

LB_POOL = "172.18.255"


async def ensure_node(sim: Simulator) -> None:
    """Create the simulated node (DaemonSets run one pod on it; every simulated pod is bound to it)."""
    name = sim.rules.node_name
    node = await sim.api.get("v1", "Node", name)
    if node is None:
        node = await sim.api.create(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": name,
                    "labels": {
                        "kubernetes.io/hostname": name,
                        "kubernetes.io/os": "linux",
                        "kubernetes.io/arch": "amd64",
                        "type": "kwok",
                    },
                },
                "spec": {},
            }
        )
    capacity = {"cpu": "32", "memory": "128Gi", "pods": "1100", "ephemeral-storage": "500Gi"}
    conds = set_condition(None, "Ready", "True", "KubeletReady", "kubelet is posting ready status")
    status = {
        "conditions": conds,
        "addresses": [{"type": "InternalIP", "address": NODE_IP}, {"type": "Hostname", "address": name}],
        "capacity": capacity,
        "allocatable": dict(capacity),
        "nodeInfo": {
            "kubeletVersion": "v1.32.0",
            "kubeProxyVersion": "v1.32.0",
            "containerRuntimeVersion": "containerd://1.7.0",
            "operatingSystem": "linux",
            "architecture": "amd64",
            "osImage": "pykro emulator",
            "kernelVersion": "",
            "machineID": "",
            "systemUUID": "",
            "bootID": "",
        },
        "phase": "Running",
    }
    if not condition_true(node, "Ready"):
        await sim.write_status(node, status)


async def reconcile_claim(sim: Simulator, pvc: Obj) -> None:
    """Provision a PersistentVolume for the claim and bind it after the delay."""
    if deleting(pvc) or (pvc.get("status") or {}).get("phase") == "Bound":
        return
    rule, delay = sim.plan(pvc)
    outcome = rule.outcome if rule is not None else "ready"
    spec = pvc.get("spec") or {}
    if outcome == "never" or not sim.elapsed(key_of(pvc), uid(pvc), delay):
        await sim.write_status(pvc, {"phase": "Pending"})
        return
    if outcome == "fail":
        await sim.write_status(pvc, {"phase": "Pending"})
        if sim.first_time(f"{uid(pvc)}/failed"):
            message = "failed to provision volume: simulated failure"
            await sim.event(pvc, "ProvisioningFailed", message, "persistentvolume-controller", "Warning")
        return
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
    modes = spec.get("accessModes") or ["ReadWriteOnce"]
    pv_name = spec.get("volumeName") or f"pvc-{uid(pvc)}"
    if await sim.api.get("v1", "PersistentVolume", pv_name) is None:
        pv = await sim.api.create(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": pv_name, "annotations": {"pv.kubernetes.io/provisioned-by": "pykro-emulator"}},
                "spec": {
                    "capacity": {"storage": storage},
                    "accessModes": list(modes),
                    "persistentVolumeReclaimPolicy": "Delete",
                    "storageClassName": spec.get("storageClassName") or "standard",
                    "volumeMode": spec.get("volumeMode", "Filesystem"),
                    "hostPath": {"path": f"/var/lib/pykro/{pv_name}"},
                    "claimRef": {
                        "apiVersion": "v1",
                        "kind": "PersistentVolumeClaim",
                        "name": meta(pvc)["name"],
                        "namespace": meta(pvc).get("namespace"),
                        "uid": uid(pvc),
                    },
                },
            }
        )
        await sim.write_status(pv, {"phase": "Bound"})
        message = f"Successfully provisioned volume {pv_name}"
        await sim.event(pvc, "ProvisioningSucceeded", message, "persistentvolume-controller")
    if spec.get("volumeName") != pv_name:
        body = copy.deepcopy(await sim.fresh(pvc) or pvc)
        body["metadata"].pop("resourceVersion", None)
        body["spec"]["volumeName"] = pv_name
        annotations = body["metadata"].setdefault("annotations", {})
        annotations.update({"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes"})
        pvc = await sim.update(body)
    status = {"phase": "Bound", "accessModes": list(modes), "capacity": {"storage": storage}}
    await sim.write_status(pvc, deep_merge(status, rule.status or {}) if rule is not None else status)


async def _delete_volume(sim: Simulator, pvc: Obj) -> None:
    name = (pvc.get("spec") or {}).get("volumeName") or f"pvc-{uid(pvc)}"
    pv = await sim.api.get("v1", "PersistentVolume", name)
    if pv is not None and (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy") == "Delete":
        await sim.api.delete("v1", "PersistentVolume", name)


def _ingress_status(obj: Obj, ip: str | None) -> dict[str, Any]:
    status = copy.deepcopy(obj.get("status") or {})
    status["loadBalancer"] = {"ingress": [{"ip": ip}]} if ip else {}
    return status


async def reconcile_service(sim: Simulator, svc: Obj) -> None:
    """Keep the Service's endpoints; give LoadBalancer Services an external address after the delay."""
    if deleting(svc):
        return
    await sync_endpoints(sim, svc)
    current = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if (svc.get("spec") or {}).get("type") != "LoadBalancer":
        if current:
            await sim.write_status(svc, _ingress_status(svc, None))
        return
    rule, delay = sim.plan(svc)
    outcome = rule.outcome if rule is not None else "ready"
    if current or outcome == "never" or not sim.elapsed(key_of(svc), uid(svc), delay):
        return
    if outcome == "fail":
        if not sim.first_time(f"{uid(svc)}/failed"):
            return
        message = "Error syncing load balancer: simulated failure"
        await sim.event(svc, "SyncLoadBalancerFailed", message, "service-controller", "Warning")
        return
    await sim.event(svc, "EnsuringLoadBalancer", "Ensuring load balancer", "service-controller")
    status = _ingress_status(svc, sim.next_ip(LB_POOL))
    status["loadBalancer"]["ingress"][0]["ipMode"] = "VIP"
    await sim.write_status(svc, deep_merge(status, rule.status or {}) if rule is not None else status)
    await sim.event(svc, "EnsuredLoadBalancer", "Ensured load balancer", "service-controller")


async def reconcile_ingress(sim: Simulator, ing: Obj) -> None:
    """Publish an address on the Ingress after the delay, as an ingress controller does."""
    if deleting(ing) or ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress"):
        return
    rule, delay = sim.plan(ing)
    outcome = rule.outcome if rule is not None else "ready"
    if outcome != "ready" or not sim.elapsed(key_of(ing), uid(ing), delay):
        return
    status = _ingress_status(ing, sim.next_ip(LB_POOL))
    await sim.write_status(ing, deep_merge(status, rule.status or {}) if rule is not None else status)
    await sim.event(ing, "Sync", "Scheduled for sync", "ingress-controller")


async def reconcile_crd(sim: Simulator, crd: Obj) -> None:
    """Mark a CustomResourceDefinition NamesAccepted and Established (if the server did not already)."""
    if deleting(crd) or condition_true(crd, "Established"):
        return
    rule, delay = sim.plan(crd)
    if rule is not None and rule.outcome != "ready":
        return
    if not sim.elapsed(key_of(crd), uid(crd), delay):
        return
    status = copy.deepcopy(crd.get("status") or {})
    names = (crd.get("spec") or {}).get("names") or {}
    status.setdefault("acceptedNames", copy.deepcopy(names))
    status.setdefault(
        "storedVersions", [v["name"] for v in (crd.get("spec") or {}).get("versions") or [] if v.get("storage")]
    )
    conds = set_condition(status.get("conditions"), "NamesAccepted", "True", "NoConflicts", "no conflicts found")
    conds = set_condition(conds, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted")
    status["conditions"] = conds
    await sim.write_status(crd, status)


async def reconcile_custom(sim: Simulator, obj: Obj) -> None:
    """A custom kind selected by a rule: after the delay set the rule's condition and merge its status; a new
    generation makes it progress again."""
    rule, delay = sim.plan(obj)
    if rule is None or deleting(obj) or not rule.names_kind(str(obj.get("kind", ""))):
        return
    generation = meta(obj).get("generation", 1)
    status = copy.deepcopy(obj.get("status") or {})
    due = rule.outcome != "never" and sim.elapsed(key_of(obj), f"{uid(obj)}/{generation}", delay)
    if rule.condition:
        if not due:
            value, reason, message = "False", "Progressing", "simulated: waiting"
        elif rule.outcome == "ready":
            value, reason, message = "True", "Ready", "simulated: ready"
        else:
            value, reason, message = "False", "Failed", "simulated: failed"
        conds = set_condition(
            status.get("conditions"), rule.condition, value, reason, message, observed_generation=generation
        )
        status["conditions"] = conds
    if due and rule.outcome == "ready" and rule.status:
        status = deep_merge(status, rule.status)
    await sim.write_status(obj, status)


HANDLERS: dict[str, Handler] = {
    "Pod": reconcile_pod,
    "Deployment": reconcile_deployment,
    "ReplicaSet": reconcile_replica_set,
    "StatefulSet": reconcile_stateful_set,
    "DaemonSet": reconcile_daemon_set,
    "Job": reconcile_job,
    "CronJob": reconcile_cron_job,
    "PersistentVolumeClaim": reconcile_claim,
    "Service": reconcile_service,
    "Ingress": reconcile_ingress,
    "CustomResourceDefinition": reconcile_crd,
    **operator_handlers(),  # CloudNativePG, Flux, Valkey (each checks the API group)
}


def on_deleted(sim: Simulator, obj: Obj) -> None:
    """Clean up after a deleted object (a claim's dynamically provisioned volume, a Service's Endpoints)."""
    if obj.get("kind") == "PersistentVolumeClaim":
        sim.spawn(_delete_volume(sim, obj), f"deleting the volume of claim {meta(obj)['name']}")
    elif obj.get("kind") == "Service":
        sim.spawn(delete_endpoints(sim, obj), f"deleting the endpoints of service {meta(obj)['name']}")
