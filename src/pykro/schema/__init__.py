"""pykro.schema: structural OpenAPI schemas as the apiserver treats them, built-in Kubernetes kinds, kro's
SimpleSchema and pydantic models.

Submodules: ``structural`` (defaulting, pruning, validation of custom resources; CEL rules in ``rules``),
``kubernetes`` (built-in kinds: schemas, validation, discovery metadata), ``causes`` (apiserver-worded field
causes), ``simple`` (kro SimpleSchema ⇄ OpenAPI; field syntax in ``markers``), ``models`` (pydantic -> OpenAPI).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pykro import _lazy

if TYPE_CHECKING:
    from pykro.schema._causes import FieldCause
    from pykro.schema._structural import apply_defaults, prune, validate

# Imported on first use: `pykro.schema._models` (used while compositions are defined) must not load the validator.
_LAZY = {
    "FieldCause": "pykro.schema._causes",
    **dict.fromkeys(("apply_defaults", "prune", "validate"), "pykro.schema._structural"),
}

if not TYPE_CHECKING:
    __getattr__ = _lazy.lazy_getattr(__name__, _LAZY)


__all__ = ["FieldCause", "apply_defaults", "prune", "validate"]
