"""Dependency extraction: which free variables an expression reads, and through which field path."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pykro.cel._ast import Call, Ident, Index, Literal, MapExpr, Node, Select, children

__all__ = ["Reference", "identifiers", "references"]


@functools.cache
def qualified_functions() -> frozenset[str]:
    """Namespaced functions (``hash.sha256(x)`` parses as a call on the identifier ``hash``): not variable uses.
    Built on first use: the function library and the parser load only when an expression is analysed."""
    from pykro.cel._library import ALL_FUNCTIONS

    return frozenset(
        {f.name for f in ALL_FUNCTIONS if "." in f.name}
        | {"base64.encode", "base64.decode", "strings.quote", "optional.of", "optional.none", "optional.ofNonZeroValue"}
    )


@dataclass(frozen=True)
class Reference:
    """A use of variable ``root`` followed by constant field selections: ``db.status.x`` -> ("db", ("status", "x"))."""

    root: str
    path: tuple[str, ...] = ()

    def __str__(self) -> str:
        return ".".join((self.root, *self.path))


def references(node_or_expression: Node | str) -> list[Reference]:
    """Every free-variable use with its constant field path, in source order, without duplicates.

    ``a["b"]`` counts as the field ``b``; the path stops at a computed index or a call. Variables bound by
    comprehension macros (``all``, ``exists``, ``map``, ``filter``, their two-variable forms, ``cel.bind``...)
    are not free inside the macro's body.
    """
    if isinstance(node_or_expression, str):
        from pykro.cel._parser import parse

        node_or_expression = parse(node_or_expression)
    node = node_or_expression
    found: list[Reference] = []
    _collect(node, frozenset(), found)
    return list(dict.fromkeys(found))


def identifiers(node_or_expression: Node | str) -> set[str]:
    """The free variable names an expression reads."""
    return {ref.root for ref in references(node_or_expression)}


def _chain(node: Node) -> tuple[Node, tuple[str, ...]]:
    """Peel constant selections off ``node``: the innermost operand and the field path leading to ``node``."""
    path: list[str] = []
    while True:
        if isinstance(node, Select):
            path.append(node.field)
            node = node.operand
        elif isinstance(node, Index) and isinstance(node.index, Literal) and isinstance(node.index.value, str):
            path.append(node.index.value)
            node = node.operand
        else:
            return node, tuple(reversed(path))


def _map_values(node: Node) -> list[Node]:
    """The values of a map literal (its keys too when they are not bare names), else the node itself."""
    if not isinstance(node, MapExpr):
        return [node]
    return [part for key, value in node.entries for part in ((value,) if isinstance(key, Ident) else (key, value))]


def _collect(node: Node, bound: frozenset[str], found: list[Reference]) -> None:
    from pykro.cel._parser import macro_variable_count

    stack: list[tuple[Node, frozenset[str]]] = [(node, bound)]
    while stack:
        current, scope = stack.pop()
        base, path = _chain(current)
        if isinstance(base, Ident):
            name = base.name.lstrip(".")
            if name not in scope:
                found.append(Reference(name, path))
            continue
        if base is not current:
            stack.append((base, scope))
            continue
        pending: list[tuple[Node, frozenset[str]]] = []
        if isinstance(current, Call) and (count := macro_variable_count(current)):
            names = frozenset(arg.name for arg in current.args[:count] if isinstance(arg, Ident))
            if current.function == "bind":  # cel.bind(v, init, body): v is bound in body only
                pending = [(current.args[1], scope), (current.args[2], scope | names)]
            else:
                assert current.target is not None
                pending = [(current.target, scope)] + [(arg, scope | names) for arg in current.args[count:]]
        elif (
            isinstance(current, Call)
            and isinstance(current.target, Ident)
            and f"{current.target.name}.{current.function}" in qualified_functions()
        ):
            if current.target.name == "runtime":  # kro's runtime variable: a use; newCondition's keys are names
                found.append(Reference("runtime"))
                args = [
                    v for a in current.args for v in (_map_values(a) if current.function == "newCondition" else [a])
                ]
                pending = [(arg, scope) for arg in args]
            else:
                pending = [(arg, scope) for arg in current.args]
        else:
            pending = [(child, scope) for child in children(current)]
        stack.extend(reversed(pending))
