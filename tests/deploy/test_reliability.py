"""Reliability under injected faults (500/503/429 on ~5% of requests, dropped and cut watches) over many seeded
runs; in some runs one resource never becomes ready. Every run either reaches ACTIVE or fails with the documented
error after a complete rollback; no object is orphaned or duplicated; a re-run after a failure converges; delete
removes everything. The run count is PYKRO_DEPLOY_RELIABILITY_RUNS (default 200)."""

from __future__ import annotations

import os
import random
from collections import Counter
from typing import Any

import pytest

from pykro import _yamlio as yamlio
from pykro.deploy import DeployOptions, DirectFactory, NullReporter, ReadinessTimeout, RetryPolicy
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._faults import Fault, FaultPlan
from pykro.emulator._simulation import Rule, SimulationRules
from pykro.graph import Graph
from pykro.runtime import identity

RUNS = int(os.environ.get("PYKRO_DEPLOY_RELIABILITY_RUNS", "200"))
VERBS = ("get", "list", "apply", "patch", "delete")
PLAN = FaultPlan(
    [
        Fault(verbs=VERBS, error=500, rate=0.02),
        Fault(verbs=VERBS, error=503, rate=0.015),
        Fault(verbs=VERBS, error=429, rate=0.015, retry_after=0),
        Fault(verbs=("watch",), watch="drop", after_events=1, rate=0.2),
        Fault(verbs=("watch",), watch="truncate", after_events=2, rate=0.1),
    ]
)
RULES = SimulationRules(
    delays={"Deployment": 20, "ReplicaSet": 10, "Pod": 10, "Service": 5},
    rules=[Rule(labels={"stuck": "yes"}, outcome="never")],
)
GRAPH = Graph.from_rgd(
    yamlio.load(
        """
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {name: reliable}
spec:
  schema:
    apiVersion: v1alpha1
    kind: Reliable
    spec: {name: string, stuck: string | default="no"}
    status: {ip: "${svc.spec.clusterIP}"}
  resources:
    - id: cfg
      template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${schema.spec.name}"}, data: {a: b}}
    - id: web
      template:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: "${schema.spec.name}", labels: {stuck: "${schema.spec.stuck}"}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: "${schema.spec.name}"}}
          template:
            metadata: {labels: {app: "${schema.spec.name}", stuck: "${schema.spec.stuck}"}}
            spec: {containers: [{name: c, image: nginx, env: [{name: C, value: "${cfg.metadata.name}"}]}]}
    - id: svc
      template:
        apiVersion: v1
        kind: Service
        metadata: {name: "${schema.spec.name}"}
        spec: {selector: "${web.spec.selector.matchLabels}", ports: [{port: 80}]}
"""
    )
)


pytestmark = pytest.mark.cluster(faults=PLAN, rules=RULES, seed=11)


def _factory(cluster: LocalCluster, seed: int, ns: str, resource_timeout: float | None) -> DirectFactory:
    return DirectFactory(
        GRAPH,
        namespace=ns,
        kubeconfig=cluster.kubeconfig_path,
        reporter=NullReporter(),
        retry=RetryPolicy(attempts=10, base=0.005, cap=0.05, seed=seed),
        options=DeployOptions(timeout=120, resource_timeout=resource_timeout, on_failure="rollback"),
    )


def _check_inventory(kit: Any, ns: str, expected: int) -> None:
    objects = kit.labelled("app", ns)
    idents = Counter(identity(o) for o in objects)
    assert len(objects) == expected and all(n == 1 for n in idents.values()), idents


@pytest.mark.slow
def test_seeded_runs_with_faults_end_ready_or_rolled_back(kit: Any) -> None:
    outcomes: Counter[str] = Counter()
    for seed in range(RUNS):
        stuck = random.Random(seed).random() < 0.15
        ns = f"rel{seed}"
        factory = _factory(kit.cluster, seed, ns, 0.3 if stuck else None)
        try:
            result = factory.deploy({"name": "app", "stuck": "yes" if stuck else "no"})
        except ReadinessTimeout as exc:
            assert stuck, f"seed {seed}: unexpected failure {exc}"
            assert "'web'" in str(exc)
            _check_inventory(kit, ns, 0)
            assert factory.instances() == [], f"seed {seed}: the record survived the rollback"
            outcomes["rolled back"] += 1
            result = _factory(kit.cluster, seed, ns, None).deploy({"name": "app"})
        else:
            assert not stuck, f"seed {seed}: a never-ready resource was reported ready"
        assert result.state == "ACTIVE" and result.status.ip, f"seed {seed}: {result.state}"
        _check_inventory(kit, ns, 3)
        outcomes["active"] += 1
        factory.delete("app")
        _check_inventory(kit, ns, 0)
    assert outcomes["active"] == RUNS
    assert outcomes["rolled back"] > 0 or RUNS < 10
    injected = Counter(code for _, _, code in kit.cluster.request_log() if code in (429, 500, 503))
    assert sum(injected.values()) > 0, "the fault plan must have fired"
