"""List comprehensions, generator expressions and ``all``/``any`` over references, as CEL macros:
``[f(x) for x in xs if p(x)]`` -> ``xs.filter(x, p(x)).map(x, f(x))``, ``all(p(x) for x in xs)`` -> ``xs.all(x, p(x))``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pykro.authoring import _context as context
from pykro.authoring._location import fail
from pykro.authoring._refs import Origin, Ref, as_ref, cel_of, is_ref, node_of, type_of
from pykro.cel import _ast as ast
from pykro.cel._types import CelType

__all__ = ["Comp", "listcomp", "quantify"]


class Comp(Ref):
    """The list a comprehension over a reference builds; ``all``/``any`` fuse with it instead of mapping first."""

    __slots__ = ("body", "source", "var")

    def __init__(self, source: ast.Node, var: str, body: Ref, item: Ref) -> None:
        self.source, self.var, self.body = source, var, body
        same = node_of(body) == node_of(item)
        node = source if same else ast.Call("map", (ast.Ident(var), node_of(body)), target=source)
        super().__init__(node, CelType.list_of(body._type))


def _variable(name: str, iterable: Ref) -> Ref:
    from pykro.cel._lexer import RESERVED  # the lexer loads with the first comprehension, not on `import pykro`

    if name in RESERVED or name in ("true", "false", "null", "in"):
        raise fail(f"{name!r} is a reserved word in CEL and cannot name a loop variable", "Rename the variable.")
    t = iterable._type
    if t.kind in ("list", "map"):
        item = t.params[0]
    elif t.kind == "dyn":
        item = CelType.DYN
    else:
        raise fail(f"cannot iterate over {cel_of(iterable)} ({t})", "Iterate over a list or a map.")
    origin = iterable._origin
    child = Origin(origin.api_version, origin.kind, (*origin.path, 0)) if origin and t.kind != "map" else None
    return Ref(ast.Ident(name), item, origin=child, model=iterable._model)


def _bool_node(value: Any, what: str) -> ast.Node:
    t = type_of(value)
    if t.kind not in ("bool", "dyn"):
        shown = cel_of(value) if is_ref(value) else repr(value)
        raise fail(
            f"the {what} {shown} is {t}, and its truth value in Python (truthiness) has no CEL equivalent",
            "Compare explicitly, e.g. x != '' or x > 0.",
        )
    return node_of(as_ref(value))


def listcomp(iterable: Any, name: str, body: Callable[[Any], Any], conds: Sequence[Callable[[Any], Any]] = ()) -> Any:
    """``[body(x) for x in iterable if cond(x)...]``: a Python list, or a Comp when a reference is involved."""
    if not is_ref(iterable):
        items = list(iterable)
        kept: list[Any] = []
        for item in items:
            verdicts = [c(item) for c in conds]
            if any(is_ref(v) for v in verdicts):
                return listcomp(as_ref(items), name, body, conds)
            if all(verdicts):
                kept.append(body(item))
        return kept
    source = as_ref(iterable)
    var = _variable(name, source)
    build = context.current()
    before = len(build.resources) if build else 0
    tests = [_bool_node(c(var), "filter condition") for c in conds]
    result = as_ref(body(var))
    if build is not None and len(build.resources) != before:
        raise fail(
            "resources cannot be created in a comprehension over a reference",
            "Use a `for` statement around the resource (it becomes forEach).",
        )
    src = node_of(source)
    if source._type.kind == "map":  # kro's maps have no order (cel-go iterates a Go map): take the keys sorted
        src = ast.Call("sort", (), target=ast.Call("map", (ast.Ident(name), ast.Ident(name)), target=src))
    if tests:
        test = tests[0]
        for extra in tests[1:]:
            test = ast.Binary("&&", test, extra)
        src = ast.Call("filter", (ast.Ident(name), test), target=src)
    return Comp(src, name, result, var)


def quantify(macro: str, items: Any) -> Ref:
    """``all(...)`` (macro ``all``) or ``any(...)`` (``exists``) over a comprehension or a list reference."""
    if isinstance(items, Comp):
        body = _bool_node(items.body, "condition")
        return Ref(ast.Call(macro, (ast.Ident(items.var), body), target=items.source), CelType.BOOL)
    if is_ref(items):
        source = as_ref(items)
        var = _variable("x", source)
        return Ref(ast.Call(macro, (ast.Ident("x"), _bool_node(var, "item")), target=node_of(source)), CelType.BOOL)
    values = list(items)
    if not any(is_ref(v) for v in values):
        return all(values) if macro == "all" else any(values)  # type: ignore[return-value]
    nodes = [_bool_node(v, "item") for v in values]
    node = nodes[0]
    for extra in nodes[1:]:
        node = ast.Binary("&&" if macro == "all" else "||", node, extra)
    return Ref(node, CelType.BOOL)
