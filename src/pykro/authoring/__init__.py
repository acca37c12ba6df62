"""Authoring: typed compositions (``@composition``, ``Spec``/``Status``, references, resources) compiled to kro
graphs by transforming the function's source (if/for/and/or/... become includeWhen/forEach/CEL)."""

from pykro.authoring import _escape  # noqa: F401 - registers pykro.cel.expr/has/default/concat/dyn
from pykro.authoring._decorator import Composition, composition
from pykro.authoring._models import Spec, SpecValueError, Status
from pykro.authoring._refs import Ref, Template, cel_of, is_ref, node_of
from pykro.authoring._refs import bind_operators as _bind_operators
from pykro.authoring._resource import ResourceRef, external_ref, resource

_bind_operators()

__all__ = [
    "Composition",
    "Ref",
    "ResourceRef",
    "Spec",
    "SpecValueError",
    "Status",
    "Template",
    "cel_of",
    "composition",
    "external_ref",
    "is_ref",
    "node_of",
    "resource",
]
