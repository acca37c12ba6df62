"""Source rewrites that let the local engine run what kro's cel-go runs, and detection of what it cannot run."""

from __future__ import annotations

from pykro.cel.ast import Binary, Call, Conditional, Ident, Index, Literal, Node, Select, walk
from pykro.cel.errors import CelCompileError
from pykro.cel.parser import parse
from pykro.cel.printer import render

OPTIONAL_VAR = "__pykro_opt"
TWO_VARIABLE_MACROS = {"all": 3, "exists": 3, "exists_one": 3, "existsOne": 3}
KRO_ONLY = ("transformList", "transformMap", "transformMapEntry", "sortBy")


def for_engine(expression: str) -> str:
    """Rewrite cel-go's ``list.first()`` / ``list.last()`` (optional results) into engine-native CEL."""
    if "first(" not in expression and "last(" not in expression:
        return expression
    try:
        node = parse(expression)
    except CelCompileError:
        return expression
    counter = [0]
    rewritten = _rewrite_first_last(node, counter)
    return render(rewritten) if counter[0] else expression


def _rewrite_first_last(node: Node, counter: list[int]) -> Node:
    from dataclasses import fields, replace

    if isinstance(node, Call) and node.function in ("first", "last") and not node.args and node.target is not None:
        counter[0] += 1
        var = Ident(f"__pykro_list{counter[0]}")
        target = _rewrite_first_last(node.target, counter)
        index: Node = Literal(0) if node.function == "first" else Binary("-", Call("size", (var,)), Literal(1))
        body = Conditional(
            Binary(">", Call("size", (var,)), Literal(0)),
            Call("of", (Index(var, index),), target=Ident("optional")),
            Call("none", (), target=Ident("optional")),
        )
        return Call("bind", (var, target, body), target=Ident("cel"))
    changes: dict[str, object] = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if f.name == "type":
            continue
        if isinstance(value, tuple):
            new = tuple(_rewrite_item(item, counter) for item in value)
            if new != value:
                changes[f.name] = new
        elif _is_node(value):
            new_node = _rewrite_first_last(value, counter)
            if new_node is not value:
                changes[f.name] = new_node
    return replace(node, **changes) if changes else node  # type: ignore[arg-type]


def _rewrite_item(item: object, counter: list[int]) -> object:
    if isinstance(item, tuple):
        return tuple(_rewrite_item(part, counter) for part in item)
    return _rewrite_first_last(item, counter) if _is_node(item) else item  # type: ignore[arg-type]


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
        if item.target == Ident("runtime") and item.function in ("newCondition", "condition"):
            return f"kro's runtime.{item.function}() (custom status conditions)"
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
