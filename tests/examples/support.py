"""Helpers for the example tests (`from tests.examples import support as kit`): load an example file, compare with
a golden file, validate an emitted RGD."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.helpers import RGD_CRD

from pykro import _yamlio as yamlio
from pykro.graph import Graph
from pykro.schema import _kubernetes as kubernetes
from pykro.schema import _structural as structural

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"


def load_example(name: str) -> ModuleType:
    """Import examples/<name>.py as a module (examples are scripts, not a package)."""
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"pykro_example_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def check_golden(name: str, text: str) -> None:
    """``text`` must equal tests/examples/golden/<name> (PYKRO_UPDATE_GOLDEN=1 rewrites it)."""
    path = GOLDEN / name
    if os.environ.get("PYKRO_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with PYKRO_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def rgd_schema() -> dict[str, Any]:
    crd = yamlio.load_file(RGD_CRD)
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def check_rgd(rgd_yaml: str) -> Graph:
    """The RGD validates against kro's RGD CRD schema (defaulted first, as the API server does) and loads back
    to an equal graph (exact round trip)."""
    schema = rgd_schema()
    rgd = structural.apply_defaults(schema, yamlio.load(rgd_yaml))  # as the API server does before validating
    causes = structural.validate(schema, rgd)
    assert causes == [], [c.message for c in causes]
    graph = Graph.from_rgd(rgd_yaml)
    assert yamlio.dump(graph.to_rgd()) == rgd_yaml
    return graph


def check_kubernetes(objects: list[dict[str, Any]]) -> None:
    """Every built-in object validates against its kind's Kubernetes schema (strict: unknown fields fail)."""
    assert objects
    for obj in objects:
        causes = kubernetes.validate_object(obj)
        assert causes == [], (obj["kind"], [c.message for c in causes])
