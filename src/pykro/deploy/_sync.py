"""Synchronous wrappers over the async core: one event loop per call; a clear error inside a running loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from pykro.deploy._errors import DeployError

__all__ = ["run_sync"]

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion; Ctrl-C cancels it (cleanly closing watches) and is re-raised."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise DeployError(
        "the synchronous API was called from inside a running event loop",
        fix="Use the async variant instead (adeploy, astatus, adiff, adelete, ainstances).",
    )
