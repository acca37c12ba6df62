"""Prometheus metrics of a running hub (``pykro hub run --metrics-port``), in the text exposition format (0.0.4)
at ``/metrics``:

* ``pykro_hub_syncs_total{hub}`` and ``pykro_hub_sync_errors_total{hub}`` (syncs that stopped: an unreadable
  database, the mass-deletion guard, …), counters;
* ``pykro_hub_outcomes_total{hub,form,action}``, counter of instance outcomes (created, updated, failed, …);
* ``pykro_hub_instances{hub,form,action}``, the last sync's outcomes, gauge;
* ``pykro_hub_rows{hub}``, ``pykro_hub_active_rows{hub}``, ``pykro_hub_last_sync_seconds{hub}`` (duration) and
  ``pykro_hub_last_sync_timestamp_seconds{hub}``, gauges."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pykro.hub._model import SyncReport

__all__ = ["Metrics"]

_HELP = {
    "pykro_hub_syncs_total": ("counter", "Syncs run."),
    "pykro_hub_sync_errors_total": ("counter", "Syncs that stopped before finishing (nothing or part changed)."),
    "pykro_hub_outcomes_total": ("counter", "Instance outcomes of every sync, by form and action."),
    "pykro_hub_instances": ("gauge", "Instance outcomes of the last sync, by form and action."),
    "pykro_hub_rows": ("gauge", "Rows read by the last sync."),
    "pykro_hub_active_rows": ("gauge", "Active rows read by the last sync."),
    "pykro_hub_last_sync_seconds": ("gauge", "How long the last sync took."),
    "pykro_hub_last_sync_timestamp_seconds": ("gauge", "When the last sync ended (Unix time)."),
}


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    """The metrics of the hubs of one process; `record` each sync's report, `render` the text format."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, dict[tuple[tuple[str, str], ...], float]] = {name: {} for name in _HELP}

    def _set(self, name: str, labels: dict[str, str], value: float, *, add: bool = False) -> None:
        key = tuple(sorted(labels.items()))
        series = self._values[name]
        series[key] = series.get(key, 0.0) + value if add else value

    def record(self, report: SyncReport, seconds: float) -> None:
        hub = {"hub": report.hub}
        with self._lock:
            self._set("pykro_hub_syncs_total", hub, 1, add=True)
            self._set("pykro_hub_sync_errors_total", hub, 1 if report.error else 0, add=True)
            last = self._values["pykro_hub_instances"]
            for key in [k for k in last if ("hub", report.hub) in k]:
                last[key] = 0.0
            counts: dict[tuple[str, str], int] = {}
            for o in report.outcomes:
                counts[(o.form, o.action)] = counts.get((o.form, o.action), 0) + 1
            for (form, action), n in counts.items():
                labels = {**hub, "form": form, "action": action}
                self._set("pykro_hub_outcomes_total", labels, n, add=True)
                self._set("pykro_hub_instances", labels, n)
            self._set("pykro_hub_rows", hub, report.rows)
            self._set("pykro_hub_active_rows", hub, report.active)
            self._set("pykro_hub_last_sync_seconds", hub, seconds)
            self._set("pykro_hub_last_sync_timestamp_seconds", hub, time.time())

    def render(self) -> str:
        lines: list[str] = []
        with self._lock:
            for name, (kind, text) in _HELP.items():
                lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
                for key, value in sorted(self._values[name].items()):
                    labels = ",".join(f'{k}="{_label(v)}"' for k, v in key)
                    lines.append(f"{name}{{{labels}}} {float(value)!r}")
        return "\n".join(lines) + "\n"

    def serve(self, port: int, host: str = "0.0.0.0") -> ThreadingHTTPServer:
        """Serve ``/metrics`` on ``port`` in a daemon thread; the server (``shutdown()`` stops it)."""
        metrics = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404)
                    return
                body = metrics.render().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True, name="pykro-hub-metrics").start()
        return server
