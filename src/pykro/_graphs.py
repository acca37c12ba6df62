"""Graph walks shared by the schema and graph layers (no recursion, so depth is bounded by memory, not the stack)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence


def find_cycle(deps: Mapping[str, Sequence[str]], starts: Iterable[str]) -> list[str] | None:
    """The first cycle reachable from ``starts`` following ``deps`` edges (``a -> b``: a depends on b), searched
    depth-first in the given orders; the cycle lists its nodes with the first one repeated at the end."""
    visited: set[str] = set()
    for start in starts:
        if start in visited:
            continue
        path = [start]
        on_path = {start}
        visited.add(start)
        stack: list[Iterator[str]] = [iter(deps.get(start, ()))]
        while stack:
            dep = next(stack[-1], None)
            if dep is None:
                stack.pop()
                on_path.discard(path.pop())
            elif dep in on_path:
                return [*path[path.index(dep) :], dep]
            elif dep not in visited:
                visited.add(dep)
                path.append(dep)
                on_path.add(dep)
                stack.append(iter(deps.get(dep, ())))
    return None


def dependencies_first(deps: Mapping[str, Sequence[str]]) -> list[str]:
    """Every node of ``deps`` after the nodes it depends on (depth-first post-order; ``deps`` must be acyclic)."""
    order: list[str] = []
    done: set[str] = set()
    for root in deps:
        if root in done:
            continue
        done.add(root)
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(deps[root]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                order.append(node)
            elif child not in done:
                done.add(child)
                stack.append((child, iter(deps[child])))
    return order
