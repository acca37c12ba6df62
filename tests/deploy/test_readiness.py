"""kstatus-style readiness rules: ready objects (as the runtime's offline simulation shapes them) are Current;
objects a controller has not caught up with, or that report failure, are not."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pykro.deploy._readiness import assess
from pykro.runtime import simulate_ready


def _deployment(replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
    }


BASES: dict[str, dict[str, Any]] = {
    "Deployment": _deployment(),
    "StatefulSet": {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"replicas": 2}},
    "DaemonSet": {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {}},
    "Job": {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {}},
    "PersistentVolumeClaim": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "p"}},
    "Service": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"type": "LoadBalancer"}},
    "CustomResourceDefinition": {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "things.example.com"},
        "spec": {"names": {"kind": "Thing"}},
    },
    "Pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}},
}


@pytest.mark.parametrize("kind", sorted(BASES))
def test_ready_objects_are_current_and_fresh_ones_are_not(kind: str) -> None:
    fresh = copy.deepcopy(BASES[kind])
    assert assess(simulate_ready(fresh)).ready
    assert not assess(fresh).ready, "an object without status must not count as ready"


def test_deployment_waits_for_the_new_generation_and_every_replica() -> None:
    live = simulate_ready(_deployment(3))
    live["metadata"]["generation"] = 2
    verdict = assess(live)
    assert verdict.phase == "in_progress" and "observedGeneration" in verdict.message
    live["status"]["observedGeneration"] = 2
    live["status"]["availableReplicas"] = 1
    assert assess(live).message == "availableReplicas 1/3"


def test_terminal_conditions_fail() -> None:
    dep = simulate_ready(_deployment())
    dep["status"]["conditions"] = [
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "timed out"}
    ]
    assert assess(dep).phase == "failed" and assess(dep).message == "timed out"
    job = {"kind": "Job", "status": {"conditions": [{"type": "Failed", "status": "True", "message": "backoff"}]}}
    assert assess(job).phase == "failed"


def test_generic_kinds_follow_ready_stalled_and_reconciling() -> None:
    thing: dict[str, Any] = {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"}}
    assert assess(thing).ready, "a custom object without conditions is current once it exists"
    thing["status"] = {"conditions": [{"type": "Ready", "status": "False", "message": "creating"}]}
    assert assess(thing).phase == "in_progress" and "creating" in assess(thing).message
    thing["status"]["conditions"] = [{"type": "Stalled", "status": "True", "message": "quota"}]
    assert assess(thing).phase == "failed"
    assert not assess(None).ready
    thing["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    assert assess(thing).message == "being deleted"


def test_cluster_ip_services_need_an_address() -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
    assert not assess(svc).ready
    assert assess(simulate_ready(svc)).ready
