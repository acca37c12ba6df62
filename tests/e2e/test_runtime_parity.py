"""The instance status kro v0.9.3 computes on the real cluster equals what pykro's offline runtime computes for the
same observed objects, and pykro would apply exactly what kro applied (as a subset of the live objects)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.mark import ParameterSet
from e2e_kube import Kube, Obj
from e2e_parity import active_rgd, apply_files, assert_kro_agrees, assert_same_crd, prerequisites
from tests.helpers import CHAINSAW, REPO

from pykro import _yamlio as yamlio
from pykro.graph import Graph

INSTANCE_FILES = ("instance.yaml", "valid-instance.yaml")
# Differences found between kro and pykro, reported to the runtime's owner; strict, so a fix shows up as XPASS.
KNOWN_DIFFERENCES: dict[str, str] = {}


def parity_cases() -> list[ParameterSet]:
    """(RGD, instance, prerequisites): kro's chainsaw cases that create an instance, and pykro's RGD examples."""
    cases: list[ParameterSet] = []
    for case in sorted(CHAINSAW.iterdir()):
        instance = next((case / f for f in INSTANCE_FILES if (case / f).is_file()), None)
        if (case / "rgd.yaml").is_file() and instance:
            known = KNOWN_DIFFERENCES.get(case.name)
            marks = [pytest.mark.xfail(reason=known, strict=True)] if known else []
            cases.append(pytest.param(case / "rgd.yaml", instance, prerequisites(case), marks=marks, id=case.name))
    for rgd in sorted((REPO / "examples" / "rgd").glob("*.yaml")):
        instance = rgd.with_name(f"{rgd.stem}-instance.yaml")
        if instance.is_file():
            cases.append(pytest.param(rgd, instance, [], id=f"examples/{rgd.name}"))
    return cases


@pytest.mark.parametrize(("rgd_file", "instance_file", "setup"), parity_cases())
def test_kro_status_matches_pykro_runtime(
    kube: Kube, namespace: str, timeout: float, rgd_file: Path, instance_file: Path, setup: list[Path]
) -> None:
    rgd: Obj = yamlio.load_file(rgd_file)
    graph = Graph.from_rgd(rgd, source=str(rgd_file))
    instance: Obj = yamlio.load_file(instance_file)
    if graph.namespaced:
        instance["metadata"]["namespace"] = namespace
    apply_files(kube, setup, namespace)
    with active_rgd(kube, rgd, timeout):
        assert_kro_agrees(kube, graph, instance, timeout)


def rgd_cases() -> list[ParameterSet]:
    """(RGD, prerequisites) for every RGD of kro's chainsaw cases and pykro's examples."""
    cases = [
        pytest.param(case / "rgd.yaml", prerequisites(case), id=case.name)
        for case in sorted(CHAINSAW.iterdir())
        if (case / "rgd.yaml").is_file() and (case / "chainsaw-test.yaml").is_file()
    ]
    examples = sorted((REPO / "examples" / "rgd").glob("*.yaml"))
    rgds = [p for p in examples if not p.stem.endswith("-instance")]
    return cases + [pytest.param(rgd, [], id=f"examples/{rgd.name}") for rgd in rgds]


@pytest.mark.parametrize(("rgd_file", "setup"), rgd_cases())
def test_kro_generates_the_crd_pykro_generates(
    kube: Kube, namespace: str, timeout: float, rgd_file: Path, setup: list[Path]
) -> None:
    """The instance CRD kro writes for an RGD has exactly the spec of pykro's Graph.crd() (the API server adds
    only `conversion`; `required` lists compare as sets, kro orders them randomly)."""
    apply_files(kube, setup, namespace)
    rgd: Obj = yamlio.load_file(rgd_file)
    with active_rgd(kube, rgd, timeout):
        assert_same_crd(kube, Graph.from_rgd(rgd, source=str(rgd_file)))
