"""The simulated endpoints controllers: a Service with a selector gets an `Endpoints` object and an `EndpointSlice`
listing the addresses of the pods it selects (ready ones as ready, the others as not ready)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from pykro.emulator._selectors import selector_to_string
from pykro.emulator._simulation.objects import Obj, deleting, meta, owner_reference, stable_hash, uid
from pykro.emulator._simulation.pods import pod_ready

if TYPE_CHECKING:
    from pykro.emulator._simulation.simulator import Simulator

__all__ = ["delete_endpoints", "selects", "sync_endpoints"]

SERVICE_NAME = "kubernetes.io/service-name"


def selects(svc: Obj, labels: dict[str, str] | None) -> bool:
    selector = (svc.get("spec") or {}).get("selector") or {}
    return bool(selector) and all((labels or {}).get(k) == v for k, v in selector.items())


def _target_port(port: dict[str, Any], pods: list[Obj]) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    for pod in pods:  # a named port: look it up in the pods' containers
        for container in (pod.get("spec") or {}).get("containers") or []:
            for p in container.get("ports") or []:
                if p.get("name") == target:
                    return int(p["containerPort"])
    return None


def _ports(svc: Obj, pods: list[Obj]) -> list[dict[str, Any]]:
    out = []
    for port in (svc.get("spec") or {}).get("ports") or []:
        number = _target_port(port, pods)
        if number is not None:
            entry = {"port": number, "protocol": port.get("protocol", "TCP")}
            if port.get("name"):
                entry["name"] = port["name"]
            out.append(entry)
    return out


def _address(pod: Obj) -> dict[str, Any]:
    return {
        "ip": pod["status"]["podIP"],
        "nodeName": (pod.get("spec") or {}).get("nodeName"),
        "targetRef": {
            "kind": "Pod",
            "namespace": meta(pod).get("namespace"),
            "name": meta(pod)["name"],
            "uid": uid(pod),
        },
    }


async def sync_endpoints(sim: Simulator, svc: Obj) -> None:
    """Write the Service's Endpoints and EndpointSlice when the set of selected pods or their readiness changed."""
    spec = svc.get("spec") or {}
    if deleting(svc) or not spec.get("selector") or spec.get("type") == "ExternalName":
        return
    namespace, name = meta(svc).get("namespace"), meta(svc)["name"]
    found = await sim.api.list("v1", "Pod", namespace, selector_to_string({"matchLabels": spec["selector"]}))
    pods = sorted(
        (p for p in found if not deleting(p) and (p.get("status") or {}).get("podIP")), key=lambda p: meta(p)["name"]
    )
    ports = _ports(svc, pods)
    ready = [_address(p) for p in pods if pod_ready(p)]
    waiting = [_address(p) for p in pods if not pod_ready(p)]
    subset: dict[str, Any] = {}
    if ready:
        subset["addresses"] = ready
    if waiting:
        subset["notReadyAddresses"] = waiting
    if subset and ports:
        subset["ports"] = ports
    endpoints: Obj = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(meta(svc).get("labels") or {})},
    }
    if subset:
        endpoints["subsets"] = [subset]
    await _write(sim, endpoints, "subsets")
    slice_: Obj = {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": f"{name}-{stable_hash(uid(svc), 5)}",
            "namespace": namespace,
            "labels": {SERVICE_NAME: name, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
            "ownerReferences": [owner_reference(svc)],
        },
        "addressType": "IPv4",
        "endpoints": [
            {
                "addresses": [a["ip"]],
                "conditions": {"ready": a in ready, "serving": a in ready, "terminating": False},
                "nodeName": a["nodeName"],
                "targetRef": a["targetRef"],
            }
            for a in ready + waiting
        ],
        "ports": ports,
    }
    await _write(sim, slice_, "endpoints", "ports")


async def _write(sim: Simulator, obj: Obj, *fields: str) -> None:
    """Create `obj`, or replace the stored one when one of `fields` differs."""
    current = await sim.api.get(str(obj["apiVersion"]), str(obj["kind"]), meta(obj)["name"], meta(obj).get("namespace"))
    if current is None:
        await sim.api.create(obj)
    elif any((current.get(f) or None) != (obj.get(f) or None) for f in fields):
        body = copy.deepcopy(current)
        body["metadata"].pop("resourceVersion", None)
        for f in fields:  # a field the new object lacks (no pods left: no `subsets`) is removed
            if f in obj:
                body[f] = obj[f]
            else:
                body.pop(f, None)
        await sim.api.update(body)


async def delete_endpoints(sim: Simulator, svc: Obj) -> None:
    """A deleted Service's Endpoints go with it (its EndpointSlice is garbage-collected through its owner)."""
    if await sim.api.get("v1", "Endpoints", meta(svc)["name"], meta(svc).get("namespace")) is not None:
        await sim.api.delete("v1", "Endpoints", meta(svc)["name"], meta(svc).get("namespace"))
