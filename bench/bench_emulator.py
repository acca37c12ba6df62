"""Emulator throughput and latency: creates/s and gets/s over HTTP (lightkube) with 100 and with 10,000 existing
objects (ratio: the goal is within 2x), a label-selector list that matches 10 objects at both sizes, the in-process
ClusterAPI for comparison, and watch latency (create -> ADDED on an open watch, median and p95). Then listing
10,000 ConfigMaps over HTTP (goal: at most 3 us an object) and the memory each stored ConfigMap of about 0.7 KB takes
(goal: at most 2 KiB). Then the same creates with persistence (`state_file`: every create written to the journal
before it is answered, synced right behind; goal: at least 0.8x the creates/s without; also shown with
`state_fsync`, every create synced to disk before it is answered) and the restart time with 10,000 objects in the
state."""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import tempfile
import threading
import time
import tracemalloc
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from lightkube import Client
from lightkube.codecs import from_dict
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import ConfigMap, Namespace

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._controller import ClusterAPI
from pykro.emulator._simulation import SimulationRules

NS = "bench"
CREATES = 300  # per measurement (a round of the persistence comparison creates as many)
GETS = 500
LISTS = 100
WATCH_SAMPLES = 150


def configmap(name: str, labels: dict[str, str], ns: str = NS) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "data": {"key": "value"},
    }


def fill(cluster: LocalCluster, start: int, stop: int) -> float:
    """Create objects start..stop-1 through the in-process ClusterAPI; returns creates/s."""

    async def run(api: ClusterAPI) -> float:
        t0 = time.perf_counter()
        for i in range(start, stop):
            await api.create(configmap(f"fill-{i}", {"group": str(i % 100), "pick": "yes" if i < 10 else "no"}))
        return (stop - start) / (time.perf_counter() - t0)

    return cluster.run(run)


def http_creates(client: Client, tag: str) -> float:
    """HTTP creates/s, one at a time (each waits for its answer)."""
    t0 = time.perf_counter()
    for i in range(CREATES):
        client.create(from_dict(configmap(f"new-{tag}-{i}", {"group": "new"})))
    return CREATES / (time.perf_counter() - t0)


def measure(client: Client, existing: list[str], tag: str) -> dict[str, float]:
    """HTTP creates/s, gets/s and the median time of a selective list at the current size."""
    creates = http_creates(client, tag)
    rng = random.Random(0)
    names = [rng.choice(existing) for _ in range(GETS)]
    t0 = time.perf_counter()
    for name in names:
        client.get(ConfigMap, name, namespace=NS)
    gets = GETS / (time.perf_counter() - t0)
    times = []
    for _ in range(LISTS):
        t0 = time.perf_counter()
        found = list(client.list(ConfigMap, namespace=NS, labels={"pick": "yes"}))
        times.append(time.perf_counter() - t0)
        assert len(found) == 10, len(found)
    return {"creates": creates, "gets": gets, "list_ms": statistics.median(times) * 1000}


def watch_latency(cluster: LocalCluster, ns: str) -> tuple[float, float]:
    """Median and p95 milliseconds from sending a create to receiving its ADDED event on an open watch."""
    client = cluster.client()
    client.create(from_dict({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}))
    sent: dict[str, float] = {}
    received: dict[str, float] = {}
    started = threading.Event()

    def watch() -> None:
        watcher = cluster.client()
        for i, (kind, cm) in enumerate(watcher.watch(ConfigMap, namespace=ns, resource_version="0")):
            if i == 0:
                started.set()
            name = str(cm.metadata.name) if cm.metadata else ""
            if kind == "ADDED" and name.startswith("w-"):
                received[name] = time.perf_counter()
                if len(received) == WATCH_SAMPLES:
                    return

    client.create(from_dict(configmap("marker", {}, ns)))  # the watch's first event tells us it is open
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    started.wait()
    for i in range(WATCH_SAMPLES):
        name = f"w-{i}"
        sent[name] = time.perf_counter()
        client.create(from_dict(configmap(name, {}, ns)))
        time.sleep(0.002)
    thread.join()
    lat = sorted((received[n] - sent[n]) * 1000 for n in sent)
    return statistics.median(lat), lat[int(len(lat) * 0.95) - 1]


def simulated_rollouts(count: int) -> float:
    """Deployments (1 replica, zero simulated delay) driven to Available per second: ReplicaSet, Pod, statuses
    and Events included."""
    rules = SimulationRules(delays={}, default_delay_ms=0)
    with LocalCluster(rules=rules) as cluster:
        client = cluster.client()
        t0 = time.perf_counter()
        for i in range(count):
            labels = {"app": f"d{i}"}
            client.create(
                from_dict(
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "metadata": {"name": f"d{i}", "namespace": "default"},
                        "spec": {
                            "selector": {"matchLabels": labels},
                            "template": {
                                "metadata": {"labels": labels},
                                "spec": {"containers": [{"name": "c", "image": "i"}]},
                            },
                        },
                    }
                )
            )
        ready: set[str] = set()
        for _, dep in client.watch(Deployment, namespace="default"):
            conds = dep.status.conditions if dep.status and dep.status.conditions else []
            if any(c.type == "Available" and c.status == "True" for c in conds) and dep.metadata is not None:
                ready.add(str(dep.metadata.name))
                if len(ready) == count:
                    break
        return count / (time.perf_counter() - t0)


def _rss() -> int:
    """This process's resident memory in bytes (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _fetch(url: str, token: str | None = None) -> tuple[float, float, bytes]:
    """Seconds to receive the whole answer to a GET (urllib, a new connection), this process's CPU seconds meanwhile
    (server and client), and the answer."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    t0, c0 = time.perf_counter(), time.process_time()
    with urllib.request.urlopen(request) as response:
        body: bytes = response.read()
    return time.perf_counter() - t0, time.process_time() - c0, body


def _traced(make: Callable[[], Any]) -> tuple[int, Any]:
    """Bytes still allocated (tracemalloc, after a collection) once `make()` returned, and what it returned."""
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    kept = make()
    gc.collect()
    size = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    return size, kept


def listing_and_memory(count: int = 10_000) -> None:
    """The memory each stored ConfigMap of about 0.7 KB takes (resident memory growth, and tracemalloc over as many
    more) against the same objects held as Python dicts, and the time to list them all over HTTP against a bare
    aiohttp handler sending the same bytes from one prebuilt answer, on the same event loop (alternating)."""
    data = {f"key{i}": "v" * 60 for i in range(8)}
    sample = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-00000", "namespace": NS}, "data": data}
    with LocalCluster(simulate=False, tls=False) as cluster:
        more = f"{NS}-more"
        for space in (NS, more):
            cluster.client().create(Namespace(metadata={"name": space}))  # type: ignore[arg-type]

        def creates(space: str) -> None:
            async def run(api: ClusterAPI) -> None:
                for i in range(count):
                    await api.create({**sample, "metadata": {"name": f"cm-{i:05d}", "namespace": space}})

            cluster.run(run)

        gc.collect()
        before = _rss()
        creates(NS)
        gc.collect()
        per_object = (_rss() - before) / count
        # tracemalloc inflates resident memory, so it runs after that measurement, over as many more objects
        traced = _traced(lambda: creates(more))[0] / count
        url = f"{cluster.server}/api/v1/namespaces/{NS}/configmaps"
        body = _fetch(url, cluster.token)[2]
        items = json.loads(body)["items"]
        assert len(items) == count
        stored = items[0]
        encodings = [json.dumps(o, separators=(",", ":")).encode() for o in items]
        as_dicts = _traced(lambda: [json.loads(e) for e in encodings])[0] / count
        floor_body = (
            b'{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":['
            + b",".join(encodings)
            + b"]}"
        )

        async def start_floor(api: ClusterAPI) -> tuple[web.AppRunner, int]:
            async def answer(request: web.Request) -> web.Response:
                return web.Response(body=floor_body, content_type="application/json")

            app = web.Application()
            app.router.add_get("/list", answer)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

        runner, port = cluster.run(start_floor)
        fetch, cpu, floor, floor_cpu, parse = [], [], [], [], []
        for _ in range(7):
            seconds, used, body = _fetch(url, cluster.token)
            t1 = time.perf_counter()
            assert len(json.loads(body)["items"]) == count
            parse.append(time.perf_counter() - t1)
            fetch.append(seconds)
            cpu.append(used)
            seconds, used, _ = _fetch(f"http://127.0.0.1:{port}/list")
            floor.append(seconds)
            floor_cpu.append(used)

        async def stop_floor(api: ClusterAPI) -> None:
            await runner.cleanup()

        cluster.run(stop_floor)
    size = len(json.dumps(sample, separators=(",", ":")))
    us = statistics.median(fetch) / count * 1e6
    floor_us = statistics.median(floor) / count * 1e6
    cpu_us, floor_cpu_us = (statistics.median(c) / count * 1e6 for c in (cpu, floor_cpu))
    worst = max(per_object, traced)
    print(
        f"memory per stored ConfigMap ({size} bytes as JSON, stored as {len(encodings[0]):,} with its metadata, "
        f"{len(json.dumps(stored['metadata'].get('managedFields'), separators=(',', ':')))} of them managedFields): "
        f"{per_object:,.0f} bytes resident memory growth over {count:,}, {traced:,.0f} bytes traced (tracemalloc) "
        f"over {count:,} more ({worst / 2048:.2f}x the 2 KiB goal, {'meets' if worst <= 2048 else 'MISSES'} it); "
        f"the same objects as Python dicts: {as_dicts:,.0f} bytes each"
    )
    print(
        f"list {count:,} ConfigMaps over HTTP: {us:.1f} us an object to receive the whole answer "
        f"({len(body) / count:,.0f} bytes each; {us / 3:.2f}x the 3 us goal, {'meets' if us <= 3 else 'MISSES'} it; "
        f"{cpu_us:.1f} us of CPU, server and client); a bare aiohttp handler sending the same list prebuilt: "
        f"{floor_us:.1f} us ({floor_cpu_us:.1f} us of CPU; ratio {us / floor_us:.2f}x); "
        f"+{statistics.median(parse) / count * 1e6:.1f} us to parse it (json.loads); medians of 7 alternating"
    )


def persistent() -> None:
    """Creates/s at 10,000 objects with a state file against the same without one (alternating rounds on the
    emulators, so all see the same machine load), for the default journal and for `state_fsync`, and the restart
    time."""
    rounds: list[tuple[float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.json"
        with (
            LocalCluster(simulate=False, state_file=state) as durable,
            LocalCluster(simulate=False, state_file=Path(tmp) / "synced.json", state_fsync=True) as synced,
            LocalCluster(simulate=False) as plain,
        ):
            clients = []
            for cluster in (durable, synced, plain):
                client = cluster.client()
                client.create(Namespace(metadata={"name": NS}))  # type: ignore[arg-type]
                fill(cluster, 0, 10_000)
                clients.append(client)
            for n in range(5):
                rounds.append(
                    (
                        http_creates(clients[0], f"state{n}"),
                        http_creates(clients[1], f"synced{n}"),
                        http_creates(clients[2], f"plain{n}"),
                    )
                )
        t0 = time.perf_counter()
        with LocalCluster(simulate=False, state_file=state) as cluster:
            restart = time.perf_counter() - t0
            count = len(list(cluster.client().list(ConfigMap, namespace=NS)))
    without = statistics.median(r[2] for r in rounds)
    for label, index, goal in (("a state file", 0, True), ("a state file and state_fsync", 1, False)):
        rate = statistics.median(r[index] for r in rounds)
        ratio = statistics.median(r[index] / r[2] for r in rounds)
        verdict = ("; meets" if ratio >= 0.8 else "; MISSES") + " the 0.8x goal" if goal else ""
        print(
            f"HTTP creates/s at 10,000 objects with {label}: {rate:.1f}, without: {without:.1f} "
            f"(ratio {ratio:.2f}x, median of 5 alternating rounds{verdict})"
        )
    print(f"restart with {count:,} objects in the state file: {restart:.2f}s")


def main() -> None:
    t_start = time.perf_counter()
    with LocalCluster(simulate=False) as cluster:
        client = cluster.client()
        client.create(Namespace(metadata={"name": NS}))  # type: ignore[arg-type]
        inproc_small = fill(cluster, 0, 100)
        small = measure(client, [f"fill-{i}" for i in range(100)], "small")
        small_watch = watch_latency(cluster, "watch-small")
        inproc_large = fill(cluster, 100, 10_000)
        large = measure(client, [f"fill-{i}" for i in range(10_000)], "large")
        large_watch = watch_latency(cluster, "watch-large")

    print(f"{'':34}{'~100 objects':>14}{'~10,000 objects':>17}{'ratio':>8}")
    rows = [
        ("HTTP creates/s (lightkube)", small["creates"], large["creates"], small["creates"] / large["creates"]),
        ("HTTP gets/s (lightkube)", small["gets"], large["gets"], small["gets"] / large["gets"]),
        ("list, selector matching 10 (ms)", small["list_ms"], large["list_ms"], large["list_ms"] / small["list_ms"]),
        ("in-process ClusterAPI creates/s", inproc_small, inproc_large, inproc_small / inproc_large),
        ("watch latency median (ms)", small_watch[0], large_watch[0], large_watch[0] / small_watch[0]),
        ("watch latency p95 (ms)", small_watch[1], large_watch[1], large_watch[1] / small_watch[1]),
    ]
    for label, a, b, ratio in rows:
        print(f"{label:34}{a:14.1f}{b:17.1f}{ratio:7.2f}x")
    worst = max(r[3] for r in rows[:3])
    verdict = "within" if worst <= 2 else "OUTSIDE"
    print(f"slowdown from 100 to 10,000 objects: worst {worst:.2f}x ({verdict} the 2x goal)")
    print(f"HTTP overhead at 10,000 objects: in-process creates are {inproc_large / large['creates']:.1f}x faster")
    listing_and_memory()
    persistent()
    rollouts = simulated_rollouts(200)
    print(f"simulated Deployments created and driven to Available: {rollouts:.0f}/s (200, zero delay)")
    print(f"total bench time {time.perf_counter() - t_start:.1f}s")
