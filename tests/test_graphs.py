"""pykro._graphs: the cycle search and dependency order shared by SimpleSchema types and resource graphs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pykro._graphs import dependencies_first, find_cycle


def test_a_long_chain_has_no_cycle_and_orders_dependencies_first() -> None:
    n = 20_000  # far deeper than Python's recursion limit
    deps = {f"n{i}": [f"n{i + 1}"] if i + 1 < n else [] for i in range(n)}
    assert find_cycle(deps, deps) is None
    assert dependencies_first(deps) == [f"n{i}" for i in reversed(range(n))]


def test_the_cycle_is_reported_from_where_it_closes() -> None:
    deps = {"a": ["b"], "b": ["c"], "c": ["d", "b"], "d": []}
    assert find_cycle(deps, ["a"]) == ["b", "c", "b"]
    assert find_cycle(deps, ["d"]) is None


graphs = st.dictionaries(
    st.sampled_from("abcdefg"), st.lists(st.sampled_from("abcdefg"), max_size=3, unique=True), min_size=1
).map(lambda d: {k: [v for v in vs if v in d] for k, vs in d.items()})


def _reference_cycle(deps: dict[str, list[str]], start: str) -> list[str] | None:
    path: list[str] = []

    def visit(node: str, seen: set[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in seen:
            return None
        seen.add(node)
        path.append(node)
        for dep in deps[node]:
            found = visit(dep, seen)
            if found:
                return found
        path.pop()
        return None

    return visit(start, set())


@given(graphs)
def test_matches_a_recursive_search(deps: dict[str, list[str]]) -> None:
    for start in deps:
        assert find_cycle(deps, [start]) == _reference_cycle(deps, start)
    if find_cycle(deps, deps) is None:
        order = dependencies_first(deps)
        assert sorted(order) == sorted(deps)
        position = {node: i for i, node in enumerate(order)}
        assert all(position[dep] < position[node] for node in deps for dep in deps[node])
