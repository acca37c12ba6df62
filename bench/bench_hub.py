"""Hubs: `Hub.plan` over 10,000 rows in SQLite (rows read, specs built and checked, instances listed from the
emulator; goal <= 1 s, ratio printed), and an unchanged resync of 1,000 tenants on the emulator in direct and kro
mode (writes counted from the emulator's request log — the goal is none — and time printed)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pykro import Spec, Status, composition
from pykro.deploy import DeployOptions
from pykro.emulator.cluster import LocalCluster
from pykro.hub import Hub
from pykro.simple import ConfigMap

PLAN_ROWS, PLAN_GOAL = 10_000, 1.0
TENANTS = 1_000
WRITES = frozenset({"create", "update", "patch", "apply", "delete", "deletecollection"})


class TenantSpec(Spec):
    name: str
    image: str
    replicas: int = 1


class TenantStatus(Status):
    ready: bool


@composition(api_version="bench.pykro.dev/v1", kind="BenchTenant")
def tenant(spec: TenantSpec) -> TenantStatus:
    ConfigMap(id="cfg", name=f"{spec.name}-cfg", data={"image": spec.image, "replicas": f"{spec.replicas}"})
    return TenantStatus(ready=True)


def _database(path: Path, rows: int) -> str:
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT PRIMARY KEY, is_active BOOLEAN, image TEXT, n INT)"))
        conn.execute(
            sa.text("INSERT INTO nodes VALUES (:u, 1, 'web:1', :n)"),
            [{"u": f"t{i:05d}", "n": 1 + i % 3} for i in range(rows)],
        )
    engine.dispose()
    return url


def _hub(url: str, cluster: LocalCluster, namespace: str, **kwargs: Any) -> Hub:
    hub = Hub(
        "bench",
        url,
        table="nodes",
        uid="node_id",
        active="is_active",
        namespace=namespace,
        kubeconfig=cluster.kubeconfig_path,
        concurrency=16,
        options=DeployOptions(timeout=120),
        **kwargs,
    )
    hub.form(tenant, spec=lambda row: {"name": row.node_id, "image": row.image, "replicas": row.n})
    return hub


def _plan(tmp: Path, cluster: LocalCluster) -> None:
    hub = _hub(_database(tmp / "plan.db", PLAN_ROWS), cluster, "bench-plan")
    hub.plan()  # warm: reflection, imports
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        report = hub.plan()
        best = min(best, time.perf_counter() - started)
    assert report.counts() == {"created": PLAN_ROWS}, report.counts()
    hub.close()
    print(
        f"plan of {PLAN_ROWS} rows (SQLite, emulator): {best:.3f} s, "
        f"{best / PLAN_GOAL:.2f}x the goal of {PLAN_GOAL:g} s, {best / PLAN_ROWS * 1e6:.0f} us per row"
    )


def _resync(tmp: Path, cluster: LocalCluster, mode: str) -> None:
    hub = _hub(_database(tmp / f"resync-{mode}.db", TENANTS), cluster, f"bench-{mode}", mode=mode)
    started = time.perf_counter()
    first = hub.sync()
    setup = time.perf_counter() - started
    assert first.ok and first.counts() == {"created": TENANTS}, first.render()[:2000]
    cluster.settle()
    mark = len(cluster.request_log())
    started = time.perf_counter()
    again = hub.sync()
    elapsed = time.perf_counter() - started
    writes = sum(1 for _, info, _ in cluster.request_log()[mark:] if info.verb in WRITES)
    assert again.counts() == {"unchanged": TENANTS}, again.counts()
    hub.close()
    print(
        f"unchanged resync of {TENANTS} tenants ({mode} mode): {elapsed:.3f} s, {writes} writes (goal 0); "
        f"the first sync created them in {setup:.1f} s"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, LocalCluster(kro=True) as cluster:
        _plan(Path(tmp), cluster)
        _resync(Path(tmp), cluster, "kro")
        _resync(Path(tmp), cluster, "direct")


if __name__ == "__main__":
    main()
