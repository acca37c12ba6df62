"""Filling a template in one copy gives what copying it and setting each value path by path gives (key order
included), for random templates and values, and leaves the template untouched."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pykro import cel
from pykro.runtime import _fill as fill

leaves = st.one_of(st.text(max_size=3), st.integers(-5, 5), st.booleans(), st.none())
keys = st.one_of(st.sampled_from(["a", "b", "metadata", "name", "1"]), st.sampled_from([1, True]))
bodies = st.dictionaries(
    st.sampled_from(["apiVersion", "kind", "metadata", "spec"]),
    st.recursive(
        leaves, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner)), max_leaves=8
    ),
    max_size=4,
)


def _leaf_paths(obj: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every leaf's path, dict keys spelt as strings (as the graph's field paths are)."""
    if isinstance(obj, dict):
        return [p for key, value in obj.items() for p in _leaf_paths(value, (*path, str(key)))]
    if isinstance(obj, list):
        return [p for i, value in enumerate(obj) for p in _leaf_paths(value, (*path, i))]
    return [path]


values = st.one_of(leaves, st.just(cel.OMIT), st.dictionaries(st.text(max_size=2), leaves, max_size=2))


@settings(max_examples=300, deadline=None)
@given(body=bodies, data=st.data())
def test_one_copy_fills_like_setting_each_path(body: dict[str, Any], data: st.DataObject) -> None:
    paths = _leaf_paths(body)
    chosen = data.draw(st.lists(st.sampled_from(paths), unique=True) if paths else st.just([]))
    given_values = {path: data.draw(values) for path in chosen}
    extra = data.draw(st.lists(st.sampled_from(paths), unique=True) if paths else st.just([]))
    tree = fill.targets([*chosen, *extra])  # a tree may name more paths than there are values: then each path is set
    before = json.dumps(body, default=repr)
    try:
        expected: Any = fill._fill_each(body, given_values)
    except (TypeError, KeyError, IndexError) as exc:
        expected = type(exc)
    try:
        got: Any = fill.fill(body, given_values, fill.targets(chosen) if data.draw(st.booleans()) else tree)
    except (TypeError, KeyError, IndexError) as exc:
        got = type(exc)
    assert json.dumps(got, default=repr) == json.dumps(expected, default=repr)
    assert json.dumps(body, default=repr) == before


def test_fill_puts_values_in_place_and_copies_containers() -> None:
    body: dict[str, Any] = {
        "metadata": {"name": "${x}", "labels": {"a": "b"}},
        "spec": {"ports": [{"port": "${p}"}], "v": "${v}"},
    }
    shared: dict[str, Any] = {"k": ["v"]}
    paths: list[tuple[str | int, ...]] = [("metadata", "name"), ("spec", "ports", 0, "port"), ("spec", "v")]
    out = fill.fill(body, dict(zip(paths, ["n", 80, shared], strict=True)), fill.targets(paths))
    assert out == {"metadata": {"name": "n", "labels": {"a": "b"}}, "spec": {"ports": [{"port": 80}], "v": shared}}
    assert out["spec"]["v"] is not shared and out["metadata"]["labels"] is not body["metadata"]["labels"]
    assert body["metadata"]["name"] == "${x}"


def test_omitted_fields_are_removed() -> None:
    body = {"a": "${x}", "b": ["${y}", "keep"], "c": "${z}"}
    paths: list[tuple[str | int, ...]] = [("a",), ("b", 0), ("c",)]
    out = fill.fill(body, dict(zip(paths, [cel.OMIT, cel.OMIT, 1], strict=True)), fill.targets(paths))
    assert out == {"b": ["keep"], "c": 1}


def test_omitted_list_items_are_removed_by_index_not_by_text() -> None:
    # "10" sorts before "2" as text: removing index 2 first would shift item 10 to index 9 and remove the wrong one
    body = {"items": [f"${{i{n}}}" for n in range(12)]}
    paths: list[tuple[str | int, ...]] = [("items", n) for n in range(12)]
    values = {p: (cel.OMIT if p[1] in (2, 10) else f"v{p[1]}") for p in paths}
    out = fill.fill(body, values, fill.targets(paths))
    assert out == {"items": [f"v{n}" for n in range(12) if n not in (2, 10)]}
