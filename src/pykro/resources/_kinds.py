"""Where a kind's schema comes from: the pinned Kubernetes bundle for built-in kinds, registered CRDs otherwise.

Both kinds of schema are read through :func:`node`, which follows the bundle's ``$ref``s and folds the bundle's
JSON-schema spellings (``type: [string, "null"]``, ``oneOf`` of string and integer) into the structural OpenAPI
vocabulary a CRD uses (``type: string``, ``x-kubernetes-int-or-string: true``). The bundle carries no OpenAPI
extensions, so int-or-string is derived from its ``oneOf`` shape and ``resource.Quantity`` (``oneOf`` string and
number) is marked the same way: both are ``dyn`` in CEL, as kro types them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from pykro import _memo as memo
from pykro import _yamlio as yamlio
from pykro.errors import ValidationError
from pykro.schema import _kubernetes as k8s

__all__ = ["NAME_KEY", "OBJECT_META", "is_registered", "kind_schema", "node", "register_crd", "registered_crds"]

OBJECT_META: Final = {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
NAME_KEY: Final = "x-pykro-name"  # the definition's short name (``DeploymentStatus``), kept on followed $refs
_STRING: Final = {"type": "string"}

_crds: dict[tuple[str, str], Mapping[str, Any]] = {}


def register_crd(crd: Mapping[str, Any] | str | Path) -> list[tuple[str, str]]:
    """Make a custom kind typed from its CRD: a dict, YAML text, or a ``Path`` to a YAML file.

    Every served version with an ``openAPIV3Schema`` is registered; returns the ``(apiVersion, kind)`` pairs.
    Registering the same kind again replaces its schema.
    """
    doc: Any = crd
    if isinstance(crd, Path):
        doc = yamlio.load_user(yamlio.read_user_file(crd, what="CRD file"), str(crd))
    elif isinstance(crd, str):
        doc = yamlio.load_user(crd, "the CRD text")
    if not isinstance(doc, Mapping) or doc.get("kind") != "CustomResourceDefinition":
        raise ValidationError(
            "register_crd needs a CustomResourceDefinition",
            fix="Pass the CRD as a dict, its YAML text or a pathlib.Path to its YAML file",
        )
    spec = doc.get("spec") or {}
    name = (doc.get("metadata") or {}).get("name", "?")
    group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
    if not group or not kind:
        raise ValidationError(
            f"CustomResourceDefinition {name} has no spec.group or spec.names.kind", fix="Complete the CRD."
        )
    registered = []
    for version in spec.get("versions") or []:
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        if isinstance(schema, Mapping) and version.get("served", True):
            key = (f"{group}/{version['name']}", str(kind))
            _crds[key] = _as_resource_root(schema)
            registered.append(key)
    if not registered:
        raise ValidationError(
            f"CustomResourceDefinition {name} has no served version with schema.openAPIV3Schema",
            fix="Add an openAPIV3Schema to the served versions, or leave the kind untyped (dyn)",
        )
    return registered


def registered_crds() -> list[tuple[str, str]]:
    """The ``(apiVersion, kind)`` pairs typed by :func:`register_crd`, in registration order."""
    return list(_crds)


def is_registered(api_version: str, kind: str) -> bool:
    """True when the kind's schema comes from a CRD given to :func:`register_crd`."""
    return (api_version, kind) in _crds


def kind_schema(api_version: str, kind: str) -> Mapping[str, Any] | None:
    """The schema of a kind (registered CRDs first, then built-ins); None for untyped kinds.

    The same kind gives the same mapping object until it is registered again (callers may cache by identity).
    """
    crd = _crds.get((api_version, kind))
    return crd if crd is not None else _builtin(api_version, kind)


@memo.cached(maxsize=1024)
def _builtin(api_version: str, kind: str) -> Mapping[str, Any] | None:
    schema = k8s.builtin_schema(api_version, kind)
    return {**schema, NAME_KEY: kind} if schema is not None else None


def _as_resource_root(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A resource root always has apiVersion, kind and the full ObjectMeta, whatever the CRD declares."""
    properties = dict(schema.get("properties") or {})
    properties.update(apiVersion=_STRING, kind=_STRING, metadata=OBJECT_META)
    return {**schema, "type": "object", "properties": properties}


@memo.cached(maxsize=1024)
def _deref(ref: str) -> Mapping[str, Any]:
    name = ref.rsplit("/", 1)[-1]
    return {**node(k8s.definitions()[name]), NAME_KEY: name.rsplit(".", 1)[-1]}


def node(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """A schema in structural OpenAPI terms (``$ref`` followed; one ``type``; int-or-string marked)."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return _deref(ref)
    if schema.get("x-kubernetes-embedded-resource"):
        schema = _as_resource_root(schema)
    kind = schema.get("type")
    if isinstance(kind, list):
        names = [t for t in kind if t != "null"]
        schema = {**schema, "type": names[0] if len(names) == 1 else None}
    branches = schema.get("oneOf")
    if "type" not in schema and isinstance(branches, list) and branches:
        types = {str(node(b).get("type")) for b in branches if isinstance(b, Mapping)}
        if types in ({"string", "integer"}, {"string", "number"}):
            schema = {**schema, "x-kubernetes-int-or-string": True}
    return schema
