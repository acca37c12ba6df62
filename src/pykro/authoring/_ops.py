"""Operators on references with Python's meaning: typed CEL where CEL computes the same value, a CompositionError
naming the construct and the alternative where it would not (``/`` on ints, ``**``, ``str * int``...)."""

from __future__ import annotations

from typing import Any, NoReturn

from pykro.authoring._location import fail
from pykro.authoring._refs import Origin, Ref, Template, as_ref, cel_of, node_of, type_of
from pykro.cel import _ast as ast
from pykro.cel._types import CelType

__all__ = [
    "NUMERIC",
    "binary",
    "compare",
    "contains",
    "index",
    "negate",
    "numeric_pair",
    "promote",
    "require_numeric",
    "unify",
]

NUMERIC = ("int", "double")
ORDERED = ("int", "uint", "double", "string", "bool", "bytes", "timestamp", "duration")
_NO_CEL = {
    "**": "CEL has no power operator; multiply explicitly (x * x)",
    "&": "`&` is bitwise in Python; use `and` for booleans",
    "|": "`|` is bitwise in Python; use `or` for booleans",
    "^": "`^` is bitwise in Python; use `!=` for booleans",
}


def _kind(t: CelType) -> str:
    return t.kind


def _describe(value: Any) -> str:
    return cel_of(value) if isinstance(value, Ref) else repr(value)


def _mismatch(op: str, left: Any, right: Any, fix: str) -> NoReturn:
    raise fail(
        f"`{_describe(left)} {op} {_describe(right)}` mixes {type_of(left)} and {type_of(right)}, which Python and CEL "
        "treat differently",
        fix,
    )


def promote(node: ast.Node, t: CelType) -> ast.Node:
    """An int-typed node as a double (``double(x)``), leaving doubles and dyn alone."""
    if t.kind == "int":
        if isinstance(node, ast.Literal) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return ast.Literal(float(node.value), type=CelType.DOUBLE)
        return ast.Call("double", (node,), type=CelType.DOUBLE)
    return node


def numeric_pair(op: str, left: Any, right: Any) -> tuple[ast.Node, ast.Node, CelType]:
    """Both operands as nodes of one numeric type (ints promoted to double when mixed), and that type."""
    lt, rt = type_of(left), type_of(right)
    ln, rn = node_of(as_ref(left)), node_of(as_ref(right))
    kinds = {lt.kind, rt.kind}
    if not kinds <= {"int", "double", "dyn"}:
        _mismatch(op, left, right, "Arithmetic needs numbers on both sides (bool is not a number in CEL).")
    if "dyn" in kinds:
        return ln, rn, CelType.DYN
    if lt.kind != rt.kind:
        return promote(ln, lt), promote(rn, rt), CelType.DOUBLE
    return ln, rn, lt


def binary(op: str, left: Any, right: Any) -> Ref:
    """``left op right`` where at least one side is a reference."""
    if op in ("|", "|=") and "map" in (type_of(left).kind, type_of(right).kind):
        raise fail(
            f"`{_describe(left)} | {_describe(right)}` (a dict merge) over a reference has no CEL equivalent",
            "Write the resulting mapping out key by key, e.g. {'a': m['a'], 'b': 'x'}.",
        )
    if op in _NO_CEL:
        raise fail(f"`{_describe(left)} {op} {_describe(right)}` has no CEL equivalent", _NO_CEL[op] + ".")
    if op in ("==", "!=", "<", "<=", ">", ">="):
        return compare(op, left, right)
    if op == "in":
        return contains(left, right)
    if isinstance(left, Ref | Template) and op == "+" and _stringy(left, right):
        return Template((_as_text(left), _as_text(right)))
    if op == "+" and _stringy(left, right):
        return Template((_as_text(left), _as_text(right)))
    lt, rt = type_of(left), type_of(right)
    if op == "+" and lt.kind == "list" and rt.kind == "list":
        item = lt.params[0] if lt == rt else CelType.DYN
        return Ref(ast.Binary("+", node_of(as_ref(left)), node_of(as_ref(right))), CelType.list_of(item))
    if "string" in (lt.kind, rt.kind) or "list" in (lt.kind, rt.kind):
        _mismatch(op, left, right, "Convert explicitly, e.g. str(x) + 'text'; repetition (s * n) has no CEL form.")
    ln, rn, t = numeric_pair(op, left, right)
    if op == "/":
        if t.kind != "double":
            raise fail(
                f"`{_describe(left)} / {_describe(right)}` divides {lt} by {rt}: Python's `/` gives a float, CEL's "
                "integer division truncates",
                "Use `//` for integer division, or float(x) / y for a float result.",
            )
        return Ref(ast.Binary("/", ln, rn), t)
    if op in ("//", "%"):
        if t.kind == "double":
            raise fail(
                f"`{_describe(left)} {op} {_describe(right)}` on floats has no CEL equivalent",
                "Convert to int first: int(x) // int(y).",
            )
        return Ref(_floor_div(ln, rn) if op == "//" else _py_mod(ln, rn), t)
    return Ref(ast.Binary(op, ln, rn), t)


def _py_mod(a: ast.Node, b: ast.Node) -> ast.Node:
    """Python's modulo (sign of the divisor) from CEL's truncating one: ``(a % b + b) % b``."""
    return ast.Binary("%", ast.Binary("+", ast.Binary("%", a, b), b), b)


def _floor_div(a: ast.Node, b: ast.Node) -> ast.Node:
    """Python's floor division: ``(a - pymod(a, b)) / b`` is exact, so CEL's truncation changes nothing."""
    return ast.Binary("/", ast.Binary("-", a, _py_mod(a, b)), b)


def _stringy(left: Any, right: Any) -> bool:
    return type_of(left).kind == "string" and type_of(right).kind == "string"


def _as_text(value: Any) -> str | Ref:
    return value if isinstance(value, str | Ref) else as_ref(value)


def _comparable(op: str, left: Any, right: Any) -> tuple[ast.Node, ast.Node]:
    lt, rt = type_of(left), type_of(right)
    ln, rn = node_of(as_ref(left)), node_of(as_ref(right))
    if "dyn" in (lt.kind, rt.kind):
        return ln, rn
    if lt.kind in NUMERIC and rt.kind in NUMERIC:
        return (promote(ln, lt), promote(rn, rt)) if lt.kind != rt.kind else (ln, rn)
    if op in ("==", "!=") and "null" in (lt.kind, rt.kind):
        return ln, rn
    if lt.kind != rt.kind:
        always = "False" if op == "==" else "True"
        _mismatch(op, left, right, f"In Python this is always {always}; compare values of the same type.")
    if op not in ("==", "!=") and lt.kind not in ORDERED:
        raise fail(f"`{_describe(left)} {op} {_describe(right)}`: CEL cannot order {lt} values", "Compare elements.")
    return ln, rn


def compare(op: str, left: Any, right: Any) -> Ref:
    ln, rn = _comparable(op, left, right)
    return Ref(ast.Binary(op, ln, rn), CelType.BOOL)


def contains(item: Any, container: Any) -> Ref:
    """``item in container``: list membership, map key, or substring (``s.contains(x)``)."""
    ct, it = type_of(container), type_of(item)
    cn, inode = node_of(as_ref(container)), node_of(as_ref(item))
    if ct.kind == "string":
        if it.kind not in ("string", "dyn"):
            _mismatch("in", item, container, "Only a string can be found in a string.")
        return Ref(ast.Call("contains", (inode,), target=cn), CelType.BOOL)
    if ct.kind == "list":
        elem = ct.params[0]
        if "dyn" not in (elem.kind, it.kind) and elem.kind != it.kind:
            if not (elem.kind in NUMERIC and it.kind in NUMERIC):
                _mismatch("in", item, container, "The item type must match the list's element type.")
            inode = promote(inode, it) if elem.kind == "double" else inode
        return Ref(ast.Binary("in", inode, cn), CelType.BOOL)
    if ct.kind in ("map", "object", "dyn"):
        if it.kind not in ("string", "dyn"):
            _mismatch("in", item, container, "Map keys are strings.")
        return Ref(ast.Binary("in", inode, cn), CelType.BOOL)
    raise fail(f"`{_describe(item)} in {_describe(container)}`: {ct} is not a container", "Use a list, map or string.")


def require_numeric(value: Ref, what: str) -> None:
    if value._type.kind not in (*NUMERIC, "dyn"):
        raise fail(f"{what} of {cel_of(value)} ({value._type}) needs a number", "Use an int or float value.")


def negate(value: Ref) -> Ref:
    require_numeric(value, "unary -")
    return Ref(ast.Unary("-", node_of(value)), value._type)


def index(ref: Ref, key: Any) -> Ref:
    """``ref[key]``: list element (int index) or map value (string key)."""
    t = ref._type
    if isinstance(key, slice):
        raise fail(f"slicing the reference {cel_of(ref)} has no exact CEL equivalent", "Index single elements.")
    origin = ref._origin
    child_origin = Origin(origin.api_version, origin.kind, (*origin.path, key)) if origin else None
    if t.kind == "list":
        if type_of(key).kind not in ("int", "dyn"):
            raise fail(f"list index must be an int, got {_describe(key)}", "Use an int index.")
        if isinstance(key, int) and key < 0:
            raise fail(f"negative index {key} on {cel_of(ref)} has no CEL equivalent", "Use size(xs) - 1.")
        return Ref(ast.Index(node_of(ref), node_of(as_ref(key))), t.params[0], origin=child_origin, model=ref._model)
    if t.kind in ("map", "object", "dyn"):
        if type_of(key).kind not in ("string", "dyn"):
            raise fail(f"map key must be a string, got {_describe(key)}", "Use a string key.")
        value_type = t.params[1] if t.kind == "map" else (t.field_type(key) if isinstance(key, str) else None)
        model = ref._model if t.kind == "map" else None
        return Ref(
            ast.Index(node_of(ref), node_of(as_ref(key))), value_type or CelType.DYN, origin=child_origin, model=model
        )
    raise fail(f"cannot index {cel_of(ref)} ({t})", "Only lists and maps can be indexed.")


def unify(a: CelType, b: CelType, what: str) -> CelType:
    """The common type of two branches (int and double meet at double; dyn absorbs everything)."""
    if a == b:
        return a
    if "dyn" in (a.kind, b.kind):
        return CelType.DYN
    if a.kind == b.kind and a.kind in ("list", "map", "object"):
        return CelType(a.kind) if a.kind == "object" else (CelType.list_of(CelType.DYN) if a.kind == "list" else a)
    if {a.kind, b.kind} == {"int", "double"}:
        return CelType.DOUBLE
    raise fail(f"{what}: the branches have different types ({a} and {b})", "Make both branches the same type.")
