"""Run a graph to a fixed point as kro's controller does across reconciles: expand, apply what resolved, observe
the results, and expand again until nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pykro.graph import Graph
from pykro.graph.analysis import COLLECTION, EXTERNAL, EXTERNAL_COLLECTION
from pykro.runtime.expand import Expansion, expand_prepared, identity
from pykro.runtime.instance import prepare_instance

DEFAULT_MAX_PASSES = 50


def reconcile_passes(
    graph: Graph,
    instance: dict[str, Any],
    apply: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    observed: dict[str, Any] | None = None,
    max_passes: int = DEFAULT_MAX_PASSES,
    source: str | None = None,
) -> Expansion:
    """Expand repeatedly, calling ``apply(obj) -> live object`` for every resolved object, until a pass applies
    nothing new. ``observed`` seeds the live state (external references, or objects that already exist)."""
    live: dict[str, Any] = dict(observed or {})
    prepared = prepare_instance(graph, instance, source)
    result = expand_prepared(graph, prepared, live)
    for _ in range(max_passes):
        changed = False
        for rid, state in result.states.items():
            node = graph.analysis.nodes[rid]
            if node.type in (EXTERNAL, EXTERNAL_COLLECTION):
                continue
            if state.state == "skipped" and rid in live:
                del live[rid]
                changed = True
                continue
            if not state.objects:
                continue
            applied = [apply(obj) for obj in state.objects]
            new: Any = applied if node.type == COLLECTION else applied[0]
            if live.get(rid) != new:
                live[rid] = new
                changed = True
        if not changed:
            return result
        result = expand_prepared(graph, prepared, live)
    return result


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
