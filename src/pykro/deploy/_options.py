"""`DeployOptions`: how one deploy runs (timeouts, waiting, failure handling, conflicts, concurrency, pruning).

Every option is checked where it is given (``DeployOptions(...)``, ``deploy(timeout=...)``, the CLI's flags): a
value of the wrong type or out of range is a ValidationError naming the option, never taken for something else
(``on_failure="rollbak"`` is not ``keep``; ``force_conflicts="false"`` is not ``True``)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pykro.errors import ValidationError

__all__ = ["DeployOptions", "OnFailure", "check_option"]

OnFailure = Literal["keep", "rollback"]
_ON_FAILURE: tuple[str, ...] = get_args(OnFailure)


@dataclass
class DeployOptions:
    """How to deploy: overall and per-resource readiness timeouts (seconds, None = no limit; ``resource_timeouts``
    maps resource ids to their own limit, over ``resource_timeout``), whether to wait,
    what to do on failure, SSA conflict forcing, taking over objects of another instance (or not pykro's),
    apply concurrency, pruning, how long to wait for another deploy/delete of the instance to finish, and whether
    to follow the namespace's Events throughout."""

    timeout: float | None = 600.0
    resource_timeout: float | None = None
    resource_timeouts: Mapping[str, float] | None = None
    wait: bool = True
    on_failure: OnFailure = "keep"
    force_conflicts: bool = False
    concurrency: int = 16
    prune: bool = True
    force_takeover: bool = False
    lock_wait: float = 10.0
    # follow the namespace's v1 Events while deploying (progress lines, diagnoses); False: read them once, only when
    # the deploy fails (a hub deploying many instances into one namespace saves a watch per instance)
    follow_events: bool = True
    # (resource id, desired object, live object) -> the object to apply, for objects that exist (the hub's
    # ignore_fields); None: apply the desired object as it is
    keep_live: Callable[[str, dict[str, Any], dict[str, Any]], dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            check_option(field.name, getattr(self, field.name))

    def resource_limit(self, rid: str) -> float | None:
        """Seconds resource ``rid`` may take to get ready once applied (None: no limit of its own)."""
        if self.resource_timeouts and rid in self.resource_timeouts:
            return self.resource_timeouts[rid]
        return self.resource_timeout

    def with_changes(self, **changes: Any) -> DeployOptions:
        """A copy with the options given (None: keep this one's), each checked."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def check_option(name: str, value: Any) -> None:
    """Raise ValidationError unless ``value`` fits the deploy option ``name``."""
    where = f"deploy option {name}"
    if name in ("timeout", "resource_timeout", "lock_wait"):
        allowed_none = name != "lock_wait"
        if value is None and allowed_none:
            return
        number = isinstance(value, int | float) and not isinstance(value, bool)
        positive = number and math.isfinite(value) and (value >= 0 if name == "lock_wait" else value > 0)
        if not positive:
            what = "a number of seconds of at least 0" if name == "lock_wait" else "a positive number of seconds"
            raise ValidationError(
                f"{name} must be {what}{' or None (no limit)' if allowed_none else ''}, not {value!r}",
                where=where,
                fix=f"E.g. {name}=300.",
            )
    elif name in ("wait", "force_conflicts", "prune", "force_takeover", "follow_events"):
        if not isinstance(value, bool):
            raise ValidationError(f"{name} must be True or False, not {value!r}", where=where, fix="Pass a bool.")
    elif name == "on_failure":
        if value not in _ON_FAILURE:
            raise ValidationError(
                f"on_failure must be one of {', '.join(map(repr, _ON_FAILURE))}, not {value!r}",
                where=where,
                fix='Use on_failure="keep" (leave what was applied) or "rollback".',
            )
    elif name == "resource_timeouts" and value is not None:
        if not isinstance(value, Mapping):
            raise ValidationError(
                f"resource_timeouts must map resource ids to seconds, not {value!r}",
                where=where,
                fix='E.g. resource_timeouts={"db": 300}.',
            )
        for rid, seconds in value.items():
            if not isinstance(rid, str):
                raise ValidationError(f"resource_timeouts key {rid!r} is not a resource id", where=where)
            check_option("resource_timeout", seconds)
    elif name == "keep_live" and value is not None and not callable(value):
        raise ValidationError(f"keep_live must be a function or None, not {value!r}", where=where)
    elif name == "concurrency" and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise ValidationError(f"concurrency must be a whole number of at least 1, not {value!r}", where=where)
