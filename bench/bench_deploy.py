"""Direct-mode deploy: a 40-resource graph of depth 4 (10 Deployments per level, each reading one of the level
above) on the emulator (its own process) with per-request latency L and readiness delay R. Total time against the
critical-path lower bound — 4 x one Deployment applied-and-ready as this emulator serves it (the nominal
4 x (L + R) is shown too) — goal <= 1.25x, and against a serial apply-then-wait baseline in the same run."""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pykro import _yamlio as yamlio
from pykro.deploy import DeployOptions, DirectFactory, NullReporter
from pykro.deploy._api import NAMESPACE_TYPE, Cluster
from pykro.deploy._live import LiveSet
from pykro.deploy._readiness import assess
from pykro.deploy.local import healthy
from pykro.graph import Graph
from pykro.runtime import expand, identity, prepare_instance

LEVELS, WIDTH = 4, 10
LATENCY_MS, READY_MS = 5, 500
REPEAT = 3


def graph() -> Graph:
    resources: list[dict[str, Any]] = []
    for level in range(LEVELS):
        for i in range(WIDTH):
            env = [{"name": "UP", "value": "${l" + str(level - 1) + "n" + str(i) + ".metadata.name}"}] if level else []
            resources.append(
                {
                    "id": f"l{level}n{i}",
                    "template": {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "metadata": {"name": "${schema.spec.name}-" + f"{level}-{i}"},
                        "spec": {
                            "replicas": 1,
                            "selector": {"matchLabels": {"app": f"l{level}n{i}"}},
                            "template": {
                                "metadata": {"labels": {"app": f"l{level}n{i}"}},
                                "spec": {"containers": [{"name": "c", "image": "nginx", "env": env}]},
                            },
                        },
                    },
                }
            )
    return Graph.from_rgd(
        {
            "apiVersion": "kro.run/v1alpha1",
            "kind": "ResourceGraphDefinition",
            "metadata": {"name": "bench"},
            "spec": {
                "schema": {"apiVersion": "v1alpha1", "kind": "Bench", "spec": {"name": "string"}},
                "resources": resources,
            },
        }
    )


async def serial(kubeconfig: Path, g: Graph, ns: str, ids: list[str] | None = None) -> None:
    """The baseline: in topological order, apply one resource and wait (watch) until it is ready, then the next."""
    async with Cluster(kubeconfig=kubeconfig, namespace=ns) as api:
        cr = {"apiVersion": g.instance_api_version, "kind": g.kind, "metadata": {"name": "s", "namespace": ns}}
        inst = prepare_instance(g, {**cr, "spec": {"name": "s"}})
        await api.apply(NAMESPACE_TYPE, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        live = LiveSet(api)
        observed: dict[str, Any] = {}
        rt = await api.resolve("apps/v1", "Deployment")
        await live.track(rt, ns, {"bench": "serial"})
        try:
            for rid in ids or g.topological_order:
                obj = expand(g, inst, observed).states[rid].objects[0]
                obj["metadata"]["labels"] = {"bench": "serial"}
                key = identity(obj)
                live.put(await api.apply(rt, obj))
                while not assess(live.objects.get(key)).ready:
                    await live.wait(None)
                observed[rid] = live.objects[key]
        finally:
            await live.close()


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def emulator(home: Path) -> subprocess.Popen[bytes]:
    """`pykro emulator start` in its own process (a cluster does not share the client's CPU), with latency L
    on every request and readiness delay R for Deployments."""
    verbs = ["get", "list", "apply", "patch", "delete", "create"]
    (home / "faults.yaml").write_text(yamlio.dump({"faults": [{"verbs": verbs, "latency_ms": LATENCY_MS}]}))
    delays = {"Deployment": READY_MS, "ReplicaSet": 0, "Pod": 0}
    (home / "rules.yaml").write_text(yamlio.dump({"delays": delays}))
    command = [sys.executable, "-m", "pykro", "emulator", "start", "--port", "0", "--kubeconfig", str(home / "kc")]
    command += ["--faults", str(home / "faults.yaml"), "--rules", str(home / "rules.yaml")]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not healthy(home / "kc"):
        if proc.poll() is not None:
            raise RuntimeError("the emulator did not start")
        time.sleep(0.05)
    return proc


def main() -> None:
    g = graph()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        proc = emulator(home)
        kubeconfig = home / "kc"
        try:
            single = statistics.median(
                _timed(lambda n=n: asyncio.run(serial(kubeconfig, g, f"one{n}", ["l0n0"]))) for n in range(REPEAT)
            )
            ours_runs, base_runs = [], []
            for run in range(REPEAT):
                factory = DirectFactory(
                    g,
                    namespace=f"p{run}",
                    kubeconfig=kubeconfig,
                    reporter=NullReporter(),
                    options=DeployOptions(timeout=300, concurrency=16),
                )
                ours_runs.append(_timed(lambda f=factory: f.deploy({"name": "b"})))
            base_runs.append(_timed(lambda: asyncio.run(serial(kubeconfig, g, "serial"))))
        finally:
            proc.terminate()
            proc.wait()
    ours, base = statistics.median(ours_runs), statistics.median(base_runs)
    bound = LEVELS * single
    nominal = LEVELS * (LATENCY_MS + READY_MS) / 1000
    print(f"graph: {len(g.resources)} Deployments, depth {LEVELS}; L={LATENCY_MS} ms per request, R={READY_MS} ms")
    print(f"nominal critical path {LEVELS} x (L + R):           {nominal:6.3f} s")
    print(f"one Deployment applied and ready (L + R as served): {single:6.3f} s")
    print(f"critical-path lower bound, {LEVELS} x that:            {bound:6.3f} s")
    print(
        f"pykro direct deploy (median of {REPEAT}):     {ours:6.3f} s  {ours / bound:5.2f}x the bound (goal <= 1.25x)"
    )
    print(f"                                                  {ours / nominal:5.2f}x the nominal critical path")
    print(f"serial apply-then-wait baseline:       {base:6.3f} s  pykro {base / ours:5.1f}x faster")


if __name__ == "__main__":
    main()
