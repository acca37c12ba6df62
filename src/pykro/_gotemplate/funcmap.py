"""The table of every predefined function: Go's builtins, Sprig v3's, Lynq's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from .builtins import BUILTINS

__all__ = ["ALL_FUNCS"]

ALL_FUNCS: Final[dict[str, Callable[..., object]]] = {**BUILTINS}
