"""Which status fields can stay unset because a resource they read is excluded by includeWhen.

kro leaves an excluded resource out of the CEL context, so a status field whose evaluation reads it is never set
(soft resolution), while one that does not reach it resolves: the other branch of ``c ? a : b``, the side of
``&&``/``||`` the condition decides. This module finds, without data, the fields that read a resource in a case
where it is excluded: for each includeWhen entry of a resource (or of a resource it depends on, exclusion being
contagious), the field's expression is walked assuming that entry is false."""

from __future__ import annotations

from dataclasses import dataclass

from pykro.cel import _ast as ast
from pykro.cel._parser import macro_variable_count
from pykro.graph._analysis import Analysis
from pykro.graph._expressions import Field

__all__ = ["ExcludedDependency", "ExcludedRead", "excluded_dependencies", "excluded_reads"]


@dataclass(frozen=True)
class ExcludedRead:
    """Status field ``field`` reads ``resource``, which is excluded when ``condition`` (CEL) is false."""

    field: Field
    resource: str
    condition: str


def excluded_reads(analysis: Analysis, fields: list[Field] | None = None) -> list[ExcludedRead]:
    """The status fields (all, or ``fields``) that read a resource in a case where includeWhen excludes it."""
    dependents: dict[str, list[str]] = {rid: [] for rid in analysis.nodes}
    for node in analysis.nodes.values():
        for dep in node.dependencies:
            dependents.setdefault(dep, []).append(node.id)
    scenarios: dict[ast.Node, set[str]] = {}  # an includeWhen entry assumed false -> the resources it excludes
    for node in analysis.nodes.values():
        for entry in node.include_when:
            excluded = scenarios.setdefault(entry.tree, set())
            stack = [node.id]
            while stack:
                rid = stack.pop()
                if rid not in excluded:
                    excluded.add(rid)
                    stack.extend(dependents.get(rid, []))
    found: list[ExcludedRead] = []
    for fld in analysis.status_fields if fields is None else fields:
        for cond, excluded in scenarios.items():
            if not excluded.intersection(fld.roots):
                continue
            read = _reads(fld.tree, excluded, {cond: False}, frozenset())
            if read is not None:
                found.append(ExcludedRead(fld, read, ast.to_cel(cond)))
                break
    return found


def _truth(node: ast.Node, facts: dict[ast.Node, bool]) -> bool | None:
    """The value of a boolean expression from the facts alone, or None when it depends on data."""
    if node in facts:
        return facts[node]
    if isinstance(node, ast.Literal) and isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Unary) and node.op == "!":
        inner = _truth(node.operand, facts)
        return None if inner is None else not inner
    if isinstance(node, ast.Binary) and node.op in ("&&", "||"):
        left, right = _truth(node.left, facts), _truth(node.right, facts)
        decisive = node.op == "||"  # the value that decides the operator on its own
        if decisive in (left, right):
            return decisive
        if left is not None and right is not None:
            return not decisive
    return None


def _reads(node: ast.Node, excluded: set[str], facts: dict[ast.Node, bool], bound: frozenset[str]) -> str | None:
    """An excluded resource the evaluation of ``node`` may read under ``facts`` (None when it reads none).

    Reads whose error CEL absorbs do not count: ``false && x`` and ``true || x`` are decided whatever ``x`` is."""
    if isinstance(node, ast.Ident):
        return node.name if node.name in excluded and node.name not in bound else None
    parts: tuple[ast.Node, ...]
    if isinstance(node, ast.Conditional):
        taken = _truth(node.cond, facts)
        if taken is None:
            parts = (node.cond, node.then, node.otherwise)
        else:
            parts = (node.cond, node.then if taken else node.otherwise)
    elif isinstance(node, ast.Binary) and node.op in ("&&", "||"):
        decisive = node.op == "||"
        if _truth(node.left, facts) is decisive:
            parts = (node.left,)
        elif _truth(node.right, facts) is decisive:
            parts = (node.right,)
        else:
            parts = (node.left, node.right)
    elif isinstance(node, ast.Call) and macro_variable_count(node):
        count = macro_variable_count(node)
        names = {arg.name for arg in node.args[:count] if isinstance(arg, ast.Ident)}
        target = (node.target,) if node.target is not None else ()
        for part in target:
            found = _reads(part, excluded, facts, bound)
            if found:
                return found
        for part in node.args[count:]:
            found = _reads(part, excluded, facts, bound | names)
            if found:
                return found
        return None
    else:
        parts = ast.children(node)
    for part in parts:
        found = _reads(part, excluded, facts, bound)
        if found:
            return found
    return None


@dataclass(frozen=True)
class ExcludedDependency:
    """Resource ``resource`` reads ``dependency``, which is excluded when ``condition`` (CEL) is false, a condition
    ``resource`` does not carry itself: kro would then skip ``resource`` too (exclusion is contagious)."""

    resource: str
    dependency: str
    condition: str


def excluded_dependencies(analysis: Analysis) -> list[ExcludedDependency]:
    """The resources that kro would skip only because a resource they read is excluded."""
    carried: dict[str, list[ast.Node]] = {}  # resource -> every includeWhen entry that can exclude it

    def conditions(rid: str) -> list[ast.Node]:
        if rid not in carried:
            node = analysis.nodes[rid]
            own = [f.tree for f in node.include_when]
            inherited = [c for dep in node.dependencies if dep in analysis.nodes for c in conditions(dep)]
            carried[rid] = list(dict.fromkeys(own + inherited))
        return carried[rid]

    for rid in analysis.order:  # dependencies first: the recursion above stays one level deep
        conditions(rid)
    found: list[ExcludedDependency] = []
    for rid in analysis.order:
        node = analysis.nodes[rid]
        own = {f.tree for f in node.include_when}
        for dep in node.dependencies:
            missing = [c for c in carried.get(dep, []) if c not in own]
            if missing:
                found.append(ExcludedDependency(rid, dep, ast.to_cel(missing[0])))
                break
    return found
