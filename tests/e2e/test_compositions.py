"""The RGDs pykro emits for the Python compositions in examples/ are accepted and reconciled by the real kro:
kro reports them Active with pykro's topological order, generates pykro's CRD, and for a sample spec the instance
status kro computes equals pykro's offline runtime on the same live objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_kube import Kube, Obj
from e2e_parity import active_rgd, assert_kro_agrees, assert_same_crd
from tests.helpers import REPO

from pykro.authoring._loader import compositions_in, load_composition

# Every composition of examples/*.py (FILE:NAME where a file defines several, as examples/hub_tenants.py does).
EXAMPLES = [
    f"{path}:{name}" if len(names) > 1 else str(path)
    for path in sorted((REPO / "examples").glob("*.py"))
    for names in [sorted(compositions_in(path))]
    for name in names
]

# A spec per example (Python field names); an example without one gets the RGD checks only.
BACKEND = {"image": "nginx:1.25", "replicas": 2, "database": {"host": "db", "name": "app"}}
SPECS: dict[str, dict[str, Any]] = {
    "webapp.py": {"replicas": 2},
    "fullstack.py": {"name": "shop", "app_image": "node:20", "replicas": 2},
    "microservices.py": {
        "environment": "staging",
        "version": "1.10",
        "gateway": {"domain": "shop.example.com", "replicas": 2},
        "services": {"user": BACKEND, "product": BACKEND, "order": BACKEND},
    },
}


@pytest.mark.parametrize("example", EXAMPLES, ids=[Path(e).name for e in EXAMPLES])
def test_kro_reconciles_the_rgd_pykro_emits(
    kube: Kube, namespace: str, timeout: float, example: str, request: pytest.FixtureRequest
) -> None:
    if "webapp_with_processing" in example:
        request.getfixturevalue("operator_crds")  # kro needs the schemas of the kinds it templates
    comp = load_composition(example)
    graph = comp.graph
    with active_rgd(kube, comp.to_rgd(), timeout) as live_rgd:
        assert live_rgd["status"]["topologicalOrder"] == graph.topological_order
        assert_same_crd(kube, graph)
        if Path(example).name in SPECS:
            metadata = {"name": "sample"} | ({"namespace": namespace} if graph.namespaced else {})
            instance: Obj = {
                "apiVersion": graph.instance_api_version,
                "kind": graph.kind,
                "metadata": metadata,
                "spec": comp.spec_values(SPECS[Path(example).name]),
            }
            assert_kro_agrees(kube, graph, instance, timeout)
