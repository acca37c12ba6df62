"""Package attributes imported on first use (PEP 562), so that importing a package does not import all of it."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any


def load(package: str, table: Mapping[str, str], name: str) -> Any:
    """The attribute ``name`` of ``package``, imported from the module ``table`` names and cached on the package;
    AttributeError for a name not in the table."""
    module = table.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    setattr(sys.modules[package], name, value)
    return value
