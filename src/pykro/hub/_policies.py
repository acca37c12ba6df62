"""A form's policies, checked and spelt one way: creation (``once`` | ``when_needed``), deletion (``Delete`` |
``Retain``), conflict (``stuck`` | ``force``: server-side apply with ``force``), ``ignore_fields`` (resource id →
JSONPaths kept from the live object, `pykro.hub._jsonpath`), ``resource_timeout`` (seconds each resource of an
instance may take to get ready) and ``timeouts`` (resource id → its own limit, seconds or a duration such as
``"5m"``). Lynq's spellings (``Once``, ``WhenNeeded``, ``Stuck``, ``Force``, …) are
accepted too."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pykro.errors import PykroError
from pykro.graph import Graph
from pykro.graph._naming import did_you_mean
from pykro.hub import _jsonpath as jsonpath

__all__ = ["Policies", "check_policies", "duration"]

_CREATION = {"once": "once", "whenneeded": "when_needed"}
_DELETION = {"delete": "Delete", "retain": "Retain"}
_CONFLICT = {"stuck": "stuck", "force": "force"}

_DURATION = re.compile(r"^(\d+)(s|m|h)\Z")

Paths = dict[str, tuple[tuple[jsonpath.Segment, ...], ...]]


@dataclass
class Policies:
    creation: str = "when_needed"
    deletion: str = "Delete"
    conflict: str = "stuck"
    ignore_fields: Paths = field(default_factory=dict)
    resource_timeout: float | None = None
    timeouts: dict[str, float] = field(default_factory=dict)

    def deploy_changes(self) -> dict[str, Any]:
        """The `DeployOptions` changes these policies make (direct mode)."""
        return {
            "force_conflicts": self.conflict == "force",
            "resource_timeout": self.resource_timeout,
            "resource_timeouts": dict(self.timeouts) or None,
            "keep_live": self.keeper(),
        }

    def keeper(self) -> Callable[[str, dict[str, Any], dict[str, Any]], dict[str, Any]] | None:
        """The ``keep_live`` hook of `DeployOptions` for ``ignore_fields`` (None without)."""
        paths = self.ignore_fields
        if not paths:
            return None

        def keep(rid: str, desired: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
            return jsonpath.keep_live(desired, live, paths[rid]) if rid in paths else desired

        return keep


def duration(value: Any, what: str, *, numbers: bool = True) -> float:
    """Seconds of a Lynq-style duration (``30s``, ``5m``, ``2h``) or, with ``numbers``, a positive number of
    seconds; ``what`` names the value in the error."""
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        if value > 0 and value == value and value != float("inf"):
            return float(value)
    elif isinstance(value, str) and (found := _DURATION.match(value.strip())) and int(found.group(1)) > 0:
        return float(int(found.group(1)) * {"s": 1, "m": 60, "h": 3600}[found.group(2)])
    fix = "Write a positive number of seconds, or 30s, 5m, 2h." if numbers else "Write a number and s, m or h: 30s."
    raise PykroError(f"{what}={value!r} is not a duration", fix=fix)


def _word(value: Any, table: Mapping[str, str]) -> str | None:
    if not isinstance(value, str):
        return None
    return table.get(value.replace("-", "").replace("_", "").lower())


def check_policies(
    graph: Graph,
    *,
    creation: Any,
    deletion: Any,
    conflict: Any,
    ignore_fields: Any,
    resource_timeout: Any,
    timeouts: Any = None,
) -> tuple[Policies, list[tuple[str, str]]]:
    """The policies spelt one way, and the problems found (what, fix)."""
    problems: list[tuple[str, str]] = []
    out = Policies()
    for name, value, table, fix in (
        ("creation", creation, _CREATION, 'Use "once" or "when_needed".'),
        ("deletion", deletion, _DELETION, "Use Delete or Retain."),
        ("conflict", conflict, _CONFLICT, 'Use "stuck" (stop at a conflict) or "force" (take the fields over).'),
    ):
        word = _word(value, table)
        if word is None:
            problems.append((f"{name}={value!r} is not a {name} policy", fix))
        else:
            setattr(out, name, word)
    if resource_timeout is not None and (
        not isinstance(resource_timeout, int | float) or isinstance(resource_timeout, bool) or resource_timeout <= 0
    ):
        problems.append((f"resource_timeout={resource_timeout!r} is not a positive number of seconds", "E.g. 300."))
    else:
        out.resource_timeout = None if resource_timeout is None else float(resource_timeout)
    ids = {r.id for r in graph.resources if not r.is_external}
    _check_timeouts(out, problems, ids, graph.name, timeouts)
    if not isinstance(ignore_fields, Mapping):
        problems.append(
            ("ignore_fields must map resource ids to JSONPaths", 'E.g. ignore_fields={"web": ["$.spec.replicas"]}.')
        )
        return out, problems
    for rid, paths in ignore_fields.items():
        if rid not in ids:
            problems.append(
                (
                    f"ignore_fields names resource {rid!r}, which {graph.name} does not create",
                    f"Use one of its resource ids: {', '.join(sorted(ids))}.",
                )
            )
            continue
        if isinstance(paths, str) or not all(isinstance(p, str) for p in paths):
            problems.append((f"ignore_fields[{rid!r}] must be a list of JSONPaths", 'E.g. ["$.spec.replicas"].'))
            continue
        try:
            out.ignore_fields[rid] = tuple(jsonpath.parse(p, f"ignore_fields[{rid!r}]") for p in paths)
        except PykroError as exc:
            problems.append((exc.what, exc.fix or "Write e.g. $.spec.replicas."))
    return out, problems


def _check_timeouts(
    out: Policies, problems: list[tuple[str, str]], ids: set[str], composition: str, timeouts: Any
) -> None:
    """``timeouts`` (resource id → seconds or duration) into ``out.timeouts``; each wrong entry a problem."""
    if timeouts is None:
        return
    if not isinstance(timeouts, Mapping):
        problems.append(("timeouts must map resource ids to durations", 'E.g. timeouts={"db": "5m", "app": 120}.'))
        return
    for rid, value in timeouts.items():
        if rid not in ids:
            hint = did_you_mean(str(rid), ids).strip()
            problems.append(
                (
                    f"timeouts names resource {rid!r}, which {composition} does not create",
                    hint or f"Use one of its resource ids: {', '.join(sorted(ids))}.",
                )
            )
            continue
        try:
            out.timeouts[rid] = duration(value, f"timeouts[{rid!r}]")
        except PykroError as exc:
            problems.append((exc.what, exc.fix or ""))
