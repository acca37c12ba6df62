"""The hub's vocabulary: the marks it puts on the records it manages, a `Form` (one composition deployed per row),
what a sync did to each instance (`Outcome`, `SyncReport`) and the plan's parts (`Want`, `Have`, `Step`)."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from pykro import _yamlio as yamlio
from pykro.deploy import DirectFactory
from pykro.deploy import _inventory as inv
from pykro.hub._policies import Policies, duration
from pykro.hub._source import Row

__all__ = [
    "HUB",
    "HUB_FORM",
    "HUB_HASH",
    "HUB_ROW",
    "Form",
    "Have",
    "Outcome",
    "Step",
    "SyncReport",
    "Want",
    "active_flag",
    "caller",
    "parse_interval",
    "spec_hash",
]

DeletionPolicy = Literal["Delete", "Retain"]
Delete: Final[DeletionPolicy] = "Delete"
Retain: Final[DeletionPolicy] = "Retain"
Creation = Literal["when_needed", "once"]

HUB: Final = inv.PREFIX + "hub"
HUB_FORM: Final = inv.PREFIX + "hub-form"
HUB_ROW: Final = inv.PREFIX + "hub-row"
HUB_HASH: Final = inv.PREFIX + "hub-spec-hash"
HUB_SINCE: Final = inv.PREFIX + "hub-since"  # when the instance's state last changed (RFC 3339, UTC)
HUB_ERROR: Final = inv.PREFIX + "hub-error"  # why its last deploy failed (absent after a success)
ERROR_MAX: Final = 2000  # characters of an error kept in the record
FIELD_MANAGER: Final = "pykro-hub"

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z")
_TRUE = frozenset({"1", "true", "yes"})
_FALSE = frozenset({"0", "false", "no", ""})

# What happened to one instance (past tense; a dry run reports what would happen with the same words).
Action = Literal["created", "updated", "unchanged", "deleted", "retained", "failed", "blocked", "kept"]


def parse_interval(text: str) -> float:
    """Seconds of a Lynq-style duration (``30s``, ``1m``, ``2h``)."""
    return duration(text, "sync_every", numbers=False)


def caller() -> str:
    """``file:line`` of the user's call into the hub."""
    frame = sys._getframe(2)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def active_flag(value: Any) -> bool | None:
    """The activation column's value as a flag (Lynq's truthy values; NULL is inactive); None when unreadable."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return {1: True, 0: False}.get(value)
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


@dataclass
class Outcome:
    """What a sync did (or, in a dry run, would do) to one instance of one form for one row."""

    form: str
    uid: str | None
    instance: str | None
    action: Action
    message: str = ""


@dataclass
class SyncReport:
    """The result of one sync: an outcome per row × form, and the error that stopped the sync (if any)."""

    hub: str
    dry_run: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    error: str | None = None
    rows: int = 0
    active: int = 0
    incremental: bool = False
    seconds: float = 0.0

    def add(self, form: str, uid: str | None, instance: str | None, action: Action, message: str = "") -> None:
        """Record one outcome."""
        self.outcomes.append(Outcome(form, uid, instance, action, message))

    @property
    def ok(self) -> bool:
        return self.error is None and not any(o.action in ("failed", "blocked") for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.outcomes:
            out[o.action] = out.get(o.action, 0) + 1
        return out

    def of(self, form: str, uid: str) -> Outcome | None:
        """The outcome of ``form``'s instance for row ``uid``."""
        return next((o for o in self.outcomes if o.form == form and o.uid == uid), None)

    def render(self, *, changes_only: bool = False) -> str:
        """A plain-text table (user text printed verbatim); an error that stopped the sync before it planned
        anything (the database or the cluster could not be read) is printed alone."""
        if self.error and not self.outcomes:
            return f"error: {self.error}\n"
        head = (
            f"hub {self.hub}: {self.rows} rows, {self.active} active"
            + (" (dry run: nothing written)" if self.dry_run else "")
            + (" (incremental: the rows changed since the last sync)" if self.incremental else "")
        )
        lines = [head] + ([f"error: {self.error}"] if self.error else [])
        for o in self.outcomes:
            if changes_only and o.action == "unchanged":
                continue
            what = (
                f"would be {o.action}"
                if self.dry_run and o.action in ("created", "updated", "deleted", "retained")
                else o.action
            )
            lines.append(
                f"  {o.form:<16} {o.uid or '-':<24} {o.instance or '-':<24} {what}"
                + (f": {o.message}" if o.message else "")
            )
        summary = ", ".join(f"{n} {a}" for a, n in sorted(self.counts().items()))
        lines.append(f"  {summary or 'nothing to do'}")
        return "\n".join(lines) + "\n"


@dataclass
class Form:
    """One composition deployed once per active row; made by `Hub.form`."""

    name: str
    factory: DirectFactory
    spec: Callable[[Row], Any]
    instance_name: str
    depends_on: tuple[str, ...]
    deletion: DeletionPolicy
    creation: Creation
    max_skew: int | None
    timeout: float | None
    where: str
    source: Any = None
    policies: Policies = field(default_factory=Policies)
    split: Any = None  # kro mode: a `pykro.hub._split.Split` when the hub applies part of the form itself
    renderer: Any = None  # a `pykro.hub._rendered.Renderer`: checks what the composition computes from a row

    @property
    def kind(self) -> str:
        return self.factory.graph.kind

    @property
    def kro_graph(self) -> Any:
        """The graph whose RGD kro reconciles in kro mode (the form's, without its hub part when split)."""
        return self.factory.graph if self.split is None else self.split.graph

    def digest(self) -> str:
        """A hash of the composition (a changed composition updates every instance)."""
        return hashlib.sha256(yamlio.dump(self.factory.graph.to_rgd()).encode()).hexdigest()[:16]

    def kro_digest(self) -> str:
        """A hash of the RGD kro reconciles in kro mode."""
        return hashlib.sha256(yamlio.dump(self.kro_graph.to_rgd()).encode()).hexdigest()[:16]


@dataclass
class Want:
    uid: str
    spec: dict[str, Any]
    hash: str


@dataclass
class Have:
    name: str
    uid: str | None
    hash: str
    state: str
    hub: str | None
    form: str | None
    since: str = ""
    error: str = ""
    stale: str = ""  # why the instance is deployed again although its hash matches (kro mode: its hub part)


@dataclass
class Step:
    form: Form
    uid: str
    name: str
    action: Action
    want: Want | None = None
    old_state: str = ""
    note: str = ""


def spec_hash(spec: dict[str, Any], digest: str) -> str:
    text = json.dumps({"spec": spec, "composition": digest}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


MISSING: Final = object()
