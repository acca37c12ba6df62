"""Python built-ins and ``str`` methods over references, mapped to CEL functions kro v0.9.3 enables — only where
the result is the same as Python's; otherwise a CompositionError with the alternative."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from pykro.authoring._location import fail
from pykro.authoring._ops import NUMERIC, compare, contains, promote, unify
from pykro.authoring._refs import Ref, as_ref, cel_of, is_ref, node_of, type_of
from pykro.cel import _ast as ast
from pykro.cel._types import CelType

__all__ = ["METHODS", "bound_method", "call_builtin", "call_method", "receiver_kinds", "to_str"]

STRING, INT, BOOL, DOUBLE = CelType.STRING, CelType.INT, CelType.BOOL, CelType.DOUBLE


def _call(name: str, args: tuple[Any, ...], result: CelType, target: Any = None) -> Ref:
    nodes = tuple(node_of(as_ref(a)) for a in args)
    return Ref(ast.Call(name, nodes, target=None if target is None else node_of(as_ref(target))), result)


def _expect(value: Any, kinds: tuple[str, ...], what: str) -> CelType:
    t = type_of(value)
    if t.kind not in (*kinds, "dyn"):
        raise fail(f"{what} needs {' or '.join(kinds)}, got {_show(value)} ({t})", "Convert the value first.")
    return t


def _show(value: Any) -> str:
    return cel_of(value) if isinstance(value, Ref) else repr(value)


def to_str(value: Any) -> Ref:
    """``str(x)`` with Python's text: ints and strings directly, bools as True/False; floats are refused."""
    t = type_of(value)
    node = node_of(as_ref(value))
    if t.kind == "string":
        return as_ref(value)
    if t.kind in ("int", "uint"):
        return Ref(ast.Call("string", (node,)), STRING)
    if t.kind == "bool":
        return Ref(ast.Conditional(node, ast.Literal("True"), ast.Literal("False")), STRING)
    if t.kind == "double":
        raise fail(
            f"str() of the float {_show(value)}: Python and CEL print floats differently (1.0 vs 1)",
            "Convert to int first (str(int(x))) or keep the value numeric.",
        )
    raise fail(
        f"str() of {_show(value)} ({t}): its text differs between Python and CEL",
        "Use an int, bool or string value, or pykro.cel.expr('string(...)') for CEL's formatting.",
    )


def _len(value: Any) -> Ref:
    _expect(value, ("string", "list", "map"), "len()")
    return _call("size", (value,), INT)


def _int(value: Any) -> Ref:
    t = _expect(value, ("int", "double", "string", "bool"), "int()")
    if t.kind == "int":
        return as_ref(value)
    if t.kind == "bool":
        return Ref(ast.Conditional(node_of(as_ref(value)), ast.Literal(1), ast.Literal(0)), INT)
    return _call("int", (value,), INT)


def _float(value: Any) -> Ref:
    t = _expect(value, ("int", "double", "string"), "float()")
    return as_ref(value) if t.kind == "double" else _call("double", (value,), DOUBLE)


def _bool(value: Any) -> Ref:
    """Python truthiness made explicit: non-empty strings/lists/maps, non-zero numbers."""
    t = _expect(value, ("bool", "int", "double", "string", "list", "map"), "bool()")
    if t.kind == "bool":
        return as_ref(value)
    if t.kind in ("string", "list", "map"):
        return compare("!=", _call("size", (value,), INT), 0)
    return compare("!=", value, 0 if t.kind == "int" else 0.0)


def _extreme(op: str) -> Callable[..., Ref]:
    def pick(*args: Any) -> Ref:
        if len(args) != 2:
            raise fail(f"{'min' if op == '<' else 'max'}() over references takes exactly two values", "Nest calls.")
        a, b = args
        t = unify(type_of(a), type_of(b), "min()/max()")
        if t.kind not in (*NUMERIC, "string", "dyn"):
            raise fail(f"min()/max() of {t} values has no CEL equivalent", "Compare numbers or strings.")
        an, bn = node_of(as_ref(a)), node_of(as_ref(b))
        if t.kind == "double":
            an, bn = promote(an, type_of(a)), promote(bn, type_of(b))
        # Python returns the first of equal values: min(a, b) = b if b < a else a
        return Ref(ast.Conditional(node_of(compare(op, Ref(bn, t), Ref(an, t))), bn, an), t)

    return pick


def _abs(value: Any) -> Ref:
    t = _expect(value, NUMERIC, "abs()")
    node = node_of(as_ref(value))
    zero = ast.Literal(0.0 if t.kind == "double" else 0)
    return Ref(ast.Conditional(ast.Binary("<", node, zero), ast.Unary("-", node), node), t)


def _quantifier(name: str) -> Callable[[Any], Ref]:
    def run(items: Any) -> Ref:
        from pykro.authoring._comprehension import quantify

        return quantify(name, items)

    return run


BUILTINS: dict[Any, Callable[..., Ref]] = {
    builtins.len: _len,
    builtins.str: to_str,
    builtins.int: _int,
    builtins.float: _float,
    builtins.bool: _bool,
    builtins.min: _extreme("<"),
    builtins.max: _extreme(">"),
    builtins.abs: _abs,
    builtins.all: _quantifier("all"),
    builtins.any: _quantifier("exists"),
}
REFUSED = {
    builtins.round: "Python rounds halves to even and CEL has no round(); use int(x) (truncates) or integers",
    builtins.sorted: "CEL in kro v0.9.3 has no sort with Python's ordering; sort the data before it reaches the spec",
    builtins.sum: "use an explicit expression or pykro.cel.expr('xs.sum()') (k8s lists library)",
    builtins.range: "forEach needs a list field; add one to the spec instead of range()",
    builtins.enumerate: "CEL macros have no index; iterate the list itself",
    builtins.zip: "CEL macros iterate one list; restructure the spec as a list of objects",
    builtins.isinstance: "references are typed; their type is known statically",
    builtins.repr: "use str()",
}


def call_builtin(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Call ``func``; when it is a Python built-in and a reference is among the arguments, build CEL instead."""
    if not any(is_ref(a) for a in (*args, *kwargs.values())) or not _hashable_builtin(func):
        return func(*args, **kwargs)
    if func in BUILTINS and not kwargs:
        return BUILTINS[func](*args)
    reason = REFUSED.get(func, "it has no CEL equivalent with the same result")
    name = getattr(func, "__name__", func)
    raise fail(f"{name}() over a reference is not supported", reason[:1].upper() + reason[1:])


def _hashable_builtin(func: Any) -> bool:
    try:
        return func in BUILTINS or func in REFUSED
    except TypeError:
        return False


# ---------------------------------------------------------------------------------------------------- str methods
def _strip(s: Any, *chars: Any) -> Ref:
    if chars:
        raise fail("strip(chars) has no CEL equivalent", "Use strip() without arguments (trim()).")
    return _call("trim", (), STRING, s)


def _split(s: Any, *args: Any) -> Ref:
    if not args:
        raise fail("split() without a separator splits on runs of whitespace in Python; CEL has no such split",
                   "Pass the separator explicitly, e.g. s.split(',').")  # fmt: skip
    if len(args) > 1:
        raise fail("split(sep, maxsplit) has no exact CEL equivalent", "Use split(sep).")
    if args[0] == "":
        raise fail("split('') raises in Python", "Use a non-empty separator.")
    _expect(args[0], ("string",), "split()")
    return _call("split", args, CelType.list_of(STRING), s)


def _join(sep: Any, items: Any) -> Ref:
    t = _expect(items, ("list",), "join()")
    if t.kind == "list" and t.params[0].kind not in ("string", "dyn"):
        raise fail(f"join() over {t} raises in Python (items must be strings)", "Convert the items with str().")
    return _call("join", (sep,), STRING, items)


def _replace(s: Any, old: Any, new: Any, *count: Any) -> Ref:
    if count:
        raise fail("replace(old, new, count) has no exact CEL equivalent", "Use replace(old, new).")
    if old == "":
        raise fail("replace('', x) inserts between characters in Python; CEL differs", "Replace a non-empty text.")
    return _call("replace", (old, new), STRING, s)


def _get(m: Any, key: Any, default: Any = None) -> Ref:
    t = _expect(m, ("map",), "get()")
    value_type = t.params[1] if t.kind == "map" else CelType.DYN
    result = unify(value_type, type_of(default), "get()") if default is not None else value_type
    cond = contains(key, m)
    return Ref(ast.Conditional(node_of(cond), ast.Index(node_of(as_ref(m)), node_of(as_ref(key))),
                               node_of(as_ref(default))), result)  # fmt: skip


def _simple(name: str, result: CelType, arity: int) -> Callable[..., Ref]:
    def method(target: Any, *args: Any) -> Ref:
        if len(args) != arity:
            raise fail(f"{name}() takes {arity} argument(s) here", "Check the call.")
        for arg in args:
            _expect(arg, ("string",), f"{name}()")
        return _call(name, args, result, target)

    return method


METHODS: dict[str, Callable[..., Ref]] = {
    "lower": _simple("lowerAscii", STRING, 0),
    "upper": _simple("upperAscii", STRING, 0),
    "startswith": _simple("startsWith", BOOL, 1),
    "endswith": _simple("endsWith", BOOL, 1),
    "find": _simple("indexOf", INT, 1),
    "strip": _strip,
    "split": _split,
    "join": _join,
    "replace": _replace,
    "get": _get,
}
_RECEIVER = {"join": ("string",), "get": ("map",)}


def receiver_kinds(name: str) -> tuple[str, ...]:
    """The CEL type kinds a Python method name applies to (``str`` methods, ``dict.get``)."""
    return _RECEIVER.get(name, ("string",))


def call_method(target: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``target.name(*args)``: plain Python unless a reference is involved, then the CEL method."""
    if not is_ref(target) and not any(is_ref(a) for a in (*args, *kwargs.values())):
        return getattr(target, name)(*args, **kwargs)
    if kwargs:
        raise fail(f"keyword arguments to {name}() over references are not supported", "Pass them positionally.")
    if name not in METHODS:
        raise fail(f".{name}() over a reference has no CEL equivalent", f"Supported: {', '.join(sorted(METHODS))}.")
    _expect(target, receiver_kinds(name), f".{name}()")
    return METHODS[name](target, *args)


def bound_method(target: Ref, name: str) -> Callable[..., Any]:
    """``ref.lower`` used outside the transformer: a callable building the CEL method call."""

    def method(*args: Any, **kwargs: Any) -> Any:
        return call_method(target, name, args, kwargs)

    return method
