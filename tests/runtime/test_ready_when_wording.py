"""A readyWhen waiting on data the observed object does not have yet reads as kro v0.9.3 words it
(pkg/runtime/node_readiness.go): ``failed to evaluate readyWhen expression: "..." (waiting for readiness)``."""

from __future__ import annotations

from typing import Any

from pykro.graph import Graph
from pykro.runtime import expand, simulate_ready

RGD: dict[str, Any] = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "ResourceGraphDefinition",
    "metadata": {"name": "app"},
    "spec": {
        "schema": {"apiVersion": "v1alpha1", "kind": "App", "spec": {"name": "string"}},
        "resources": [
            {
                "id": "cm",
                "readyWhen": ['${cm.data.phase == "Ready"}'],
                "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "${schema.spec.name}"}},
            }
        ],
    },
}
INSTANCE = {"apiVersion": "kro.run/v1alpha1", "kind": "App", "metadata": {"name": "demo"}, "spec": {"name": "web"}}


def test_ready_when_on_missing_data_uses_kros_words() -> None:
    graph = Graph.from_rgd(RGD)
    observed = simulate_ready(expand(graph, INSTANCE).states["cm"].objects[0])
    state = expand(graph, INSTANCE, {"cm": observed}).states["cm"]
    assert state.state == "pending"
    assert state.message == (
        'node "cm": failed to evaluate readyWhen expression: "cm.data.phase == \\"Ready\\"" (waiting for readiness)'
    )
