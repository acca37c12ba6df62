"""The instance status kro v0.9.3 computes on the real cluster equals what pykro's offline runtime computes for the
same observed objects, and pykro would apply exactly what kro applied (as a subset of the live objects)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet
from e2e_chainsaw import poll
from e2e_kube import Kube, Obj
from e2e_parity import differences, snapshot
from tests.conftest import CHAINSAW, REPO

from pykro import yamlio
from pykro.graph import Graph

INSTANCE_FILES = ("instance.yaml", "valid-instance.yaml")
# Differences found between kro and pykro, reported to the runtime's owner; strict, so a fix shows up as XPASS.
KNOWN_DIFFERENCES = {
    "check-external-references": "pykro's condition message for a missing external reference is 'awaiting resource "
    "readiness: ...' where kro v0.9.3 writes 'resource reconciliation failed: apply results contain errors: ...'",
}
SETTLE = 10.0  # seconds an instance that is not ACTIVE must stay unchanged before it is compared


def prerequisites(case: Path) -> list[Path]:
    """Files a chainsaw case applies before its RGD (e.g. a CRD the RGD uses), RBAC left out (kro runs as admin)."""
    found: list[Path] = []
    for step in yamlio.load_file(case / "chainsaw-test.yaml")["spec"]["steps"]:
        for operation in step.get("try", []):
            name = operation.get("apply", {}).get("file")
            if name == "rgd.yaml":
                return found
            if name and name != "cluster-role.yaml":
                found.append(case / name)
    return found


def parity_cases() -> list[ParameterSet]:
    """(RGD, instance, prerequisites): kro's chainsaw cases that create an instance, and pykro's RGD examples."""
    cases: list[ParameterSet] = []
    for case in sorted(CHAINSAW.iterdir()) if CHAINSAW.is_dir() else []:
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
    rgd_name = rgd["metadata"]["name"]
    for path in setup:
        for doc in yamlio.load_all(path.read_text()):
            kube.apply(doc, namespace)
    kube.apply(rgd)
    try:

        def rgd_active() -> str | None:
            live = kube.get("kro.run/v1alpha1", "ResourceGraphDefinition", rgd_name) or {}
            state = live.get("status", {}).get("state")
            return None if state == "Active" else f"RGD state is {state!r}"

        poll(f"RGD {rgd_name}", timeout, rgd_active)

        def create() -> str | None:  # retried until the instance CRD is served
            kube.apply(instance)
            return None

        poll(f"instance of {rgd_name}", timeout, create)
        seen: dict[str, float] = {}

        def agrees() -> str | None:
            taken = snapshot(kube, graph, instance)
            if taken is None:
                return "the instance changed while it was read"
            live, objects = taken
            state = live.get("status", {}).get("state")
            version = live["metadata"]["resourceVersion"]
            first_seen = seen.setdefault(version, time.monotonic())
            if state != "ACTIVE" and time.monotonic() - first_seen < SETTLE:
                return f"kro's instance state is {state!r} and may still change"
            problems = differences(graph, live, objects)
            return "; ".join(problems) if problems else None

        poll(f"kro vs pykro for {instance_file.name} of {rgd_name}", timeout, agrees)
    finally:
        meta = instance["metadata"]
        try:
            kube.delete(instance["apiVersion"], instance["kind"], meta["name"], meta.get("namespace"))
            kube.wait_gone(instance["apiVersion"], instance["kind"], meta["name"], meta.get("namespace"), timeout)
        except LookupError:  # the instance kind was never served: no instance to delete
            pass
        kube.delete("kro.run/v1alpha1", "ResourceGraphDefinition", rgd_name)
        kube.wait_gone("kro.run/v1alpha1", "ResourceGraphDefinition", rgd_name, None, timeout)
