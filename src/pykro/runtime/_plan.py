"""What every expansion of a graph derives from its nodes alone, computed once per graph analysis: which fields
read forEach iterators, the variables each group reads, the dependencies a pending field waits on, and where the
values go in the template."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from pykro.graph import Field, Node
from pykro.graph._analysis import Analysis
from pykro.runtime._fill import Targets, targets

__all__ = ["NodePlan", "plans", "waits_on"]

# (field, the ids it waits on when its data is pending)
Planned = tuple[tuple[Field, tuple[str, ...]], ...]


@dataclass(frozen=True)
class NodePlan:
    """A node's fields split into those evaluated once (``base``) and per forEach item (``iterated``)."""

    base: Planned
    iterated: Planned
    base_roots: tuple[str, ...]
    iterated_roots: tuple[str, ...]
    targets: Targets


def waits_on(fld: Field, node: Node) -> tuple[str, ...]:
    """The node's dependencies ``fld`` reads (``schema`` when it reads none)."""
    return tuple(r for r in fld.roots if r in node.dependencies) or ("schema",)


def _plan(node: Node) -> NodePlan:
    iterators = set(node.iterators)
    base = tuple((f, waits_on(f, node)) for f in node.fields if not set(f.roots) & iterators)
    iterated = tuple((f, waits_on(f, node)) for f in node.fields if set(f.roots) & iterators)
    return NodePlan(
        base=base,
        iterated=iterated,
        base_roots=tuple(dict.fromkeys(r for f, _ in base for r in f.roots)),
        iterated_roots=tuple(dict.fromkeys(r for f, _ in iterated for r in f.roots)),
        targets=targets(f.path for f in node.fields),
    )


_PLANS: dict[int, dict[str, NodePlan]] = {}
_LOCK = threading.Lock()


def plans(analysis: Analysis) -> dict[str, NodePlan]:
    """The plan of every node of ``analysis`` (kept while the analysis lives)."""
    key = id(analysis)
    found = _PLANS.get(key)
    if found is None:
        found = {node.id: _plan(node) for node in analysis.nodes.values()}
        with _LOCK:
            if key not in _PLANS:
                try:
                    weakref.finalize(analysis, _PLANS.pop, key, None)
                except TypeError:  # an analysis that cannot be weakly referenced is planned anew every time
                    return found
                _PLANS[key] = found
    return found
