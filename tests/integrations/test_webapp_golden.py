"""examples/webapp_with_processing.py: golden RGD (valid for kro's RGD schema, exact round trip) and golden
manifests for a concrete spec with the operators' live values; the Inngest keys appear only in the Secret."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pykro import _yamlio as yamlio
from pykro.graph import Graph
from pykro.schema import _structural as structural

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
RGD_CRD = REPO / ".." / "shared" / "fixtures" / "kro" / "helm" / "crds" / "kro.run_resourcegraphdefinitions.yaml"
OBSERVED: dict[str, Any] = {  # what the operators publish once each object is ready (cnpg, valkey, flux readiness)
    "database": {"status": {"phase": "Cluster in healthy state", "readyInstances": 3}},
    "pooler": {"status": {"instances": 1}},
    "cacheAuth": {},
    "cache": {"status": {"ready": True}},
    "processingSecret": {},
    "inngestRepository": {},
    "inngest": {
        "metadata": {"generation": 1},
        "status": {
            "observedGeneration": 1,
            "conditions": [{"type": "Ready", "status": "True", "observedGeneration": 1}],
        },
    },
}


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PYKRO_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def example() -> ModuleType:
    path = REPO / "examples" / "webapp_with_processing.py"
    spec = importlib.util.spec_from_file_location("pykro_example_webapp_with_processing", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_rgd_golden_valid_and_round_trips(example: ModuleType) -> None:
    text = example.webapp_with_processing.to_rgd_yaml()
    _golden("webapp_with_processing.rgd.yaml", text)
    schema = yamlio.load_file(RGD_CRD)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    rgd = structural.apply_defaults(schema, yamlio.load(text))
    assert [c.message for c in structural.validate(schema, rgd)] == []
    assert yamlio.dump(Graph.from_rgd(text).to_rgd()) == text
    order = Graph.from_rgd(text).topological_order
    assert order.index("database") < order.index("pooler") < order.index("app")
    assert order.index("processingSecret") < order.index("inngest") < order.index("app")


def test_manifests_golden(example: ModuleType) -> None:
    spec = example.WebAppWithProcessingSpec.model_validate(
        {
            "name": "my-app",
            "app": {"image": "ghcr.io/example/my-app:1", "port": 3000},
            "database": {"storage_size": "50Gi", "instances": 3},
            "processing": {"event_key": "MARKER-ev-1", "signing_key": "MARKER-sig-2"},
        }
    )
    objects = example.webapp_with_processing.to_manifests(spec, namespace="production", observed=OBSERVED)
    _golden("webapp_with_processing.manifests.yaml", yamlio.dump_all(objects))
    kinds = [(o["kind"], o["metadata"]["name"]) for o in objects]
    assert ("HelmRelease", "my-app-inngest") in kinds and ("Cluster", "my-app-db") in kinds
    cluster = next(o for o in objects if o["kind"] == "Cluster")
    assert cluster["spec"]["storage"] == {"size": "50Gi"}  # no storageClass given: none written
    for obj in objects:
        if obj["kind"] != "Secret":
            assert "MARKER-" not in yamlio.dump(obj), obj["kind"]
