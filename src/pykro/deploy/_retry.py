"""Retries for API calls: 429, 5xx and connection errors are retried with exponential backoff and full jitter
(a 429's Retry-After is honoured); any other 4xx fails at once with the server's message."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from pykro.deploy import _transport as http

__all__ = ["RetryPolicy", "call", "retry_after", "retryable", "status_code"]

T = TypeVar("T")
RETRYABLE = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all; the n-th wait is uniform in [0, min(cap, base * 2**n)] unless Retry-After says
    more (capped at ``max_retry_after``)."""

    attempts: int = 8
    base: float = 0.05
    cap: float = 5.0
    max_retry_after: float = 30.0
    seed: int | None = None

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        backoff = rng.uniform(0, min(self.cap, self.base * 2**attempt))
        if retry_after is not None:
            return max(backoff, min(retry_after, self.max_retry_after))
        return backoff


def status_code(exc: BaseException) -> int | None:
    """The HTTP status of a failed request (the Status's code of an error event in a watch), or None for
    connection-level errors."""
    if isinstance(exc, http.ApiError) and exc.status.code:
        return exc.status.code
    if isinstance(exc, http.HTTPStatusError):
        return exc.response.status_code
    return None


def retry_after(exc: BaseException) -> float | None:
    if not isinstance(exc, http.HTTPStatusError):
        return None
    value = exc.response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def retryable(exc: BaseException) -> bool:
    """429/5xx answers and transport errors (refused, reset, timed out) are worth another try."""
    code = status_code(exc)
    if code is not None:
        return code in RETRYABLE
    return isinstance(exc, (http.TransportError, OSError))


async def call(
    fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    rng: random.Random,
) -> T:
    """``await fn()``, retried per ``policy``; the last error is raised when retries run out."""
    attempt = 0
    while True:
        try:
            return await fn()
        except (http.HTTPError, OSError) as exc:
            if not retryable(exc) or attempt + 1 >= policy.attempts:
                raise
            wait = policy.delay(attempt, retry_after(exc), rng)
            attempt += 1
            await asyncio.sleep(wait)
