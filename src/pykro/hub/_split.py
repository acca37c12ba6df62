"""kro mode's split of a form: the resources kro's controller cannot honour — a Secret (its data would sit in plain
text in the instance CR's spec), ``creationPolicy: Once``, ``ignoreFields``, a per-resource readiness timeout,
``deletionPolicy: Retain`` — and the resources they depend on are applied by the hub itself, per tenant, with
pykro's deploy engine and the policies of direct mode (the *hub part*, an instance of a graph of those resources
with an inventory record of its own); the rest is the form's RGD, where the hub part's resources that kro's
resources depend on are ``externalRef`` nodes (kro waits until they exist). `pykro.hub._kro` writes the hub part
first, then the instance CR; a tenant is ready when both are."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pykro.errors import PykroError
from pykro.graph import Graph
from pykro.graph import _secrets as graph_secrets
from pykro.hub._model import Form, spec_hash

__all__ = ["Split", "graph_split", "has_value", "hashes"]


@dataclass
class Split:
    """A form split for kro mode (see the module docstring)."""

    part: Form
    """The hub part: a form over the graph of the hub-applied resources (a direct-mode factory), same instance names."""
    graph: Graph
    """What kro reconciles: the form's RGD without the hub part (its resources kro's depend on as externalRefs)."""
    hub_ids: tuple[str, ...]
    kro_ids: tuple[str, ...]
    hub_spec: Callable[[dict[str, Any]], dict[str, Any]]
    """The hub part's spec, from the form's checked spec."""
    kro_spec: Callable[[dict[str, Any]], dict[str, Any]]
    """The instance CR's spec, from the form's checked spec (never a generated secret)."""
    hashed: Callable[[dict[str, Any]], dict[str, Any]]
    """The hub part's spec as its hash sees it (a ``creationPolicy: Once`` body left out: a row change never
    updates it)."""

    def describe(self) -> str:
        """``hub applies a, b; kro applies c, d`` (resource ids)."""
        kro = f"; kro applies {', '.join(self.kro_ids)}" if self.kro_ids else ""
        return f"hub applies {', '.join(self.hub_ids)}{kro}"


def hashes(form: Form, spec: dict[str, Any]) -> tuple[str, str]:
    """The instance CR's spec hash and the hub part's (split forms only)."""
    split = form.split
    assert split is not None
    return (
        spec_hash(split.kro_spec(spec), form.kro_digest()),
        spec_hash(split.hashed(spec), split.part.digest()),
    )


def has_value(tree: Any, values: set[str]) -> bool:
    """True when a string of ``tree`` is one of ``values`` or holds one."""
    if isinstance(tree, str):
        return any(v in tree for v in values)
    if isinstance(tree, dict):
        return any(has_value(v, values) for v in tree.values())
    if isinstance(tree, list):
        return any(has_value(v, values) for v in tree)
    return False


def _same(spec: dict[str, Any]) -> dict[str, Any]:
    return spec


def graph_split(form: Form, hub: str, part_factory: Callable[[Graph], Any]) -> Split | None:
    """A composition's split (Python forms): the resources with ``ignore_fields`` or ``timeouts`` and what they
    depend on go to the hub part, a graph of those resources (no status); kro's RGD keeps the others, with the hub
    part's resources they (or the status) read as ``externalRef`` nodes named as the templates name them. The
    resources reading a ``SecretStr`` field (`_secret_fields`) go to the hub part too, and the field is left out of
    kro's schema and the CR's spec. The hub part takes the whole spec (its hash only the fields it reads). kro's RGD
    is not the composition's, so it is named for the hub and form (``<rgd>-<hub>-<form>``, kind
    ``<Kind><Hub><Form>``): the composition's own RGD, which others may use, is left alone. ``part_factory`` makes
    the hub part's direct-mode factory; None when nothing needs the hub."""
    graph = form.factory.graph
    analysis = graph.analysis
    nodes = analysis.nodes
    secret = _secret_fields(graph)
    readers = {
        rid
        for rid, node in nodes.items()
        for f in _fields(node)
        for ref in f.references
        if ref.root == "schema" and ref.path[:1] == ("spec",) and any(_overlap(ref.path[1:], p) for p in secret)
    }
    own = set(form.policies.ignore_fields) | set(form.policies.timeouts) | readers
    if not own:
        return None

    def closure(start: set[str], within: set[str] | None = None) -> set[str]:
        out: set[str] = set()
        todo = [rid for rid in start if within is None or rid in within]
        while todo:
            rid = todo.pop()
            if rid not in out:
                out.add(rid)
                todo += [d for d in nodes[rid].dependencies if within is None or d in within]
        return out

    held = closure(own)
    applied = {rid for rid in held if not nodes[rid].resource.is_external}
    kro_ids = [r.id for r in graph.resources if r.id not in applied]
    read = {d for rid in kro_ids for d in nodes[rid].dependencies}
    read |= {root for f in [*analysis.status_fields, *analysis.conditions] for root in f.roots}
    external = closure(read & applied, applied)
    rgd = graph.to_rgd()
    kro_resources: list[dict[str, Any]] = []
    for res in graph.resources:
        if res.id in kro_ids:
            kro_resources.append(res.to_dict())
        elif res.id in external:
            kro_resources.append(_as_external(form, res))
    name = f"{graph.name}-{hub}-{form.name}"[:240]
    kind = graph.kind + "".join(w[:1].upper() + w[1:] for w in f"{hub}-{form.name}".split("-") if w)
    part = {
        **rgd,
        "metadata": {**rgd["metadata"], "name": f"{name}-hub"},
        "spec": {
            "schema": {
                **{k: v for k, v in rgd["spec"]["schema"].items() if k != "status"},
                "kind": f"{kind}HubPart",
            },
            "resources": [r.to_dict() for r in graph.resources if r.id in held],
        },
    }
    kro = {
        **rgd,
        "metadata": {**rgd["metadata"], "name": name},
        "spec": {**rgd["spec"], "schema": {**rgd["spec"]["schema"], "kind": kind}, "resources": kro_resources},
    }
    part_graph = Graph.from_rgd(part, source=graph.source)
    made = dataclasses.replace(form, factory=part_factory(part_graph), source=part_graph, split=None)
    for path in secret:  # kro's CRs do not hold the secret fields (the hub part's record keeps them in a Secret)
        kro["spec"]["schema"]["spec"] = _without(kro["spec"]["schema"]["spec"], path)
    hub_ids = tuple(r.id for r in graph.resources if r.id in applied)

    def kro_spec(spec: dict[str, Any]) -> dict[str, Any]:
        for path in secret:
            spec = _without(spec, path)
        return spec

    used = {
        ref.path[1:2]
        for rid in held
        for f in _fields(nodes[rid])
        for ref in f.references
        if ref.root == "schema" and ref.path[:1] == ("spec",)
    }
    keys = None if () in used else {k for (k,) in used}

    def hashed(spec: dict[str, Any]) -> dict[str, Any]:  # the spec fields the hub part reads
        return spec if keys is None else {k: v for k, v in spec.items() if k in keys}

    return Split(made, Graph.from_rgd(kro, source=graph.source), hub_ids, tuple(kro_ids), _same, kro_spec, hashed)


def _fields(node: Any) -> list[Any]:
    """Every expression of a graph node (template, includeWhen, readyWhen, forEach)."""
    return [*node.fields, *node.include_when, *node.ready_when, *(f for _, f in node.for_each)]


def _secret_fields(graph: Graph) -> list[tuple[str, ...]]:
    """The graph's ``SecretStr`` spec fields kro mode keeps out of the instance CR: those written as plain fields of
    the spec schema (a path through a map, list or custom type stays in the CR, as with ``pykro deploy --mode
    kro``), unless the status reads them (kro computes the status from the CR)."""
    found: list[tuple[str, ...]] = []
    for path in graph_secrets.secret_paths(graph):
        tree: Any = graph.spec
        for key in path:
            tree = tree.get(key) if isinstance(tree, dict) and key != "*" else None
        if isinstance(tree, str):
            found.append(tuple(path))
    status = [*graph.analysis.status_fields, *graph.analysis.conditions]
    read = [ref.path[1:] for f in status for ref in f.references if ref.root == "schema" and ref.path[:1] == ("spec",)]
    return [p for p in found if not any(_overlap(r, p) for r in read)]


def _overlap(read: tuple[str, ...], field: tuple[str, ...]) -> bool:
    """Does reading spec path ``read`` read (part of) ``field``?"""
    n = min(len(read), len(field))
    return read[:n] == field[:n]


def _without(tree: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """``tree`` without the value at ``path`` (a copy of what changes)."""
    if path[0] not in tree:
        return tree
    out = dict(tree)
    if len(path) == 1:
        del out[path[0]]
    elif isinstance(out[path[0]], dict):
        out[path[0]] = _without(out[path[0]], path[1:])
    return out


def _as_external(form: Form, res: Any) -> dict[str, Any]:
    """A template resource as an ``externalRef`` named as its template names it (its readyWhen and includeWhen
    kept)."""
    body = res.template or {}
    meta = body.get("metadata") or {}
    what = (
        f"form {form.name!r}: resource {res.id!r}, applied by the hub in kro mode (ignore_fields, timeouts, or it "
        "reads a SecretStr field),"
    )
    if res.for_each or not isinstance(meta.get("name"), str):
        raise PykroError(
            f"{what} is read by kro's resources but cannot be an externalRef of theirs "
            f"({'a forEach collection' if res.for_each else 'its template has no metadata.name'})",
            where=form.where,
            fix="Give it a metadata.name, drop its ignore_fields/timeouts, or use --mode direct.",
        )
    ref_meta = {k: meta[k] for k in ("name", "namespace") if k in meta}
    out: dict[str, Any] = {
        "id": res.id,
        "externalRef": {"apiVersion": body.get("apiVersion"), "kind": body.get("kind"), "metadata": ref_meta},
    }
    if res.ready_when:
        out["readyWhen"] = list(res.ready_when)
    if res.include_when:
        out["includeWhen"] = list(res.include_when)
    return out
