"""Any CRD, typed: resource classes for custom kinds, read from their CustomResourceDefinitions.

``load("crds.yaml")`` gives a class per kind (``kinds.Cluster``); ``CustomResource.from_crd(...)`` one class;
``class Cluster(CustomResource, crd=...)`` a named one. ``pykro types`` writes a module of such classes with
typed signatures for editors and type checkers (:mod:`pykro.crds._codegen`).
"""

from pykro.crds._definition import Definition
from pykro.crds._readiness import condition_true, conventions, generation_observed
from pykro.crds._resource import CONVENTIONS, CustomResource, Kinds, ReadyWhen, load

__all__ = [
    "CONVENTIONS",
    "CustomResource",
    "Definition",
    "Kinds",
    "ReadyWhen",
    "condition_true",
    "conventions",
    "generation_observed",
    "load",
]
