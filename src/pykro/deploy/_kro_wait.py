"""Waiting for kro in KRO mode: the checks of each step (the RGD accepted, its CRD Established, the instance
ACTIVE and Ready, its children and status settled, the typed status complete) and the loop that follows one
object until its check passes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel

from pykro._kube import condition as find_condition
from pykro.deploy import _readiness as readiness
from pykro.deploy._api import Cluster
from pykro.deploy._errors import ReadinessTimeout, ResourceFailed
from pykro.deploy._live import LiveSet
from pykro.deploy._progress import ProgressEvent, Reporter
from pykro.deploy._text import conditions_text
from pykro.errors import PykroError
from pykro.graph import Graph
from pykro.graph._analysis import EXTERNAL, EXTERNAL_COLLECTION
from pykro.runtime import _labels as kro_labels
from pykro.runtime import expand, observed_from_objects

__all__ = [
    "Verdict",
    "condition",
    "crd_ready",
    "current",
    "instance_ready",
    "required_status",
    "rgd_ready",
    "settled",
    "state_emitter",
    "status_complete",
    "track_children",
    "until",
]

KroState = Literal["waiting", "in progress", "ready", "failed"]


class Verdict(NamedTuple):
    """What a check says of one object: its state and what it waits for (or why it failed)."""

    state: KroState
    detail: str


Check = Callable[[dict[str, Any] | None], Verdict]
Emit = Callable[[str, str, str, str, str], None]  # (step, kind, name, state, detail)


def condition(obj: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    """The status condition of type ``kind`` of ``obj`` (empty when it has none)."""
    return find_condition(obj, kind) or {}


def current(obj: dict[str, Any], cond: dict[str, Any]) -> bool:
    """The condition speaks about the object's current generation (or does not say)."""
    observed = cond.get("observedGeneration")
    generation = (obj.get("metadata") or {}).get("generation")
    return observed is None or generation is None or int(observed) >= int(generation)


def state_emitter(reporter: Reporter, started: float) -> Emit:
    """An `Emit` reporting each change of a step's state once."""
    shown: dict[str, tuple[str, str]] = {}

    def emit(rid: str, kind: str, name: str, state: str, detail: str) -> None:
        if shown.get(rid) == (state, detail):
            return
        shown[rid] = (state, detail)
        reporter.emit(
            ProgressEvent(
                "state",
                resource=rid,
                kind=kind,
                name=name,
                state=state,
                waiting_on=detail,
                elapsed=time.monotonic() - started,
            )
        )

    return emit


def rgd_ready(obj: dict[str, Any] | None) -> Verdict:
    """The RGD: accepted by kro (GraphAccepted=False is final) and Active."""
    if obj is None:
        return Verdict("waiting", "not found")
    accepted = condition(obj, "GraphAccepted")
    if accepted.get("status") == "False" and current(obj, accepted):
        return Verdict("failed", str(accepted.get("message") or accepted.get("reason") or "graph not accepted"))
    state = (obj.get("status") or {}).get("state")
    ready = condition(obj, "Ready")
    if state == "Active" and (not ready or (ready.get("status") == "True" and current(obj, ready))):
        return Verdict("ready", "")
    return Verdict("in progress", f"state {state or 'unknown'}; conditions {conditions_text(obj)}")


def crd_ready(obj: dict[str, Any] | None) -> Verdict:
    """The CRD kro generates: Established."""
    if obj is None:
        return Verdict("waiting", "kro has not created the CRD yet")
    if condition(obj, "Established").get("status") == "True":
        return Verdict("ready", "")
    return Verdict("in progress", "Established")


async def track_children(graph: Graph, cluster: Cluster, live: LiveSet, uid: str) -> None:
    """Watch the objects kro made for the instance (kro labels them with the instance's uid)."""
    kinds = {
        (r.api_version, r.kind)
        for rid, r in ((r.id, r) for r in graph.resources)
        if "${" not in r.api_version + r.kind and graph.analysis.nodes[rid].type not in (EXTERNAL, EXTERNAL_COLLECTION)
    }
    for api_version, kind in sorted(kinds):
        rt = await cluster.find_type(api_version, kind)
        if rt is not None:
            await live.track(rt, cluster.namespace if rt.namespaced else None, {kro_labels.INSTANCE_ID: uid})


def settled(graph: Graph, obj: dict[str, Any] | None, live: LiveSet) -> Verdict:
    """kro reports ACTIVE as soon as its readyWhen rules hold, with the status it computed before the children
    it just updated moved (``ready: false`` right after scaling up). Settled: every child is ready by the same
    rules as direct mode, and the status fields kro wrote are what the graph's status expressions give for the
    children as they are now (fields pykro cannot evaluate locally are not compared)."""
    if obj is None:
        return Verdict("waiting", "not found")
    uid = str((obj.get("metadata") or {}).get("uid", ""))
    children = [
        o
        for o in live.objects.values()
        if ((o.get("metadata") or {}).get("labels") or {}).get(kro_labels.INSTANCE_ID) == uid
    ]
    for child in children:
        health = readiness.assess(child)
        if not health.ready:
            meta = child.get("metadata") or {}
            return Verdict("in progress", f"{child.get('kind')}/{meta.get('name')}: {health.message}")
    try:
        bare: dict[str, Any] = {k: obj[k] for k in ("apiVersion", "kind", "metadata", "spec") if k in obj}
        expected = expand(graph, bare, observed_from_objects(graph, bare, children)).status
    except PykroError:
        return Verdict("ready", "")
    actual = obj.get("status") or {}
    stale = sorted(
        k
        for k, v in json.loads(json.dumps(expected)).items()
        if k not in ("conditions", "state") and actual.get(k) != v
    )
    if stale:
        return Verdict("in progress", "kro has not updated the status fields yet: " + ", ".join(stale))
    return Verdict("ready", "")


def required_status(graph: Graph, status_model: type[BaseModel] | None) -> list[str]:
    """Status fields the typed status needs (by their CRD names): kro reports ACTIVE before the status
    expressions over not-yet-populated fields resolve, so deploy also waits for these."""
    if status_model is None:
        return []
    return [
        info.alias or name
        for name, info in status_model.model_fields.items()
        if info.is_required() and (info.alias or name) in graph.status
    ]


def status_complete(required: list[str]) -> Check:
    """A check: the instance's status has every field of ``required``."""

    def check(obj: dict[str, Any] | None) -> Verdict:
        status = (obj or {}).get("status") or {}
        missing = [f for f in required if f not in status]
        if missing:
            return Verdict("in progress", "status fields not resolved yet: " + ", ".join(missing))
        return Verdict("ready", "")

    return check


def instance_ready(obj: dict[str, Any] | None) -> Verdict:
    """The instance: kro says ACTIVE and Ready=True for its current generation."""
    if obj is None:
        return Verdict("waiting", "not found")
    status = obj.get("status") or {}
    ready = condition(obj, "Ready")
    if status.get("state") == "ACTIVE" and ready.get("status") == "True" and current(obj, ready):
        return Verdict("ready", "")
    message = str(ready.get("message") or "waiting for kro").splitlines()[0]
    return Verdict("in progress", f"state {status.get('state') or 'unknown'}: {message}")


async def until(live: LiveSet, key: str, check: Check, deadline: float | None, emit: Emit, rid: str) -> None:
    """Wait until ``check`` passes for the live object ``key`` (step ``rid``); failed or past ``deadline``: an
    error."""
    kind = key.split("/")[-3]
    name = key.rsplit("/", 1)[-1]
    while True:
        state, detail = check(live.objects.get(key))
        emit(rid, kind, name, state, detail)
        if state == "ready":
            return
        if state == "failed":
            raise ResourceFailed(
                f"kro rejected the {rid} {name!r}: {detail}",
                where=key,
                fix="Fix the graph (`pykro rgd validate` shows the same error offline) and deploy again.",
            )
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise ReadinessTimeout(
                f"{rid} {name!r} was not ready in time: {detail}",
                where=key,
                fix="Check kro's logs and the object's conditions; raise --timeout if it is just slow.",
            )
        await live.wait(left)
