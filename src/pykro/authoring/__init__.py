"""Authoring: typed compositions (``@composition``, ``Spec``/``Status``, references, resources) compiled to kro
graphs by transforming the function's source (if/for/and/or/... become includeWhen/forEach/CEL)."""

from pykro.authoring import escape as _escape  # noqa: F401 - registers pykro.cel.expr/has/default/concat
from pykro.authoring.decorator import Composition, composition
from pykro.authoring.models import Spec, Status
from pykro.authoring.refs import Ref, Template, is_ref
from pykro.authoring.refs import bind_operators as _bind_operators
from pykro.authoring.resource import ResourceRef, external_ref, resource

_bind_operators()

__all__ = [
    "Composition",
    "Ref",
    "ResourceRef",
    "Spec",
    "Status",
    "Template",
    "composition",
    "external_ref",
    "is_ref",
    "resource",
]
