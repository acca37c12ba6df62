"""An instance (composition, name, namespace) lives in one mode. Direct mode keeps a parent record
(`pykro.deploy._inventory`); kro mode keeps an instance CR of the graph's kind. The same instance live in both
would have two owners of the same objects, and deleting either would delete the other's objects (data included),
so a deploy in one mode finding the instance in the other stops before writing (`check_other_mode`).

``switch_mode`` moves an instance from direct to kro mode without touching its objects: kro is given the instance
CR and adopts the objects of the same names (kro v0.9.3 server-side applies over an object that is in no other
ApplySet; the emulator's kro does the same), and once kro reports the instance ready pykro drops its own labels
from the objects and deletes its record (`drop_direct_record`): no object is deleted or recreated, uids stay.

The other direction is refused. kro v0.9.3 sets no ownerReferences on an instance's objects, but it deletes them
whenever it sees the CR being deleted (its finalizer, whatever other finalizers are on it), and it puts the finalizer
back each time it reconciles, which a removal of the finalizer itself triggers. The only way to remove the CR
without kro deleting the objects is to delete it between the finalizer's removal and kro's next reconcile (a delete
guarded by the resourceVersion would never delete it with the finalizer on): a race against kro, which the
emulator's kro always wins and a real kro often may. pykro does not offer a switch that may fail that way."""

from __future__ import annotations

from typing import Any

from pykro.deploy import _inventory as inventory
from pykro.deploy._api import CONFIGMAP_TYPE, SECRET_TYPE, Cluster
from pykro.deploy._errors import ApiFailure, DeployError
from pykro.deploy._lock import InstanceLock
from pykro.graph import Graph

__all__ = ["check_other_mode", "direct_record", "drop_direct_record", "kro_instance"]

_SWITCH = "--switch-mode (switch_mode=True)"


async def direct_record(cluster: Cluster, ref: inventory.InstanceRef) -> dict[str, Any] | None:
    """The direct-mode record of ``ref``, or None."""
    rec = await cluster.get(CONFIGMAP_TYPE, ref.record_name, ref.namespace)
    return rec if rec is not None and ref.owns_record(rec) else None


async def kro_instance(cluster: Cluster, graph: Graph, name: str, namespace: str) -> dict[str, Any] | None:
    """The kro instance CR of ``graph``'s kind named ``name`` in ``namespace``, or None (also when the rights to
    read CustomResourceDefinitions are missing: such a user never deployed it through kro). The served kinds are
    read once per connection (`Cluster.find_type`), so a hub's sync pays for them once."""
    try:
        rt = await cluster.find_type(graph.instance_api_version, graph.kind)
    except ApiFailure as exc:
        if exc.code == 403:
            return None
        raise
    if rt is None:
        return None
    return await cluster.get(rt, name, namespace if rt.namespaced else None)


def _what(graph: Graph, ref: inventory.InstanceRef) -> str:
    return f"{graph.kind} instance {ref.name!r} (composition {ref.composition}, namespace {ref.namespace})"


async def check_other_mode(cluster: Cluster, graph: Graph, ref: inventory.InstanceRef, mode: str, switch: bool) -> bool:
    """Before a deploy in ``mode`` writes anything: stop when the instance is deployed in the other mode (unless
    ``switch`` moves it from direct to kro). True when a direct-mode record is there to drop after a kro deploy."""
    if mode == "direct":
        if await kro_instance(cluster, graph, ref.name, ref.namespace) is None:
            return False
        why = (
            "kro deletes an instance's objects whenever its CR is deleted and puts its finalizer back each time it "
            "reconciles, so pykro cannot make kro let go of them without racing kro"
        )
        if switch:
            raise DeployError(
                f"{_SWITCH} moves an instance from direct to kro mode only, and {_what(graph, ref)} is in kro mode: "
                f"{why}. Nothing was changed.",
                where="--switch-mode",
                fix=(
                    "Keep deploying it with --mode kro; to move it anyway, delete it first (pykro delete "
                    f"{ref.name} --mode kro -n {ref.namespace}: kro deletes its objects, data included), then "
                    "deploy with --mode direct."
                ),
            )
        raise DeployError(
            f"{_what(graph, ref)} is deployed in kro mode; deploying it in direct mode too would give its objects "
            "a second owner, and deleting either would delete them (data included). Nothing was changed.",
            where="--mode direct",
            fix=(
                "Deploy with --mode kro, the mode it was deployed in (pykro does not move instances out of kro "
                f"mode: {why})."
            ),
        )
    if await direct_record(cluster, ref) is None:
        return False
    if switch:
        return True
    raise DeployError(
        f"{_what(graph, ref)} is deployed in direct mode; deploying it in kro mode too would give its objects a "
        "second owner, and deleting either would delete them (data included). Nothing was changed.",
        where="--mode kro",
        fix=(
            "Deploy with --mode direct, the mode it was deployed in; to move it to kro, add --switch-mode (kro "
            "adopts its objects as they are, then pykro drops its direct-mode record; nothing is deleted)."
        ),
    )


_PYKRO_LABELS = (inventory.INSTANCE, inventory.COMPOSITION, inventory.RESOURCE_ID)
_PYKRO_ANNOTATIONS = (inventory.INSTANCE_NAMESPACE, inventory.APPLIED_HASH, inventory.RELEASED_FROM)


async def drop_direct_record(cluster: Cluster, graph: Graph, ref: inventory.InstanceRef, lock_wait: float) -> int:
    """After kro has adopted the instance: take pykro's inventory labels off its objects (so no direct-mode
    command finds them as its own) and delete its record, its spec Secret and its lock; no object is deleted.
    Returns how many objects were released."""
    lock = InstanceLock(cluster, ref, "switch", wait=lock_wait)
    await lock.acquire()
    try:
        rec = await direct_record(cluster, ref)
        annotations = ((rec or {}).get("metadata") or {}).get("annotations") or {}
        kinds = set(inventory.parse_kinds(annotations.get(inventory.CONTAINS_KINDS, "")))
        kinds |= {(r.api_version, r.kind) for r in graph.resources if "${" not in r.api_version + r.kind}
        released = 0
        for api_version, kind in sorted(kinds):
            rt = await cluster.find_type(api_version, kind)
            if rt is None:
                continue
            for obj in (await cluster.list(rt, None, ref.selector))[0]:
                meta = obj.get("metadata") or {}
                ann = meta.get("annotations") or {}
                if ann.get(inventory.INSTANCE_NAMESPACE, meta.get("namespace")) != ref.namespace:
                    continue
                labels: dict[str, Any] = dict.fromkeys(_PYKRO_LABELS)
                if (meta.get("labels") or {}).get(inventory.MANAGED_BY) == "pykro":
                    labels[inventory.MANAGED_BY] = None
                patch = {"metadata": {"labels": labels, "annotations": dict.fromkeys(_PYKRO_ANNOTATIONS)}}
                await cluster.merge_patch(rt, str(meta.get("name")), meta.get("namespace"), patch)
                released += 1
        if rec is not None:
            kept = await cluster.get(SECRET_TYPE, ref.record_name, ref.namespace)
            if kept is not None and ref.owns_record(kept):  # the record's spec Secret, never another Secret
                await cluster.delete(SECRET_TYPE, ref.record_name, ref.namespace)
            await cluster.delete(CONFIGMAP_TYPE, ref.record_name, ref.namespace)
        return released
    finally:
        await lock.release(delete=True)
