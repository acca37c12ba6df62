"""Progress of a deploy or delete: `ProgressEvent`s emitted by the engine and shown by a `Reporter` — a rich live
table on a TTY (resource, kind, state, waiting on, elapsed), plain lines otherwise, or one JSON object per line
(`--output json`). Warning events of the instance's objects are always shown; normal ones in JSON and verbose."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import IO, Any, Protocol

from pykro.errors import terminal_safe

__all__ = [
    "JsonReporter",
    "NullReporter",
    "PlainReporter",
    "ProgressEvent",
    "RedactingReporter",
    "Reporter",
    "RichReporter",
    "reporter_for",
]


@dataclass
class ProgressEvent:
    """One thing that happened. ``type``: start, state, apply, event, retry, prune, delete, rollback, lock,
    takeover, switch, done, failed."""

    type: str
    resource: str = ""
    kind: str = ""
    name: str = ""
    state: str = ""
    waiting_on: str = ""
    message: str = ""
    event_type: str = ""
    elapsed: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items() if v not in ("", {}, None)}
        data["elapsed"] = round(self.elapsed, 3)
        return json.dumps(data, sort_keys=True)


class Reporter(Protocol):
    def emit(self, event: ProgressEvent) -> None: ...

    def close(self) -> None: ...


class NullReporter:
    """Shows nothing (the library default); keeps every event for inspection."""

    def __init__(self) -> None:
        self.events: list[ProgressEvent] = []

    def emit(self, event: ProgressEvent) -> None:
        self.events.append(event)

    def close(self) -> None:
        return None


class RedactingReporter:
    """Passes events on with every known secret value masked in their text (see `pykro.graph._secrets`); other
    attributes (e.g. a NullReporter's ``events``) are the wrapped reporter's."""

    def __init__(self, inner: Reporter, redactor: Any) -> None:
        self.inner = inner
        self.redactor = redactor

    def emit(self, event: ProgressEvent) -> None:
        text = self.redactor.text
        for name in ("name", "waiting_on", "message"):
            setattr(event, name, text(getattr(event, name)))
        if event.extra:
            event.extra = json.loads(text(json.dumps(event.extra)))
        self.inner.emit(event)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class JsonReporter:
    """One JSON object per line, flushed at once (for CI systems)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout

    def emit(self, event: ProgressEvent) -> None:
        self.stream.write(event.to_json() + "\n")
        self.stream.flush()

    def close(self) -> None:
        return None


def _line(event: ProgressEvent) -> str | None:
    stamp = f"{event.elapsed:7.2f}s"
    if event.type == "event":
        return f"{stamp}  {event.event_type.lower():7} {event.kind}/{event.name}: {event.message}"
    if event.type == "state":
        what = f"{event.resource:<16} {event.kind}/{event.name}" if event.name else f"{event.resource:<16} {event.kind}"
        detail = f" ({event.waiting_on})" if event.waiting_on else ""
        return f"{stamp}  {what}  {event.state}{detail}"
    listed = ("start", "done", "failed", "prune", "delete", "retry", "apply", "rollback", "lock", "takeover", "switch")
    if event.type in listed:
        target = f" {event.kind}/{event.name}" if event.name else ""
        return f"{stamp}  {event.type}{target}: {event.message}" if event.message else f"{stamp}  {event.type}{target}"
    return None


class PlainReporter:
    """Plain lines (no colour, no cursor movement): state changes, warnings, start and end."""

    def __init__(self, stream: IO[str] | None = None, *, verbose: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.verbose = verbose

    def emit(self, event: ProgressEvent) -> None:
        if event.type == "event" and event.event_type != "Warning" and not self.verbose:
            return
        if event.type in ("apply", "retry") and not self.verbose:
            return
        text = _line(event)
        if text is not None:
            self.stream.write(terminal_safe(text) + "\n")
            self.stream.flush()

    def close(self) -> None:
        return None


class RichReporter:
    """A live table of resources on a TTY (elapsed: when a settled row got its state, else the time so far);
    warnings (and, verbose, all events) printed above it."""

    def __init__(self, *, verbose: bool = False) -> None:
        from rich.console import Console
        from rich.live import Live

        self.console = Console(stderr=True, markup=False, emoji=False, highlight=False)
        self.verbose = verbose
        self.rows: dict[str, ProgressEvent] = {}
        self.started = time.monotonic()
        self.title = ""
        self.live = Live(self._table(), console=self.console, refresh_per_second=8, transient=False)
        self.live.start()

    def _table(self) -> Any:
        from rich.table import Table
        from rich.text import Text

        table = Table(title=self.title or None, expand=False)
        for column in ("resource", "kind", "name", "state", "waiting on", "elapsed"):
            table.add_column(column)
        running = time.monotonic() - self.started
        colours = {"ready": "green", "failed": "red", "skipped": "dim", "pruned": "dim", "deleted": "dim"}
        for rid, ev in self.rows.items():
            colour = colours.get(ev.state, "yellow")
            settled = ev.state in colours or self.title.startswith(("done", "failed"))
            table.add_row(
                *(terminal_safe(x) for x in (rid, ev.kind, ev.name)), Text(ev.state, style=colour),
                terminal_safe(ev.waiting_on),
                f"{ev.elapsed if settled else running:.1f}s",
            )  # fmt: skip
        return table

    def emit(self, event: ProgressEvent) -> None:
        if event.type == "state" and event.resource:
            self.rows[event.resource] = event
        elif event.type == "event" and (event.event_type == "Warning" or self.verbose):
            from rich.text import Text

            colour = "yellow" if event.event_type == "Warning" else "dim"
            line = terminal_safe(f" {event.kind}/{event.name}: {event.message}")
            self.live.console.print(Text.assemble((event.event_type, colour), line))
        elif event.type in ("start", "done", "failed"):
            self.title = terminal_safe(f"{event.type}: {event.message}")
        self.live.update(self._table())

    def close(self) -> None:
        self.live.update(self._table())
        self.live.stop()


def reporter_for(output: str, *, verbose: bool = False, stream: IO[str] | None = None) -> Reporter:
    """``json`` -> JsonReporter; ``text`` -> RichReporter on a TTY, else PlainReporter."""
    if output == "json":
        return JsonReporter(stream or sys.stdout)
    err = stream or sys.stderr
    if err.isatty():
        return RichReporter(verbose=verbose)
    return PlainReporter(err, verbose=verbose)
