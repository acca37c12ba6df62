"""The simulator's work queue: object keys reconciled one task per key (a change during a reconcile runs it once
more), retries with backoff, timers for delays, side tasks, and the `idle` / `settled` signal."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine
from typing import Any

from pykro.emulator._simulation.objects import Key

__all__ = ["WorkQueue"]

log = logging.getLogger("pykro.emulator._simulation")

_MAX_RETRIES = 5


class WorkQueue(ABC):
    """Schedules reconciles of object keys; a subclass says what reconciling one key does (`_reconcile_once`)."""

    def __init__(self) -> None:
        self._running: set[Key] = set()
        self._dirty: set[Key] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._timers: dict[Key, tuple[float, asyncio.TimerHandle, bool]] = {}  # key -> (when, handle, periodic)
        self._failures: dict[Key, int] = {}
        self._backlog: Callable[[], int] = lambda: 0
        self._synced = False
        self._stopped = False
        self._wake = asyncio.Event()

    @abstractmethod
    async def _reconcile_once(self, key: Key) -> None:
        """Reconcile the object at ``key`` once (the subclass's work)."""

    async def _stop(self) -> None:
        """Cancel every timer and task (the simulator stops)."""
        self._stopped = True
        self._wake.set()
        for _, handle, _ in self._timers.values():
            handle.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def enqueue(self, key: Key) -> None:
        """Reconcile `key` soon; coalesces with a reconcile already running for it."""
        if key in self._running:
            self._dirty.add(key)
            return
        self._running.add(key)
        self._track(asyncio.get_running_loop().create_task(self._work(key)))

    def _track(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)

        def done(task: asyncio.Task[None]) -> None:
            self._tasks.discard(task)
            self._wake.set()

        task.add_done_callback(done)

    async def _work(self, key: Key) -> None:
        try:
            while True:
                self._dirty.discard(key)
                await self._reconcile_once(key)
                if key not in self._dirty:
                    return
        finally:
            self._running.discard(key)

    def _retry(self, key: Key, why: str) -> None:
        count = self._failures.get(key, 0) + 1
        self._failures[key] = count
        if count <= _MAX_RETRIES:
            log.debug("retrying %s (%s)", key, why)
            self.requeue_after(key, 0.05 * 2**count)
        else:
            log.warning("giving up on %s after %d attempts: %s", key, count, why)

    def spawn(self, coro: Coroutine[Any, Any, None], what: str) -> None:
        """Run a side task (cancelled with the simulator; failures logged)."""

        async def guarded() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("simulator: %s failed", what)

        self._track(asyncio.get_running_loop().create_task(guarded()))

    def requeue_after(self, key: Key, seconds: float, periodic: bool = False) -> None:
        """Reconcile `key` again in `seconds` (keeps an earlier timer if one is set). A `periodic` timer (a CronJob's
        next run) is not waited for by `settled()`."""
        loop = asyncio.get_running_loop()
        when = loop.time() + max(0.0, seconds)
        old = self._timers.get(key)
        if old is not None and old[0] <= when and not old[1].cancelled():
            return
        if old is not None:
            old[1].cancel()

        def fire() -> None:
            self._timers.pop(key, None)
            self.enqueue(key)

        self._timers[key] = (when, loop.call_at(when, fire), periodic)

    def pending(self) -> set[Key]:
        """Objects being reconciled now or scheduled for later (a delay not yet over, a CronJob's next run)."""
        return set(self._running) | set(self._timers)

    def idle(self) -> bool:
        """True when the simulation has nothing left to do: it has looked at what existed when it started, every
        change is observed, no reconcile or side task runs, and no delay is pending (only periodic timers such as
        CronJob schedules, which never end). Objects with outcome "never" or "fail" count as done."""
        return (
            self._synced
            and not self._tasks
            and not self._backlog()
            and all(periodic for _, _, periodic in self._timers.values())
        )

    async def settled(self) -> None:
        """Return once the simulator is `idle` (on the emulator's loop; `LocalCluster.settle()` from other threads).
        Changes made before the call are seen; the wait is on the simulator's own signal, not on a clock."""
        while True:
            if self._stopped:
                raise RuntimeError("the simulator is not running")
            self._wake.clear()
            if self.idle():
                await asyncio.sleep(0)  # callbacks due now (the store's garbage collection) may still write
                if self.idle():
                    return
            await self._wake.wait()
