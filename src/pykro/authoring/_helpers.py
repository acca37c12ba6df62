"""What the transformed composition calls instead of ``and``/``or``/``not``/ternaries/comparisons/``if``/``for``/
comprehensions/f-strings/built-ins: plain Python when the operands are concrete, typed CEL when they are
references. The transformer passes thunks (lambdas) where Python evaluates lazily."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

from pydantic import BaseModel

from pykro.authoring import _context as context
from pykro.authoring._comprehension import listcomp
from pykro.authoring._context import Loop
from pykro.authoring._functions import call_builtin, call_method, to_str
from pykro.authoring._location import fail, user_location
from pykro.authoring._ops import binary, promote, unify
from pykro.authoring._refs import Ref, Template, as_ref, cel_of, is_ref, node_of, type_of
from pykro.cel import _ast as ast
from pykro.cel._types import CelType
from pykro.graph._naming import is_reserved, is_valid_id, suggest_id

__all__ = [
    "Unset",
    "after_loop",
    "and_",
    "builtin",
    "compare",
    "compare_pair",
    "condition",
    "enter",
    "fail_construct",
    "fstring",
    "ifexp",
    "is_ref",
    "iterate",
    "leave",
    "listcomp",
    "loop",
    "merge",
    "method",
    "negate",
    "not_",
    "or_",
    "taken",
    "unbound",
    "when",
]


def _truth_error(value: Ref, construct: str) -> NoReturn:
    fixes = {
        "string": f"Compare explicitly: `{cel_of(value)} != ''`",
        "int": f"Compare explicitly: `{cel_of(value)} != 0`",
        "double": f"Compare explicitly: `{cel_of(value)} != 0.0`",
        "list": f"Test the size: `len({cel_of(value)}) > 0`",
        "map": f"Test the size: `len({cel_of(value)}) > 0`",
    }
    article = "an" if str(value._type)[:1] in "aeiou" else "a"
    raise fail(
        f"`{construct}` on {cel_of(value)}, {article} {value._type} reference: Python would use its truthiness, which "
        "has no exact CEL meaning",
        fixes.get(value._type.kind, "Compare it explicitly") + ".",
    )


def _bool_ref(value: Any, construct: str) -> Ref:
    ref = as_ref(value)
    if ref._type.kind not in ("bool", "dyn"):
        _truth_error(ref, construct)
    return ref


def condition(value: Any, construct: str = "if") -> Any:
    """The test of an ``if``/``while``/ternary: references must be bool-typed."""
    if is_ref(value):
        _bool_ref(value, construct)
    return value


def and_(*thunks: Callable[[], Any]) -> Any:
    return _bool_op("and", "&&", thunks)


def or_(*thunks: Callable[[], Any]) -> Any:
    return _bool_op("or", "||", thunks)


def _bool_op(word: str, op: str, thunks: Sequence[Callable[[], Any]]) -> Any:
    value = thunks[0]()
    for index, thunk in enumerate(thunks[1:], start=1):
        if not is_ref(value):
            if (not value) if word == "and" else bool(value):
                return value
            value = thunk()
            continue
        left = _bool_ref_for(value, word, index)
        right = thunk()
        if not is_ref(right):
            if not isinstance(right, bool):
                raise fail(
                    f"`{cel_of(left)} {word} {right!r}`: Python returns the right operand, which is not a bool",
                    "Use bool operands on both sides.",
                )
            right_node: ast.Node = ast.Literal(right)
        else:
            right_node = node_of(_bool_ref_for(right, word, index))
        value = Ref(_short_circuit(word, op, node_of(left), right_node), CelType.BOOL)
    return value


# Calls whose evaluation can fail on valid input (bad number text, bad regex, bad time), like an index or a division.
_FALLIBLE_CALLS = frozenset({"int", "uint", "double", "timestamp", "duration", "matches"})


def _may_fail(node: ast.Node) -> bool:
    """Whether evaluating ``node`` can raise for some data (index out of range, division by zero, conversions)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Index) and not sub.optional:
            return True
        if isinstance(sub, ast.Binary) and sub.op in ("/", "%"):
            return True
        if isinstance(sub, ast.Call) and sub.function in _FALLIBLE_CALLS:
            return True
    return False


def _short_circuit(word: str, op: str, left: ast.Node, right: ast.Node) -> ast.Node:
    """``left and/or right`` with Python's meaning. CEL's ``&&``/``||`` are commutative over errors (``error && false``
    is ``false``) where Python raises on a failing left operand, so a left side that can fail becomes a ternary,
    which evaluates its condition first as Python does."""
    if not _may_fail(left):
        return ast.Binary(op, left, right)
    if word == "and":
        return ast.Conditional(left, right, ast.Literal(False))
    return ast.Conditional(left, ast.Literal(True), right)


# the value Python's `or` skips, per CEL kind: what a user compares with instead
_EMPTY = {"string": "''", "int": "0", "uint": "0", "double": "0.0", "bytes": "b''", "list": "[]", "map": "{}"}


def _bool_ref_for(value: Any, word: str, index: int) -> Ref:
    ref = as_ref(value)
    if ref._type.kind in ("bool", "dyn"):
        return ref
    if word == "or":
        empty = _EMPTY.get(ref._type.kind)
        test = f"x if x != {empty} else default" if empty else "x if cond else default"
        raise fail(
            f"`{cel_of(ref)} or ...` uses `or` to pick a default for a {ref._type} value; in CEL `||` only takes bools",
            f"Write `{test}` or use pykro.cel.default(...) for a missing field.",
        )
    _truth_error(ref, word)


def not_(value: Any) -> Any:
    if not is_ref(value):
        return not value
    return Ref(ast.Unary("!", node_of(_bool_ref(value, "not"))), CelType.BOOL)


def negate(value: Ref) -> Ref:
    return Ref(ast.Unary("!", node_of(value)), CelType.BOOL)


def ifexp(test: Any, then: Callable[[], Any], otherwise: Callable[[], Any]) -> Any:
    """``then() if test else otherwise()``; a reference test gives ``test ? a : b`` (types unified)."""
    if not is_ref(test):
        return then() if test else otherwise()
    cond = _bool_ref(test, "x if cond else y")
    a, b = then(), otherwise()
    ta, tb = type_of(a), type_of(b)
    t = unify(ta, tb, "x if cond else y")
    an, bn = node_of(as_ref(a)), node_of(as_ref(b))
    if t.kind == "double":
        an, bn = promote(an, ta), promote(bn, tb)
    return Ref(ast.Conditional(node_of(cond), an, bn), t)


_PY_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
    "is": lambda a, b: a is b,
    "is not": lambda a, b: a is not b,
}


def _compare_one(op: str, left: Any, right: Any) -> Any:
    if not is_ref(left) and not is_ref(right):
        return _PY_OPS[op](left, right)
    if op in ("is", "is not"):
        raise fail(
            f"`{op}` on a reference compares Python objects, not values",
            "Use == / != to compare values, or pykro.cel.has(x) to test that a field is present.",
        )
    if op == "not in":
        return not_(binary("in", left, right))
    return binary(op, left, right)


def compare_pair(op: str, left: Any, right: Any) -> Any:
    """A single comparison ``a < b`` (both operands evaluated, left first, as Python does)."""
    return _compare_one(op, left, right)


def compare(ops: Sequence[str], *thunks: Callable[[], Any]) -> Any:
    """A comparison chain ``a < b <= c``: each operand evaluated once, ``and`` between the links."""
    left = thunks[0]()
    result: Any = True
    for op, thunk in zip(ops, thunks[1:], strict=True):
        right = thunk()
        link = _compare_one(op, left, right)
        if result is True:
            result = link
        else:
            prev = result
            result = and_(lambda p=prev: p, lambda lk=link: lk)  # type: ignore[misc]
        if not is_ref(result) and not result:
            return result
        left = right
    return result


# ---------------------------------------------------------------------------------------------------- statements
@contextmanager
def when(cond: Ref) -> Iterator[None]:
    """Resources created inside get ``includeWhen: cond`` (nested ifs AND together)."""
    build = context.current()
    if build is None:
        raise fail("an `if` on a reference outside a composition", "Use it inside a @composition function.")
    build.conditions.append(cond)
    try:
        yield
    finally:
        build.conditions.pop()


def _iterator_name(name: str) -> str:
    if is_valid_id(name) and not is_reserved(name):
        return name
    suggestion = suggest_id(name)
    raise fail(
        f"the loop variable {name!r} becomes a kro forEach iterator, which must be lower camelCase and not reserved",
        f"Rename it to {suggestion!r}." if suggestion else "Rename it (e.g. item).",
    )


@contextmanager
def loop(iterable: Any, name: str) -> Iterator[Ref]:
    """``for name in iterable`` over a list reference: resources inside become a forEach collection."""
    build = context.current()
    if build is None:
        raise fail("a `for` over a reference outside a composition", "Use it inside a @composition function.")
    ref = as_ref(iterable)
    if ref._type.kind not in ("list", "dyn"):
        raise fail(f"`for` over {cel_of(ref)} ({ref._type}): forEach needs a list", "Loop over a list field.")
    iterator = _iterator_name(name)
    item_type = ref._type.params[0] if ref._type.kind == "list" else CelType.DYN
    var = Ref(ast.Ident(iterator), item_type, model=ref._model)
    build.loops.append(Loop(iterator, ref, user_location()))
    try:
        yield var
    finally:
        build.loops.pop()


def taken(symbolic: bool, cond: Any) -> bool:
    """Whether the ``if`` body runs: always for a reference (both branches run), else Python's truth."""
    return True if symbolic else bool(cond)


def enter(symbolic: bool, cond: Any, positive: bool) -> None:
    """Start one branch of an ``if``: for a reference, resources made until :func:`leave` get includeWhen ``cond``
    (or its negation)."""
    if symbolic:
        _build("an `if` on a reference").conditions.append(cond if positive else negate(cond))


def leave(symbolic: bool) -> None:
    """End the branch :func:`enter` started."""
    if symbolic:
        _build("an `if` on a reference").conditions.pop()


def _build(construct: str) -> context.Build:
    build = context.current()
    if build is None:
        raise fail(f"{construct} outside a composition", "Use it inside a @composition function.")
    return build


def iterate(iterable: Any, name: str) -> Iterator[Any]:
    """What a ``for`` runs over: the plain iterable, or, for a reference list, the forEach iterator once (the body
    builds the collection inside the loop's context)."""
    if not is_ref(iterable):
        yield from iterable
        return
    with loop(iterable, name) as var:
        yield var


class Ambiguous:
    """A name bound to different resources in the two branches of an ``if`` on a reference."""

    def __init__(self, name: str, where: str | None) -> None:
        self._name, self._where = name, where

    def _fail(self) -> NoReturn:
        raise fail(
            f"`{self._name}` names a different resource in each branch of the `if` at {self._where}, so it is "
            "ambiguous after it",
            "Give the two resources different names and pick values with `a.x if cond else b.x`.",
        )

    def __getattr__(self, name: str) -> NoReturn:
        self._fail()

    def __pykro_ref__(self) -> NoReturn:
        self._fail()


class Unset(Ref):
    """A name with no value on some path of the composition (assigned in one branch of an ``if`` on a reference
    only, or inside a ``for`` over one). Any use raises a CompositionError saying why; a Ref subclass so that every
    check for references sees it and fails on first touch."""

    __slots__ = ("_fix", "_why")

    def __init__(self, why: str, fix: str) -> None:  # no Ref state: every Ref attribute raises
        object.__setattr__(self, "_why", why)
        object.__setattr__(self, "_fix", fix)

    def __getattribute__(self, name: str) -> Any:
        if name in ("_why", "_fix", "__class__", "__slots__"):
            return object.__getattribute__(self, name)
        raise fail(object.__getattribute__(self, "_why"), object.__getattribute__(self, "_fix"))

    def __repr__(self) -> str:
        return f"<pykro unset: {object.__getattribute__(self, '_why')}>"


def unbound(name: str, where: str) -> Unset:
    """What a name holds where Python would have no value for it yet."""
    return Unset(f"`{name}` has no value here (it is first assigned inside the `if`/`for` at {where})",
                 f"Assign `{name}` before the statement at {where}.")  # fmt: skip


def _keeps_branch_value(value: Any) -> bool:
    """Resources (and a nested composition's status) made in one branch stay usable after the if: they carry
    includeWhen, and kro leaves what reads them unset when they are excluded."""
    from pykro.authoring._resource import ResourceRef

    return isinstance(value, ResourceRef | BaseModel)


def merge(cond: Ref, name: str, then_value: Any, else_value: Any, where: str) -> Any:
    """The value of ``name`` after an ``if`` on a reference: ``then_value`` where the condition holds, else
    ``else_value`` (each the value before the if when that branch does not assign it)."""
    if then_value is else_value:
        return then_value
    then_unset, else_unset = isinstance(then_value, Unset), isinstance(else_value, Unset)
    if then_unset and else_unset:
        return then_value
    if then_unset or else_unset:
        value = else_value if then_unset else then_value
        if _keeps_branch_value(value):
            return value
        branch = "false" if then_unset else "true"
        return Unset(
            f"`{name}` is only assigned when the condition of the `if` at {where} is {branch}; otherwise it has "
            "no value",
            f"Assign `{name}` a default before the if (`{name} = ...`) or in both branches; it then becomes "
            "`cond ? a : b`.",
        )
    if hasattr(then_value, "__pykro_ref__") or hasattr(else_value, "__pykro_ref__"):
        return Ambiguous(name, where)
    return ifexp(cond, lambda: then_value, lambda: else_value)


def after_loop(value: Any, name: str, where: str) -> Any:
    """What a name bound inside a ``for`` over a reference list holds after the loop: the body ran once, for a
    symbolic item, so only a resource keeps meaning (as the collection; it refuses uses outside the loop itself)."""
    from pykro.authoring._resource import ResourceRef

    if isinstance(value, Unset | ResourceRef):
        return value
    return Unset(
        f"`{name}` is assigned inside the `for` over a reference list at {where}, which becomes a kro forEach; "
        "after the loop it has no single value (Python would hold the last item's)",
        "Use it inside the loop, or compute over the whole list: len(xs), a comprehension [f(x) for x in xs], "
        "or xs[-1] written as xs[len(xs) - 1].",
    )


def fail_construct(construct: str, fix: str) -> NoReturn:
    """Raised where the transformer found a construct that cannot keep its meaning over references."""
    raise fail(construct, fix)


# ---------------------------------------------------------------------------------------------------- expressions
def fstring(*parts: Any) -> Any:
    """An f-string: ``parts`` are text, or (value, conversion, format spec) triples."""
    values: list[str | Ref] = []
    symbolic = False
    for part in parts:
        if isinstance(part, str):
            values.append(part)
            continue
        value, conversion, spec = part
        if not is_ref(value):
            converters: dict[str, Callable[[Any], Any]] = {"r": repr, "s": str, "a": ascii}
            converted = converters[conversion](value) if conversion else value
            values.append(format(converted, spec or ""))
            continue
        if conversion or spec:
            raise fail(
                f"format conversions (!r, :spec) over the reference {cel_of(value)} have no CEL equivalent",
                "Drop the conversion or format the value in CEL with pykro.cel.expr().",
            )
        symbolic = True
        values.append(to_str(value))
    if not symbolic:
        return "".join(v for v in values if isinstance(v, str))
    return Template(tuple(values))


def builtin(func: Any, *args: Any, **kwargs: Any) -> Any:
    return call_builtin(func, args, kwargs)


def method(target: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    return call_method(target, name, args, kwargs)


_CONCRETE_FIXES = {
    "while": "Loop over a list field with `for` instead (it becomes forEach).",
    "match": "Use if/elif on comparisons (`if spec.tier == 'prod':`); they become includeWhen or `?:`.",
    "assert": "Constrain the spec field instead (e.g. Field(gt=0), checked by the CRD), or test it with `if`.",
}


def concrete(value: Any, construct: str) -> Any:
    """The value a construct that runs as plain Python needs (``while`` test, ``match`` subject, ``assert``, the
    iterables of dict/set comprehensions): references are refused."""
    if is_ref(value):
        what = f"`{construct}` on the reference {cel_of(value)}: the value is only known when the graph runs"
        if "comprehension" in construct:
            what = f"cannot iterate over the reference {cel_of(value)} in a {construct} (it runs as plain Python)"
        raise fail(
            what,
            _CONCRETE_FIXES.get(
                construct,
                "Write a list comprehension with one `for` over the list (`[f(x) for x in xs if p(x)]` becomes "
                "map/filter), or pykro.cel.expr(...) for other CEL.",
            ),
        )
    return value
