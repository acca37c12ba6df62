"""The CLI's rich consoles, made on first use: importing rich costs start-up time most commands do not need."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

__all__ = ["console"]

if TYPE_CHECKING:
    from rich.console import Console


@functools.cache
def console(*, stderr: bool = False) -> Console:
    """stdout's (or stderr's) console: user text printed verbatim (no markup, emoji or highlighting)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False, emoji=False)
