"""Load/save identity, the structural validator against kro's RGD CRD schema, DAG order, CRD generation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.helpers import CHAINSAW, RGD_CRD

from pykro import _yamlio as yamlio
from pykro.graph import CycleError, Graph, deletion_waves, topological_order
from pykro.graph._plural import pluralize
from pykro.schema import _structural as structural

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rgd"
RGD_FILES = sorted(CHAINSAW.glob("*/rgd.yaml")) + sorted(EXAMPLES.glob("*.yaml"))
RGD_FILES = [p for p in RGD_FILES if yamlio.load_file(p).get("kind") == "ResourceGraphDefinition"]


def _crd_schema() -> dict[str, Any]:
    crd = yamlio.load_file(RGD_CRD)
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


@pytest.mark.parametrize("path", RGD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_load_save_load_is_identity(path: Path) -> None:
    raw = yamlio.load_file(path)
    graph = Graph.from_rgd(raw, source=str(path), validate=False)
    saved = graph.to_rgd()
    assert saved == raw
    assert list(saved["spec"]) == list(raw["spec"])
    assert Graph.from_rgd(yamlio.load(graph.to_yaml()), validate=False) == graph


@pytest.mark.parametrize("path", RGD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_accepted_rgds_validate_against_the_crd_schema(path: Path) -> None:
    raw = yamlio.load_file(path)
    Graph.from_rgd(raw, source=str(path))
    defaulted = structural.apply_defaults(_crd_schema(), raw)
    assert structural.validate(_crd_schema(), defaulted) == []


def test_unknown_fields_round_trip() -> None:
    raw = yamlio.load_file(EXAMPLES / "webapp.yaml")
    raw["metadata"]["uid"] = "1234"
    raw["status"] = {"state": "Active", "topologicalOrder": ["config"]}
    raw["spec"]["schema"]["additionalPrinterColumns"] = [{"name": "X", "type": "string", "jsonPath": ".x"}]
    graph = Graph.from_rgd(raw)
    assert graph.to_rgd() == raw
    columns = graph.crd()["spec"]["versions"][0]["additionalPrinterColumns"]
    assert columns == [{"name": "X", "type": "string", "jsonPath": ".x"}]


def test_topological_order_prefers_declaration_order() -> None:
    deps = {"a": ["c"], "b": [], "c": [], "d": ["a", "b"]}
    assert topological_order(deps, ["a", "b", "c", "d"]) == ["b", "c", "a", "d"]
    assert deletion_waves(deps, ["a", "b", "c", "d"]) == [["d"], ["a"], ["b", "c"]]


def test_cycle_names_the_path() -> None:
    with pytest.raises(CycleError, match=r"^graph contains a cycle: a -> b -> c -> a$"):
        topological_order({"a": ["b"], "b": ["c"], "c": ["a"]}, ["a", "b", "c"])


def test_graph_dependencies_and_waves() -> None:
    graph = Graph.from_file(str(EXAMPLES / "webapp.yaml"))
    assert graph.dependencies == {
        "config": [],
        "deployment": ["config"],
        "service": ["deployment"],
        "ingress": ["service"],
    }
    assert graph.deletion_waves() == [["ingress"], ["service"], ["deployment"], ["config"]]


@pytest.mark.parametrize(
    ("word", "plural"),
    [("webapp", "webapps"), ("policy", "policies"), ("gateway", "gateways"), ("ingress", "ingresses"),
     ("proxy", "proxies"), ("index", "indices"), ("status", "statuses"), ("leaf", "leaves"), ("box", "boxes"),
     ("redis", "redis"), ("person", "people"), ("database", "databases"), ("hero", "heroes"), ("photo", "photos")],
)  # fmt: skip
def test_pluralize_like_flect(word: str, plural: str) -> None:
    assert pluralize(word) == plural


def test_crd_status_types_and_scope() -> None:
    raw = yamlio.load_file(EXAMPLES / "webapp.yaml")
    raw["spec"]["schema"]["scope"] = "Cluster"
    raw["spec"]["schema"]["group"] = "example.com"
    for res in raw["spec"]["resources"]:
        res["template"]["metadata"]["namespace"] = "apps"
    crd = Graph.from_rgd(raw).crd()
    assert crd["metadata"]["name"] == "webapps.example.com"
    assert crd["spec"]["scope"] == "Cluster"
    status = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]
    assert status["ready"] == {"type": "boolean"}
    assert status["availableReplicas"] == {"type": "integer"}
    assert status["url"] == {"type": "string"}
    assert status["state"] == {"type": "string"}
    assert status["conditions"]["items"]["properties"]["observedGeneration"] == {"type": "integer"}
