"""What a block of a composition function does, read from its syntax (for :mod:`pykro.authoring._transform`):
the statement that would leave it, the names it binds, the first value it changes in place, and a name a loop body
reads before assigning it."""

from __future__ import annotations

import ast

__all__ = ["bind", "bound_names", "carried", "escape", "mutation"]


class _Escapes(ast.NodeVisitor):
    """Finds return/break/continue/raise/assert that would leave a block (not counting nested functions and
    loops for break/continue, and not nested functions for the others)."""

    def __init__(self) -> None:
        self.found: str | None = None
        self.loop_depth = 0

    def visit_Return(self, node: ast.Return) -> None:
        self.found = self.found or "return"

    def visit_Break(self, node: ast.Break) -> None:
        if not self.loop_depth:
            self.found = self.found or "break"

    def visit_Continue(self, node: ast.Continue) -> None:
        if not self.loop_depth:
            self.found = self.found or "continue"

    def visit_Raise(self, node: ast.Raise) -> None:
        self.found = self.found or "raise"

    def visit_Assert(self, node: ast.Assert) -> None:
        self.found = self.found or "assert"

    def _loop(self, node: ast.AST) -> None:
        self.loop_depth += 1
        self.generic_visit(node)
        self.loop_depth -= 1

    visit_For = visit_While = _loop

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        return

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    visit_ClassDef = visit_FunctionDef  # type: ignore[assignment]


def escape(body: list[ast.stmt]) -> str | None:
    finder = _Escapes()
    for stmt in body:
        finder.visit(stmt)
    return finder.found


def bound_names(body: list[ast.stmt]) -> list[str]:
    """Plain names bound in a block (assignments, for targets, with ... as, def/class, imports), not inside nested
    functions or classes and not pykro's own temporaries."""
    names: list[str] = []

    def targets(target: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                targets(elt)
        elif isinstance(target, ast.Starred):
            targets(target.value)

    def walk(stmts: list[ast.stmt]) -> None:
        for stmt in stmts:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    targets(target)
            elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
                targets(stmt.target)
            elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.append(stmt.name)
            elif isinstance(stmt, ast.Import | ast.ImportFrom):
                names.extend((a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*")
            elif isinstance(stmt, ast.With):
                for item in stmt.items:
                    targets(item.optional_vars)
                walk(stmt.body)
            elif isinstance(stmt, ast.For):
                targets(stmt.target)
                walk(stmt.body)
                walk(stmt.orelse)
            elif isinstance(stmt, ast.If | ast.While | ast.Try):
                for field in ("body", "orelse", "finalbody"):
                    walk(getattr(stmt, field, []))

    walk(body)
    return [n for n in dict.fromkeys(names) if not n.startswith("__pykro")]


_MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "remove", "clear", "add", "discard"}
    | {"sort", "reverse", "__setitem__", "__delitem__"}
)


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _Mutations(ast.NodeVisitor):
    """The first statement of a block that changes, in place, a value the block did not create: item or attribute
    stores and deletes, ``del name``, and calls of list/dict/set mutating methods (nested functions excluded)."""

    def __init__(self, local: set[str]) -> None:
        self.local = local
        self.found: tuple[ast.AST, str] | None = None

    def _outer(self, target: ast.expr) -> bool:
        root = _root_name(target)
        return root is None or root not in self.local

    def _store(self, target: ast.expr, node: ast.AST) -> None:
        if isinstance(target, ast.Subscript | ast.Attribute) and self._outer(target):
            self.found = self.found or (node, "changes a value in place (item or attribute assignment)")
        elif isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                self._store(elt, node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._store(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._store(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._store(node.target, node)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        self.found = self.found or (node, "deletes a name or an item (`del`)")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _MUTATORS and self._outer(func.value):
            self.found = self.found or (node, f"changes a value in place (.{func.attr}())")
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        return

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    visit_ClassDef = visit_FunctionDef  # type: ignore[assignment]


def mutation(body: list[ast.stmt]) -> tuple[ast.AST, str] | None:
    """The first in-place change in ``body`` of a value created before it (values the block assigns at its top
    level before the change are its own)."""
    local: set[str] = set()
    for stmt in body:
        finder = _Mutations(local)
        finder.visit(stmt)
        if finder.found:
            return finder.found
        local.update(bound_names([stmt]) if isinstance(stmt, ast.Assign | ast.AnnAssign) else [])
    return None


class _Loads(ast.NodeVisitor):
    """Names read by a statement, in evaluation order for assignments (value before target)."""

    def __init__(self) -> None:
        self.names: list[tuple[str, ast.AST]] = []

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.names.append((node.id, node))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self.names.append((node.target.id, node))
        self.generic_visit(node)


def carried(body: list[ast.stmt]) -> tuple[str, ast.AST] | None:
    """A name the loop body reads before assigning it (its value would come from the previous iteration).
    Assignments count from where they certainly ran: earlier in the same block, or in an enclosing one."""
    assigned = set(bound_names(body))

    def reads(node: ast.AST, defined: set[str]) -> tuple[str, ast.AST] | None:
        loads = _Loads()
        loads.visit(node)
        return next(((n, at) for n, at in loads.names if n in assigned and n not in defined), None)

    def scan(stmts: list[ast.stmt], defined: set[str]) -> tuple[str, ast.AST] | None:
        for stmt in stmts:
            found: tuple[str, ast.AST] | None = None
            if isinstance(stmt, ast.If | ast.While):
                found = reads(stmt.test, defined) or scan(stmt.body, set(defined)) or scan(stmt.orelse, set(defined))
            elif isinstance(stmt, ast.For):
                inner = defined | set(bound_names([ast.Assign(targets=[stmt.target], value=stmt.iter)]))
                found = reads(stmt.iter, defined) or scan(stmt.body, inner) or scan(stmt.orelse, set(defined))
            elif isinstance(stmt, ast.With):
                found = next((r for item in stmt.items if (r := reads(item.context_expr, defined))), None)
                inner = defined | {n for item in stmt.items for n in bound_names([bind(item.optional_vars)])}
                found = found or scan(stmt.body, inner)
                defined |= inner  # a with body runs exactly once
            else:
                found = reads(stmt, defined)
                if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.FunctionDef | ast.ClassDef | ast.Import):
                    defined.update(bound_names([stmt]))
            if found:
                return found
        return None

    return scan(body, set())


def bind(target: ast.expr | None) -> ast.stmt:
    """``target = None`` (to list the names a ``with ... as target`` binds)."""
    if target is None:
        return ast.Pass()
    return ast.Assign(targets=[target], value=ast.Constant(value=None))
