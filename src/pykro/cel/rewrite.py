"""Source rewrites that let the local engine run what kro's cel-go runs, and detection of what it cannot run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

from pykro.cel.ast import Binary, Call, Conditional, Ident, Index, Literal, Node, Select, walk
from pykro.cel.errors import CelCompileError
from pykro.cel.library import runtime as runtime_library
from pykro.cel.parser import parse
from pykro.cel.printer import render

OPTIONAL_VAR = "__pykro_opt"
TWO_VARIABLE_MACROS = {"all": 3, "exists": 3, "exists_one": 3, "existsOne": 3}
KRO_ONLY = ("transformList", "transformMap", "transformMapEntry", "sortBy")


def for_engine(expression: str) -> str:
    """Rewrite what cel-go parses differently into engine-native CEL: ``list.first()`` / ``list.last()`` (optional
    results) and kro's ``runtime.newCondition`` macro (bare-identifier keys become strings; bad keys raise
    CelCompileError with kro's message)."""
    if "first(" not in expression and "last(" not in expression and "runtime." not in expression:
        return expression
    try:
        node = parse(expression)
    except CelCompileError:
        return expression
    counter = [0]
    try:
        rewritten = _transform(node, lambda item: _rewrite_node(item, counter))
    except runtime_library.MacroError as exc:
        raise CelCompileError(f"cannot compile {expression!r}: {exc}", expression=expression) from None
    return render(rewritten) if rewritten is not node else expression


def _rewrite_node(node: Node, counter: list[int]) -> Node:
    """One node, its children already rewritten."""
    if isinstance(node, Call) and node.function in ("first", "last") and not node.args and node.target is not None:
        counter[0] += 1
        var = Ident(f"__pykro_list{counter[0]}")
        index: Node = Literal(0) if node.function == "first" else Binary("-", Call("size", (var,)), Literal(1))
        body = Conditional(
            Binary(">", Call("size", (var,)), Literal(0)),
            Call("of", (Index(var, index),), target=Ident("optional")),
            Call("none", (), target=Ident("optional")),
        )
        return Call("bind", (var, node.target, body), target=Ident("cel"))
    if isinstance(node, Call):
        return runtime_library.expand_new_condition(node)
    if isinstance(node, Select):
        runtime_library.check_field(node)
    return node


def _transform(node: Node, rewrite_node: Callable[[Node], Node]) -> Node:
    """Rebuild ``node`` bottom-up through ``rewrite_node``; unchanged subtrees keep their identity."""
    changes: dict[str, object] = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if f.name == "type":
            continue
        if isinstance(value, tuple):
            new = tuple(_transform_item(item, rewrite_node) for item in value)
            if new != value or any(a is not b for a, b in zip(new, value, strict=True)):
                changes[f.name] = new
        elif _is_node(value):
            new_node = _transform(value, rewrite_node)
            if new_node is not value:
                changes[f.name] = new_node
    rebuilt = replace(node, **changes) if changes else node  # type: ignore[arg-type]
    return rewrite_node(rebuilt)


def _transform_item(item: object, rewrite_node: Callable[[Node], Node]) -> object:
    if isinstance(item, tuple):
        return tuple(_transform_item(part, rewrite_node) for part in item)
    return _transform(item, rewrite_node) if _is_node(item) else item  # type: ignore[arg-type]


def _is_node(value: object) -> bool:
    return hasattr(value, "__dataclass_fields__")


def unsupported_construct(expression: str) -> str | None:
    """Describe the first construct in ``expression`` that kro supports but the local engine does not."""
    try:
        node = parse(expression)
    except CelCompileError:
        return None
    for item in walk(node):
        if not isinstance(item, Call) or item.target is None:
            continue
        if TWO_VARIABLE_MACROS.get(item.function) == len(item.args):
            return (
                f"the two-variable comprehension {item.function}({render(item.args[0])}, {render(item.args[1])}, ...)"
            )
        if item.function in KRO_ONLY:
            return f"{item.function}()"
    return None


OPTIONAL_MAKERS = frozenset({"of", "none", "ofNonZeroValue", "first", "last", "or", "optMap", "optFlatMap"})


def _maybe_optional(node: Node) -> bool:
    if isinstance(node, Select | Index):
        return node.optional
    if isinstance(node, Conditional):
        return _maybe_optional(node.then) or _maybe_optional(node.otherwise)
    return isinstance(node, Call) and node.function in OPTIONAL_MAKERS and node.target is not None


def optional_passed_to(expression: str, functions: frozenset[str]) -> str | None:
    """The library function (implemented in Python) that ``expression`` hands an optional value, if any.

    The engine cannot pass optionals to Python functions, so such calls are refused before they run.
    """
    if not any(marker in expression for marker in ("?", "optional", "first(", "last(")):
        return None
    try:
        node = parse(expression)
    except CelCompileError:
        return None
    for item in walk(node):
        if not isinstance(item, Call):
            continue
        name = f"{item.target.name}.{item.function}" if isinstance(item.target, Ident) else item.function
        if name not in functions and item.function not in functions:
            continue
        operands = (*item.args, *((item.target,) if item.target is not None else ()))
        if any(_maybe_optional(arg) for arg in operands):
            return name
    return None


def unwrap_optional(source: str) -> str:
    """Wrap an expression whose result is an optional so it yields the value, or null when absent (as kro does)."""
    v = OPTIONAL_VAR
    return f"cel.bind({v}, ({source}), {v}.hasValue() ? dyn({v}.value()) : dyn(null))"
