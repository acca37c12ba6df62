"""Run a graph to a fixed point as kro's controller does across reconciles: expand, apply what resolved, observe
the results, and expand again until nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pykro.errors import PykroError
from pykro.graph import Graph
from pykro.graph._analysis import COLLECTION, EXTERNAL_COLLECTION
from pykro.runtime._expand import Expansion, applying_pass, expand_prepared, identity
from pykro.runtime._instance import prepare_instance

__all__ = ["observed_from_objects", "reconcile_passes"]

DEFAULT_MAX_PASSES = 50


def reconcile_passes(
    graph: Graph,
    instance: dict[str, Any],
    apply: Callable[[dict[str, Any]], dict[str, Any]] | None,
    *,
    observed: dict[str, Any] | None = None,
    max_passes: int = DEFAULT_MAX_PASSES,
    source: str | None = None,
    status: bool = True,
) -> Expansion:
    """Expand repeatedly, calling ``apply(obj) -> live object`` for every resolved object, until a pass applies
    nothing new. ``observed`` seeds the live state (external references, or objects that already exist).

    Each object is applied as soon as it resolves and its dependents see it in the same pass (kro observes what it
    applies), so a graph settles in two passes whatever its depth; the cost is linear in the graph's size. A graph
    still changing after ``max_passes`` (an ``apply`` that never returns the same object twice) is an error, never
    a result with resources left pending.

    ``apply=None`` stands for rendering without a cluster: the object applied is the object rendered, and nothing
    is observed but ``observed``. One pass is then the fixed point: a second one would see the same inputs (every
    resource's dependencies are before it in the order, and observed as applied in the first) and evaluation is
    deterministic (a NaN, the one value unequal to itself, is a resource error, see ``_expand``).

    The instance status, which feeds nothing back, is computed for the last pass only; ``status=False`` leaves it
    out (for callers that keep only the objects and resource states)."""
    live: dict[str, Any] = dict(observed or {})
    prepared = prepare_instance(graph, instance, source)
    for _ in range(max_passes if apply is not None else 1):
        run = applying_pass(graph, prepared, live, apply or _rendered)
        result = run.execute(status=False)
        if apply is None or not run.changed:
            if status:
                run.add_status()
            return result
    raise PykroError(
        f"the resources of {graph.kind} {graph.name!r} kept changing after {max_passes} reconcile passes",
        where=source or graph.name,
        fix="The objects the cluster reports must settle: check readyWhen and the fields fed back as observed.",
    )


def _rendered(obj: dict[str, Any]) -> dict[str, Any]:
    """What a cluster-less apply returns: the object itself."""
    return obj


def observed_from_objects(graph: Graph, instance: dict[str, Any], objects: list[dict[str, Any]]) -> dict[str, Any]:
    """Map live objects (e.g. read from a directory of YAML files) to the resource ids whose desired identity they
    match, expanding again as identities that depend on observed data become known."""
    by_identity: dict[str, dict[str, Any]] = {}
    for obj in objects:
        if isinstance(obj, dict):
            by_identity[identity(obj)] = obj
            by_identity.setdefault(identity(obj, namespace=False), obj)
    observed: dict[str, Any] = {}
    prepared = prepare_instance(graph, instance)
    for _ in range(len(graph.resources) + 1):
        result = expand_prepared(graph, prepared, observed)
        found: dict[str, Any] = {}
        for rid, state in result.states.items():
            matches = [m for o in state.objects if (m := _lookup(by_identity, o)) is not None]
            if not matches:
                continue
            node = graph.analysis.nodes[rid]
            found[rid] = matches if node.type in (COLLECTION, EXTERNAL_COLLECTION) else matches[0]
        if found == observed:
            break
        observed = found
    return observed


def _lookup(index: dict[str, dict[str, Any]], desired: dict[str, Any]) -> dict[str, Any] | None:
    return index.get(identity(desired)) or index.get(identity(desired, namespace=False))
