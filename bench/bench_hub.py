"""Hubs: `Hub.plan` over 10,000 rows in SQLite (rows read, specs built and checked, instances listed from the
emulator; goal <= 1 s, ratio printed); a first sync of 1,000 new tenants to the emulator in direct and kro mode
(tenants/s and requests per tenant from the emulator's request log) against Lynq's published model as the
baseline — sequential applies, one apply per object, one tenant after the other, by a simple client on the same
kind of emulator in the same run (in direct mode a fresh one: no watches left over from the hub's sync); and an
unchanged resync of those tenants (writes counted — the goal is none — and time printed).
``python -m bench.bench_hub --tenants 200`` runs a smaller size."""

from __future__ import annotations

import argparse
import asyncio
import collections
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pykro import Spec, Status, composition
from pykro.deploy import DeployOptions
from pykro.deploy._api import CONFIGMAP_TYPE, NAMESPACE_TYPE, Cluster
from pykro.emulator._cluster import LocalCluster
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


def _counts(log: list[Any]) -> tuple[int, int, str]:
    """Requests, writes, and the most frequent requests (verb resource: count) of a stretch of the request log."""
    kinds = collections.Counter(f"{info.verb} {info.resource}" for _, info, _ in log)
    writes = sum(n for k, n in kinds.items() if k.split()[0] in WRITES)
    return sum(kinds.values()), writes, ", ".join(f"{k} {n}" for k, n in kinds.most_common(8))


async def _sequential(cluster: LocalCluster, namespace: str, objects: list[dict[str, Any]]) -> float:
    """Lynq's model: one server-side apply per object, one after the other, on one connection; seconds taken."""
    async with Cluster(kubeconfig=cluster.kubeconfig_path, namespace=namespace) as api:
        await api.apply(NAMESPACE_TYPE, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        types = {}
        started = time.perf_counter()
        for obj in objects:
            key = (obj["apiVersion"], obj["kind"])
            rt = types.get(key) or await api.resolve(*key)
            types[key] = rt
            await api.apply(rt, {**obj, "metadata": {**obj["metadata"], "namespace": namespace}})
        return time.perf_counter() - started


def _watchers(cluster: LocalCluster) -> int:
    """Watches registered in the emulator (one is its simulator's own; a watch whose client hung up is gone)."""

    async def count(api: Any) -> int:
        return cluster.engine.store.watch_count()

    return int(cluster.run(count))


def _baseline_objects(mode: str, tenants: int) -> list[dict[str, Any]]:
    """What the hub writes per tenant, as plain objects: its ConfigMap (direct) or its instance CR (kro)."""
    if mode == "kro":
        graph = tenant.graph  # type: ignore[attr-defined]
        return [
            {
                "apiVersion": graph.instance_api_version,
                "kind": graph.kind,
                "metadata": {"name": f"t{i:05d}"},
                "spec": {"name": f"t{i:05d}", "image": "web:1", "replicas": 1 + i % 3},
            }
            for i in range(tenants)
        ]
    return [
        {
            "apiVersion": CONFIGMAP_TYPE.api_version,
            "kind": "ConfigMap",
            "metadata": {"name": f"t{i:05d}-cfg"},
            "data": {"image": "web:1", "replicas": f"{1 + i % 3}"},
        }
        for i in range(tenants)
    ]


def _tenants(tmp: Path, cluster: LocalCluster, mode: str, tenants: int) -> None:
    hub = _hub(_database(tmp / f"tenants-{mode}.db", tenants), cluster, f"bench-{mode}", mode=mode)
    hub.plan()  # warm: reflection, imports, the RGD in kro mode is not written by a plan
    mark = len(cluster.request_log())
    started = time.perf_counter()
    first = hub.sync()
    elapsed = time.perf_counter() - started
    assert first.ok and first.counts() == {"created": tenants}, first.render()[:2000]
    requests, writes, top = _counts(cluster.request_log()[mark:])
    cluster.settle()
    if mode == "direct":  # a fresh emulator: without the watches the hub's sync left behind
        with LocalCluster() as fresh:
            base = asyncio.run(_sequential(fresh, f"bench-seq-{mode}", _baseline_objects(mode, tenants)))
    else:  # the instance kind is served here (no watches are left: kro mode does not watch)
        base = asyncio.run(_sequential(cluster, f"bench-seq-{mode}", _baseline_objects(mode, tenants)))
        cluster.settle()
    rate, base_rate = tenants / elapsed, tenants / base
    print(
        f"{tenants} new tenants ({mode} mode): {elapsed:.2f} s, {rate:.1f} tenants/s, "
        f"{requests / tenants:.1f} requests and {writes / tenants:.1f} writes per tenant"
        + (" (waits for every tenant ready)" if mode == "direct" else " (kro reconciles them afterwards)")
    )
    print(f"  requests: {top}")
    print(f"  watches the emulator still serves after the sync: {_watchers(cluster)}")
    print(
        f"  Lynq's model (sequential applies, one per object, same emulator): {base:.2f} s, {base_rate:.1f} tenants/s;"
        f" pykro {rate / base_rate:.2f}x its rate"
    )
    mark = len(cluster.request_log())
    started = time.perf_counter()
    again = hub.sync()
    elapsed = time.perf_counter() - started
    _, writes, _ = _counts(cluster.request_log()[mark:])
    assert again.counts() == {"unchanged": tenants}, again.counts()
    hub.close()
    print(f"  unchanged resync of {tenants} tenants ({mode} mode): {elapsed:.3f} s, {writes} writes (goal 0)")


def main(tenants: int = TENANTS) -> None:
    """Each part on its own emulator (in this process), so that one part's objects (kro's reconciling of the
    instance CRs) do not slow the next."""
    with tempfile.TemporaryDirectory() as tmp:
        with LocalCluster() as cluster:
            _plan(Path(tmp), cluster)
        with LocalCluster() as cluster:
            _tenants(Path(tmp), cluster, "direct", tenants)
        with LocalCluster(kro=True) as cluster:
            _tenants(Path(tmp), cluster, "kro", tenants)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=TENANTS, help="tenants synced (default 1,000)")
    main(parser.parse_args().tenants)
