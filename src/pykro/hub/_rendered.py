"""What a Python form's composition computes from a row, checked when the row is planned (by ``hub plan`` and
``hub sync`` alike, before anything is written): the objects the spec alone decides — the resources whose
expressions read only the instance's spec, name and namespace, as a deploy checks them before its first write —
are rendered with the runtime's evaluation and checked as the API server would (`pykro.graph._metadata`: the kind's
name rule, label keys and values, the kind's schema and value rules). A row whose composition would compute a
Service name over 63 characters or a port above 65535 fails alone, naming the resource and the field.

Cheap enough for every row of a large table: each expression is evaluated once per distinct value of the spec
fields it reads (``${schema.spec.image}`` once for all rows with the same image), the metadata rules are a few
string checks, and the body of each resource is checked once per distinct rendered body (the name, which differs
per row, is checked on its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from pykro.cel import Template
from pykro.graph import Field, Graph, Node
from pykro.graph._analysis import RESOURCE
from pykro.graph._metadata import Problem, metadata_problem
from pykro.graph._templates import object_problem
from pykro.runtime import _paths as paths
from pykro.runtime._expand import _Context, _Failed, _Pending
from pykro.runtime._fill import fill
from pykro.runtime._plan import plans
from pykro.schema import _structural as structural

__all__ = ["Renderer"]

_MISSING: Final = object()
_SCALARS: Final = frozenset({bool, int, float})
_CACHE_MAX: Final = 50_000  # values or bodies kept per form before the cache starts afresh
_META: Final = frozenset({("metadata", "name"), ("metadata", "namespace")})


@dataclass(frozen=True)
class _Node:
    """A resource the spec alone decides, its expression fields split into metadata and body."""

    node: Node
    meta: tuple[Field, ...]
    body: tuple[Field, ...]
    meta_tree: Any  # `pykro.runtime._fill.targets` of the metadata fields


class Renderer:
    """Checks a form's spec-decided objects for one row at a time (see the module docstring)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        analysis = graph.analysis
        self.plans = plans(analysis)
        self.nodes = [
            _Node(
                node,
                tuple(f for f in node.fields if f.path[:1] == ("metadata",)),
                tuple(f for f in node.fields if f.path[:1] != ("metadata",)),
                self.plans[node.id].targets.get("metadata"),
            )
            for node in (analysis.nodes[rid] for rid in analysis.order)
            if node.type == RESOURCE
            and not node.dependencies
            and all(_spec_only(f) for f in [*node.fields, *node.include_when])
        ]
        self.values: dict[tuple[int, tuple[Any, ...]], Any] = {}
        self.bodies: dict[tuple[str, tuple[Any, ...]], Problem | None] = {}

    def problem(self, spec: dict[str, Any], name: str, namespace: str) -> tuple[str, Problem] | None:
        """``(resource id, (field, what, fix))`` of the first object of the form's instance ``name`` (spec
        ``spec``, checked) that the API server would refuse, or None."""
        instance = {"metadata": {"name": name, "namespace": namespace}, "spec": spec}
        context: list[_Context] = []  # made on the first expression not evaluated before
        if len(self.values) > _CACHE_MAX:
            self.values.clear()
        if len(self.bodies) > _CACHE_MAX:
            self.bodies.clear()
        for it in self.nodes:
            node = it.node
            try:
                if node.include_when and not all(self._value(f, instance, context) is True for f in node.include_when):
                    continue
                meta_values = {f.path: self._value(f, instance, context) for f in it.meta}
                body_values = [self._value(f, instance, context) for f in it.body]
            except _Pending:
                continue  # decided later (as a deploy, it is not checked before the first write)
            except _Failed as exc:
                return node.id, ("", str(exc), "Fix the composition's expression, or the row's values it reads.")
            template = node.resource.body
            meta = template.get("metadata") or {}
            if meta_values:
                meta = fill(meta, meta_values, it.meta_tree)
            found = metadata_problem(str(template.get("apiVersion")), str(template.get("kind")), meta, "composition")
            if found is not None:
                field, what, fix = found
                return node.id, (f"metadata.{field}", what, fix)
            key = (node.id, tuple(_hashable(v) for v in body_values))
            if key not in self.bodies:  # the body is checked once per distinct rendering (any name stands in)
                values = {**meta_values, **{f.path: v for f, v in zip(it.body, body_values, strict=True)}}
                obj = fill(template, values, self.plans[node.id].targets)
                named = {**obj, "metadata": {"name": "x", **({"namespace": "x"} if "namespace" in meta else {})}}
                self.bodies[key] = object_problem(named)
            problem = self.bodies[key]
            if problem is not None:
                return node.id, problem
        return None

    def _value(self, fld: Field, instance: dict[str, Any], context: list[_Context]) -> Any:
        key = (id(fld), tuple(_at(instance, ref.path) for ref in fld.references if ref.root == "schema"))
        found = self.values.get(key, _MISSING)
        if found is not _MISSING:
            return found
        if isinstance(fld.parsed, Template):  # text and plain paths to text: joined as the runtime joins them
            joined = _joined(paths.template_paths(fld.cel, fld.parsed), instance)
            if joined is not None:
                self.values[key] = joined
                return joined
        if not context:
            spec = structural.apply_defaults(self.graph.openapi, instance["spec"])
            made = {
                "apiVersion": self.graph.instance_api_version,
                "kind": self.graph.kind,
                "metadata": instance["metadata"],
                "spec": spec,
            }
            context.append(_Context(self.graph, made, {}))
        ctx = context[0]
        value = ctx._eval(fld, ctx.context(("schema",)), pending_on=["schema"])
        self.values[key] = value
        return value


def _spec_only(fld: Field) -> bool:
    """Does ``fld`` read only the instance's spec, name and namespace (known when the row is planned)?"""
    return all(ref.root == "schema" and (ref.path[:1] == ("spec",) or ref.path[:2] in _META) for ref in fld.references)


def _joined(parts: tuple[str | tuple[str, ...], ...] | None, instance: dict[str, Any]) -> str | None:
    """A string template's value when each of its ``parts`` is text or a path to text in ``instance`` (`Resolver.
    template`'s rule); None when it must be evaluated (a part missing, i.e. defaulted, or not text)."""
    if parts is None:
        return None
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        value = _at(instance, part[1:]) if part[0] == "schema" else None
        if type(value) is not str or not paths.convertible(value):
            return None
        out.append(value)
    return "".join(out)


def _hashable(value: Any) -> Any:
    """``value`` as part of a key: text as it is, anything else with its type (``1``, ``1.0`` and ``True`` differ;
    a map or list as its text, which no string equals)."""
    kind = type(value)
    if kind is str or value is None:
        return value
    return (kind, value if kind in _SCALARS else repr(value))


def _at(instance: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` of the instance (`_MISSING` when absent: its default, the same for every row)."""
    node: Any = instance
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return _hashable(node)
