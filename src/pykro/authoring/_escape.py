"""The CEL escape hatch for compositions, reachable as ``pykro.cel.expr / has / default / concat / dyn`` (registered
by ``pykro.authoring``; this module loads when one of them is first used)."""

from __future__ import annotations

from typing import Any

from pykro.authoring._location import fail
from pykro.authoring._ops import unify
from pykro.authoring._refs import Ref, Template, as_ref, cel_of, is_ref, node_of, type_of
from pykro.authoring._symbolic import cel_type
from pykro.cel import _ast as ast
from pykro.cel._errors import CelError
from pykro.cel._types import CelType


def expr(text: str, type: Any = None) -> Ref:
    """A raw CEL expression, e.g. ``expr("db.status.conditions.exists(c, c.type == 'Available')", bool)``.

    ``type`` is a Python annotation (bool, int, str, list[str]...) or a CelType; without it the value is ``dyn``.
    """
    from pykro.cel import parse

    try:
        node = parse(text)
    except CelError as exc:
        raise fail(f"cel.expr({text!r}) is not valid CEL: {exc}", "Fix the expression.") from None
    t = type if isinstance(type, CelType) else (CelType.DYN if type is None else cel_type(type))
    return Ref(node, t)


def has(value: Any) -> Ref:
    """True when the field is present: ``has(x.field)`` (a map key: ``"key" in m``)."""
    if not is_ref(value):
        raise fail("cel.has() needs a field reference, e.g. cel.has(svc.spec.clusterIP)", "Pass a reference.")
    node = node_of(value)
    if isinstance(node, ast.Select) and not node.optional:
        return Ref(ast.Call("has", (node,)), CelType.BOOL)
    if isinstance(node, ast.Index):
        return Ref(ast.Binary("in", node.index, node.operand), CelType.BOOL)
    raise fail(f"cel.has({cel_of(value)}): only a field or key can be tested", "Pass x.field or m['key'].")


def default(value: Any, fallback: Any) -> Ref:
    """The field's value, or ``fallback`` when it is absent (CEL optionals: ``x.?field.orValue(fallback)``)."""
    if not is_ref(value):
        raise fail("cel.default() needs a field reference as its first argument", "Pass a reference.")
    node = node_of(value)
    if isinstance(node, ast.Select):
        optional: ast.Node = ast.Select(node.operand, node.field, optional=True)
    elif isinstance(node, ast.Index):
        optional = ast.Index(node.operand, node.index, optional=True)
    else:
        raise fail(f"cel.default({cel_of(value)}, ...): only a field or key can be absent", "Pass x.field.")
    t = unify(type_of(value), type_of(fallback), "cel.default()")
    return Ref(ast.Call("orValue", (node_of(as_ref(fallback)),), target=optional), t)


def dyn(value: Any) -> Ref:
    """``dyn(value)``: the value with its type checked by the API server instead of kro, e.g. a map literal for a
    struct (kro checks the map's value type against every field of the struct, also those the map leaves out)."""
    return Ref(ast.Call("dyn", (node_of(as_ref(value)),)), CelType.DYN)


def concat(*parts: Any) -> Template:
    """A string from text and string references, e.g. ``concat("https://", spec.domain, "/api")``."""
    for part in parts:
        if not isinstance(part, str) and type_of(part).kind not in ("string", "dyn"):
            raise fail(f"concat() parts must be strings, got {type_of(part)}", "Convert with str(x).")
    return Template(tuple(p if isinstance(p, str) else as_ref(p) for p in parts))


__all__ = ["concat", "default", "dyn", "expr", "has"]
