"""CEL to Go templates (text/template with Helm's Sprig functions): the expressions compositions write, as pipelines
that compute the same value from ``.Values`` (the instance spec) and ``.Release`` (its name and namespace).

Only what has an exact equivalent is translated: spec references, literals, string building, integer arithmetic,
comparisons, ``&&``/``||``/``!``, ternaries, ``in``, ``has()``, ``?.``/``orValue``, ``size``, a few string functions and
references to fields another resource's template sets. Anything else (another object's status, a value the API
server assigns, a CEL function without a Go-template twin) raises :class:`Untranslatable`, naming the expression.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from pykro.cel import _ast as ast
from pykro.cel._parser import parse
from pykro.cel._template import Standalone, Template, parse_value
from pykro.errors import PykroError
from pykro.graph import Graph

__all__ = ["Scope", "Untranslatable", "go_literal", "go_string", "translate", "translate_value"]

Schema = dict[str, Any] | None
"""What is known of a value's type: an OpenAPI schema (``{"type": "integer"}``), or None when unknown."""

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_INT: dict[str, Any] = {"type": "integer"}
_DOUBLE: dict[str, Any] = {"type": "number"}
_STRING: dict[str, Any] = {"type": "string"}
_BOOL: dict[str, Any] = {"type": "boolean"}
_LIST: dict[str, Any] = {"type": "array"}
_MAP: dict[str, Any] = {"type": "object"}


class Untranslatable(PykroError):
    """A CEL expression with no exact Go-template equivalent."""


@dataclass
class Scope:
    """Where an expression is translated: the graph, the resource and field (for errors), the forEach iterators in
    reach (CEL name -> (Go variable, element schema)) and the spec paths read (for presence checks)."""

    graph: Graph
    resource: str
    field: str = ""
    iterators: dict[str, tuple[str, Schema]] = dc_field(default_factory=dict)
    spec_paths: list[tuple[str, ...]] = dc_field(default_factory=list)
    seen: tuple[str, ...] = ()
    lazy: int = 0
    """Above zero inside a ternary's branches: CEL evaluates only the chosen one, Go's ``ternary`` both."""

    def fail(self, expression: str, why: str) -> Untranslatable:
        where = f"resource {self.resource!r}" + (f", field {self.field}" if self.field else "")
        return Untranslatable(
            f"{where}: ${{{expression}}} cannot become a Go template: {why}",
            where=self.graph.name,
            fix="Compute it from spec values only, or render plain manifests (pykro render --manifests).",
        )


def go_string(text: str) -> str:
    """A Go string literal (JSON's escapes are Go's; non-ASCII stays as UTF-8)."""
    return json.dumps(text, ensure_ascii=False)


def go_literal(value: Any) -> str:
    """A Go-template pipeline producing the YAML value ``value`` (typed: ints stay ints)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"(int64 {value})"
    if isinstance(value, float):
        return f"(float64 {value!r})"
    if isinstance(value, str):
        return go_string(value)
    if isinstance(value, list):
        return "(list " + " ".join(go_literal(v) for v in value) + ")" if value else "list"
    if isinstance(value, dict):
        return "(dict " + " ".join(f"{go_string(str(k))} {go_literal(v)}" for k, v in value.items()) + ")"
    raise TypeError(f"no Go literal for {type(value).__name__}")


def translate_value(text: str, scope: Scope) -> str | None:
    """The pipeline for a template string holding ``${...}`` (None for plain text)."""
    parsed = parse_value(text, where=scope.field or None)
    if isinstance(parsed, str):
        return None
    if isinstance(parsed, Standalone):
        return translate(parsed.expression, scope)[0]
    assert isinstance(parsed, Template)
    parts: list[str] = []
    for part in parsed.parts:
        if isinstance(part, str):
            parts.append(go_string(part))
            continue
        code, schema = translate(part.expression, scope)
        if _kind(schema) != "string":
            raise scope.fail(part.expression, "a string template part must be a string (wrap it in string(...))")
        parts.append(code)
    return "(print " + " ".join(parts) + ")"


def translate(expression: str, scope: Scope) -> tuple[str, Schema]:
    """The Go-template pipeline for one CEL expression and what is known of its type."""
    return _Translator(expression, scope).node(parse(expression))


def _kind(schema: Schema) -> str | None:
    if schema is None:
        return None
    kind = schema.get("type")
    if kind is None and schema.get("x-kubernetes-int-or-string"):
        return None
    return {"integer": "int", "number": "double", "string": "string", "boolean": "bool", "array": "list",
            "object": "map", "null": "null"}.get(str(kind))  # fmt: skip


_VALUES_METHODS = frozenset({"AsMap", "Encode", "PathValue", "Table", "YAML"})
"""Methods of Helm's Values type: ``.Values.Table`` would call one, so such keys are read with ``index``."""


def _key(parent: str, key: str) -> str:
    """``parent.key`` when ``key`` is a Go identifier, else ``(index parent "key")``."""
    plain = _IDENT.match(key) and not parent.startswith("(") and not (parent == "$.Values" and key in _VALUES_METHODS)
    return f"{parent}.{key}" if plain else f"(index {parent} {go_string(key)})"


def _typed(code: str, schema: Schema) -> str:
    """Values from YAML are float64 or int64 by chance: pin integers and numbers to one Go type."""
    kind = _kind(schema)
    if kind == "int":
        return f"(int64 {code})"
    if kind == "double":
        return f"(float64 {code})"
    return code


def _child(schema: Schema, key: str) -> Schema:
    if schema is None:
        return None
    props = schema.get("properties") or {}
    if key in props:
        return dict(props[key])
    extra = schema.get("additionalProperties")
    return dict(extra) if isinstance(extra, dict) else None


def _item(schema: Schema) -> Schema:
    if schema is None:
        return None
    items = schema.get("items")
    return dict(items) if isinstance(items, dict) else None


_STRING_METHODS: dict[str, tuple[int, Callable[[str, list[str]], str], dict[str, Any]]] = {
    # name: (argument count, Go pipeline from target and arguments, result type)
    "startsWith": (1, lambda t, a: f"(hasPrefix {a[0]} {t})", _BOOL),
    "endsWith": (1, lambda t, a: f"(hasSuffix {a[0]} {t})", _BOOL),
    "contains": (1, lambda t, a: f"(contains {a[0]} {t})", _BOOL),
    "matches": (1, lambda t, a: f"(mustRegexMatch {a[0]} {t})", _BOOL),  # stops on a bad pattern, as CEL
    "trim": (0, lambda t, a: f"(trim {t})", _STRING),
    "split": (1, lambda t, a: f"(splitList {a[0]} {t})", {"type": "array", "items": _STRING}),
    "replace": (2, lambda t, a: f"(replace {a[0]} {a[1]} {t})", _STRING),
}


class _Translator:
    def __init__(self, expression: str, scope: Scope) -> None:
        self.expression = expression
        self.scope = scope

    def fail(self, why: str) -> Untranslatable:
        return self.scope.fail(self.expression, why)

    def node(self, node: ast.Node) -> tuple[str, Schema]:
        if isinstance(node, ast.Literal):
            if isinstance(node.value, bytes):
                raise self.fail("bytes have no Go-template form")
            literal = {bool: _BOOL, int: _INT, float: _DOUBLE, str: _STRING}.get(type(node.value), {"type": "null"})
            return go_literal(node.value), literal
        if isinstance(node, ast.UInt):
            raise self.fail("unsigned integers have no Go-template form")
        if isinstance(node, ast.Ident | ast.Select | ast.Index) and (ref := self.reference(node)) is not None:
            return ref
        if isinstance(node, ast.Index):
            target, tschema = self.node(node.operand)
            index, _ = self.node(node.index)
            if node.optional:
                raise self.fail("optional indexing ([?...]) is not translated")
            if _kind(tschema) != "list":  # Go's index gives nil for a missing map key where CEL stops
                raise self.fail("indexing anything but a list with a computed key is not translated")
            element = _item(tschema)
            return _typed(f"(index {target} {index})", element), element
        if isinstance(node, ast.Select):  # a field of a computed value: Go gives nil where CEL would stop
            raise self.fail(f"selecting .{node.field} of a computed value is not translated")
        if isinstance(node, ast.Unary):
            code, schema = self.node(node.operand)
            if node.op == "!":
                return f"(not {code})", _BOOL
            if _kind(schema) == "int":
                return f"(sub (int64 0) {code})", _INT
            raise self.fail("negation of a non-integer is not translated")
        if isinstance(node, ast.Binary):
            return self.binary(node)
        if isinstance(node, ast.Conditional):
            cond, _ = self.node(node.cond)
            self.scope.lazy += 1
            try:
                then, tschema = self.node(node.then)
                other, oschema = self.node(node.otherwise)
            finally:
                self.scope.lazy -= 1
            return f"(ternary {then} {other} {cond})", tschema if _kind(tschema) == _kind(oschema) else None
        if isinstance(node, ast.ListExpr):
            if node.optional:
                raise self.fail("optional list elements are not translated")
            items = [self.node(item) for item in node.items]
            kinds = {_kind(s) for _, s in items}
            element = items[0][1] if len(kinds) == 1 and items else None
            code = "(list " + " ".join(c for c, _ in items) + ")" if items else "list"
            return code, {"type": "array", "items": element} if element else _LIST
        if isinstance(node, ast.MapExpr):
            if node.optional:
                raise self.fail("optional map entries are not translated")
            entries = []
            for key, value in node.entries:
                kcode, kschema = self.node(key)
                if _kind(kschema) != "string":
                    raise self.fail("map keys must be strings in a Go template")
                entries.append(f"{kcode} {self.node(value)[0]}")
            return "(dict " + " ".join(entries) + ")", _MAP
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.fail(f"{type(node).__name__} expressions are not translated")

    # ------------------------------------------------------------------------------------------- references
    def reference(self, node: ast.Node) -> tuple[str, Schema] | None:
        """``schema.spec...``, ``schema.metadata.name``, an iterator, or another resource's field; None if not a
        reference (e.g. a select on a call's result)."""
        path: list[str] = []
        current = node
        while isinstance(current, ast.Select | ast.Index):
            if isinstance(current, ast.Select):
                if current.optional:
                    return None
                path.append(current.field)
            elif isinstance(current.index, ast.Literal) and isinstance(current.index.value, str):
                path.append(current.index.value)
            else:
                return None
            current = current.operand
        if not isinstance(current, ast.Ident):
            return None
        path.reverse()
        name = current.name
        if name in self.scope.iterators:
            var, schema = self.scope.iterators[name]
            code = var
            for key in path:
                if key not in ((schema or {}).get("required") or []) and not self.scope.lazy:
                    raise self.fail(
                        f"{name}.{'.'.join(path)} may be missing (Go would read nil where CEL stops): read it inside "
                        f"has({name}.{'.'.join(path)}) ? ... : ..."
                    )
                schema = _child(schema, key)
                code = _key(code, key)
            return _typed(code, schema), schema
        if name == "schema":
            return self.schema_reference(path)
        if any(r.id == name for r in self.scope.graph.resources):
            return self.resource_reference(name, path)
        return None

    def schema_reference(self, path: list[str]) -> tuple[str, Schema]:
        if path[:1] == ["spec"]:
            schema: Schema = self.scope.graph.openapi
            code = "$.Values"
            for key in path[1:]:
                if _kind(schema) != "map":
                    raise self.fail(f"spec field {'.'.join(path[1:])} is not in the spec's schema")
                schema = _child(schema, key)
                code = _key(code, key)
            if len(path) > 1 and self.scope.lazy:  # a branch not taken may read a field that is not there
                code = "(dig " + " ".join(go_string(k) for k in path[1:]) + " nil $.Values.AsMap)"
            elif len(path) > 1:
                self.scope.spec_paths.append(tuple(path[1:]))
            return _typed(code, schema), schema
        if path == ["metadata", "name"]:
            return "$.Release.Name", _STRING
        if path == ["metadata", "namespace"]:
            return "$.Release.Namespace", _STRING
        raise self.fail(f"schema.{'.'.join(path)} is known only to a live cluster")

    def resource_reference(self, rid: str, path: list[str]) -> tuple[str, Schema]:
        """A field another resource's template sets: that template's value, translated where it is written."""
        res = next(r for r in self.scope.graph.resources if r.id == rid)
        if rid in self.scope.seen:
            raise self.fail(f"{rid} refers back to itself")
        if res.is_external or res.is_collection:
            what = "an external reference" if res.is_external else "a forEach collection"
            raise self.fail(f"{rid} is {what}; its fields are known only to a live cluster")
        value: Any = res.template
        for key in path:
            if not isinstance(value, dict) or key not in value:
                raise self.fail(f"{rid}.{'.'.join(path)} is not set by its template (a live cluster assigns it)")
            value = value[key]
        if isinstance(value, str):
            inner = Scope(
                self.scope.graph,
                rid,
                ".".join(path),
                {},
                self.scope.spec_paths,
                (*self.scope.seen, rid),
                self.scope.lazy,
            )
            parsed = parse_value(value)
            if isinstance(parsed, Standalone):
                return translate(parsed.expression, inner)
            if isinstance(parsed, Template):
                code = translate_value(value, inner)
                assert code is not None
                return code, _STRING
            return go_string(value), _STRING
        if isinstance(value, dict | list) and _holds_expression(value):
            raise self.fail(f"{rid}.{'.'.join(path)} is a structure holding expressions")
        kind = {bool: _BOOL, int: _INT, float: _DOUBLE}.get(type(value))
        return go_literal(value), kind or (_LIST if isinstance(value, list) else _MAP)

    # -------------------------------------------------------------------------------------------- operators
    def binary(self, node: ast.Binary) -> tuple[str, Schema]:
        left, lschema = self.node(node.left)
        right, rschema = self.node(node.right)
        lk, rk = _kind(lschema), _kind(rschema)
        op = node.op
        if op in ("&&", "||"):
            return f"({'and' if op == '&&' else 'or'} {left} {right})", _BOOL
        if op in ("==", "!="):
            if lk is None or rk is None or (lk != rk and "null" not in (lk, rk)):
                raise self.fail(f"comparing {lk or 'a value of unknown type'} with {rk or 'a value of unknown type'}")
            if lk in ("list", "map"):
                return f"({'eq' if op == '==' else 'ne'} (toJson {left}) (toJson {right}))", _BOOL
            return f"({'eq' if op == '==' else 'ne'} {left} {right})", _BOOL
        if op in ("<", "<=", ">", ">="):
            if lk != rk or lk not in ("int", "double", "string"):
                raise self.fail(f"ordering {lk or 'unknown'} and {rk or 'unknown'} values")
            name = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}[op]
            return f"({name} {left} {right})", _BOOL
        if op == "in":
            if rk == "list" and _kind(_item(rschema)) in ("string", "bool") and lk == _kind(_item(rschema)):
                return f"(has {left} {right})", _BOOL
            if rk == "map" and lk == "string":
                return f"(hasKey {right} {left})", _BOOL
            raise self.fail("'in' is translated for a string or bool in a list of them, or a string key in a map")
        if op == "+":
            if lk == rk == "string":
                return f"(print {left} {right})", _STRING
            if lk == rk == "list":
                return f"(concat {left} {right})", lschema
            if lk == rk == "int":
                return f"(add {left} {right})", _INT
            if lk == rk == "double":  # Sprig's addf/mulf/... compute in decimal, not IEEE doubles as CEL
                raise self.fail("arithmetic on doubles has no exact Go-template equivalent")
            raise self.fail(f"adding {lk or 'unknown'} and {rk or 'unknown'} values")
        if op in ("-", "*", "/", "%"):
            if lk == rk == "int":
                name = {"-": "sub", "*": "mul", "/": "div", "%": "mod"}[op]
                return f"({name} {left} {right})", _INT
            if lk == rk == "double":  # Sprig's addf/mulf/... compute in decimal, not IEEE doubles as CEL
                raise self.fail("arithmetic on doubles has no exact Go-template equivalent")
            raise self.fail(f"arithmetic on {lk or 'unknown'} and {rk or 'unknown'} values")
        raise self.fail(f"the operator {op} is not translated")

    def call(self, node: ast.Call) -> tuple[str, Schema]:
        fn, args = node.function, node.args
        if fn == "has" and node.target is None and len(args) == 1 and isinstance(args[0], ast.Select):
            sel = args[0]
            parent, pschema = self.node(sel.operand)
            if _kind(pschema) not in ("map", None):
                raise self.fail("has() on a non-map")
            return f"(hasKey {parent} {go_string(sel.field)})", _BOOL
        if fn == "orValue" and node.target is not None and len(args) == 1:
            return self.or_value(node.target, args[0])
        if fn == "size" and (node.target is None) == (len(args) == 1):
            code, schema = self.node(node.target if node.target is not None else args[0])
            if _kind(schema) == "string":  # CEL counts code points; splitList "" splits into UTF-8 characters
                return f'(len (splitList "" {code}))', _INT
            if _kind(schema) in ("list", "map"):
                return f"(len {code})", _INT
            raise self.fail("size() of a value of unknown type")
        if fn == "string" and node.target is None and len(args) == 1:
            code, schema = self.node(args[0])
            if _kind(schema) == "string":
                return code, _STRING
            if _kind(schema) == "int":
                return f"(toString {code})", _STRING
            if _kind(schema) == "bool":
                return f"(toString {code})", _STRING
            raise self.fail("string() of anything but an int, a bool or a string")
        if fn == "int" and node.target is None and len(args) == 1:
            code, schema = self.node(args[0])
            if _kind(schema) == "int":
                return code, _INT
            raise self.fail("int() of anything but an int (Go's conversions differ from CEL's)")
        if fn == "join" and node.target is not None and len(args) <= 1:
            target, tschema = self.node(node.target)
            if _kind(_item(tschema)) != "string":
                raise self.fail("join() of a list not known to hold strings")
            sep = self.node(args[0])[0] if args else '""'
            return f"(join {sep} {target})", _STRING
        if fn in _STRING_METHODS and node.target is not None:
            count, build, result = _STRING_METHODS[fn]
            target, tschema = self.node(node.target)
            if _kind(tschema) != "string" or len(args) != count:
                raise self.fail(f"{fn}() is translated only on a string with {count} argument(s)")
            codes = []
            for arg in args:
                code, schema = self.node(arg)
                if _kind(schema) != "string":
                    raise self.fail(f"{fn}() is translated only with string arguments")
                codes.append(code)
            return build(target, codes), result
        name = f"{fn}()" if node.target is None else f".{fn}()"
        if isinstance(node.target, ast.Ident) and node.target.name not in self.scope.iterators:
            name = f"{node.target.name}.{fn}()"
        raise self.fail(f"{name} has no Go-template equivalent")

    def or_value(self, target: ast.Node, fallback: ast.Node) -> tuple[str, Schema]:
        """``a.?b.orValue(x)`` (``?.`` chains over spec fields): the field when present, else the fallback."""
        path: list[str] = []
        current = target
        while isinstance(current, ast.Select):
            path.append(current.field)
            current = current.operand
        path.reverse()
        if not (isinstance(current, ast.Ident) and current.name == "schema" and path[:1] == ["spec"]):
            raise self.fail("orValue() is translated only on optional spec fields (schema.spec.?field)")
        other, oschema = self.node(fallback)
        schema: Schema = self.scope.graph.openapi
        checks: list[str] = []
        code = "$.Values"
        for key in path[1:]:
            checks.append(f"(hasKey {code} {go_string(key)})")
            schema = _child(schema, key)
            code = _key(code, key)
        present = checks[0] if len(checks) == 1 else "(and " + " ".join(checks) + ")"
        # ternary evaluates both sides: read the field through dig, which tolerates missing keys
        keys = " ".join(go_string(k) for k in path[1:])
        value = _typed(f"(dig {keys} nil $.Values.AsMap)", schema)
        return f"(ternary {value} {other} {present})", schema if _kind(schema) == _kind(oschema) else None


def _holds_expression(value: Any) -> bool:
    if isinstance(value, str):
        return not isinstance(parse_value(value), str)
    if isinstance(value, dict):
        return any(_holds_expression(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_expression(v) for v in value)
    return False
