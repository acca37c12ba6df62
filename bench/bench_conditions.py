"""Authored status conditions: the cost of one expansion whose RGD declares conditions (a computed one, one reading
kro's built-ins, and one per region from a comprehension) against the same RGD with the equivalent plain status
fields, and runtime.newCondition / runtime.condition against a plain map literal on the bare evaluator."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from pykro.cel import Evaluator
from pykro.graph import Graph
from pykro.runtime import expand

UP = "runtime.newCondition({type: 'Up', status: deploy.status.readyReplicas > 0 ? 'True' : 'False', reason: 'R'})"
ECHO = "runtime.newCondition({type: 'KroReady', status: runtime.condition(schema, 'Ready').status})"
REGIONS = "schema.spec.regions.map(r, runtime.newCondition({type: 'Region' + r, status: 'True'}))"
PLAIN = {
    "up": "${deploy.status.readyReplicas > 0 ? 'True' : 'False'}",
    "kro": "${schema.spec.name}",
    "regions": "${schema.spec.regions.map(r, {'type': 'Region' + r, 'status': 'True'})}",
}


def _rgd(status: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "bench"},
        "spec": {
            "schema": {
                "apiVersion": "v1alpha1",
                "kind": "Bench",
                "spec": {"name": "string", "regions": "[]string"},
                "status": status,
            },
            "resources": [
                {
                    "id": "deploy",
                    "template": {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "metadata": {"name": "${schema.spec.name}"},
                        "spec": {"replicas": 1},
                    },
                }
            ],
        },
    }


def _per_second(action: Callable[[], object], seconds: float = 0.5) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        action()
        count += 1
    return count / elapsed


def main() -> None:
    instance = {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "Bench",
        "metadata": {"name": "b"},
        "spec": {"name": "web", "regions": ["eu", "us", "ap"]},
    }
    authored = Graph.from_rgd(_rgd({"conditions": ["${" + e + "}" for e in (UP, ECHO, REGIONS)]}))
    plain = Graph.from_rgd(_rgd(dict(PLAIN)))
    deploy = copy.deepcopy(expand(plain, instance).objects[0])
    deploy["status"] = {"readyReplicas": 1}
    observed = {"deploy": deploy}
    with_conditions = _per_second(lambda: expand(authored, instance, observed))
    baseline = _per_second(lambda: expand(plain, instance, observed))
    print(f"expand with 3 authored condition entries: {with_conditions:8.0f}/s")
    print(f"expand with 3 plain status fields:        {baseline:8.0f}/s  (ratio {with_conditions / baseline:.2f})")

    ev = Evaluator(["schema"])
    data = {"schema": {"status": {"conditions": [{"type": "Ready", "status": "True"}]}}}
    new = _per_second(lambda: ev.evaluate("runtime.newCondition({type: 'A', status: 'True'})", data))
    lookup = _per_second(lambda: ev.evaluate("runtime.condition(schema, 'Ready').status", data))
    literal = _per_second(lambda: ev.evaluate("{'type': 'A', 'status': 'True'}", data))
    print(f"runtime.newCondition:          {new:9.0f}/s  (ratio {new / literal:.2f} vs a map literal)")
    print(f"runtime.condition(...).status: {lookup:9.0f}/s  (ratio {lookup / literal:.2f} vs a map literal)")
    print(f"map literal (baseline):        {literal:9.0f}/s")
