"""`DeployOptions`: how one deploy runs (timeouts, waiting, failure handling, conflicts, concurrency, pruning)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OnFailure = Literal["keep", "rollback"]


@dataclass
class DeployOptions:
    """How to deploy: overall and per-resource readiness timeouts (seconds, None = no limit), whether to wait,
    what to do on failure, SSA conflict forcing, taking over objects of another instance (or not pykro's),
    apply concurrency, pruning, and how long to wait for another deploy/delete of the instance to finish."""

    timeout: float | None = 600.0
    resource_timeout: float | None = None
    wait: bool = True
    on_failure: OnFailure = "keep"
    force_conflicts: bool = False
    concurrency: int = 16
    prune: bool = True
    force_takeover: bool = False
    lock_wait: float = 10.0
