"""Package attributes imported on first use (PEP 562), so that importing a package does not import all of it; and
stand-ins for a module that cannot be imported at the top of the module using it (it imports that one in turn)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["Later", "lazy_getattr", "load"]


def load(package: str, table: Mapping[str, str], name: str) -> Any:
    """The attribute ``name`` of ``package``, imported from the module ``table`` names and cached on the package;
    AttributeError for a name not in the table."""
    owner = sys.modules.get(package)
    module = table.get(name)
    if module is None:
        # Python's traceback adds "Did you mean: ...?" from the package's __dir__ (name and obj are set for it)
        raise AttributeError(f"module {package!r} has no attribute {name!r}", name=name, obj=owner)
    value = getattr(importlib.import_module(module), name)
    if owner is not None:
        setattr(owner, name, value)
    return value


def lazy_getattr(package: str, table: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that loads its names from ``table`` (see `load`)."""
    return lambda name: load(package, table, name)


class Later:
    """Stands for the module ``module`` in the global ``name`` of ``namespace`` until an attribute is first read:
    that read imports the module and puts the module itself in the global (later reads cost nothing)."""

    __slots__ = ("_module", "_name", "_namespace")

    def __init__(self, namespace: dict[str, Any], name: str, module: str) -> None:
        self._namespace, self._name, self._module = namespace, name, module

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self._module)
        self._namespace[self._name] = module
        return getattr(module, attr)
