"""Templates checked against their kind's schema offline, so that nothing written is dropped by the API server.

A template of a built-in kind (Kubernetes 1.35) is checked with the kind's compiled validator
(:func:`pykro.schema._kubernetes.template_validator`: strict, plus the API server's value rules); a kind
defined by a CRD of the same graph or given to :func:`pykro.resources.register_crd` by a walk over the CRD's
structural schema. Errors: a field the kind does not have (the API server would prune it), a value of the wrong
type, a kind that a built-in API group does not serve (``apps/v1 Deploymnet``), and a few value rules the API
server applies that a schema does not state (a negative ``replicas``, a port out of range). Kinds of other API
groups are unknown offline and stay unchecked.

A ``${...}`` value is checked by type where its type is known (a field path of a typed variable, a literal, a map
or list literal, a conversion, a string template such as ``"${a}-${b}"``: :func:`pykro.graph._typecheck.infer`) as
kro v0.9.3 checks it: a scalar field takes only its exact CEL kind, and a map is checked against a struct field by
field, its value type against every field of the struct. Other values are left to run time; required fields and
formats are not checked (kro or the API server may fill them in). A CRD's ``enum``, ``minimum`` and ``maximum`` are
checked for literal values.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from pykro._memo import Memo
from pykro.cel._types import CelType
from pykro.errors import CompositionError, ValidationError
from pykro.graph._bounds import bound, int_bound
from pykro.graph._expressions import Field, format_path
from pykro.graph._naming import LABEL_RULE, is_dns_label
from pykro.resources import _suggest as suggest
from pykro.resources import _typing as rt
from pykro.resources._kinds import is_registered, kind_schema, node
from pykro.schema import _kubernetes as k8s
from pykro.schema._causes import json_type

if TYPE_CHECKING:
    from pykro.graph._model import Resource

__all__ = ["check_object", "check_resource", "object_problem"]

Path = tuple[str | int, ...]
TypeOf = Callable[[Field], CelType | None]
Raise = Callable[[str, str, str], ValidationError]
Problem = tuple[str, str, str]  # (path in the object, what, fix)

_WORDS: Final = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "an object",
    "map": "a map",
    "list": "a list",
}
# CEL kinds an expression may have where the schema wants a value of this shape.
_ACCEPTS: Final = {
    "integer": {"int", "uint", "double"},
    "number": {"int", "uint", "double"},
    "boolean": {"bool"},
    "string": {"string", "bytes", "timestamp", "duration"},
    "object": {"map", "object"},
    "map": {"map", "object"},
    "list": {"list"},
}
# What stands in for an expression of a known non-string shape while the validator runs (its type is checked
# separately); string and int-or-string fields keep the expression text, which is a valid string.
_PLACEHOLDERS: Final[dict[str, Callable[[], Any]]] = {
    "integer": lambda: 1,
    "number": lambda: 1,
    "boolean": lambda: False,
    "object": dict,
    "map": dict,
    "list": list,
}


def check_resource(
    res: Resource, index: int, fields: Sequence[Field], crds: Mapping[tuple[str, str], Any], type_of: TypeOf, err: Raise
) -> None:
    """Raise ``err`` (the YAML path under ``spec.resources[index]``) for the first problem of the resource's body.

    ``fields`` are the body's ``${...}`` fields; ``crds`` the schemas of kinds defined in the same graph;
    ``type_of`` gives an expression's CEL type when it is known."""
    key = "template" if res.template is not None else "externalRef"
    ready = _json_ready(res.body)
    body = res.body if ready else _json_keys(res.body)
    found = _check(body, fields, crds, type_of, external=res.template is None, ready=ready)
    if found is not None:
        path, what, fix = found
        where = f"spec.resources[{index}].{key}" + (f".{path}" if path else "")
        raise err(where, f'resource "{res.id}": {what}', fix)


def check_object(obj: Mapping[str, Any], where: str) -> None:
    """Raise ValidationError for the first problem of a concrete object (a rendered manifest); ``where`` names it."""
    found = object_problem(obj)
    if found is not None:
        path, what, fix = found
        raise ValidationError(what, where=f"{where}: {path}" if path else where, fix=fix)


def object_problem(obj: Mapping[str, Any], fields: Sequence[Field] = ()) -> Problem | None:
    """``(path, what, fix)`` of the first problem of a concrete object, or None when the API server would take it;
    ``fields``: its ``${...}`` strings (`pykro.graph._expressions.expression_fields`), values not known yet."""
    return _check(obj, fields, {}, None, external=False, concrete=True)


@dataclass
class _Kind:
    api_version: str
    kind: str
    root: Mapping[str, Any]
    secret: bool = field(default=False)

    def at(self, path: Path) -> Mapping[str, Any] | None:
        """The schema node at ``path`` (list indexes are all alike), ``{}`` under anything-goes, None if absent;
        memoised, as the same paths recur in every graph."""
        key = (self.api_version, self.kind, path)
        hit = _NODES.get(key)
        if hit is not None and hit[0] is self.root:
            return hit[1]
        schema: Mapping[str, Any] | None = node(self.root)
        for step in path:
            assert schema is not None
            below = rt.child(schema, 0 if isinstance(step, int) else step)
            if not below:
                schema = below
                break
            schema = below
        _NODES.put(key, (self.root, schema))
        return schema

    def shape(self, path: Path) -> str | None:
        """:func:`pykro.resources._typing.shape` of the node at ``path`` (``dyn`` under anything-goes; None if
        absent); memoised like :meth:`at`."""
        key = (self.api_version, self.kind, path)
        hit = _SHAPES.get(key)
        if hit is not None and hit[0] is self.root:
            return hit[1]
        schema = self.at(path)
        form = None if schema is None else rt.shape(schema) if schema else "dyn"
        _SHAPES.put(key, (self.root, form))
        return form


# Keyed by kind and path; an entry holds the schema root it came from, so a kind registered anew is looked up again.
_NODES: Memo[tuple[str, str, Path], tuple[Mapping[str, Any], Mapping[str, Any] | None]] = Memo(16384)
_SHAPES: Memo[tuple[str, str, Path], tuple[Mapping[str, Any], str | None]] = Memo(16384)


def _check(
    body: Mapping[str, Any],
    fields: Sequence[Field],
    crds: Mapping[tuple[str, str], Any],
    type_of: TypeOf | None,
    *,
    external: bool,
    ready: bool = False,
    concrete: bool = False,
) -> Problem | None:
    """The first problem of ``body``; ``ready``: :func:`_json_ready` holds for it already; ``concrete``: a rendered
    object (its values may come from the spec), not a template."""
    api_version, kind = str(body.get("apiVersion", "")), str(body.get("kind", ""))
    odd = None if ready or _json_ready(body) else _non_json(body, ())
    if odd is not None:
        return odd
    root = crds.get((api_version, kind))
    validator = None
    if root is None:
        root = kind_schema(api_version, kind)
        if root is None:
            try:
                rt.check_kind(api_version, kind)
            except CompositionError as exc:
                return ("kind" if " has no kind " in exc.what else "apiVersion", exc.what, exc.fix or "")
            return None
        if not is_registered(api_version, kind):
            validator = k8s.template_validator(api_version, kind)
    if external:
        return None
    meta = body["metadata"] if isinstance(body.get("metadata"), Mapping) else {}
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and "${" not in namespace and not is_dns_label(namespace):
        what = f"{kind} namespace {_short(namespace)} is not a valid Kubernetes namespace name: it must be {LABEL_RULE}"
        return ("metadata.namespace", what, "Use a namespace such as my-team.")
    from pykro.graph._metadata import literal_problem  # loads on first use, not on `import pykro`

    found = literal_problem(api_version, kind, meta, concrete)
    if found is not None:
        return found
    typed = _Kind(api_version, kind, root, secret=kind == "Secret" and api_version == "v1")
    shapes = [(fld, typed.shape(fld.path)) for fld in fields]
    for fld, form in shapes:
        if form in _ACCEPTS:  # None: under an unknown field (reported below)
            found = _expression(typed, fld, form, type_of)
            if found is not None:
                return found
    exprs = {fld.path for fld in fields}
    if validator is not None:
        return _validate(typed, body, validator, shapes, exprs)
    return _walk(typed, body, node(root), (), exprs)


# --------------------------------------------------------------------------------------------------- plain data
_PLAIN: Final = (str, bool, int, type(None), datetime.date)  # dates: what a YAML loader makes of 2024-01-01


def _json_keys(value: Any) -> Any:
    """YAML data with its scalar keys as the text YAML-to-JSON conversion gives them (``80: x`` is ``"80"`` to kro
    and the API server); the value itself when every key is a string already."""
    return _keyed(value) if _odd_keys(value) else value


def _odd_keys(value: Any) -> bool:
    """Whether some mapping under ``value`` (through mappings and lists) has a key that is not a string."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict | Mapping):  # a dict first: the Mapping check is slower
            for key, child in item.items():
                if not isinstance(key, str):
                    return True
                if not isinstance(child, _SCALARS):
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(child for child in item if not isinstance(child, _SCALARS))
    return False


_SCALARS: Final = (str, int, float, type(None))  # skipped at once (bool is an int)


def _keyed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {_key_text(k): _keyed(v) for k, v in value.items()}
    return [_keyed(v) for v in value] if isinstance(value, list) else value


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _json_ready(value: Any) -> bool:
    """Whether JSON carries ``value`` as it is: string keys only, and only plain values and finite numbers (the
    common case, checked in one pass without paths; :func:`_json_keys` and :func:`_non_json` then have nothing to
    do)."""
    stack = [value]
    push = stack.append
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict or kind is list:  # exact types first, their plain children never pushed
            for key, child in item.items() if kind is dict else enumerate(item):
                if kind is dict and type(key) is not str and not isinstance(key, str):
                    return False
                leaf = type(child)
                if leaf is str or leaf is int or leaf is bool or child is None:
                    continue
                if leaf is float and math.isfinite(child):
                    continue
                push(child)
            continue
        if isinstance(item, _PLAIN):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                return False
        elif isinstance(item, dict | Mapping):  # a dict first: the Mapping check is slower
            for key, child in item.items():
                if not isinstance(key, str):
                    return False
                stack.append(child)
        elif isinstance(item, list | tuple):
            stack.extend(item)
        else:
            return False
    return True


def _non_json(value: Any, path: Path) -> Problem | None:
    """The first value under ``value`` that JSON cannot carry (bytes, a set, a non-string key, NaN), as a problem:
    the schema check and the API server would otherwise see something else than what was written."""
    if isinstance(value, _PLAIN):
        return None
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return (format_path(path), f"{format_path(path)} is NaN or infinite, which JSON cannot carry", "Use a number.")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                where = format_path(path) or "the object"
                what = f"{where} has the non-string key {key!r} ({type(key).__name__})"
                return (format_path(path), what, f'Write the key as a string: "{key}".')
            found = _non_json(item, (*path, key))
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _non_json(item, (*path, index))
            if found is not None:
                return found
        return None
    text = format_path(path)
    what = f"{text} is a {type(value).__name__}, which has no place in a Kubernetes object"
    return (text, what, "Use a string, a number, a bool, a list or a dict.")


# --------------------------------------------------------------------------------------------------- expressions
def _expression(typed: _Kind, fld: Field, want: str, type_of: TypeOf | None) -> Problem | None:
    standalone = fld.standalone
    got = (type_of(fld) if type_of is not None else None) if standalone else CelType.STRING
    if got is None or got.kind in ("dyn", "null"):
        return None
    if got.kind in ("map", "list") and want in ("object", "map", "list"):
        return _structural(typed, fld, got)
    if got.kind in _ACCEPTS[want]:
        return None if want in ("object", "map", "list") else _scalar(typed, fld, got)
    path = format_path(fld.path)
    what = f"{typed.kind} field {path} is {_WORDS[want]}, but {fld.written} is of type {got}"
    fix = (
        "Point it at a field of the right type, or convert the value in CEL (int(...), string(...))."
        if fld.standalone
        else f"A string template always gives a string; write {path} as one ${{...}} expression of the right type."
    )
    return (path, what, fix)


_CONVERT: Final = {"int": "int(...)", "double": "double(...)", "string": "string(...)", "bool": "a comparison"}


def _scalar(typed: _Kind, fld: Field, got: CelType) -> Problem | None:
    """kro v0.9.3 wants the exact CEL kind of a scalar field, where pykro's shapes are wider: an int is no double,
    bytes or a duration no string, a string no timestamp (a ``date-time`` field)."""
    schema = typed.at(fld.path)
    want = _kro_kind(schema) if schema else None
    if want in (None, "dyn", got.kind):
        return None
    path = format_path(fld.path)
    shape = _WORDS.get(rt.shape(schema), "a value") if schema else "a value"
    what = (
        f"{typed.kind} field {path} is {shape} ({want} in kro's CEL), but {fld.written} is of type {got}: "
        f'kro v0.9.3 refuses it (type kind mismatch: got "{got}", expected "{want}")'
    )
    if not fld.standalone:
        fix = f"A string template always gives a string; write {path} as one ${{...}} expression of type {want}."
    elif want == "timestamp" and str((schema or {}).get("format")) == "date":
        fix = (
            "kro cannot set a date field from an expression (it refuses a string, and writes a timestamp with its "
            "time): write the date as plain text."
        )
    elif want == "timestamp":
        fix = "kro types a date-time string field as a timestamp: wrap the value in timestamp(...)."
    elif want == "bytes":
        fix = (
            "kro types a base64 (format: byte) field as bytes: for a Secret, put the text under stringData instead; "
            "otherwise give it an expression of type bytes."
        )
    elif want in _CONVERT:
        fix = f"Point it at a field of type {want}, or convert the value in CEL with {_CONVERT[want]}."
    else:
        fix = f"Give it an expression of type {want}."
    return (path, what, fix)


# kro v0.9.3 (pkg/cel/compatibility.go) checks a template expression's type against the field's schema
# structurally; for a map where the schema has a struct, the map's value type against EVERY field of the struct.
def _structural(typed: _Kind, fld: Field, got: CelType) -> Problem | None:
    schema = typed.at(fld.path)
    reason = _incompatible(got, schema) if schema else None
    if reason is None:
        return None
    path = format_path(fld.path)
    what = (
        f"{typed.kind} field {path} does not take {fld.written}: kro v0.9.3 types the expression as {got} and "
        f"refuses it ({reason})"
    )
    fix = (
        "kro checks a map literal's value type against every field of the struct, also the fields the map does not "
        f"set: set the fields of {path} one by one (each its own value or ${{...}}), or wrap the expression in "
        "dyn(...) to leave the check to the API server (in a composition: pykro.cel.dyn(value))."
    )
    return (path, what, fix)


_KRO_SCALARS: Final = {"boolean": "bool", "number": "double", "integer": "int"}
_KRO_STRING_FORMATS: Final = {"byte": "bytes", "duration": "duration", "date": "timestamp", "date-time": "timestamp"}


def _kro_kind(schema: Mapping[str, Any]) -> str | None:
    """The kind of the CEL type kro gives a schema node: struct, map, list, a scalar, dyn (int-or-string), or None
    where kro exposes no type (a node without a type, an array without items)."""
    if schema.get("x-kubernetes-int-or-string"):
        return "dyn"
    kind = schema.get("type")
    if kind == "array":
        return "list" if isinstance(schema.get("items"), Mapping) else None
    if kind == "object":
        return "map" if isinstance(schema.get("additionalProperties"), Mapping) else "struct"
    if kind == "string":
        return _KRO_STRING_FORMATS.get(str(schema.get("format", "")), "string")
    return _KRO_SCALARS.get(str(kind))


def _incompatible(got: CelType, schema: Mapping[str, Any]) -> str | None:
    """kro's reason for refusing a value of type ``got`` where ``schema`` is (None: accepted); lenient wherever kro
    compares named struct types, which pykro does not name."""
    want = _kro_kind(schema)
    if want in (None, "dyn") or got.kind == "dyn":
        return None
    if want == "struct":
        return _map_into_struct(got, schema) if got.kind == "map" else None
    if want == "map" and got.kind == "object":
        return None
    if want in ("list", "map"):
        count = {"list": 1, "map": 2}.get(got.kind, 0)
        expected = 1 if want == "list" else 2
        if got.kind != want and (count == 0 or count < expected):
            return f"{want} parameter count mismatch: got {count}, expected {expected}"
        if want == "list":
            found = _incompatible(got.params[0], node(schema["items"]))
            return None if found is None else f"list element type incompatible: {found}"
        found = _incompatible(got.params[0], {"type": "string"})
        if found is not None:
            return f"map key type incompatible: {found}"
        found = _incompatible(got.params[1], node(schema["additionalProperties"]))
        return None if found is None else f"map value type incompatible: {found}"
    if got.kind != want:
        return f'type kind mismatch: got "{got}", expected "{want}"'
    return None


def _map_into_struct(got: CelType, schema: Mapping[str, Any]) -> str | None:
    if got.params[0].kind != "string":
        return "map keys must be strings to assign to struct"
    for name, sub in (schema.get("properties") or {}).items():
        found = _incompatible(got.params[1], node(sub)) if isinstance(sub, Mapping) else None
        if found is not None:
            return f'map value incompatible with struct field "{name}": {found}'
    return None


# --------------------------------------------------------------------------------------------------- built-in kinds
def _validate(
    typed: _Kind, body: Mapping[str, Any], validator: Any, shapes: list[tuple[Field, str | None]], exprs: set[Path]
) -> Problem | None:
    """Validate with expressions of known non-string shape replaced by placeholders (in a copy of the containers on
    their paths; the template itself is never changed)."""
    stand_ins = [(fld.path, make()) for fld, form in shapes if form is not None and (make := _PLACEHOLDERS.get(form))]
    data = _replaced(body, stand_ins) if stand_ins else body
    try:
        if validator.is_valid(data):
            return None
        errors = list(validator.iter_errors(data))
    except OverflowError:  # an int beyond 64 bits (other non-JSON values were refused before)
        return None
    for error in errors:
        found = _error(typed, error, exprs)
        if found is not None:
            return found
    return None


def _replaced(body: Mapping[str, Any], values: list[tuple[Path, Any]]) -> dict[str, Any]:
    """``body`` with the value at each path replaced; only the dicts and lists on those paths are copied."""
    root = dict(body)
    copied: dict[Path, Any] = {(): root}
    for path, value in values:
        current: Any = root
        try:
            for depth, step in enumerate(path[:-1], 1):
                inner = copied.get(path[:depth])
                if inner is None:
                    original = current[step]
                    inner = dict(original) if isinstance(original, dict) else list(original)
                    current[step] = copied[path[:depth]] = inner
                current = inner
            current[path[-1]]  # the path exists as written
            current[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return root


def _error(typed: _Kind, error: Any, exprs: set[Path]) -> Problem | None:
    name = type(error.kind).__name__
    path = tuple(error.instance_path)
    if path in exprs:
        return None
    if name == "AdditionalProperties":
        return _unknown(typed, path, str(sorted(error.kind.unexpected)[0]))
    if name in ("Minimum", "Maximum"):
        text = format_path(path)
        bound = f"at least {error.kind.limit}" if name == "Minimum" else f"at most {error.kind.limit}"
        out = int_bound(error.instance, (typed.at(path) or {}).get("format"), _short)
        what, fix = out or (f"{bound}, got {error.instance}", f"The API server rejects it; use a value {bound}.")
        return (text, f"{typed.kind} field {text} must be {what}", fix)
    if name == "Pattern" and typed.at(path) is not None:
        text = format_path(path)
        if (typed.at(path) or {}).get("format") == "byte":  # the value is not shown: it may be a secret
            what = f"{typed.kind} field {text} must be base64 text (the API server decodes it)"
            plain = "stringData" if typed.kind == "Secret" else "data"
            return (text, what, f"Encode the value with base64 (pass bytes to pykro.simple), or give text in {plain}.")
        what = f"{typed.kind} field {text} must be a Kubernetes quantity, got {_short(error.instance)}"
        return (text, what, "Write a number with an optional unit: '500m' or '2' (cpu), '512Mi' or '4Gi' (bytes).")
    if name in ("Type", "OneOfNotValid", "AnyOf"):
        schema = typed.at(path)
        want = _expected(schema) if schema else _WORDS.get(_types(error), "another type")
        return _wrong(typed, path, error.instance, want)
    return None


def _types(error: Any) -> str:
    types = getattr(error.kind, "types", None) or ()
    names = [types] if isinstance(types, str) else [t for t in types if t != "null"]
    return str(names[0]) if len(names) == 1 else ""


# --------------------------------------------------------------------------------------------------- CRD kinds
def _walk(typed: _Kind, value: Any, schema: Mapping[str, Any], path: Path, exprs: set[Path]) -> Problem | None:
    """Check ``value`` against a structural schema node (a CRD's); expressions were checked by type already."""
    if value is None or path in exprs:
        return None
    form = rt.shape(schema)
    if form == "dyn":
        return None
    if form in ("object", "map"):
        if not isinstance(value, Mapping):
            return _wrong(typed, path, value, _WORDS[form])
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key) if form == "object" else extra
            if sub is None:
                if schema.get("x-kubernetes-preserve-unknown-fields"):
                    continue
                return _unknown(typed, path, str(key))
            found = _walk(typed, item, node(sub), (*path, str(key)), exprs)
            if found is not None:
                return found
        return None
    if form == "list":
        if not isinstance(value, list):
            return _wrong(typed, path, value, "a list")
        items = schema.get("items")
        for index, item in enumerate(value):
            found = _walk(typed, item, node(items), (*path, index), exprs) if isinstance(items, Mapping) else None
            if found is not None:
                return found
        return None
    actual = json_type(value)
    if actual == form or (form == "number" and actual == "integer"):
        out = bound(value, schema, _short)  # a CRD's enum, minimum and maximum
        text = format_path(path)
        return None if out is None else (text, f"{typed.kind} field {text} must be {out[0]}", out[1])
    return _wrong(typed, path, value, _WORDS.get(form, form))


# --------------------------------------------------------------------------------------------------- messages
def _expected(schema: Mapping[str, Any]) -> str:
    if schema.get("x-kubernetes-int-or-string"):
        return "an integer or a string"
    return _WORDS.get(rt.shape(schema), "another type")


def _unknown(typed: _Kind, prefix: Path, name: str) -> Problem:
    here = typed.at(prefix) or {}
    siblings = [str(k) for k in (here.get("properties") or {})]
    fix = suggest.fix_for(typed.root, prefix, name, siblings) or "Remove it."
    path = format_path((*prefix, name))
    return (path, f"{typed.kind} has no field {path} (the API server would drop it)", fix)


def _wrong(typed: _Kind, path: Path, value: Any, want: str) -> Problem:
    text = format_path(path)
    actual = json_type(value)
    hidden = typed.secret and path[:1] in (("data",), ("stringData",))
    shown = "" if hidden or isinstance(value, Mapping | list) else f" {_short(value)}"
    fix = f"Write {text} as {want}."
    if isinstance(value, str) and not hidden:
        plain = value.strip()
        if want.startswith("an integer") and plain.lstrip("-").isdigit():
            fix = f"Did you mean {int(plain)} (a number, without quotes)?"
        elif want == "a boolean" and plain.lower() in ("true", "false"):
            fix = f"Did you mean {plain.lower()} (a boolean, without quotes)?"
    return (text, f"{typed.kind} field {text} must be {want}, got {actual}{shown}", fix)


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
