"""The AutoGraph-style source transformation of composition functions (DESIGN §4).

The function's source is parsed, every ``and``/``or``/``not``/ternary/comparison/f-string/built-in call/``str``
method call/comprehension is routed through :mod:`pykro.authoring.helpers`, and ``if``/``for`` statements get a
second path taken when their test or iterable is a reference (includeWhen / forEach). The result is compiled with
the original file name and line numbers, the original globals, closure and defaults; it runs once.
"""

from __future__ import annotations

import ast
import copy
import inspect
from collections.abc import Callable
from types import FunctionType
from typing import Any

from pykro.authoring import helpers
from pykro.authoring.functions import METHODS
from pykro.errors import CompositionError

HELPER = "__pykro__"
FACTORY = "__pykro_factory__"
BUILTIN_NAMES = frozenset(
    {"len", "str", "int", "float", "bool", "min", "max", "abs", "all", "any", "round", "sorted", "sum", "range"}
    | {"enumerate", "zip", "isinstance", "repr"}
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
    params = ast.arguments(posonlyargs=[], args=[ast.arg(arg=name)], kwonlyargs=[], kw_defaults=[], defaults=[])
    return ast.copy_location(ast.Lambda(args=params, body=expr), expr)


def _const(value: Any, like: ast.AST) -> ast.expr:
    return ast.copy_location(ast.Constant(value=value), like)


def _load(name: str) -> ast.expr:
    return ast.Name(id=name, ctx=ast.Load())


def _assign(name: str, value: ast.expr, like: ast.AST) -> ast.stmt:
    return ast.copy_location(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=value), like)


class _Escapes(ast.NodeVisitor):
    """Finds return/break/continue that would leave a block (not counting nested functions and loops)."""

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

    def _loop(self, node: ast.AST) -> None:
        self.loop_depth += 1
        self.generic_visit(node)
        self.loop_depth -= 1

    visit_For = visit_While = _loop

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        return

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return


def _escape(body: list[ast.stmt]) -> str | None:
    finder = _Escapes()
    for stmt in body:
        finder.visit(stmt)
    return finder.found


def _assigned(body: list[ast.stmt]) -> list[str]:
    """Plain names bound by assignments in a block (not inside nested functions or classes)."""
    names: list[str] = []

    def targets(target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                targets(elt)

    def walk(stmts: list[ast.stmt]) -> None:
        for stmt in stmts:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    targets(target)
            elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
                targets(stmt.target)
            elif isinstance(stmt, ast.If | ast.For | ast.While | ast.With | ast.Try):
                for field in ("body", "orelse", "finalbody"):
                    walk(getattr(stmt, field, []))

    walk(body)
    return list(dict.fromkeys(names))


class Transformer(ast.NodeTransformer):
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
        if isinstance(func, ast.Attribute) and func.attr in METHODS:
            return _call("method", [func.value, _const(func.attr, func), *node.args], node, node.keywords)
        return node

    def _comprehension(self, node: ast.ListComp | ast.GeneratorExp) -> ast.AST:
        self.generic_visit(node)
        if len(node.generators) != 1:
            return node
        gen = node.generators[0]
        if not isinstance(gen.target, ast.Name) or gen.is_async:
            return node
        name = gen.target.id
        conds = ast.copy_location(ast.Tuple(elts=[_lambda(name, c) for c in gen.ifs], ctx=ast.Load()), node)
        return _call("listcomp", [gen.iter, _const(name, node), _lambda(name, node.elt), conds], node)

    visit_ListComp = visit_GeneratorExp = _comprehension

    # ------------------------------------------------------------------------------------------- statements
    def visit_If(self, node: ast.If) -> ast.AST | list[ast.stmt]:
        self.generic_visit(node)
        tmp = self._temp("c")
        test = _call("condition", [node.test, _const("if", node)], node.test)
        assign = ast.copy_location(ast.Assign(targets=[ast.Name(id=tmp, ctx=ast.Store())], value=test), node)
        symbolic = self._symbolic_if(node, tmp)
        plain = ast.copy_location(
            ast.If(test=ast.Name(id=tmp, ctx=ast.Load()), body=node.body, orelse=node.orelse), node
        )
        is_ref = _call("is_ref", [ast.Name(id=tmp, ctx=ast.Load())], node)
        branch = ast.copy_location(ast.If(test=is_ref, body=symbolic, orelse=[plain]), node)
        return [assign, branch]

    def _symbolic_if(self, node: ast.If, tmp: str) -> list[ast.stmt]:
        escape = _escape(node.body) or _escape(node.orelse)
        if escape:
            return [self._fail_stmt(node, f"`{escape}` inside an `if` on a reference",
                                    "Both branches run while the graph is built (they become includeWhen); move "
                                    f"the `{escape}` out of the if.")]  # fmt: skip
        both = [n for n in _assigned(node.body) if n in set(_assigned(node.orelse))]
        saved = {name: self._temp("b") for name in both}
        body = copy.deepcopy(node.body) + [_assign(t, ast.Name(id=n, ctx=ast.Load()), node) for n, t in saved.items()]
        merges = [
            _assign(n, _call("merge", [_load(tmp), _const(n, node), _load(t), _load(n)], node), node)
            for n, t in saved.items()
        ]
        orelse = copy.deepcopy(node.orelse) + merges
        out: list[ast.stmt] = [self._with(_call("when", [ast.Name(id=tmp, ctx=ast.Load())], node), body, node)]
        if orelse:
            negated = _call("negate", [ast.Name(id=tmp, ctx=ast.Load())], node)
            out.append(self._with(_call("when", [negated], node), orelse, node))
        return out

    def _with(self, ctx: ast.expr, body: list[ast.stmt], like: ast.AST, var: str | None = None) -> ast.stmt:
        target = ast.Name(id=var, ctx=ast.Store()) if var else None
        item = ast.withitem(context_expr=ctx, optional_vars=target)
        return ast.copy_location(ast.With(items=[item], body=body or [ast.Pass()]), like)

    def _fail_stmt(self, node: ast.AST, what: str, fix: str) -> ast.stmt:
        call = _call("fail_construct", [_const(what, node), _const(fix, node)], node)
        return ast.copy_location(ast.Expr(value=call), node)

    def visit_For(self, node: ast.For) -> ast.AST | list[ast.stmt]:
        self.generic_visit(node)
        tmp = self._temp("i")
        assign = ast.copy_location(ast.Assign(targets=[ast.Name(id=tmp, ctx=ast.Store())], value=node.iter), node)
        plain = ast.copy_location(
            ast.For(target=node.target, iter=ast.Name(id=tmp, ctx=ast.Load()), body=node.body, orelse=node.orelse),
            node,
        )
        symbolic: list[ast.stmt]
        escape = _escape(node.body)
        if not isinstance(node.target, ast.Name):
            symbolic = [self._fail_stmt(node, "unpacking in a `for` over a reference list",
                                        "Loop over the items (`for item in xs:`) and read item.field.")]  # fmt: skip
        elif escape or node.orelse:
            word = escape or "for ... else"
            symbolic = [self._fail_stmt(node, f"`{word}` in a `for` over a reference list",
                                        "The body runs once to build a forEach; remove the early exit.")]  # fmt: skip
        else:
            ctx = _call("loop", [ast.Name(id=tmp, ctx=ast.Load()), _const(node.target.id, node)], node)
            symbolic = [self._with(ctx, copy.deepcopy(node.body), node, node.target.id)]
        is_ref = _call("is_ref", [ast.Name(id=tmp, ctx=ast.Load())], node)
        return [assign, ast.copy_location(ast.If(test=is_ref, body=symbolic, orelse=[plain]), node)]

    def visit_While(self, node: ast.While) -> ast.AST:
        self.generic_visit(node)
        node.test = _call("concrete", [node.test, _const("while", node)], node.test)
        return node


def _parse(fn: Callable[..., Any]) -> tuple[ast.Module, ast.FunctionDef, str]:
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
    return tree, func, filename


def transform(fn: Callable[..., Any]) -> Callable[[], FunctionType]:
    """Compile ``fn`` transformed; returns a maker that binds the current closure values and returns the function."""
    _, func, filename = _parse(fn)
    func.decorator_list = []
    transformer = Transformer(filename)
    new_func = transformer.visit(func)
    code = fn.__code__
    freevars = list(code.co_freevars)
    params = [ast.arg(arg=HELPER)] + [ast.arg(arg=v) for v in freevars]
    args = ast.arguments(posonlyargs=[], args=params, kwonlyargs=[], kw_defaults=[], defaults=[])
    ret = ast.Return(value=ast.Name(id=func.name, ctx=ast.Load()))
    factory = ast.FunctionDef(name=FACTORY, args=args, body=[new_func, ret], decorator_list=[], returns=None)
    ast.copy_location(factory, func)
    ast.copy_location(ret, func)
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    compiled = compile(module, filename, "exec")
    namespace: dict[str, Any] = {}
    exec(compiled, fn.__globals__, namespace)  # the user's own function, recompiled
    make = namespace[FACTORY]

    def bind() -> FunctionType:
        cells = [c.cell_contents for c in (getattr(fn, "__closure__", None) or ())]
        result: FunctionType = make(helpers, *cells)
        result.__defaults__ = getattr(fn, "__defaults__", None)
        result.__kwdefaults__ = getattr(fn, "__kwdefaults__", None)
        return result

    return bind
