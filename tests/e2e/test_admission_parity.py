"""The real API server and pykro accept and reject the same instances: every instance document in kro's chainsaw
cases (valid ones and the deliberately invalid ones) is created as a dry run against the CRD kro generated, and
pykro.runtime.prepare_instance validates it against pykro's own CRD.

(A create, not a server-side apply: SSA answers 500 "duplicate entries" before validation for a uniqueItems list.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.mark import ParameterSet
from e2e_kube import Kube, KubeError, Obj
from e2e_parity import active_rgd, apply_files, prerequisites
from tests.helpers import CHAINSAW

from pykro import _yamlio as yamlio
from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.runtime import prepare_instance


def instance_documents(case: Path, graph: Graph) -> list[tuple[str, Obj]]:
    """(file name, document) for every document of the RGD's kind in a case (assertions left out)."""
    found: list[tuple[str, Obj]] = []
    for path in sorted(case.glob("*.yaml")):
        if "assert" in path.stem:
            continue
        for doc in yamlio.load_all(path.read_text()):
            if (
                isinstance(doc, dict)
                and doc.get("kind") == graph.kind
                and doc.get("apiVersion") == graph.instance_api_version
            ):
                found.append((path.name, doc))
    return found


def admission_cases() -> list[ParameterSet]:
    cases: list[ParameterSet] = []
    for case in sorted(CHAINSAW.iterdir()):
        if (case / "rgd.yaml").is_file() and (case / "chainsaw-test.yaml").is_file():
            graph = Graph.from_rgd(yamlio.load_file(case / "rgd.yaml"))
            if instance_documents(case, graph):
                cases.append(pytest.param(case, id=case.name))
    return cases


@pytest.mark.parametrize("case", admission_cases())
def test_apiserver_and_pykro_agree_on_instance_validity(kube: Kube, namespace: str, timeout: float, case: Path) -> None:
    rgd: Obj = yamlio.load_file(case / "rgd.yaml")
    graph = Graph.from_rgd(rgd, source=str(case / "rgd.yaml"))
    apply_files(kube, prerequisites(case), namespace)
    disagreements: list[str] = []
    with active_rgd(kube, rgd, timeout):
        for name, doc in instance_documents(case, graph):
            try:
                kube.create(dict(doc), namespace, dry_run=True)
                server = "accepted"
            except KubeError as err:
                if err.status != 422:
                    raise
                server = f"rejected ({err.body.get('message')})"
            try:
                prepare_instance(graph, dict(doc, metadata=dict(doc["metadata"], namespace=namespace)))
                ours = "accepted"
            except ValidationError as err:
                ours = f"rejected ({err})"
            if server.split()[0] != ours.split()[0]:
                disagreements.append(f"{name}: API server {server}; pykro {ours}")
    assert not disagreements, "\n".join(disagreements)
