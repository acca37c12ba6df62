"""examples/webapp.py (seed 004): derived ids, golden RGD, manifests and status through the runtime."""

from __future__ import annotations

from types import ModuleType

import pytest
from tests.examples import support as kit

from pykro import _yamlio as yamlio
from pykro.runtime import reconcile_passes, simulate_ready


@pytest.fixture(scope="module")
def example() -> ModuleType:
    module: ModuleType = kit.load_example("webapp")
    return module


def test_rgd(example: ModuleType) -> None:
    text = example.webapp.to_rgd_yaml()
    kit.check_golden("webapp.rgd.yaml", text)
    graph = kit.check_rgd(text)
    assert graph.ids == ["deploymentWebapp", "serviceWebappService"]
    assert graph.status == {"ready": "${deploymentWebapp.status.readyReplicas > 0}"}


def test_manifests(example: ModuleType) -> None:
    objects = example.webapp.to_manifests(example.WebAppSpec(replicas=3), namespace="dev")
    kit.check_kubernetes(objects)
    kit.check_golden("webapp.manifests.yaml", yamlio.dump_all(objects))
    assert objects[0]["spec"]["replicas"] == 3
    assert {o["metadata"]["namespace"] for o in objects} == {"dev"}


def test_status_through_the_runtime(example: ModuleType) -> None:
    graph = example.webapp.graph
    instance = {"apiVersion": "example.com/v1", "kind": "WebApp", "metadata": {"name": "w"}, "spec": {"replicas": 2}}
    assert reconcile_passes(graph, instance, simulate_ready).status["ready"] is True

    def not_ready(obj: dict) -> dict:  # type: ignore[type-arg]
        live = simulate_ready(obj)
        live.get("status", {}).update(readyReplicas=0)
        return live

    assert reconcile_passes(graph, instance, not_ready).status["ready"] is False
