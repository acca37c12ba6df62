"""What the user probably meant by a field a kind does not have: a near name here, or the same name elsewhere."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pykro._memo import Memo
from pykro.resources import _typing as t
from pykro.resources._kinds import node

__all__ = ["fix_for", "paths_of"]

_MAX_DEPTH: Final = 12
_SHOWN: Final = 3
# id(root) -> (root, paths): the entry keeps root alive, so its id cannot be reused while it is kept
_index: Memo[int, tuple[Mapping[str, Any], tuple[tuple[t.Step, ...], ...]]] = Memo(256)


def _key(name: str) -> str:
    return re.sub(r"[_-]", "", name).lower()


def paths_of(root: Mapping[str, Any]) -> tuple[tuple[t.Step, ...], ...]:
    """Every field path of a kind, shortest first (lists indexed with 0; recursive definitions visited once)."""
    known = _index.get(id(root))
    if known is not None and known[0] is root:
        return known[1]
    found: list[tuple[t.Step, ...]] = []

    def visit(schema: Mapping[str, Any], path: tuple[t.Step, ...], stack: tuple[int, ...]) -> None:
        if len(path) > _MAX_DEPTH or id(schema) in stack:
            return
        form = t.shape(schema)
        inner = (*stack, id(schema))
        if form == "list":
            items = schema.get("items")
            if isinstance(items, Mapping):
                visit(node(items), (*path, 0), inner)
        elif form == "object":
            for name, sub in schema["properties"].items():
                found.append((*path, name))
                visit(node(sub), (*path, name), inner)

    visit(node(root), (), ())
    result = tuple(sorted(found, key=lambda p: (len(p), t.path_text(p))))
    _index.put(id(root), (root, result))
    return result


def _either(paths: Sequence[str]) -> str:
    shown = list(paths[:_SHOWN])
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def fix_for(root: Mapping[str, Any], prefix: tuple[t.Step, ...], name: str, siblings: list[str]) -> str | None:
    """The ``fix`` for a missing ``prefix.name``: "did you mean ...?" or "<name> lives at ..."; None if no idea."""
    wanted = _key(name)
    here = [s for s in siblings if _key(s) == wanted] or difflib.get_close_matches(name, siblings, n=_SHOWN, cutoff=0.8)
    if here:
        return f"Did you mean {_either([t.path_text((*prefix, s)) for s in here])}?"
    everywhere = paths_of(root)
    same = [p for p in everywhere if isinstance(p[-1], str) and _key(p[-1]) == wanted]
    if same:
        texts = [t.path_text(p) for p in same]
        exact = all(p[-1] == name for p in same[:_SHOWN])
        return f"The field {name} lives at {_either(texts)}." if exact else f"Did you mean {_either(texts)}?"
    names = sorted({p[-1] for p in everywhere if isinstance(p[-1], str)})
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.8)
    if close:
        near = [t.path_text(p) for p in everywhere if p[-1] == close[0]]
        return f"Did you mean {_either(near)}?"
    if siblings:
        listed = ", ".join(sorted(siblings)[:12]) + (", ..." if len(siblings) > 12 else "")
        return f"Fields of {t.path_text(prefix) or 'the object'}: {listed}."
    return None
