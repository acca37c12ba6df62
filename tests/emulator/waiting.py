"""Waiting in emulator tests without timing assumptions: poll until true, with a guard that only stops a hang."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
HANG_GUARD_S = 600.0  # only stops a broken emulator or simulator from hanging the suite; no test relies on timing


def eventually(probe: Callable[[], T | None], what: str) -> T:
    """Poll ``probe`` until it returns something truthy, and return that."""
    deadline = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"never happened: {what}")
