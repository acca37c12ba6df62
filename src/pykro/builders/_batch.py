"""Batch workloads: Job and CronJob (``CronJob("backup").schedule("0 2 * * *").image(...)``)."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pykro.authoring._location import fail
from pykro.authoring._refs import is_ref
from pykro.authoring._resource import ResourceRef
from pykro.builders._base import builder_method, choice, cron, text
from pykro.builders._base import count as check_count
from pykro.builders._workload import _Workload, short_enough
from pykro.simple import CronJob as _CronJob
from pykro.simple import Job as _Job

__all__ = ["CronJob", "Job"]

W = TypeVar("W", bound="_Workload")
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?\Z")


def _seconds(value: Any, what: str) -> Any:
    """``3600``, ``"3600"``, ``"1h"``, ``"30m"``, ``"1h30m"`` -> seconds."""
    if is_ref(value):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return check_count(value, what, least=1)
    match = _DURATION.match(value) if isinstance(value, str) and value else None
    if isinstance(value, str) and value.isdigit():
        return check_count(int(value), what, least=1)
    if match is None or not any(match.groups()):
        raise fail(f"{what} must be seconds or a duration such as '30m' or '2h', got {value!r}", "Write timeout('1h').")
    hours, minutes, secs = (int(g or 0) for g in match.groups())
    return check_count(hours * 3600 + minutes * 60 + secs, what, least=1)


class _Batch(_Workload):
    """Job and CronJob: the JobSpec setters."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._job: dict[str, Any] = {}

    @builder_method
    def parallelism(self: W, count: Any) -> W:
        self._job["parallelism"] = check_count(count, "parallelism")  # type: ignore[attr-defined]
        return self

    @builder_method
    def completions(self: W, count: Any) -> W:
        self._job["completions"] = check_count(count, "completions", least=1)  # type: ignore[attr-defined]
        return self

    @builder_method
    def retry_limit(self: W, limit: Any) -> W:
        """How often a failed pod is retried (the Job's backoffLimit)."""
        self._job["backoff_limit"] = check_count(limit, "retry_limit")  # type: ignore[attr-defined]
        return self

    @builder_method
    def timeout(self: W, timeout: Any) -> W:
        """How long the Job may run (seconds or ``"30m"``, ``"2h"``): its activeDeadlineSeconds."""
        self._job["active_deadline_seconds"] = _seconds(timeout, "timeout")  # type: ignore[attr-defined]
        return self

    @builder_method
    def restart_policy(self: W, policy: str) -> W:
        """``Never`` (default) or ``OnFailure``."""
        self._restart_policy = choice(policy, "restart_policy", {"never": "Never", "onfailure": "OnFailure"})
        return self


class Job(_Batch):
    """A batch/v1 Job running the container to completion."""

    def _make(self) -> list[ResourceRef]:
        return [
            *self._added(),
            _Job(self._name, image=self._image, **self._job, **self._meta(), **self._pod_keywords()),
        ]


class CronJob(_Batch):
    """A batch/v1 CronJob: ``CronJob("backup").schedule("0 2 * * *").image(...)``."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        short_enough(name, "CronJob")
        self._schedule: Any = None
        self._cron: dict[str, Any] = {}

    @builder_method
    def schedule(self, cron_schedule: Any) -> CronJob:
        """The cron schedule (five fields or an @macro), checked now."""
        self._schedule = cron(cron_schedule)
        return self

    @builder_method
    def daily(self, hour: Any = 0, minute: Any = 0) -> CronJob:
        return self.schedule(f"{self._in(minute, 59, 'minute')} {self._in(hour, 23, 'hour')} * * *")

    @builder_method
    def weekly(self, day_of_week: Any = 0, hour: Any = 0, minute: Any = 0) -> CronJob:
        return self.schedule(
            f"{self._in(minute, 59, 'minute')} {self._in(hour, 23, 'hour')} * * "
            f"{self._in(day_of_week, 6, 'day_of_week')}"
        )

    @builder_method
    def monthly(self, day: Any = 1, hour: Any = 0, minute: Any = 0) -> CronJob:
        return self.schedule(
            f"{self._in(minute, 59, 'minute')} {self._in(hour, 23, 'hour')} {self._in(day, 31, 'day', 1)} * *"
        )

    @builder_method
    def every_minutes(self, minutes: Any) -> CronJob:
        return self.schedule(f"*/{self._in(minutes, 59, 'minutes', 1)} * * * *")

    @builder_method
    def every_hours(self, hours: Any) -> CronJob:
        return self.schedule(f"0 */{self._in(hours, 23, 'hours', 1)} * * *")

    @staticmethod
    def _in(value: Any, high: int, what: str, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise fail(f"{what} must be a number from {low} to {high}, got {value!r}")
        return value

    @builder_method
    def concurrency_policy(self, policy: str) -> CronJob:
        """``Allow``, ``Forbid`` or ``Replace``."""
        self._cron["concurrency_policy"] = choice(
            policy, "concurrency_policy", {"allow": "Allow", "forbid": "Forbid", "replace": "Replace"}
        )
        return self

    @builder_method
    def concurrent_policy(self, policy: str) -> CronJob:
        """Same as concurrency_policy() (the API reference's spelling)."""
        return self.concurrency_policy(policy)

    @builder_method
    def retention_limit(self, successful: Any) -> CronJob:
        """How many finished successful Jobs to keep (successfulJobsHistoryLimit)."""
        self._cron["successful_jobs_history_limit"] = check_count(successful, "retention_limit")
        return self

    @builder_method
    def suspend(self, suspended: bool = True) -> CronJob:
        if not isinstance(suspended, bool):
            raise fail(f"suspend() takes True or False, got {suspended!r}")
        self._cron["suspend"] = suspended
        return self

    @builder_method
    def history_limits(self, successful: Any = 3, failed: Any = 1) -> CronJob:
        self._cron["successful_jobs_history_limit"] = check_count(successful, "successful")
        self._cron["failed_jobs_history_limit"] = check_count(failed, "failed")
        return self

    @builder_method
    def starting_deadline(self, deadline_seconds: Any) -> CronJob:
        self._cron["starting_deadline_seconds"] = check_count(deadline_seconds, "starting_deadline", least=1)
        return self

    @builder_method
    def timezone(self, tz: Any) -> CronJob:
        """The IANA time zone of the schedule (``Europe/Berlin``)."""
        import zoneinfo

        if isinstance(tz, str):
            try:
                zoneinfo.ZoneInfo(tz)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise fail(f"timezone {tz!r} is not an IANA time zone", "Use a name such as 'Europe/Berlin'.") from None
        self._cron["time_zone"] = text(tz, "timezone")
        return self

    def _make(self) -> list[ResourceRef]:
        if self._schedule is None:
            raise fail(f"CronJob {self._name!r} has no schedule", "Call .schedule('0 2 * * *').")
        return [
            *self._added(),
            _CronJob(
                self._name,
                image=self._image,
                schedule=self._schedule,
                **self._job,
                **self._cron,
                **self._meta(),
                **self._pod_keywords(),
            ),
        ]
