"""The AutoGraph-style source transformation of composition functions.

The function's source is parsed, every ``and``/``or``/``not``/ternary/comparison/f-string/built-in call/``str``
method call/comprehension is routed through :mod:`pykro.authoring._helpers`, and ``if``/``for`` statements run as
Python for plain values and, when their test or iterable is a reference, build includeWhen / forEach: both
branches of the ``if`` run and the names they assign become ``cond ? then : else``; a ``for`` body runs once for the
iterator. Constructs that cannot keep their meaning over references are refused at the user's line. The result is
compiled with the original file name and line numbers, the original globals, closure and defaults; it runs once.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from types import FunctionType
from typing import Any

from pykro._memo import Memo
from pykro.authoring import _blocks as blocks
from pykro.errors import CompositionError

__all__ = ["HELPER", "METHOD_NAMES", "Transformer", "transform"]

HELPER = "__pykro__"
FACTORY = "__pykro_factory__"
BUILTIN_NAMES = frozenset(
    {"len", "str", "int", "float", "bool", "min", "max", "abs", "all", "any", "round", "sorted", "sum", "range"}
    | {"enumerate", "zip", "isinstance", "repr"}
)
# The str and dict methods with a CEL equivalent (the keys of pykro.authoring._functions.METHODS, which loads with the
# first reference; a test keeps the two equal): a call of one is routed through the helpers.
METHOD_NAMES = frozenset(
    ("lower", "upper", "startswith", "endswith", "find", "strip", "split", "join", "replace", "get")
)
_CONVERSIONS = {-1: "", 115: "s", 114: "r", 97: "a"}
_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}


# nodes with nothing to rewrite below them (contexts, operators, constants, names): the traversal skips them
_LEAVES = frozenset(
    {c for base in (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop) for c in base.__subclasses__()}
    | {ast.Constant, ast.Name}
)
_VISITORS: dict[tuple[type, type], Callable[[Any, Any], Any]] = {}  # (transformer, node class) -> its method


def _helper(name: str) -> ast.expr:
    return ast.Attribute(value=ast.Name(id=HELPER, ctx=ast.Load()), attr=name, ctx=ast.Load())


def _call(name: str, args: list[ast.expr], like: ast.AST, keywords: list[ast.keyword] | None = None) -> ast.expr:
    func = _helper(name)
    # one-line location for the helper name: Python reports method calls at the attribute's last line
    line, col = getattr(like, "lineno", 1), getattr(like, "col_offset", 0)
    for part in (func, func.value):  # type: ignore[attr-defined]
        part.lineno = part.end_lineno = line
        part.col_offset, part.end_col_offset = col, col + len(name)
    node = ast.Call(func=func, args=args, keywords=keywords or [])
    return ast.copy_location(node, like)


def _thunk(expr: ast.expr) -> ast.expr:
    empty = ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[])
    return ast.copy_location(ast.Lambda(args=empty, body=expr), expr)


def _lambda(name: str, expr: ast.expr) -> ast.expr:
    arg = ast.copy_location(ast.arg(arg=name), expr)
    params = ast.arguments(posonlyargs=[], args=[arg], kwonlyargs=[], kw_defaults=[], defaults=[])
    return ast.copy_location(ast.Lambda(args=params, body=expr), expr)


def _const(value: Any, like: ast.AST) -> ast.expr:
    return ast.copy_location(ast.Constant(value=value), like)


def _load(name: str, like: ast.AST) -> ast.expr:
    return ast.copy_location(ast.Name(id=name, ctx=ast.Load()), like)


def _assign(name: str, value: ast.expr, like: ast.AST) -> ast.stmt:
    target = ast.copy_location(ast.Name(id=name, ctx=ast.Store()), like)
    return ast.copy_location(ast.Assign(targets=[target], value=value), like)


class _Traversal(ast.NodeTransformer):
    """ast.NodeTransformer's traversal, with the same results at a fraction of its cost: the method for a node class
    is looked up once, and leaves (contexts, operators, constants, names) are not visited at all."""

    def visit(self, node: ast.AST) -> Any:
        key = (type(self), type(node))
        visitor = _VISITORS.get(key)
        if visitor is None:
            visitor = _VISITORS[key] = getattr(type(self), "visit_" + type(node).__name__, type(self).generic_visit)
        return visitor(self, node)

    def generic_visit(self, node: ast.AST) -> ast.AST:
        leaves, visit = _LEAVES, self.visit
        for name in node._fields:
            old = getattr(node, name, None)
            if isinstance(old, list):
                new: list[Any] = []
                changed = False
                for value in old:
                    if isinstance(value, ast.AST) and type(value) not in leaves:
                        result = visit(value)
                        if result is not value:
                            changed = True
                            if result is None:
                                continue
                            if not isinstance(result, ast.AST):
                                new.extend(result)
                                continue
                            value = result
                    new.append(value)
                if changed:
                    old[:] = new
            elif isinstance(old, ast.AST) and type(old) not in leaves:
                result = visit(old)
                if result is None:
                    delattr(node, name)
                elif result is not old:
                    setattr(node, name, result)
        return node


class Transformer(_Traversal):
    """Rewrites one composition function (and the functions and lambdas nested in it)."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.counter = 0

    def _temp(self, kind: str) -> str:
        self.counter += 1
        return f"__pykro_{kind}{self.counter}"

    def _refuse(self, node: ast.AST, what: str, fix: str) -> CompositionError:
        line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        return CompositionError(what, where=f"{self.filename}:{line}:{col + 1}", fix=fix)

    # ------------------------------------------------------------------------------------------- refused
    def visit_NamedExpr(self, node: ast.NamedExpr) -> ast.AST:
        raise self._refuse(node, "assignment expressions (:=) are not supported in a composition", "Assign first.")

    def visit_Yield(self, node: ast.Yield) -> ast.AST:
        raise self._refuse(node, "a composition cannot be a generator (yield)", "Return the status instead.")

    visit_YieldFrom = visit_Yield  # type: ignore[assignment]

    def visit_Await(self, node: ast.Await) -> ast.AST:
        raise self._refuse(node, "a composition cannot await", "Compositions are plain functions; remove async.")

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        raise self._refuse(node, "async functions are not supported in a composition", "Use a plain def.")

    def visit_Try(self, node: ast.AST) -> ast.AST:
        raise self._refuse(
            node,
            "try/except in a composition: with references nothing fails while the graph is built, so the except "
            "branch would never take effect (and it could hide pykro's own errors)",
            "Remove the try; test the condition with `if` (it becomes includeWhen or a CEL ?:).",
        )

    visit_TryStar = visit_Try

    def visit_Global(self, node: ast.AST) -> ast.AST:
        raise self._refuse(
            node,
            "global/nonlocal in a composition: the function runs once to build the graph, so changes to outer "
            "variables do not reach the cluster",
            "Return values instead (status fields) or pass them in the spec.",
        )

    visit_Nonlocal = visit_Global

    def visit_Match(self, node: ast.Match) -> ast.AST:
        self.generic_visit(node)
        node.subject = _call("concrete", [node.subject, _const("match", node)], node.subject)
        return node

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        self.generic_visit(node)
        node.test = _call("concrete", [node.test, _const("assert", node)], node.test)
        return node

    # ------------------------------------------------------------------------------------------- expressions
    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        name = "and_" if isinstance(node.op, ast.And) else "or_"
        return _call(name, [_thunk(v) for v in node.values], node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return _call("not_", [node.operand], node)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        test = _call("condition", [node.test, _const("x if cond else y", node)], node)
        return _call("ifexp", [test, _thunk(node.body), _thunk(node.orelse)], node)

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if len(node.ops) == 1:  # both operands are evaluated: no thunks (each would be a code object to compile)
            op = _const(_OPS[type(node.ops[0])], node)
            return _call("compare_pair", [op, node.left, node.comparators[0]], node)
        ops = ast.copy_location(ast.Tuple(elts=[_const(_OPS[type(op)], node) for op in node.ops], ctx=ast.Load()), node)
        operands = [node.left, *node.comparators]
        return _call("compare", [ops, *(_thunk(o) for o in operands)], node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        self.generic_visit(node)
        parts: list[ast.expr] = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                spec: ast.expr = value.format_spec if value.format_spec is not None else _const(None, value)
                conv = _const(_CONVERSIONS.get(value.conversion, ""), value)
                parts.append(ast.copy_location(ast.Tuple(elts=[value.value, conv, spec], ctx=ast.Load()), value))
            else:
                parts.append(value)
        return _call("fstring", parts, node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id in BUILTIN_NAMES:
            return _call("builtin", [func, *node.args], node, node.keywords)
        if isinstance(func, ast.Attribute) and func.attr in METHOD_NAMES:
            return _call("method", [func.value, _const(func.attr, func), *node.args], node, node.keywords)
        return node

    def _plain_generators(
        self, node: ast.ListComp | ast.GeneratorExp | ast.DictComp | ast.SetComp, kind: str
    ) -> ast.AST:
        """A comprehension run as Python: its iterables must be plain values (a reference is refused)."""
        for gen in node.generators:
            gen.iter = _call("concrete", [gen.iter, _const(kind, gen.iter)], gen.iter)
        return node

    def visit_DictComp(self, node: ast.DictComp) -> ast.AST:
        self.generic_visit(node)
        return self._plain_generators(node, "dict comprehension")

    def visit_SetComp(self, node: ast.SetComp) -> ast.AST:
        self.generic_visit(node)
        return self._plain_generators(node, "set comprehension")

    def _comprehension(self, node: ast.ListComp | ast.GeneratorExp) -> ast.AST:
        self.generic_visit(node)
        if len(node.generators) != 1:
            return self._plain_generators(node, "comprehension with several `for` clauses")
        gen = node.generators[0]
        if not isinstance(gen.target, ast.Name) or gen.is_async:
            return self._plain_generators(node, "comprehension unpacking its items")
        name = gen.target.id
        conds = ast.copy_location(ast.Tuple(elts=[_lambda(name, c) for c in gen.ifs], ctx=ast.Load()), node)
        return _call("listcomp", [gen.iter, _const(name, node), _lambda(name, node.elt), conds], node)

    visit_ListComp = visit_GeneratorExp = _comprehension

    # ------------------------------------------------------------------------------------------- statements
    def _where(self, node: ast.AST) -> str:
        return f"{self.filename}:{getattr(node, 'lineno', 0)}"

    def visit_If(self, node: ast.If) -> ast.AST | list[ast.stmt]:
        """One copy of each branch, run as Python for a plain test; for a reference both run (includeWhen cond /
        !cond), each from the values the names had before the if, and every name they assign becomes
        ``cond ? then : else`` (the value before the if standing for a branch that does not assign it)."""
        problem = self._if_problem(node)  # on the user's code, before the branches are transformed
        names = list(dict.fromkeys(blocks.bound_names(node.body) + blocks.bound_names(node.orelse)))
        self.generic_visit(node)
        cond, sym, taken = self._temp("c"), self._temp("s"), self._temp("b")
        where = _const(self._where(node), node)
        test = _call("condition", [node.test, _const("if", node)], node.test)
        out: list[ast.stmt] = [
            _assign(cond, test, node),
            _assign(sym, _call("is_ref", [_load(cond, node)], node), node),
            _assign(taken, _call("taken", [_load(sym, node), _load(cond, node)], node), node),
        ]
        before = {name: self._temp("p") for name in names}
        then = {name: self._temp("t") for name in names}
        prologue: list[ast.stmt] = list(problem or [])
        for name, saved in before.items():
            prologue.append(self._capture(name, saved, node, _call("unbound", [_const(name, node), where], node)))
            prologue.append(_assign(name, _load(saved, node), node))
        out.append(self._if(_load(sym, node), prologue, node))
        # the branch contexts are entered and left by calls, not `with`, so that long elif chains do not reach
        # Python's limit on nested blocks; a reference's branches cannot leave early (see _if_problem)
        switch = [self._expr(_call("leave", [_load(sym, node)], node))]
        switch += [_assign(t, _load(n, node), node) for n, t in then.items()]
        switch += [_assign(n, _load(saved, node), node) for n, saved in before.items()]
        enter = self._expr(_call("enter", [_load(sym, node), _load(cond, node), _const(True, node)], node))
        out.append(self._if(_load(taken, node), [enter, *node.body, self._if(_load(sym, node), switch, node)], node))
        if node.orelse:
            enter = self._expr(_call("enter", [_load(sym, node), _load(cond, node), _const(False, node)], node))
            leave = self._expr(_call("leave", [_load(sym, node)], node))
            not_taken = ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=_load(taken, node)), node)
            either = ast.copy_location(ast.BoolOp(op=ast.Or(), values=[_load(sym, node), not_taken]), node)
            out.append(self._if(either, [enter, *node.orelse, self._if(_load(sym, node), [leave], node)], node))
        merges = [
            _assign(
                n,
                _call("merge", [_load(cond, node), _const(n, node), _load(t, node), _load(n, node), where], node),
                node,
            )
            for n, t in then.items()
        ]
        if merges:
            out.append(self._if(_load(sym, node), merges, node))
        return out

    def _expr(self, value: ast.expr) -> ast.stmt:
        return ast.copy_location(ast.Expr(value=value), value)

    def _if(self, test: ast.expr, body: list[ast.stmt], like: ast.AST) -> ast.stmt:
        return ast.copy_location(ast.If(test=test, body=body or [ast.copy_location(ast.Pass(), like)], orelse=[]), like)

    def _if_problem(self, node: ast.If) -> list[ast.stmt] | None:
        """A statement that fails when the test is a reference and a branch cannot keep its meaning."""
        escape = blocks.escape(node.body) or blocks.escape(node.orelse)
        if escape:
            return [self._fail_stmt(node, f"`{escape}` inside an `if` on a reference",
                                    "Both branches run while the graph is built (they become includeWhen); move "
                                    f"the `{escape}` out of the if.")]  # fmt: skip
        found = blocks.mutation(node.body) or blocks.mutation(node.orelse)
        if found:
            where, what = found
            return [self._fail_stmt(where, f"a branch of the `if` on a reference at {self._where(node)} {what}; "
                                    "both branches run while the graph is built, so the change would apply "
                                    "whatever the condition",
                                    "Assign a new value instead, e.g. `labels = {**labels, 'k': v}` inside the "
                                    "branch (it becomes `cond ? new : old`), or `x = a if cond else b`.")]  # fmt: skip
        return None

    def _capture(self, name: str, into: str, like: ast.AST, unbound: ast.expr) -> ast.stmt:
        """``into = name``, or ``into = unbound`` when ``name`` has no value yet."""
        handler = ast.ExceptHandler(type=_load("NameError", like), name=None, body=[_assign(into, unbound, like)])
        ast.copy_location(handler, like)
        body = [_assign(into, _load(name, like), like)]
        return ast.copy_location(ast.Try(body=body, handlers=[handler], orelse=[], finalbody=[]), like)

    def _with(self, ctx: ast.expr, body: list[ast.stmt], like: ast.AST, var: str | None = None) -> ast.stmt:
        target = ast.copy_location(ast.Name(id=var, ctx=ast.Store()), like) if var else None
        item = ast.withitem(context_expr=ctx, optional_vars=target)
        return ast.copy_location(ast.With(items=[item], body=body or [ast.copy_location(ast.Pass(), like)]), like)

    def _fail_stmt(self, node: ast.AST, what: str, fix: str) -> ast.stmt:
        call = _call("fail_construct", [_const(what, node), _const(fix, node)], node)
        return ast.copy_location(ast.Expr(value=call), node)

    def visit_For(self, node: ast.For) -> ast.AST | list[ast.stmt]:
        """One copy of the body: a Python loop over a plain iterable; over a reference list it runs once, for the
        kro forEach iterator, and names bound in it have no value after it."""
        problem = self._for_problem(node)  # on the user's code, before the body is transformed
        target = [node.target.id] if isinstance(node.target, ast.Name) else []
        names = list(dict.fromkeys(target + blocks.bound_names(node.body)))
        self.generic_visit(node)
        items, sym = self._temp("i"), self._temp("s")
        out: list[ast.stmt] = [
            _assign(items, node.iter, node),
            _assign(sym, _call("is_ref", [_load(items, node)], node), node),
        ]
        if problem:
            out.append(self._if(_load(sym, node), problem, node))
        iterable = _load(items, node)
        if target:
            iterable = _call("iterate", [_load(items, node), _const(target[0], node)], node)
        out.append(
            ast.copy_location(ast.For(target=node.target, iter=iterable, body=node.body, orelse=node.orelse), node)
        )
        where = _const(self._where(node), node)
        after: list[ast.stmt] = []
        for name in names:  # after a forEach loop a name bound in it has no single value
            saved = self._temp("l")
            after.append(self._capture(name, saved, node, _call("unbound", [_const(name, node), where], node)))
            after.append(
                _assign(name, _call("after_loop", [_load(saved, node), _const(name, node), where], node), node)
            )
        if after:
            out.append(self._if(_load(sym, node), after, node))
        return out

    def _for_problem(self, node: ast.For) -> list[ast.stmt] | None:
        """A statement that fails when the iterable is a reference and the body cannot keep its meaning."""
        escape = blocks.escape(node.body)
        if not isinstance(node.target, ast.Name):
            return [self._fail_stmt(node, "unpacking in a `for` over a reference list",
                                    "Loop over the items (`for item in xs:`) and read item.field.")]  # fmt: skip
        if escape or node.orelse:
            word = escape or "for ... else"
            return [self._fail_stmt(node, f"`{word}` in a `for` over a reference list",
                                    "The body runs once to build a forEach; remove the early exit.")]  # fmt: skip
        carried = blocks.carried(node.body)
        if carried:
            name, where = carried
            return [self._fail_stmt(where, f"`{name}` is carried from one iteration to the next of the `for` over "
                                    f"a reference list at {self._where(node)}; the body runs once to build a "
                                    "forEach, so there is no previous iteration",
                                    "Compute it over the whole list instead, e.g. len(xs), sum(...) or a "
                                    "comprehension [f(x) for x in xs].")]  # fmt: skip
        found = blocks.mutation(node.body)
        if found:
            where, what = found
            return [self._fail_stmt(where, f"the body of the `for` over a reference list at {self._where(node)} "
                                    f"{what}; it runs once to build a forEach, not once per item",
                                    "Build the value with a comprehension over the list, e.g. "
                                    "[x.name for x in xs].")]  # fmt: skip
        return None

    def visit_While(self, node: ast.While) -> ast.AST:
        self.generic_visit(node)
        node.test = _call("concrete", [node.test, _const("while", node)], node.test)
        return node


class _File:
    """One source file parsed once: its function definitions by first line (the first decorator's, as
    ``co_firstlineno`` counts), each handed out once with everything inside it (the transformer rewrites the nodes
    in place; a definition asked for again, or one inside a taken one, is read anew by the caller)."""

    __slots__ = ("defs", "lines", "nested", "taken", "tree")

    def __init__(self, lines: list[str], tree: ast.Module) -> None:
        self.lines = lines
        self.tree = tree
        self.defs: dict[int, ast.FunctionDef] = {}
        self.taken: list[tuple[int, int]] = []  # line ranges handed out
        self.nested = False
        for node in tree.body:
            self._add(node)

    def _add(self, node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if not any(a <= first <= b for a, b in self.taken):
                self.defs.setdefault(first, node)

    def _add_nested(self) -> None:
        """Every definition inside classes, functions and blocks, except inside the ones handed out."""
        self.nested = True
        stack: list[ast.AST] = [self.tree]
        while stack:
            node = stack.pop()
            self._add(node)
            for child in ast.iter_child_nodes(node):
                line = getattr(child, "lineno", None)
                if line is None or not any(a <= line <= b for a, b in self.taken):
                    stack.append(child)

    def take(self, first: int, name: str) -> ast.FunctionDef | None:
        """The definition of function ``name`` starting at line ``first`` (once), or None."""
        if first not in self.defs and not self.nested:
            self._add_nested()
        found = self.defs.get(first)
        if found is None or found.name != name:
            return None
        last = found.end_lineno or found.lineno
        self.taken.append((first, last))
        if self.nested:  # definitions inside this one are handed out with it
            for line in [line for line in self.defs if first <= line <= last]:
                del self.defs[line]
        else:  # only module-level definitions are listed: none lies inside another
            del self.defs[first]
        return found


_FILES: Memo[str, _File] = Memo(8)  # the files compositions were last read from (a module defines its own in a row)


def _from_file(fn: Callable[..., Any]) -> tuple[ast.FunctionDef, str] | None:
    """``fn``'s definition from its whole file, parsed once per file and version of it (linecache's lines, as
    inspect.getsource reads them): defining many compositions in a file tokenizes and parses it once, and the nodes
    carry the file's own line numbers. None when this does not find exactly the function (the caller then reads the
    source the way inspect does)."""
    code = getattr(fn, "__code__", None)
    if code is None or hasattr(fn, "__wrapped__"):  # inspect.getsource reads the wrapped function's source
        return None
    try:
        lines, start = inspect.findsource(fn)
        filename = inspect.getsourcefile(fn) or code.co_filename
    except (OSError, TypeError):
        return None
    parsed = _FILES.get(filename)
    if parsed is None or parsed.lines is not lines:  # a new file, or linecache read it again (it changed)
        try:
            tree = ast.parse("".join(lines), filename=filename)
        except (SyntaxError, ValueError):
            return None
        parsed = _FILES.put(filename, _File(lines, tree))
    found = parsed.take(start + 1, code.co_name)
    return (found, filename) if found is not None and start + 1 == code.co_firstlineno else None


def _parse(fn: Callable[..., Any]) -> tuple[ast.FunctionDef, str]:
    fast = _from_file(fn)
    if fast is not None:
        return fast
    name = getattr(fn, "__qualname__", repr(fn))
    try:
        source = inspect.getsource(fn)
        filename = inspect.getsourcefile(fn) or fn.__code__.co_filename
    except (OSError, TypeError) as exc:
        raise CompositionError(
            f"the source of composition {name} is not available ({exc}); pykro reads it to convert if/for/and/or "
            "into kro's includeWhen/forEach/CEL",
            where=getattr(getattr(fn, "__code__", None), "co_filename", None),
            fix="Define the composition in a .py file (not in a REPL, exec() or a notebook cell without a file).",
        ) from None
    first = fn.__code__.co_firstlineno
    indented = source[:1].isspace()
    text = ("if 1:\n" + source) if indented else source
    tree = ast.parse(text, filename=filename)
    ast.increment_lineno(tree, first - (2 if indented else 1))
    body = tree.body[0].body if indented else tree.body  # type: ignore[attr-defined]
    func = body[0]
    if not isinstance(func, ast.FunctionDef):
        raise CompositionError(f"{name} is not a plain function", where=filename, fix="Decorate a def.")
    return func, filename


def transform(fn: Callable[..., Any]) -> Callable[[], FunctionType]:
    """Compile ``fn`` transformed; returns a maker that binds the current closure values and returns the function."""
    func, filename = _parse(fn)
    func.decorator_list = []
    transformer = Transformer(filename)
    new_func = transformer.visit(func)
    code = fn.__code__
    freevars = list(code.co_freevars)
    params = [ast.copy_location(ast.arg(arg=name), func) for name in [HELPER, *freevars]]
    args = ast.arguments(posonlyargs=[], args=params, kwonlyargs=[], kw_defaults=[], defaults=[])
    ret = ast.Return(value=_load(func.name, func))
    factory = ast.FunctionDef(name=FACTORY, args=args, body=[new_func, ret], decorator_list=[], returns=None)
    ast.copy_location(factory, func)
    ast.copy_location(ret, func)
    module = ast.Module(body=[factory], type_ignores=[])
    compiled = compile(module, filename, "exec")
    namespace: dict[str, Any] = {}
    exec(compiled, fn.__globals__, namespace)  # the user's own function, recompiled
    make = namespace[FACTORY]

    def bind() -> FunctionType:
        from pykro.authoring import _helpers as helpers  # what the function runs: loads when it first runs

        cells = [c.cell_contents for c in (getattr(fn, "__closure__", None) or ())]
        result: FunctionType = make(helpers, *cells)
        result.__defaults__ = getattr(fn, "__defaults__", None)
        result.__kwdefaults__ = getattr(fn, "__kwdefaults__", None)
        return result

    return bind
