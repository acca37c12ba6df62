"""pykro: typed Kubernetes infrastructure in Python, with KRO's semantics."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from pykro.errors import CompositionError, PykroError, ValidationError

if TYPE_CHECKING:
    from pykro.authoring.decorator import composition
    from pykro.authoring.models import Spec, Status
    from pykro.authoring.resource import external_ref, resource
    from pykro.deploy import factory

__version__ = "0.1.0"

# Imported on first use so that `import pykro` stays light (pydantic and the CEL engine load lazily).
_LAZY = {
    "Spec": "pykro.authoring.models",
    "Status": "pykro.authoring.models",
    "composition": "pykro.authoring.decorator",
    "external_ref": "pykro.authoring.resource",
    "factory": "pykro.deploy",
    "resource": "pykro.authoring.resource",
}


if not TYPE_CHECKING:  # to a type checker the names are the imports above, so `pykro.compositon` is an error

    def __getattr__(name: str) -> Any:
        module = _LAZY.get(name)
        if module is None:
            # difflib, not graph.naming's did_you_mean: `from pykro import memo` asks here first, mid-import
            import difflib

            close = difflib.get_close_matches(name, __all__, n=1) if not name.startswith("_") else []
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise AttributeError(
                f"module 'pykro' has no attribute {name!r}.{hint}", name=name, obj=sys.modules[__name__]
            )
        import importlib

        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value


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
