"""Lazy module exports: a package names its public objects, each imported from its module on first use, so that
importing the package stays light."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``name`` from ``exports[name]`` (a module path), keeps
    it in the package's globals, and raises AttributeError with a did-you-mean for any other name."""

    def __getattr__(name: str) -> Any:
        owner = sys.modules.get(package)
        module = exports.get(name)
        if module is None:
            # difflib, not graph.naming's did_you_mean: `from pykro import memo` asks here first, mid-import
            import difflib

            public = getattr(owner, "__all__", list(exports))
            close = difflib.get_close_matches(name, public, n=1) if not name.startswith("_") else []
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise AttributeError(f"module {package!r} has no attribute {name!r}.{hint}", name=name, obj=owner)
        value = getattr(importlib.import_module(module), name)
        if owner is not None:
            setattr(owner, name, value)
        return value

    return __getattr__
