"""CEL engine throughput on a Deployment-sized object: compile/s, evaluations/s, and the value of caching."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pykro.cel import Evaluator, parse, to_cel

EXPRESSION = (
    "deploy.status.readyReplicas >= schema.spec.replicas && "
    'deploy.status.conditions.exists(c, c.type == "Available" && c.status == "True")'
)


def _deployment() -> dict[str, Any]:
    container = {
        "name": "app",
        "image": "ghcr.io/example/app:1.2.3",
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
        "env": [{"name": f"VAR_{i}", "value": f"value-{i}"} for i in range(10)],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 5},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "prod", "labels": {"app": "web", "tier": "frontend"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container, container]}},
        },
        "status": {
            "replicas": 3,
            "readyReplicas": 3,
            "availableReplicas": 3,
            "conditions": [
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            ],
        },
    }


def _rate(fn: Callable[[int], object], seconds: float = 0.5) -> float:
    """Calls per second of ``fn(i)`` measured over about ``seconds``."""
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            fn(n)
            n += 1
    return n / elapsed


def main() -> None:
    data = {"deploy": _deployment(), "schema": {"spec": {"replicas": 2}}}
    ev = Evaluator(["deploy", "schema"])
    program = ev.compile(EXPRESSION)
    assert program.evaluate(data) is True

    cached = _rate(lambda _: program.evaluate(data))
    fresh = _rate(lambda i: ev.evaluate(f"{EXPRESSION} && {i} >= 1", data))
    compiles = _rate(lambda i: ev.compile(f"{EXPRESSION} && {i} >= 0"))
    parses = _rate(lambda i: parse(f"{EXPRESSION} && {i} >= 0"))
    round_trips = _rate(lambda _: to_cel(parse(EXPRESSION)))
    whole = _rate(lambda _: ev.evaluate("deploy", data), 0.3)
    start = time.perf_counter()
    Evaluator(["deploy", "schema"])
    env_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    Evaluator(["deploy", "schema", f"fresh{time.perf_counter_ns()}"])
    new_env_ms = (time.perf_counter() - start) * 1000

    print(f"evaluate (cached program, bool result):  {cached:10.0f} evals/s")
    print(f"compile + evaluate (new expression):     {fresh:10.0f} evals/s")
    print(f"engine compile only:                     {compiles:10.0f} compiles/s")
    print(f"pykro parse (Python parser):             {parses:10.0f} parses/s")
    print(f"pykro parse + print round trip:          {round_trips:10.0f} /s")
    print(f"evaluate returning the whole Deployment: {whole:10.0f} evals/s")
    print(f"Evaluator construction (kro env, new variables): {new_env_ms:6.2f} ms")
    print(f"Evaluator construction (same variables, shared): {env_ms:6.2f} ms")
    print(f"ratio cached / compile+evaluate:         {cached / fresh:10.1f}x")
