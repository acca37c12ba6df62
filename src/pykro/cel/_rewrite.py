"""Source rewrites that let the local engine run what kro's cel-go runs, and detection of what it cannot run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

from pykro.cel._ast import Binary, Call, Conditional, Ident, Index, Literal, Node, Select, walk
from pykro.cel._errors import CelCompileError
from pykro.cel._library import runtime as runtime_library
from pykro.cel._parser import parse
from pykro.cel._printer import render
from pykro.cel._references import references

__all__ = ["comprehension_probes", "for_engine", "optional_passed_to", "unwrap_optional"]

OPTIONAL_VAR = "__pykro_opt"
# cel-go's two-variable comprehensions (ext.TwoVarComprehensions) and ext.Lists' sortBy: (name, argument count)
TWO_VARIABLE = frozenset(
    {("all", 3), ("exists", 3), ("existsOne", 3), ("exists_one", 3)}
    | {(name, n) for name in ("transformList", "transformMap", "transformMapEntry") for n in (3, 4)}
)
_TRIGGERS = ("first(", "last(", "runtime.", "omit(", "sortBy(", "transform")
# hidden library functions the rewrites call (pykro.cel._library)
ZIP, ENTRIES, SORT_ORDER, OMIT_MISUSED = "__pykro_zip", "__pykro_entries", "__pykro_sort_order", "__pykro_omit_misused"


def for_engine(expression: str, *, comprehensions: bool = False) -> str:
    """Rewrite what cel-go has and the engine lacks into engine-native CEL: ``list.first()`` / ``list.last()``
    (optional results), kro's ``runtime.newCondition`` macro (bare-identifier keys become strings; bad keys raise
    CelCompileError with kro's message), the two-variable comprehensions and ``sortBy`` (over the keys or indexes
    of the target), and ``omit()`` anywhere but as the expression's value (an evaluation error there, as in kro).

    Two-variable ``all``/``exists``/``existsOne`` are looked for only when ``comprehensions`` (the engine refused
    the expression): the text cannot tell them from the common one-variable forms without parsing."""
    if not comprehensions and not any(trigger in expression for trigger in _TRIGGERS):
        return expression
    try:
        node = parse(expression)
    except CelCompileError:
        return expression
    counter = [0]
    results = {id(item) for item in _result_positions(node)}
    try:
        rewritten = _transform(node, lambda item: _rewrite_node(item, counter, results))
    except runtime_library.MacroError as exc:
        raise CelCompileError(f"cannot compile {expression!r}: {exc}", expression=expression) from None
    return render(rewritten) if rewritten is not node else expression


def _result_positions(node: Node) -> list[Node]:
    """The nodes whose value is the expression's value: the root, the branches of a conditional there and the body
    of a ``cel.bind`` there."""
    out = [node]
    if isinstance(node, Conditional):
        out += _result_positions(node.then) + _result_positions(node.otherwise)
    elif isinstance(node, Call) and node.function == "bind" and node.target == Ident("cel") and len(node.args) == 3:
        out += _result_positions(node.args[2])
    return out


def _fresh(counter: list[int], stem: str) -> Ident:
    counter[0] += 1
    return Ident(f"__pykro_{stem}{counter[0]}")


def _comprehension(node: Call, counter: list[int]) -> Node:
    """A two-variable comprehension (or sortBy) as single-variable macros over the target's keys (indexes of a
    list): ``t.all(k, v, p)`` is ``cel.bind(c, t, KEYS.all(k, cel.bind(v, c[k], p)))``. Only what a macro
    collects into a new map (and sortBy's keys) passes through Python; the target stays in the engine."""
    assert node.target is not None
    target = _fresh(counter, "c")
    index = _fresh(counter, "i")
    if node.function == "sortBy":
        var, key = node.args
        order = Call(SORT_ORDER, (Call("map", (var, key), target=target),))
        body: Node = Call("map", (index, Index(target, index)), target=order)
        return Call("bind", (target, node.target, body), target=Ident("cel"))
    first, second = node.args[0], node.args[1]
    assert isinstance(first, Ident) and isinstance(second, Ident)

    def with_value(expr: Node) -> Node:
        return Call("bind", (second, Index(target, first), expr), target=Ident("cel"))

    keys: Node = Conditional(  # dyn: the branches' types differ when the target's type is known
        Binary("==", Call("type", (target,)), Ident("list")),
        Call("dyn", (Call("range", (Call("size", (target,)),), target=Ident("lists")),)),
        Call("dyn", (Call("map", (index, index), target=target),)),
    )
    rest = [with_value(arg) for arg in node.args[2:]]
    name = "exists_one" if node.function == "existsOne" else node.function
    if name in ("all", "exists", "exists_one", "transformList"):
        body = Call("map" if name == "transformList" else name, (first, *rest), target=keys)
    elif name == "transformMapEntry":
        body = Call(ENTRIES, (Call("map", (first, *rest), target=keys),))
    else:  # transformMap: the (filtered) keys, zipped with the values computed for them
        kept = _fresh(counter, "k")
        chosen = Call("filter", (first, rest[0]), target=keys) if len(rest) == 2 else keys
        zipped = Call(ZIP, (kept, Call("map", (first, rest[-1]), target=kept)))
        body = Call("bind", (kept, chosen, zipped), target=Ident("cel"))
    return Call("bind", (target, node.target, body), target=Ident("cel"))


def _rewrite_node(node: Node, counter: list[int], results: set[int]) -> Node:
    """One node, its children already rewritten."""
    if isinstance(node, Call) and node.function == "omit" and node.target is None and not node.args:
        return node if id(node) in results else Call(OMIT_MISUSED, ())
    if (
        isinstance(node, Call)
        and node.target is not None
        and ((node.function, len(node.args)) in TWO_VARIABLE or (node.function == "sortBy" and len(node.args) == 2))
    ):
        return _comprehension(node, counter)
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


def comprehension_probes(expression: str, variables: frozenset[str]) -> list[str]:
    """Expressions whose type says whether a rewritten two-variable comprehension or sortBy would hand an optional
    value to Python (which crashes the engine): the values it collects (sortBy: its keys), with the names
    they read that are not ``variables`` (comprehension variables, outer macro variables) bound to ``dyn(null)``."""
    if not any(trigger in expression for trigger in ("sortBy(", "transform", "all(", "exists")):
        return []
    try:
        node = parse(expression)
    except CelCompileError:
        return []
    probes = []
    for item in walk(node):
        if not isinstance(item, Call) or item.target is None:
            continue
        count = len(item.args)
        if (item.function, count) not in TWO_VARIABLE and (item.function, count) != ("sortBy", 2):
            continue
        bound = {arg.name for arg in item.args[: 1 if item.function == "sortBy" else 2] if isinstance(arg, Ident)}
        # what reaches Python: the values transformMap / transformMapEntry collect and sortBy's keys
        if item.function not in ("sortBy", "transformMap", "transformMapEntry"):
            continue
        for part in item.args[-1:]:
            names = bound | {ref.root for ref in references(part)} - variables
            probe: Node = part
            for name in sorted(names):
                probe = Call("bind", (Ident(name), Call("dyn", (Literal(None),)), probe), target=Ident("cel"))
            probes.append(render(probe))
    return probes


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
