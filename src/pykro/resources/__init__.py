"""pykro.resources: typed knowledge of Kubernetes kinds for authoring.

``typing`` resolves the CEL type of a field of any kind (built-in schemas pinned to Kubernetes 1.35, or a
registered CRD) and explains missing fields; ``kinds`` holds where schemas come from. The factories users call
live in :mod:`pykro.simple`.
"""

from pykro.resources._kinds import register_crd, registered_crds
from pykro.resources._typing import check_kind, field_type, is_typed, kind_type, path_text

__all__ = ["check_kind", "field_type", "is_typed", "kind_type", "path_text", "register_crd", "registered_crds"]
