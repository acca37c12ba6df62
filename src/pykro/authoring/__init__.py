"""Authoring: typed compositions (``@composition``, ``Spec``/``Status``, references, resources) compiled to kro
graphs by transforming the function's source (if/for/and/or/... become includeWhen/forEach/CEL).

The names below load on first use: defining models and compositions needs ``_models`` and ``_decorator`` only; the
references, the CEL AST and the resource modules load when a composition is first compiled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pykro._lazy import lazy_getattr
from pykro.cel import register_escape_hatch

if TYPE_CHECKING:
    from pykro.authoring._decorator import Composition, composition
    from pykro.authoring._models import Spec, SpecValueError, Status
    from pykro.authoring._refs import Ref, Template, cel_of, is_ref, node_of
    from pykro.authoring._resource import ResourceRef, external_ref, resource

_LAZY = {
    **dict.fromkeys(("Composition", "composition"), "pykro.authoring._decorator"),
    **dict.fromkeys(("Spec", "SpecValueError", "Status"), "pykro.authoring._models"),
    **dict.fromkeys(("Ref", "Template", "cel_of", "is_ref", "node_of"), "pykro.authoring._refs"),
    **dict.fromkeys(("ResourceRef", "external_ref", "resource"), "pykro.authoring._resource"),
}

if not TYPE_CHECKING:  # to a type checker the names are the imports above
    __getattr__ = lazy_getattr(__name__, _LAZY)

register_escape_hatch("pykro.authoring._escape")  # pykro.cel.expr/has/default/concat/dyn


def __dir__() -> list[str]:
    return list(__all__)


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
