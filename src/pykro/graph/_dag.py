"""Dependency graph algorithms with kro's exact semantics: Kahn's topological sort with a (declaration index, id)
min-heap, cycle reports as ``graph contains a cycle: a -> b -> a``, and deletion waves (dependents first)."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence

from pykro._graphs import find_cycle

__all__ = ["CycleError", "creation_waves", "deletion_waves", "levels", "topological_order"]


class CycleError(Exception):
    """The dependency graph has a cycle; ``cycle`` lists it with the first id repeated at the end."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__(f"graph contains a cycle: {' -> '.join(cycle)}")


def topological_order(deps: Mapping[str, Sequence[str]], order: Sequence[str]) -> list[str]:
    """Dependencies first; among ready nodes the earliest declared (then the smallest id) goes first."""
    index = {node: i for i, node in enumerate(order)}
    remaining = {node: len(set(deps.get(node, ()))) for node in order}
    dependents: dict[str, list[str]] = {node: [] for node in order}
    for node in order:
        for dep in set(deps.get(node, ())):
            dependents[dep].append(node)
    ready = [(index[n], n) for n in order if remaining[n] == 0]
    heapq.heapify(ready)
    result: list[str] = []
    while ready:
        _, node = heapq.heappop(ready)
        result.append(node)
        for dependent in dependents[node]:
            remaining[dependent] -= 1
            if remaining[dependent] == 0:
                heapq.heappush(ready, (index[dependent], dependent))
    if len(result) != len(order):
        raise CycleError(find_cycle(deps, order) or [])
    return result


def levels(deps: Mapping[str, Sequence[str]], order: Sequence[str]) -> dict[str, int]:
    """Depth of each node: 0 without dependencies, else one more than its deepest dependency."""
    depth: dict[str, int] = {}
    for node in topological_order(deps, order):
        depth[node] = 1 + max((depth[d] for d in deps.get(node, ())), default=-1)
    return depth


def creation_waves(deps: Mapping[str, Sequence[str]], order: Sequence[str]) -> list[list[str]]:
    """Groups that can be created together, in order; each group keeps declaration order."""
    depth = levels(deps, order)
    waves: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node in order:
        waves[depth[node]].append(node)
    return waves


def deletion_waves(deps: Mapping[str, Sequence[str]], order: Sequence[str]) -> list[list[str]]:
    """Creation waves reversed: every node is deleted before anything it depends on."""
    return list(reversed(creation_waves(deps, order)))
