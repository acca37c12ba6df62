"""A limit on how deeply mappings and lists nest in an RGD, an instance or a template, checked without recursion
before anything else walks the data (the loaders, validators and the runtime recurse, one level per frame).

No real manifest comes near the limit; data nested deeper stops with the path where it crossed it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pykro._yamlio import MAX_DEPTH, path_text, too_deep
from pykro.errors import ValidationError

if TYPE_CHECKING:
    from pykro.graph._model import Graph

__all__ = ["check_depth", "check_graph_depth"]


def check_depth(value: Any, what: str, *, prefix: str = "", source: str | None = None, limit: int = MAX_DEPTH) -> None:
    """Raise ValidationError when ``value`` (called ``what`` in the message; at the YAML path ``prefix``) nests more
    than ``limit`` mappings/lists deep."""
    path = too_deep(value, limit)
    if path is None:
        return
    where = path_text(prefix, path)
    raise ValidationError(
        f"{what} nests mappings and lists more than {limit} levels deep",
        where=f"{source}: {where}" if source else where or None,
        fix=f"pykro stops at {limit} levels (no real manifest comes close); flatten the data, e.g. keep a deep "
        "structure as a YAML or JSON string.",
    )


def check_graph_depth(graph: Graph) -> None:
    """:func:`check_depth` over a graph built in code: the schema's spec, types and status and every resource."""
    source = graph.source
    for key, value in (("spec", graph.spec), ("types", graph.types), ("status", graph.status)):
        check_depth(value, f"schema.{key}", prefix=f"spec.schema.{key}", source=source)
    for i, res in enumerate(graph.resources):
        field = "template" if res.template is not None else "externalRef"
        check_depth(res.body, f"resource {res.id!r}", prefix=f"spec.resources[{i}].{field}", source=source)
