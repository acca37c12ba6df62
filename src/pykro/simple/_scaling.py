"""Availability factories: HorizontalPodAutoscaler (autoscaling/v2) and PodDisruptionBudget (policy/v1)."""

from __future__ import annotations

from typing import Any

from pykro.authoring._location import fail
from pykro.authoring._resource import ResourceRef, resource
from pykro.simple._keywords import checked
from pykro.simple._network import pod_selector_of
from pykro.simple._values import Int, IntOrStr, Labels, Obj, Objs, Str, compact, is_resource, label_selector, metadata
from pykro.simple._values import name_of as _name_of

__all__ = ["HorizontalPodAutoscaler", "PodDisruptionBudget"]


def _utilization(resource_name: str, percent: Any) -> dict[str, Any]:
    target = {"type": "Utilization", "averageUtilization": percent}
    return {"type": "Resource", "resource": {"name": resource_name, "target": target}}


@checked
def HorizontalPodAutoscaler(
    name: Str,
    *,
    target: Str | ResourceRef,
    max_replicas: Int,
    min_replicas: Int | None = None,
    target_kind: Str = "Deployment",
    target_api_version: Str = "apps/v1",
    cpu_utilization: Int | None = None,
    memory_utilization: Int | None = None,
    metrics: Objs | None = None,
    behavior: Obj | None = None,
    id: str | None = None,
    namespace: Str | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """An HPA scaling ``target`` (a workload resource, or the name of a ``target_kind``) between ``min_replicas``
    and ``max_replicas``; ``cpu_utilization=70`` / ``memory_utilization`` add average-utilization metrics."""
    if is_resource(target):
        scale_ref = {"apiVersion": target.api_version, "kind": target.kind, "name": _name_of(target)}  # type: ignore[union-attr]
    else:
        scale_ref = {"apiVersion": target_api_version, "kind": target_kind, "name": target}
    listed: list[Any] = []
    if cpu_utilization is not None:
        listed.append(_utilization("cpu", cpu_utilization))
    if memory_utilization is not None:
        listed.append(_utilization("memory", memory_utilization))
    if metrics is not None and listed:
        raise fail("pass either metrics= or cpu_utilization/memory_utilization, not both", "add them to metrics=")
    if isinstance(min_replicas, int) and isinstance(max_replicas, int) and min_replicas > max_replicas:
        raise fail(f"min_replicas {min_replicas} is above max_replicas {max_replicas}", "swap them")
    spec = compact(
        scaleTargetRef=scale_ref,
        minReplicas=min_replicas,
        maxReplicas=max_replicas,
        metrics=metrics if metrics is not None else listed or None,
        behavior=behavior,
    )
    obj = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler"}
    return resource({**obj, "metadata": metadata(name, namespace, labels, annotations), "spec": spec}, id=id)


@checked
def PodDisruptionBudget(
    name: Str,
    *,
    selector: Labels | ResourceRef,
    min_available: IntOrStr | None = None,
    max_unavailable: IntOrStr | None = None,
    unhealthy_pod_eviction_policy: Str | None = None,
    id: str | None = None,
    namespace: Str | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """A PDB for the pods of ``selector`` (labels, a selector, or a workload resource): ``min_available`` or
    ``max_unavailable`` (a count or a percentage such as ``"50%"``)."""
    if min_available is not None and max_unavailable is not None:
        raise fail("a PodDisruptionBudget takes min_available or max_unavailable, not both", "keep one of them")
    match = pod_selector_of(selector) if is_resource(selector) else selector  # type: ignore[arg-type]
    spec = compact(
        selector=label_selector(match),
        minAvailable=min_available,
        maxUnavailable=max_unavailable,
        unhealthyPodEvictionPolicy=unhealthy_pod_eviction_policy,
    )
    obj = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget"}
    return resource({**obj, "metadata": metadata(name, namespace, labels, annotations), "spec": spec}, id=id)
