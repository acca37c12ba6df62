"""Progress of one direct-mode deploy: events stamped with the time since it started, and the cluster's v1
Events about the instance's objects (reported as they come, the last few kept per object for diagnoses)."""

from __future__ import annotations

import time
from typing import Any

from pykro.deploy._ledger import Ledger
from pykro.deploy._progress import ProgressEvent, Reporter

__all__ = ["RunReport"]


class RunReport:
    """Emits the progress of one deploy to ``reporter``; ``recent`` holds the last Events per object key."""

    def __init__(self, reporter: Reporter, ledger: Ledger) -> None:
        self.reporter = reporter
        self.ledger = ledger
        self.started = time.monotonic()
        self.recent: dict[str, list[str]] = {}

    def emit(self, type_: str, **fields: Any) -> None:
        self.reporter.emit(ProgressEvent(type_, elapsed=time.monotonic() - self.started, **fields))

    def on_event(self, kind: str, ev: dict[str, Any]) -> None:
        """A v1 Event of the namespace: reported and kept when it is about one of the instance's objects."""
        involved = ev.get("involvedObject") or ev.get("regarding") or {}
        ident = "/".join(
            (
                str(involved.get("apiVersion", "")),
                str(involved.get("kind", "")),
                str(involved.get("namespace", "") or ""),
                str(involved.get("name", "")),
            )
        )
        if ident not in self.ledger.touched and ident not in self.ledger.applied:
            return
        message = str(ev.get("message") or ev.get("note") or "")
        self.recent.setdefault(ident, []).append(f"{ev.get('type', 'Normal')} {ev.get('reason', '')}: {message}")
        del self.recent[ident][:-5]
        self.emit(
            "event",
            resource=self.ledger.touched.get(ident, ""),
            kind=str(involved.get("kind", "")),
            name=str(involved.get("name", "")),
            message=f"{ev.get('reason', '')}: {message}",
            event_type=str(ev.get("type") or "Normal"),
        )
