"""pykro: typed Kubernetes infrastructure in Python, with KRO's semantics."""

from __future__ import annotations

from pykro.errors import CompositionError, PykroError, ValidationError

__version__ = "0.1.0"

__all__ = ["CompositionError", "PykroError", "ValidationError", "__version__"]
