"""Deploys leave no watch behind in the emulator: each deploy's readiness watches end with it, so deploying many
instances one after the other (a hub's direct-mode sync) does not pile up dead watches that every write pays for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import eventually

from pykro.emulator._cluster import LocalCluster
from pykro.graph import Graph

WEBAPP = Graph.from_file(str(Path(__file__).resolve().parents[2] / "examples" / "rgd" / "webapp.yaml"))


def _watchers(cluster: LocalCluster) -> int:
    async def count(api: Any) -> int:
        return int(cluster.engine.store.watch_count())

    return cluster.run(count)


def test_deploys_one_after_the_other_leave_no_watch(kit: Any) -> None:
    baseline = _watchers(kit.cluster)
    mark = kit.mark()
    for i in range(4):
        instance = kit.direct(WEBAPP, kit.unique()).deploy({"name": f"app{i}", "replicas": 1})
        assert instance.state == "ACTIVE"
        eventually(lambda: _watchers(kit.cluster) == baseline, f"deploy {i}'s watches ended")
    watches = [info for _, info, _ in kit.cluster.request_log()[mark:] if info.verb == "watch"]
    assert len(watches) >= 4, "the deploys did not watch: this test would prove nothing"
