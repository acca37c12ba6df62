"""Ordering, from the emulator itself: the store's change stream (its commit order) shows that no object is created
before every dependency is ready, and that independent resources are applied together; the request log shows
each object applied exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from pykro import _yamlio as yamlio
from pykro.deploy import _inventory as inv
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._controller import ClusterAPI
from pykro.graph import Graph

RGD = """
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {name: ordered}
spec:
  schema:
    apiVersion: v1alpha1
    kind: Ordered
    spec: {name: string}
    status:
      appReady: ${app.status.readyReplicas == 2}
  resources:
    - id: cfg
      template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${schema.spec.name}-cfg"}, data: {a: b}}
    - id: dbA
      template: &dep
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: "${schema.spec.name}-a"}
        spec:
          replicas: 1
          selector: {matchLabels: {app: "${schema.spec.name}-a"}}
          template:
            metadata: {labels: {app: "${schema.spec.name}-a"}}
            spec: {containers: [{name: c, image: "nginx", env: [{name: CFG, value: "${cfg.metadata.name}"}]}]}
    - id: dbB
      template:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: "${schema.spec.name}-b"}
        spec:
          replicas: 1
          selector: {matchLabels: {app: "${schema.spec.name}-b"}}
          template:
            metadata: {labels: {app: "${schema.spec.name}-b"}}
            spec: {containers: [{name: c, image: "nginx"}]}
    - id: svc
      template:
        apiVersion: v1
        kind: Service
        metadata: {name: "${schema.spec.name}-svc"}
        spec:
          selector: ${dbA.spec.selector.matchLabels}
          ports: [{port: 80}]
    - id: app
      template:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: "${schema.spec.name}-app"}
        spec:
          replicas: 2
          selector: {matchLabels: {app: "${schema.spec.name}-app"}}
          template:
            metadata: {labels: {app: "${schema.spec.name}-app"}}
            spec:
              containers:
                - name: c
                  image: nginx
                  env:
                    - {name: HOST, value: "${svc.spec.clusterIP}"}
                    - {name: B, value: "${dbB.metadata.name}"}
"""


def _ready(obj: dict[str, Any]) -> bool:
    """The test's own notion of ready (independent of pykro.deploy._readiness)."""
    if obj["kind"] != "Deployment":
        return True
    status = obj.get("status") or {}
    return bool(
        status.get("observedGeneration", 0) >= obj["metadata"].get("generation", 1)
        and status.get("readyReplicas", 0) == obj["spec"]["replicas"]
    )


def _changes(cluster: LocalCluster, deploy: Any) -> list[tuple[str, dict[str, Any]]]:
    """Run ``deploy()`` while recording every change the emulator commits, in commit order."""
    events: list[tuple[str, dict[str, Any]]] = []

    async def start(api: ClusterAPI) -> asyncio.Task[None]:
        stream = api.watch()

        async def pump() -> None:
            async for ev in stream:
                events.append((ev.type, ev.object))

        return asyncio.create_task(pump())

    task = cluster.run(start)
    try:
        deploy()
    finally:

        async def stop(api: ClusterAPI) -> None:
            task.cancel()

        cluster.run(stop)
    return events


def test_no_dependent_is_created_before_its_dependencies_are_ready(kit: Any) -> None:
    graph = Graph.from_rgd(yamlio.load(RGD))
    ns = kit.unique()
    mark = kit.mark()
    factory = kit.direct(graph, ns)
    events = _changes(kit.cluster, lambda: factory.deploy({"name": "o"}))
    created: dict[str, int] = {}
    ready: dict[str, int] = {}
    for index, (kind, obj) in enumerate(events):
        rid = ((obj.get("metadata") or {}).get("labels") or {}).get(inv.RESOURCE_ID)
        if rid is None or kind == "DELETED":
            continue
        created.setdefault(rid, index)
        if _ready(obj):
            ready.setdefault(rid, index)
    assert set(created) == set(graph.ids)
    for rid, deps in graph.dependencies.items():
        for dep in deps:
            assert ready[dep] < created[rid], f"{rid} was created before its dependency {dep} was ready"
    # independent resources go together: dbA and dbB both exist before either is ready
    assert max(created["dbA"], created["dbB"]) < min(ready["dbA"], ready["dbB"])
    applies = Counter(name for verb, _, name in kit.writes(mark) if verb == "apply")
    assert all(applies[f"o-{suffix}"] == 1 for suffix in ("cfg", "a", "b", "svc", "app")), applies


NAMESPACED_RGD = """
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {name: team}
spec:
  schema:
    apiVersion: v1alpha1
    kind: Team
    spec: {name: string}
  resources:
    - id: cfg
      template: {apiVersion: v1, kind: ConfigMap, metadata: {name: cfg, namespace: "${schema.spec.name}"}, data: {a: b}}
    - id: ns
      template: {apiVersion: v1, kind: Namespace, metadata: {name: "${schema.spec.name}"}}
    - id: app
      template:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: app, namespace: "${schema.spec.name}"}
        spec:
          replicas: 1
          selector: {matchLabels: {app: app}}
          template:
            metadata: {labels: {app: app}}
            spec: {containers: [{name: c, image: nginx}]}
"""


def test_objects_in_a_namespace_the_graph_creates_wait_for_it(kit: Any) -> None:
    """No reference ties cfg/app to the Namespace (as in a YAML file of several objects), yet they are written only
    after it, never into a namespace that does not exist yet (each write once, no 404 from the server)."""
    graph = Graph.from_rgd(yamlio.load(NAMESPACED_RGD))
    team = kit.unique("team")
    mark = kit.mark()
    result = kit.direct(graph, kit.unique()).deploy({"name": team})
    assert result.state == "ACTIVE"
    log = kit.cluster.request_log()[mark:]
    writes = [(info, code) for _, info, code in log if info.verb in ("create", "apply", "patch", "update")]
    assert all(code < 400 for _, code in writes), [(i.resource, i.name, c) for i, c in writes if c >= 400]
    order = [
        (info.resource, info.name) for info, _ in writes if info.resource in ("namespaces", "configmaps", "deployments")
    ]
    assert order.index(("namespaces", team)) < order.index(("configmaps", "cfg"))
    assert order.index(("namespaces", team)) < order.index(("deployments", "app"))
