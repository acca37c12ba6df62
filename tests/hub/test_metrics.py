"""`pykro hub run --metrics-port`: the hub's Prometheus metrics over HTTP, in the text exposition format, from real
syncs against the emulator."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from types import ModuleType
from typing import Any

import pytest

from pykro.hub._metrics import Metrics

SAMPLE = re.compile(r'^([a-z_]+)\{((?:[a-z_]+="(?:[^"\\]|\\.)*",?)*)\} (-?[0-9.e+]+)$')


def scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as answer:
        assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = answer.read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("# "):
            assert re.match(r"^# (HELP|TYPE) pykro_hub_[a-z_]+ .+$", line), line
            continue
        found = SAMPLE.match(line)
        assert found, line
        labels = frozenset(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', found.group(2)))
        out[(found.group(1), labels)] = float(found.group(3))
    return out


def test_metrics_of_real_syncs(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(*[(u, True, "img:1", 1) for u in "abcdefg"])
    hub = make.hub(db)
    hub.form(comps.app, spec=lambda row: {"name": row.node_id, "image": row.image})
    metrics = Metrics()
    server = metrics.serve(0, "127.0.0.1")
    port = server.server_address[1]
    try:
        metrics.record(hub.sync(), 0.25)
        db.run("DELETE FROM {t}")
        stopped = hub.sync()
        assert stopped.error is not None
        metrics.record(stopped, stopped.seconds)
        got = scrape(port)
        hub_label = frozenset({("hub", "tenants")})
        assert got[("pykro_hub_syncs_total", hub_label)] == 2
        assert got[("pykro_hub_sync_errors_total", hub_label)] == 1
        created = frozenset({("hub", "tenants"), ("form", "app"), ("action", "created")})
        assert got[("pykro_hub_outcomes_total", created)] == 7
        assert got[("pykro_hub_instances", created)] == 0  # the last sync created nothing
        kept = frozenset({("hub", "tenants"), ("form", "app"), ("action", "kept")})
        assert got[("pykro_hub_instances", kept)] == 7
        assert got[("pykro_hub_rows", hub_label)] == 0
        assert got[("pykro_hub_last_sync_seconds", hub_label)] == pytest.approx(stopped.seconds)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/other")
    finally:
        server.shutdown()
        server.server_close()
        hub.close()
