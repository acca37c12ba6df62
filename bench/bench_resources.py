"""pykro.resources and pykro.simple: typed field resolution and factory throughput, each against a hand-written
baseline measured in the same run (a raw walk over the JSON schema; plain dict literals)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from pykro.resources import field_type
from pykro.resources._kinds import kind_schema
from pykro.schema import _kubernetes as k8s
from pykro.simple import Deployment, Service

PATHS: list[tuple[str | int, ...]] = [
    ("status", "readyReplicas"),
    ("spec", "replicas"),
    ("spec", "template", "spec", "containers", 0, "image"),
    ("metadata", "labels", "app"),
    ("status", "conditions", 0, "status"),
]


def _rate(fn: Callable[[], Any], rounds: int) -> float:
    """Seconds per call, best of three runs."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(rounds):
            fn()
        best = min(best, (time.perf_counter() - start) / rounds)
    return best


def _raw_walk(schema: Mapping[str, Any], path: tuple[str | int, ...]) -> Any:
    """Baseline: follow $refs, properties, items and additionalProperties by hand (no types, no errors)."""
    node = k8s.resolve(schema)
    for step in path:
        if isinstance(step, int):
            node = k8s.resolve(node["items"])
        elif step in node.get("properties", {}):
            node = k8s.resolve(node["properties"][step])
        else:
            node = k8s.resolve(node["additionalProperties"])
    return node.get("type")


def _plain_pair(i: int) -> list[dict[str, Any]]:
    name = f"app{i}"
    labels = {"app": name}
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": name,
                            "image": "nginx:1.27",
                            "ports": [{"containerPort": 80}],
                            "env": [{"name": "MODE", "value": "prod"}],
                        }
                    ]
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 80}]},
    }
    return [deploy, service]


def _simple_pair(i: int) -> list[dict[str, Any]]:
    name = f"app{i}"
    deploy = Deployment(name, image="nginx:1.27", replicas=2, ports=[80], env={"MODE": "prod"})
    return [deploy.obj, Service(name, ports=[80]).obj]


def main() -> None:
    root = kind_schema("apps/v1", "Deployment")
    assert root is not None
    start = time.perf_counter()
    for path in PATHS:
        field_type("apps/v1", "Deployment", path)
    cold = (time.perf_counter() - start) / len(PATHS)
    warm = _rate(lambda: [field_type("apps/v1", "Deployment", p) for p in PATHS], 2000) / len(PATHS)
    raw = _rate(lambda: [_raw_walk(root, p) for p in PATHS], 2000) / len(PATHS)
    print(f"field_type: first resolution {cold * 1e6:8.1f} us/path (builds the kind's CEL types)")
    print(f"field_type: memoised         {warm * 1e6:8.2f} us/path; raw schema walk {raw * 1e6:.2f} us/path")
    print(f"  ratio field_type / raw walk: {warm / raw:.2f}x")
    pairs = 200
    factories = _rate(lambda: [_simple_pair(i) for i in range(pairs)], 5) / pairs
    plain = _rate(lambda: [_plain_pair(i) for i in range(pairs)], 5) / pairs
    print(f"Deployment+Service: pykro.simple {factories * 1e6:8.1f} us/pair; plain dict literals {plain * 1e6:.1f} us")
    print(f"  ratio pykro.simple / plain dicts: {factories / plain:.1f}x")
    assert _simple_pair(1) == _plain_pair(1), "the baseline must build the same objects"
