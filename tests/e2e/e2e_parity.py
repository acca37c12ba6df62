"""Compare what the real kro controller did for an instance with what pykro's offline runtime predicts.

A consistent snapshot is taken (the instance, then every live object of the graph's kinds, then the instance again
with an unchanged resourceVersion); pykro.runtime.expand runs on the same instance and observed objects, and the
results are compared: the instance's state, its status fields, kro's conditions (type, status, reason, message),
and every object pykro would apply, which must be a subset of the live object kro applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from e2e_chainsaw import mismatch, poll
from e2e_kube import Kube, Obj

from pykro import yamlio
from pykro.graph import Graph
from pykro.runtime import expand, identity, observed_from_objects

CONDITION_FIELDS = ("status", "reason", "message")
RGD = ("kro.run/v1alpha1", "ResourceGraphDefinition")


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


def apply_files(kube: Kube, files: list[Path], namespace: str) -> None:
    for path in files:
        for doc in yamlio.load_all(path.read_text()):
            if doc:
                kube.apply(doc, namespace)


@contextmanager
def active_rgd(kube: Kube, rgd: Obj, timeout: float) -> Iterator[Obj]:
    """Apply an RGD, wait until kro reports it Active, yield the live RGD, and delete it afterwards."""
    name = rgd["metadata"]["name"]
    kube.apply(rgd)
    try:
        live: Obj = {}

        def active() -> str | None:
            live.update(kube.get(*RGD, name) or {})
            state = live.get("status", {}).get("state")
            return None if state == "Active" else f"RGD state is {state!r}"

        poll(f"RGD {name}", timeout, active)
        yield live
    finally:
        kube.delete(*RGD, name)
        kube.wait_gone(*RGD, name, None, timeout)


def live_objects(kube: Kube, graph: Graph) -> list[Obj]:
    """Every live object of the kinds the graph's resources use, in all namespaces (templates may pick any)."""
    objects: list[Obj] = []
    for api_version, kind in sorted({(r.api_version, r.kind) for r in graph.resources}):
        for item in kube.list(api_version, kind):
            objects.append(dict(item, apiVersion=api_version, kind=kind))  # lists omit them per item
    return objects


def snapshot(kube: Kube, graph: Graph, instance: Obj) -> tuple[Obj, list[Obj]] | None:
    """The live instance and the graph's live objects, or None when the instance changed while they were read."""
    meta = instance["metadata"]
    namespace = meta.get("namespace")
    before = kube.get(instance["apiVersion"], instance["kind"], meta["name"], namespace)
    objects = live_objects(kube, graph)
    after = kube.get(instance["apiVersion"], instance["kind"], meta["name"], namespace)
    if before is None or after is None or before["metadata"]["resourceVersion"] != after["metadata"]["resourceVersion"]:
        return None
    return after, objects


def differences(graph: Graph, live_instance: Obj, objects: list[Obj]) -> list[str]:
    """Where pykro's expansion of the live instance against the live objects disagrees with kro."""
    instance = {k: v for k, v in live_instance.items() if k != "status"}
    expansion = expand(graph, instance, observed_from_objects(graph, instance, objects))
    theirs: dict[str, Any] = live_instance.get("status") or {}
    ours = expansion.status
    problems = [
        f"status.{key}: kro {theirs.get(key)!r}, pykro {ours.get(key)!r}"
        for key in sorted(set(theirs) | set(ours))
        if key != "conditions" and theirs.get(key) != ours.get(key)
    ]
    kro_conditions = {c["type"]: c for c in theirs.get("conditions") or []}
    our_conditions = {c["type"]: c for c in ours.get("conditions") or []}
    for kind in sorted(set(kro_conditions) | set(our_conditions)):
        a, b = kro_conditions.get(kind, {}), our_conditions.get(kind, {})
        for name in CONDITION_FIELDS:
            if a.get(name) != b.get(name):
                problems.append(f"condition {kind}.{name}: kro {a.get(name)!r}, pykro {b.get(name)!r}")
    by_identity = {identity(obj): obj for obj in objects}
    for desired in expansion.objects:
        live = by_identity.get(identity(desired))
        if live is None:
            problems.append(f"pykro would apply {identity(desired)}, which kro has not created")
            continue
        problem = mismatch(desired, live)
        if problem:
            problems.append(f"{identity(desired)}: {problem}")
    return problems
