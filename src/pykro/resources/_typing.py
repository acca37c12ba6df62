"""Typed field resolution for references into resources: the CEL type of ``deploy.status.readyReplicas``.

Built-in kinds are typed by the pinned Kubernetes schemas, custom kinds by a registered CRD
(:func:`register_crd`); any other kind is untyped (``dyn`` for every path). CEL types follow kro's rules
(Kubernetes' ``SchemaDeclType``): int-or-string and quantities are ``dyn``, ``date-time`` strings are timestamps,
objects with ``additionalProperties`` are maps that accept any key, ``x-kubernetes-preserve-unknown-fields``
makes unknown fields ``dyn``. A field that does not exist raises :class:`CompositionError` saying what the user
probably meant.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from pykro._memo import Memo
from pykro.cel._types import CelType
from pykro.errors import CompositionError
from pykro.resources import _suggest as suggest
from pykro.resources._kinds import NAME_KEY, kind_schema, node, register_crd
from pykro.schema import _kubernetes as k8s

__all__ = [
    "Step",
    "check_kind",
    "field_type",
    "is_typed",
    "kind_type",
    "path_text",
    "register_crd",
    "schema_field_type",
]

Step = str | int
_SCALARS: Final = {"integer": CelType.INT, "number": CelType.DOUBLE, "boolean": CelType.BOOL}
_FORMATS: Final = {
    "byte": CelType.BYTES,
    "date": CelType.TIMESTAMP,
    "date-time": CelType.TIMESTAMP,
    "duration": CelType.DURATION,
}
_SHAPE_WORDS: Final = {"string": "a string", "integer": "an int", "number": "a double", "boolean": "a bool"}


def is_typed(api_version: str, kind: str) -> bool:
    """True when the kind has a schema (built in, or a registered CRD); untyped kinds give ``dyn``."""
    return kind_schema(api_version, kind) is not None


def check_kind(api_version: str, kind: str) -> None:
    """Raise for a kind that a built-in API group does not serve (a typo such as ``Deploymnet`` or ``apps/v1beta1``).

    Kinds of other groups pass: they are custom kinds, untyped unless their CRD is registered.
    """
    if is_typed(api_version, kind):
        return
    group, version = k8s.split_api_version(api_version)
    served = [r for r in k8s.builtin_resources() if r.group == group]
    if not served:
        return
    versions = sorted({r.api_version for r in served if r.kind == kind})
    if versions:
        raise CompositionError(
            f"Kubernetes {k8s.KUBERNETES_VERSION} does not serve {kind} as {api_version}",
            fix=f"Use apiVersion {' or '.join(versions)}",
        )
    kinds = sorted({r.kind for r in served if r.version == version} or {r.kind for r in served})
    close = difflib.get_close_matches(kind, kinds, n=1, cutoff=0.6) or [k for k in kinds if k.lower() == kind.lower()]
    listed = ", ".join(kinds[:15]) + (", ..." if len(kinds) > 15 else "")
    raise CompositionError(
        f"{api_version} has no kind {kind}", fix=f"Did you mean {close[0]}?" if close else f"It serves {listed}."
    )


def kind_type(api_version: str, kind: str) -> CelType:
    """The CEL type of a whole object of the kind (``dyn`` when untyped)."""
    return field_type(api_version, kind, ())


def field_type(api_version: str, kind: str, path: Sequence[Step]) -> CelType:
    """The CEL type of the field at ``path`` (``("status", "readyReplicas")`` -> int; ints index lists).

    Raises :class:`CompositionError` for a field the kind does not have, with the likely intended path.
    """
    root = kind_schema(api_version, kind)
    if root is None:
        return CelType.DYN
    key = (api_version, kind, tuple(path))
    known = _resolved.get(key)
    if known is not None and known[0] is root:
        return known[1]
    result = _resolve(kind, root, key[2])
    _resolved.put(key, (root, result))
    return result


def schema_field_type(name: str, schema: Mapping[str, Any], path: Sequence[Step]) -> CelType:
    """:func:`field_type` against a schema given directly (an RGD's instance, a CRD of the same RGD); ``name``
    names the object in errors."""
    return _resolve(name, schema, tuple(path))


# (apiVersion, kind, path) -> (the kind's schema it was resolved against, type); a re-registered CRD misses.
_resolved: Memo[tuple[str, str, tuple[Step, ...]], tuple[Mapping[str, Any], CelType]] = Memo(16384)


def path_text(path: Iterable[Step]) -> str:
    """``("spec", "ports", 0, "port")`` -> ``spec.ports[0].port``."""
    out = ""
    for step in path:
        out = f"{out}[{step}]" if isinstance(step, int) else f"{out}.{step}" if out else step
    return out


def shape(schema: Mapping[str, Any]) -> str:
    """``object``, ``map``, ``list``, a scalar OpenAPI type, or ``dyn`` (anything goes) for a :func:`node`."""
    if schema.get("x-kubernetes-int-or-string"):
        return "dyn"
    kind = schema.get("type")
    if kind == "array":
        return "list"
    if schema.get("properties"):
        return "object"
    if isinstance(schema.get("additionalProperties"), Mapping):
        return "map"
    if kind in ("string", "integer", "number", "boolean"):
        return str(kind)
    return "dyn"


def child(schema: Mapping[str, Any], step: Step) -> Mapping[str, Any] | None:
    """The schema one step down (a :func:`node`), ``{}`` (dyn) when anything goes there, None when it cannot exist."""
    form = shape(schema)
    if form == "dyn":
        return {}
    if form == "list" and isinstance(step, int):
        items = schema.get("items")
        return node(items) if isinstance(items, Mapping) else {}
    if form == "map" and isinstance(step, str):
        return node(schema["additionalProperties"])
    if form == "object" and isinstance(step, str):
        sub = schema["properties"].get(step)
        if sub is not None:
            return node(sub)
        return {} if schema.get("x-kubernetes-preserve-unknown-fields") else None
    return None


def _resolve(kind: str, root: Mapping[str, Any], path: tuple[Step, ...]) -> CelType:
    schema = node(root)
    for depth, step in enumerate(path):
        below = child(schema, step)
        if below is None:
            raise _missing(kind, root, path[:depth], step, schema)
        if not below:
            return CelType.DYN
        schema = below
    return cel_type(schema)


def cel_type(schema: Mapping[str, Any]) -> CelType:
    """The CEL type of a :func:`node` schema; nested objects are typed in full (recursive kinds end in ``dyn``)."""
    form = shape(schema)
    if form == "string":
        return _FORMATS.get(str(schema.get("format", "")), CelType.STRING)
    if form in _SCALARS:
        return _SCALARS[form]
    if form == "list":
        items = schema.get("items")
        return CelType.list_of(_typed(items) if isinstance(items, Mapping) else CelType.DYN)
    if form == "map":
        return CelType.map_of(CelType.STRING, _typed(schema["additionalProperties"]))
    if form == "object":
        fields = {name: _typed(sub) for name, sub in schema["properties"].items()}
        return CelType.object_of(fields, name=str(schema.get(NAME_KEY, "")))
    return CelType.DYN


def _typed(schema: Mapping[str, Any]) -> CelType:
    ref = schema.get("$ref")
    return _ref_type(ref) if isinstance(ref, str) else cel_type(node(schema))


_ref_types: Memo[str, CelType] = Memo(4096)  # definitions of the bundle (about 700) and of CRDs
_in_progress: set[str] = set()


def _ref_type(ref: str) -> CelType:
    """A definition's type, memoised; a definition met again inside itself (JSONSchemaProps) is ``dyn`` there."""
    known = _ref_types.get(ref)
    if known is not None:
        return known
    if ref in _in_progress:
        return CelType.DYN
    _in_progress.add(ref)
    try:
        result = _ref_types.put(ref, cel_type(node({"$ref": ref})))
    finally:
        _in_progress.discard(ref)
    return result


def _missing(
    kind: str, root: Mapping[str, Any], prefix: tuple[Step, ...], step: Step, schema: Mapping[str, Any]
) -> CompositionError:
    """The error for ``prefix`` + ``step`` when ``schema`` (at ``prefix``) cannot have ``step``."""
    where = path_text(prefix)
    full = path_text((*prefix, step))
    form = shape(schema)
    if isinstance(step, int):
        if form == "map":
            return CompositionError(
                f"{kind} field {where} is a map: it cannot be indexed with [{step}]",
                fix=f'use a string key ({where}["name"])',
            )
        return CompositionError(
            f"{kind} field {where or '(the object)'} is not a list: it cannot be indexed with [{step}]",
            fix="Index only list fields.",
        )
    if form == "list":
        items = schema.get("items")
        inner = node(items) if isinstance(items, Mapping) else {}
        has_it = child(inner, step) not in (None, {}) if shape(inner) == "object" else False
        example = f"{where}[0].{step}" if has_it else f"{where}[0]"
        return CompositionError(
            f"{kind} field {where} is a list: it has no field {step}",
            fix=f"Index it first ({example}) or use a list function (size, map, filter, exists)",
        )
    if form == "object":
        fix = suggest.fix_for(root, prefix, step, list(schema["properties"]))
        return CompositionError(f"{kind} has no field {full}", fix=fix)
    word = _SHAPE_WORDS.get(form, form)
    return CompositionError(
        f"{kind} field {where} is {word}: it has no field {step}",
        fix=f"{where} is a single value: drop .{step}",
    )
