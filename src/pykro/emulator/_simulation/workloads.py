"""Simulated apps/v1 controllers: Deployment -> ReplicaSets -> Pods (rolling updates, scaling, Available and
Progressing conditions), StatefulSets (ordered pods, claims from volumeClaimTemplates, rolling updates) and
DaemonSets (one pod on the simulated node)."""

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING, Any

from pykro.emulator._simulation.objects import (
    Obj,
    controller_ref,
    deep_merge,
    deleting,
    drop_zero,
    key_of,
    meta,
    owner_reference,
    set_condition,
    stable_hash,
    uid,
)
from pykro.emulator._simulation.pods import pod_from_template, pod_ready

if TYPE_CHECKING:
    from pykro.emulator._simulation.simulator import Simulator

__all__ = ["reconcile_daemon_set", "reconcile_deployment", "reconcile_replica_set", "reconcile_stateful_set"]

REVISION = "deployment.kubernetes.io/revision"


async def _scale(sim: Simulator, rs: Obj, replicas: int, dep: Obj, revision: int | None = None) -> None:
    """Set a ReplicaSet's replicas (and, for a ReplicaSet brought back by a rollback, its revision)."""
    old = int((rs.get("spec") or {}).get("replicas", 1))
    body = copy.deepcopy(await sim.fresh(rs) or rs)
    body["metadata"].pop("resourceVersion", None)
    body["spec"]["replicas"] = replicas
    if revision is not None:
        body["metadata"].setdefault("annotations", {})[REVISION] = str(revision)
    await sim.update(body)
    if replicas != old:
        verb = "up" if replicas > old else "down"
        message = f"Scaled {verb} replica set {meta(rs)['name']} from {old} to {replicas}"
        await sim.event(dep, "ScalingReplicaSet", message, "deployment-controller")


def _revision(rs: Obj) -> int:
    return int((meta(rs).get("annotations") or {}).get(REVISION, 0))


def _semantic(value: Any) -> Any:
    """A template without null and empty values (Go's zero values), for comparing templates as the deployment
    controller does; the pod-template-hash label is ignored."""
    if isinstance(value, dict):
        out = {k: _semantic(v) for k, v in value.items() if k != "pod-template-hash"}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def _max_unavailable(dep: Obj, replicas: int) -> int:
    strategy = (dep.get("spec") or {}).get("strategy") or {}
    if strategy.get("type") == "Recreate":
        return 0
    value = (strategy.get("rollingUpdate") or {}).get("maxUnavailable", "25%")
    if isinstance(value, str) and value.endswith("%"):
        return math.floor(replicas * int(value[:-1]) / 100)
    return int(value)


async def reconcile_deployment(sim: Simulator, dep: Obj) -> None:
    if deleting(dep):
        return
    spec = dep.get("spec") or {}
    replicas = int(spec.get("replicas", 1))
    template = _semantic(spec.get("template") or {})
    pod_hash = stable_hash(template)
    sets = sim.owned(dep, "ReplicaSet")
    new = next((rs for rs in sets if _semantic((rs.get("spec") or {}).get("template") or {}) == template), None)
    olds = [rs for rs in sets if rs is not new]
    recreate = (spec.get("strategy") or {}).get("type") == "Recreate"
    old_running = sum(int((rs.get("status") or {}).get("replicas", 0)) for rs in olds)
    top = max((_revision(rs) for rs in olds), default=0)
    if new is None and not (recreate and old_running):
        new = await sim.create(_replica_set(dep, pod_hash, replicas, top + 1))
        sets.append(new)
        message = f"Scaled up replica set {meta(new)['name']} from 0 to {replicas}"
        await sim.event(dep, "ScalingReplicaSet", message, "deployment-controller")
    elif new is not None and not (recreate and old_running):
        revision = top + 1 if _revision(new) <= top else None  # a rollback revives an old ReplicaSet
        if int(new["spec"].get("replicas", 1)) != replicas or revision is not None:
            await _scale(sim, new, replicas, dep, revision)
    new_available = int((new or {}).get("status", {}).get("availableReplicas", 0))
    if recreate or (new is not None and new_available >= replicas):
        for rs in olds:
            if int(rs["spec"].get("replicas", 1)) != 0:
                await _scale(sim, rs, 0, dep)
    await sim.write_status(dep, await _deployment_status(sim, dep, sets, new, replicas))


def _replica_set(dep: Obj, pod_hash: str, replicas: int, revision: int) -> Obj:
    spec = dep.get("spec") or {}
    template = copy.deepcopy(spec.get("template") or {})
    template.setdefault("metadata", {})
    template["metadata"]["labels"] = {**(template["metadata"].get("labels") or {}), "pod-template-hash": pod_hash}
    selector = copy.deepcopy(spec.get("selector") or {})
    selector["matchLabels"] = {**(selector.get("matchLabels") or {}), "pod-template-hash": pod_hash}
    rs_spec: dict[str, Any] = {"replicas": replicas, "selector": selector, "template": template}
    if spec.get("minReadySeconds"):
        rs_spec["minReadySeconds"] = spec["minReadySeconds"]
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": f"{meta(dep)['name']}-{pod_hash}",
            "namespace": meta(dep).get("namespace"),
            "labels": dict(template["metadata"]["labels"]),
            "annotations": {
                REVISION: str(revision),
                "deployment.kubernetes.io/desired-replicas": str(replicas),
                "deployment.kubernetes.io/max-replicas": str(replicas + 1),
            },
            "ownerReferences": [owner_reference(dep)],
        },
        "spec": rs_spec,
    }


async def _deployment_status(sim: Simulator, dep: Obj, sets: list[Obj], new: Obj | None, replicas: int) -> Obj:
    def count(rs: Obj, field: str) -> int:
        return int((rs.get("status") or {}).get(field, 0))

    total = sum(count(rs, "replicas") for rs in sets)
    updated = count(new, "replicas") if new is not None else 0
    ready = sum(count(rs, "readyReplicas") for rs in sets)
    available = sum(count(rs, "availableReplicas") for rs in sets)
    old = dep.get("status") or {}
    conds = old.get("conditions")
    if available >= replicas - _max_unavailable(dep, replicas):
        conds = set_condition(
            conds,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            update_time=True,
        )
    else:
        conds = set_condition(
            conds,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            update_time=True,
        )
    rs_name = meta(new)["name"] if new is not None else ""
    rule, delay = sim.plan(dep)
    complete = new is not None and updated == replicas and available >= replicas and total == replicas
    token = f"{uid(dep)}/{meta(dep).get('generation', 0)}/deadline"
    if complete:
        conds = set_condition(
            conds,
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            f'ReplicaSet "{rs_name}" has successfully progressed.',
            update_time=True,
        )
    elif rule is not None and rule.outcome == "fail" and sim.elapsed(key_of(dep), token, delay):
        conds = set_condition(
            conds,
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            f'ReplicaSet "{rs_name}" has timed out progressing.',
            update_time=True,
        )
    else:
        conds = set_condition(
            conds,
            "Progressing",
            "True",
            "ReplicaSetUpdated",
            f'ReplicaSet "{rs_name}" is progressing.',
            update_time=True,
        )
    status: Obj = {
        "observedGeneration": meta(dep).get("generation", 1),
        "replicas": total,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "unavailableReplicas": max(0, replicas - available),
        "conditions": conds,
    }
    if rule is not None and rule.status and complete:
        status = deep_merge(status, rule.status)
    return drop_zero(status, "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas")


async def reconcile_replica_set(sim: Simulator, rs: Obj) -> None:
    if deleting(rs):
        return
    desired = int((rs.get("spec") or {}).get("replicas", 1))
    pods = sim.owned(rs, "Pod")
    name = meta(rs)["name"]
    missing = desired - len(pods)
    if missing > 0 and not await _owner_alive(sim, rs):
        return
    for _ in range(missing):
        pod = pod_from_template(sim, rs, (rs.get("spec") or {}).get("template") or {}, {})
        created = await sim.create_named(pod, name)
        pods.append(created)
        await sim.event(rs, "SuccessfulCreate", f"Created pod: {meta(created)['name']}", "replicaset-controller")
    if len(pods) > desired:
        pods.sort(key=lambda p: (pod_ready(p), p["metadata"].get("creationTimestamp", "")))
        excess, pods = pods[: len(pods) - desired], pods[len(pods) - desired :]
        for pod in excess:
            await sim.delete(pod)
            await sim.event(rs, "SuccessfulDelete", f"Deleted pod: {meta(pod)['name']}", "replicaset-controller")
    ready = sum(1 for p in pods if pod_ready(p))
    status = {
        "replicas": len(pods),
        "fullyLabeledReplicas": len(pods),
        "readyReplicas": ready,
        "availableReplicas": ready,
        "observedGeneration": meta(rs).get("generation", 1),
    }
    await sim.write_status(rs, drop_zero(status, "fullyLabeledReplicas", "readyReplicas", "availableReplicas"))


async def _owner_alive(sim: Simulator, obj: Obj) -> bool:
    """False when the object's controller is gone or being deleted (the garbage collector takes it from there)."""
    ref = controller_ref(obj)
    if ref is None:
        return True
    owner = await sim.get(
        str(ref.get("apiVersion", "")), str(ref["kind"]), str(ref["name"]), meta(obj).get("namespace")
    )
    return owner is not None and not deleting(owner) and uid(owner) == ref.get("uid")


async def reconcile_stateful_set(sim: Simulator, sts: Obj) -> None:
    if deleting(sts):
        return
    spec = sts.get("spec") or {}
    name = meta(sts)["name"]
    replicas = int(spec.get("replicas", 1))
    revision = f"{name}-{stable_hash(_semantic(spec.get('template') or {}))}"
    parallel = spec.get("podManagementPolicy") == "Parallel"
    pods: dict[int, Obj] = {}
    for pod in sim.owned(sts, "Pod"):
        ordinal = meta(pod)["name"].rsplit("-", 1)[-1]
        if ordinal.isdigit():
            pods[int(ordinal)] = pod
    for i in range(replicas):
        if i not in pods:
            pods[i] = await _create_ordinal(sim, sts, i, revision)
        if not parallel and not pod_ready(pods[i]):
            break
    for i in sorted((o for o in pods if o >= replicas), reverse=True):
        await _delete_ordinal(sim, sts, pods.pop(i))
    outdated = [i for i, p in pods.items() if meta(p).get("labels", {}).get("controller-revision-hash") != revision]
    if outdated and len(pods) == replicas and all(pod_ready(p) for p in pods.values()):
        await _delete_ordinal(sim, sts, pods.pop(max(outdated)))
    old = sts.get("status") or {}
    updated = sum(1 for p in pods.values() if meta(p).get("labels", {}).get("controller-revision-hash") == revision)
    current_revision = revision if updated == replicas else old.get("currentRevision", revision)
    current = sum(
        1 for p in pods.values() if meta(p).get("labels", {}).get("controller-revision-hash") == current_revision
    )
    ready = sum(1 for p in pods.values() if pod_ready(p))
    status = {
        "observedGeneration": meta(sts).get("generation", 1),
        "replicas": len(pods),
        "readyReplicas": ready,
        "currentReplicas": current,
        "updatedReplicas": updated,
        "availableReplicas": ready,
        "currentRevision": current_revision,
        "updateRevision": revision,
        "collisionCount": 0,
    }
    await sim.write_status(sts, drop_zero(status, "readyReplicas", "currentReplicas", "updatedReplicas"))


async def _create_ordinal(sim: Simulator, sts: Obj, ordinal: int, revision: str) -> Obj:
    spec = sts.get("spec") or {}
    name, namespace = meta(sts)["name"], meta(sts).get("namespace")
    pod_name = f"{name}-{ordinal}"
    labels = {
        "controller-revision-hash": revision,
        "statefulset.kubernetes.io/pod-name": pod_name,
        "apps.kubernetes.io/pod-index": str(ordinal),
    }
    pod = pod_from_template(sim, sts, spec.get("template") or {}, labels)
    pod["metadata"]["name"] = pod_name
    pod["spec"]["hostname"] = pod_name
    if spec.get("serviceName"):
        pod["spec"]["subdomain"] = spec["serviceName"]
    volumes = pod["spec"].setdefault("volumes", [])
    delete_claims = (spec.get("persistentVolumeClaimRetentionPolicy") or {}).get("whenDeleted") == "Delete"
    for tpl in spec.get("volumeClaimTemplates") or []:
        tpl_name = (tpl.get("metadata") or {}).get("name", "")
        claim = f"{tpl_name}-{pod_name}"
        if await sim.get("v1", "PersistentVolumeClaim", claim, namespace) is None:
            pvc: Obj = {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {
                    "name": claim,
                    "namespace": namespace,
                    "labels": {**((spec.get("selector") or {}).get("matchLabels") or {})},
                },
                "spec": copy.deepcopy(tpl.get("spec") or {}),
            }
            if delete_claims:
                pvc["metadata"]["ownerReferences"] = [owner_reference(sts)]
            await sim.create(pvc)
            message = f"create Claim {claim} Pod {pod_name} in StatefulSet {name} success"
            await sim.event(sts, "SuccessfulCreate", message, "statefulset-controller")
        if not any(v.get("name") == tpl_name for v in volumes):
            volumes.append({"name": tpl_name, "persistentVolumeClaim": {"claimName": claim}})
    created = await sim.create(pod)
    message = f"create Pod {pod_name} in StatefulSet {name} successful"
    await sim.event(sts, "SuccessfulCreate", message, "statefulset-controller")
    return created


async def _delete_ordinal(sim: Simulator, sts: Obj, pod: Obj) -> None:
    await sim.delete(pod)
    message = f"delete Pod {meta(pod)['name']} in StatefulSet {meta(sts)['name']} successful"
    await sim.event(sts, "SuccessfulDelete", message, "statefulset-controller")


async def reconcile_daemon_set(sim: Simulator, ds: Obj) -> None:
    if deleting(ds):
        return
    spec = ds.get("spec") or {}
    name = meta(ds)["name"]
    revision = stable_hash(_semantic(spec.get("template") or {}))
    pods = sim.owned(ds, "Pod")
    for pod in [p for p in pods if meta(p).get("labels", {}).get("controller-revision-hash") != revision]:
        pods.remove(pod)
        await sim.delete(pod)
        await sim.event(ds, "SuccessfulDelete", f"Deleted pod: {meta(pod)['name']}", "daemonset-controller")
    if not pods:
        labels = {"controller-revision-hash": revision, "pod-template-generation": str(meta(ds).get("generation", 1))}
        pod = pod_from_template(sim, ds, spec.get("template") or {}, labels)
        created = await sim.create_named(pod, name)
        pods.append(created)
        await sim.event(ds, "SuccessfulCreate", f"Created pod: {meta(created)['name']}", "daemonset-controller")
    ready = sum(1 for p in pods if pod_ready(p))
    status = {
        "currentNumberScheduled": len(pods),
        "desiredNumberScheduled": 1,
        "numberMisscheduled": 0,
        "numberReady": ready,
        "numberAvailable": ready,
        "numberUnavailable": max(0, 1 - ready),
        "updatedNumberScheduled": len(pods),
        "observedGeneration": meta(ds).get("generation", 1),
    }
    await sim.write_status(ds, drop_zero(status, "numberAvailable", "numberUnavailable"))
