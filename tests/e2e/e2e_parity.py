"""Compare what the real kro controller did for an instance with what pykro's offline runtime predicts.

A consistent snapshot is taken (the instance, then every live object of the graph's kinds, then the instance again
with an unchanged resourceVersion); pykro.runtime.expand runs on the same instance and observed objects, and the
results are compared: the instance's state, its status fields, kro's conditions (type, status, reason, message),
and every object pykro would apply, which must be a subset of the live object kro applied.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from e2e_chainsaw import mismatch, poll, unordered_required
from e2e_kube import Kube, Obj

from pykro import _yamlio as yamlio
from pykro.graph import Graph
from pykro.runtime import expand, identity, observed_from_objects

CONDITION_FIELDS = ("status", "reason", "message")
RGD = ("kro.run/v1alpha1", "ResourceGraphDefinition")
SETTLE = 10.0  # seconds the instance and its objects must stay unchanged for a comparison to be final


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


def as_stored(obj: Obj) -> Obj:
    """`obj` as the API server stores it: a Secret's write-only `stringData` is merged into `data`, base64-encoded."""
    if (obj.get("apiVersion"), obj.get("kind")) != ("v1", "Secret") or "stringData" not in obj:
        return obj
    stored = {k: v for k, v in obj.items() if k != "stringData"}
    encoded = {k: base64.b64encode(str(v).encode()).decode() for k, v in obj["stringData"].items()}
    stored["data"] = {**(obj.get("data") or {}), **encoded}
    return stored


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
        problem = mismatch(as_stored(desired), live)
        if problem:
            problems.append(f"{identity(desired)}: {problem}")
    return problems


def assert_kro_agrees(kube: Kube, graph: Graph, instance: Obj, timeout: float) -> None:
    """Create `instance` (its RGD active), wait until kro's view and pykro's agree on a consistent snapshot, then
    delete it. A difference is final once nothing changed for SETTLE seconds; until then kro may still be working."""

    def create() -> str | None:  # retried until the instance CRD is served
        kube.apply(instance)
        return None

    poll(f"instance of {graph.name}", timeout, create)
    seen: dict[tuple[str, ...], float] = {}

    def agrees() -> str | None:
        taken = snapshot(kube, graph, instance)
        if taken is None:
            return "the instance changed while it was read"
        live, objects = taken
        versions = (live["metadata"]["resourceVersion"], *sorted(o["metadata"]["resourceVersion"] for o in objects))
        settled = time.monotonic() - seen.setdefault(versions, time.monotonic()) >= SETTLE
        state = live.get("status", {}).get("state")
        if state != "ACTIVE" and not settled:
            return f"kro's instance state is {state!r} and may still change"
        problems = differences(graph, live, objects)
        if problems and settled:
            raise AssertionError(f"nothing changed for {SETTLE:.0f}s and kro and pykro disagree: {problems}")
        return "; ".join(problems) if problems else None

    meta = instance["metadata"]
    try:
        poll(f"kro vs pykro for {graph.kind} {meta['name']}", timeout, agrees)
    finally:
        kube.delete(instance["apiVersion"], instance["kind"], meta["name"], meta.get("namespace"))
        kube.wait_gone(instance["apiVersion"], instance["kind"], meta["name"], meta.get("namespace"), timeout)


def assert_same_crd(kube: Kube, graph: Graph) -> None:
    """The instance CRD kro generated has exactly the spec of pykro's Graph.crd() (the API server adds only
    `conversion`; `required` lists compare as sets, kro orders them randomly)."""
    expected = graph.crd()
    name = expected["metadata"]["name"]
    live = kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", name)
    assert live is not None, f"kro did not create the CRD {name}"
    spec = unordered_required({k: v for k, v in live["spec"].items() if k != "conversion"})
    ours = unordered_required(expected["spec"])
    assert spec == ours, mismatch(ours, spec) or mismatch(spec, ours)
