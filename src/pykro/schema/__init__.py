"""pykro.schema: structural OpenAPI schemas as the apiserver treats them, built-in Kubernetes kinds, kro's
SimpleSchema and pydantic models.

Submodules: ``structural`` (defaulting, pruning, validation of custom resources), ``kubernetes`` (built-in kinds:
schemas, validation, discovery metadata), ``causes`` (apiserver-worded field causes).
"""

from pykro.schema.causes import FieldCause
from pykro.schema.structural import apply_defaults, prune, validate

__all__ = ["FieldCause", "apply_defaults", "prune", "validate"]
