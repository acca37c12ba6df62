"""A resource template filled with the values of its expressions: one copy of the template that puts each value in
place as it goes (the values' paths held as a tree, see :func:`targets`), or — when some value is ``omit()`` or a
path does not fit the template as it is now — a copy set path by path, then omitted fields removed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pykro import _yamlio as yamlio
from pykro import cel

__all__ = ["Targets", "fill", "set_path", "targets"]

PathKey = str | int
Path = tuple[PathKey, ...]
# A tree of value paths: key -> subtree, or the full path of the value that goes there.
Targets = dict[PathKey, "Targets | Path"]


class _Misfit(Exception):
    """A target path does not lead through the template's containers."""


def targets(paths: Iterable[Path]) -> Targets:
    """The tree of ``paths``. Expression fields are leaves, so no path runs through another; if one did, the tree
    would be left without it, and :func:`fill` would set the values path by path."""
    tree: Targets = {}
    for path in paths:
        node = tree
        for key in path[:-1]:
            sub = node.setdefault(key, {})
            if not isinstance(sub, dict):
                break
            node = sub
        else:
            node.setdefault(path[-1], path)
    return tree


def fill(body: dict[str, Any], values: dict[Path, Any], tree: Targets) -> dict[str, Any]:
    """The template with every expression replaced by its value; fields whose value is omit() are removed.

    ``tree`` holds the paths of ``values`` (:func:`targets`)."""
    if not any(value is cel.OMIT for value in values.values()):
        used = [0]
        try:
            obj = _build(body, tree, values, used)
        except (_Misfit, KeyError):
            pass
        else:
            if used[0] == len(values) and isinstance(obj, dict):
                return obj
    return _fill_each(body, values)


def _build(node: Any, tree: Targets, values: dict[Path, Any], used: list[int]) -> Any:
    if isinstance(node, dict):
        out: dict[Any, Any] = {}
        for key, item in node.items():
            target = tree.get(key) if type(key) is str else None
            if target is None:
                out[key] = yamlio.copy_data(item)
            elif type(target) is tuple:
                out[key] = _value(values[target], used)
            else:
                out[key] = _build(item, target, values, used)  # type: ignore[arg-type]
        return out
    if isinstance(node, list):
        items: list[Any] = []
        for i, item in enumerate(node):
            target = tree.get(i)
            if target is None:
                items.append(yamlio.copy_data(item))
            elif type(target) is tuple:
                items.append(_value(values[target], used))
            else:
                items.append(_build(item, target, values, used))  # type: ignore[arg-type]
        return items
    raise _Misfit


def _value(value: Any, used: list[int]) -> Any:
    used[0] += 1
    return yamlio.copy_data(value)


def _fill_each(body: dict[str, Any], values: dict[Path, Any]) -> dict[str, Any]:
    obj: dict[str, Any] = yamlio.copy_data(body)
    omitted: list[Path] = []
    for path, value in values.items():
        if value is cel.OMIT:
            omitted.append(path)
        else:
            set_path(obj, path, yamlio.copy_data(value))
    # deepest and highest list index first, so that removing an item never shifts another one still to remove
    for path in sorted(
        omitted, key=lambda p: [(0, k, "") if isinstance(k, int) else (1, 0, k) for k in p], reverse=True
    ):
        parent: Any = obj
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
    return obj


def set_path(obj: Any, path: Path, value: Any) -> None:
    """Set ``value`` at ``path``, making the dicts and lists on the way (lists grow, padded with None)."""
    target = obj
    for i, key in enumerate(path[:-1]):
        nxt = path[i + 1]
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(target, dict):
            target = target.setdefault(key, empty)
            continue
        if isinstance(key, int) and key >= len(target):
            target.extend([None] * (key + 1 - len(target)))
        if target[key] is None:
            target[key] = empty
        target = target[key]
    last = path[-1]
    if isinstance(target, list) and isinstance(last, int) and last >= len(target):
        target.extend([None] * (last + 1 - len(target)))
    target[last] = value
