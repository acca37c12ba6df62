"""Graph IR and runtime: load + validate + expand of generated RGDs (chains and fan-out) at 50 and 500 resources,
CEL throughput through the runtime on Deployment-sized objects against the bare evaluator (same run), and the
simulated reconcile (``--simulate-ready``) of chains 100 and 1,000 deep."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pykro.graph import Graph
from pykro.runtime import expand, reconcile_passes, simulate_ready


def generated_rgd(n: int) -> dict[str, Any]:
    """``n`` resources: chains of 10 ConfigMaps, every chain head fanning out from one root Deployment."""
    resources: list[dict[str, Any]] = [deployment("head", "${schema.spec.name}")]
    for i in range(1, n):
        parent = "head" if i % 10 == 1 else f"r{i - 1}"
        resources.append(
            {
                "id": f"r{i}",
                "template": {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "${schema.spec.name}-" + str(i)},
                    "data": {
                        "parent": "${" + parent + ".metadata.name}",
                        "replicas": "${string(schema.spec.replicas * 2)}",
                        "upper": "${schema.spec.name.upperAscii()}",
                    },
                },
            }
        )
    return rgd(resources)


def deployment(rid: str, name: str) -> dict[str, Any]:
    container = {
        "name": "app",
        "image": "${schema.spec.image}",
        "ports": [{"containerPort": "${schema.spec.port}"}],
        "env": [{"name": f"E{k}", "value": "${schema.spec.name + '-" + str(k) + "'}"} for k in range(6)],
        "resources": {"limits": {"cpu": "${schema.spec.cpu}", "memory": "${schema.spec.memory}"}},
    }
    return {
        "id": rid,
        "template": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "labels": {"app": "${schema.spec.name}"}},
            "spec": {
                "replicas": "${schema.spec.replicas}",
                "selector": {"matchLabels": {"app": "${schema.spec.name}"}},
                "template": {
                    "metadata": {"labels": {"app": "${schema.spec.name}"}},
                    "spec": {"containers": [container]},
                },
            },
        },
    }


def rgd(resources: list[dict[str, Any]]) -> dict[str, Any]:
    spec = {
        "name": "string | default=app",
        "image": "string | default=nginx",
        "replicas": "integer | default=2",
        "port": "integer | default=80",
        "cpu": "string | default=100m",
        "memory": "string | default=64Mi",
    }
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "bench"},
        "spec": {"schema": {"apiVersion": "v1alpha1", "kind": "Bench", "spec": spec}, "resources": resources},
    }


def deep_chain(n: int) -> dict[str, Any]:
    """``n`` ConfigMaps in one chain: each reads the name of the one before it (``n`` levels of dependency)."""
    resources: list[dict[str, Any]] = []
    for i in range(n):
        data = {"v": "${schema.spec.name}"} if i == 0 else {"parent": "${r" + str(i - 1) + ".metadata.name}"}
        template = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "${schema.spec.name}-" + str(i)}}
        resources.append({"id": f"r{i}", "template": {**template, "data": data}})
    return rgd(resources)


INSTANCE = {"apiVersion": "kro.run/v1alpha1", "kind": "Bench", "metadata": {"name": "b"}, "spec": {}}


def best(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(n: int) -> tuple[float, float, int]:
    raw = generated_rgd(n)
    load = best(lambda: Graph.from_rgd(raw))
    graph = Graph.from_rgd(raw)
    first = expand(graph, INSTANCE)
    observed = {rid: simulate_ready(s.objects[0]) for rid, s in first.states.items() if s.objects}
    # every resource resolvable: observe each one as its template resolves, then time the full expansion
    for _ in range(12):
        result = expand(graph, INSTANCE, observed)
        observed.update({rid: simulate_ready(s.objects[0]) for rid, s in result.states.items() if s.objects})
    full = expand(graph, INSTANCE, observed)
    assert all(s.state == "ready" for s in full.states.values()), "benchmark graph did not converge"
    run = best(lambda: expand(graph, INSTANCE, observed))
    expressions = sum(len(node.fields) for node in graph.analysis.nodes.values())
    return load, run, expressions


def main() -> None:
    figures = {}
    for n in (50, 500):
        load, run, exprs = measure(n)
        figures[n] = (load, run)
        print(f"{n:4d} resources: load+validate {load * 1e3:8.1f} ms ({load / n * 1e6:6.0f} µs/resource), "
              f"expand {run * 1e3:8.1f} ms ({run / n * 1e6:6.0f} µs/resource, {exprs / run:8.0f} expr/s)")  # fmt: skip
    for label, i in (("load+validate", 0), ("expand", 1)):
        ratio = (figures[500][i] / 500) / (figures[50][i] / 50)
        print(f"per-resource cost 500 vs 50 ({label}): x{ratio:.2f} (1.0 = linear)")

    graph = Graph.from_rgd(rgd([deployment("app", "${schema.spec.name}")]))
    fields = graph.analysis.nodes["app"].fields
    schema = {"metadata": {"name": "b"}, "spec": {"name": "app", "image": "nginx", "replicas": 2, "port": 80,
                                                  "cpu": "100m", "memory": "64Mi"}}  # fmt: skip
    evaluator = graph.evaluator
    rounds = 300
    bare = best(lambda: [evaluator.evaluate(f.cel, {"schema": schema}) for _ in range(rounds) for f in fields])
    runtime = best(lambda: [expand(graph, INSTANCE) for _ in range(rounds)])
    n_expr = rounds * len(fields)
    print(f"Deployment template ({len(fields)} expressions): bare evaluator {n_expr / bare:8.0f} expr/s, "
          f"through the runtime {n_expr / runtime:8.0f} expr/s ({runtime / bare:.1f}x the bare cost; "
          f"{rounds / runtime:.0f} expansions/s)")  # fmt: skip

    for depth in (100, 1000):
        graph = Graph.from_rgd(deep_chain(depth))
        result = reconcile_passes(graph, INSTANCE, simulate_ready)
        assert all(s.state == "ready" for s in result.states.values()), "deep chain did not settle"
        took = best(lambda g=graph: reconcile_passes(g, INSTANCE, simulate_ready), repeat=2)  # type: ignore[misc]
        per = took / depth * 1e6
        print(f"simulated reconcile of a {depth:4d}-deep chain: {took * 1e3:8.1f} ms ({per:6.0f} µs/resource)")
