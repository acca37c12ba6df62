"""pykro: typed Kubernetes infrastructure in Python, with KRO's semantics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pykro._lazy import lazy_getattr
from pykro.errors import CompositionError, PykroError, ValidationError

if TYPE_CHECKING:
    from pykro.authoring._decorator import composition
    from pykro.authoring._models import Spec, Status
    from pykro.authoring._resource import external_ref, resource
    from pykro.deploy import factory

__version__ = "0.1.0"

# Imported on first use so that `import pykro` stays light (pydantic and the CEL engine load lazily).
_LAZY = {
    "Spec": "pykro.authoring._models",
    "Status": "pykro.authoring._models",
    "composition": "pykro.authoring._decorator",
    "external_ref": "pykro.authoring._resource",
    "factory": "pykro.deploy",
    "resource": "pykro.authoring._resource",
}


if not TYPE_CHECKING:  # to a type checker the names are the imports above, so `pykro.compositon` is an error
    __getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return list(__all__)


__all__ = [
    "CompositionError",
    "PykroError",
    "Spec",
    "Status",
    "ValidationError",
    "__version__",
    "composition",
    "external_ref",
    "factory",
    "resource",
]
