"""Per-graph plans: fields split by whether they read forEach iterators, what pending fields wait on, the tree of
value paths, and a plan kept exactly as long as its graph analysis."""

from __future__ import annotations

import gc
from typing import Any

from pykro.graph import Graph
from pykro.runtime import _plan as plan

RGD: dict[str, Any] = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "ResourceGraphDefinition",
    "metadata": {"name": "regions"},
    "spec": {
        "schema": {"apiVersion": "v1alpha1", "kind": "Regions", "spec": {"name": "string", "regions": "[]string"}},
        "resources": [
            {
                "id": "config",
                "template": {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "${schema.spec.name}"},
                    "data": {"k": "v"},
                },
            },
            {
                "id": "perRegion",
                "forEach": [{"region": "${schema.spec.regions}"}],
                "template": {  # a custom kind: a ConfigMap's data cannot hold a list
                    "apiVersion": "example.com/v1",
                    "kind": "RegionConfig",
                    "metadata": {"name": "${config.metadata.name}-${region}"},
                    "data": {"owner": "${schema.spec.name}", "list": ["${region}", "x"]},
                },
            },
        ],
    },
}


def test_fields_split_by_iterator_use() -> None:
    graph = Graph.from_rgd(RGD)
    planned = plan.plans(graph.analysis)
    per_region = planned["perRegion"]
    assert [(f.path, on) for f, on in per_region.base] == [(("data", "owner"), ("schema",))]
    assert [(f.path, on) for f, on in per_region.iterated] == [
        (("metadata", "name"), ("config",)),
        (("data", "list", 0), ("schema",)),
    ]
    assert per_region.base_roots == ("schema",)
    assert set(per_region.iterated_roots) == {"config", "region"}
    assert per_region.targets == {
        "metadata": {"name": ("metadata", "name")},
        "data": {"owner": ("data", "owner"), "list": {0: ("data", "list", 0)}},
    }
    assert planned["config"].iterated == ()


def test_a_plan_lives_as_long_as_its_analysis() -> None:
    graph = Graph.from_rgd(RGD)
    analysis = graph.analysis
    assert plan.plans(analysis) is plan.plans(analysis)
    key = id(analysis)
    assert key in plan._PLANS
    del graph, analysis
    gc.collect()
    assert key not in plan._PLANS
