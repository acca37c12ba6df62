"""pykro.schema: structural OpenAPI schemas as the apiserver treats them, built-in Kubernetes kinds, kro's
SimpleSchema and pydantic models.

Submodules: ``structural`` (defaulting, pruning, validation of custom resources; CEL rules in ``rules``),
``kubernetes`` (built-in kinds: schemas, validation, discovery metadata), ``causes`` (apiserver-worded field
causes), ``simple`` (kro SimpleSchema ⇄ OpenAPI; field syntax in ``markers``), ``models`` (pydantic -> OpenAPI).
"""

from pykro.schema.causes import FieldCause
from pykro.schema.structural import apply_defaults, prune, validate

__all__ = ["FieldCause", "apply_defaults", "prune", "validate"]
