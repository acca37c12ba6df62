"""Failures: a resource that never becomes ready (per-resource and overall timeouts, keep vs rollback, a re-run
that converges), a resource that fails (kstatus Failed), and warning events streamed and quoted in the error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pykro import yamlio
from pykro.deploy import DeployOptions, NullReporter, ReadinessTimeout, ResourceFailed
from pykro.deploy import inventory as inv
from pykro.deploy.engine import OnFailure
from pykro.emulator.cluster import LocalCluster
from pykro.emulator.simulation import Rule, SimulationRules
from pykro.graph import Graph

RULES = SimulationRules(
    rules=[
        Rule(labels={"stuck": "yes"}, outcome="never"),
        Rule(kind="Deployment", labels={"broken": "yes"}, outcome="fail", delay_ms=30),
        Rule(kind="PersistentVolumeClaim", labels={"broken": "yes"}, outcome="fail", delay_ms=10),
    ]
)

RGD = """
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {name: fragile}
spec:
  schema:
    apiVersion: v1alpha1
    kind: Fragile
    spec:
      name: string
      stuck: string | default="no"
      broken: string | default="no"
  resources:
    - id: cfg
      template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${schema.spec.name}-cfg"}, data: {a: b}}
    - id: web
      template:
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: "${schema.spec.name}-web"
          labels: {stuck: "${schema.spec.stuck}", broken: "${schema.spec.broken}"}
        spec:
          replicas: 1
          selector: {matchLabels: {app: "${schema.spec.name}"}}
          template:
            metadata: {labels: {app: "${schema.spec.name}", stuck: "${schema.spec.stuck}"}}
            spec: {containers: [{name: c, image: nginx, env: [{name: CFG, value: "${cfg.metadata.name}"}]}]}
    - id: svc
      template:
        apiVersion: v1
        kind: Service
        metadata: {name: "${schema.spec.name}-svc"}
        spec: {selector: "${web.spec.selector.matchLabels}", ports: [{port: 80}]}
"""
GRAPH = Graph.from_rgd(yamlio.load(RGD))


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(rules=RULES, bookmark_interval=0.5) as c:
        yield c


def _stuck(kit: Any, on_failure: OnFailure, ns: str) -> ReadinessTimeout:
    factory = kit.direct(GRAPH, ns, options=DeployOptions(timeout=60, resource_timeout=0.4, on_failure=on_failure))
    with pytest.raises(ReadinessTimeout) as info:
        factory.deploy({"name": "f", "stuck": "yes"})
    return info.value


def test_keep_leaves_the_objects_and_reports_what_it_waited_for(kit: Any) -> None:
    ns = kit.unique()
    err = _stuck(kit, "keep", ns)
    text = str(err)
    assert "'web'" in text and "readyReplicas 0/1" in text and "conditions" in text
    assert text.count("\n") == 0, "one paragraph"
    assert sorted(o["kind"] for o in kit.labelled("f", ns)) == ["ConfigMap", "Deployment"]
    factory = kit.direct(GRAPH, ns)
    assert [(i.name, i.state) for i in factory.instances()] == [("f", "FAILED")]
    # a re-run with a spec that can become ready converges on what was kept
    assert factory.deploy({"name": "f", "stuck": "no"}).state == "ACTIVE"
    assert sorted(o["kind"] for o in kit.labelled("f", ns)) == ["ConfigMap", "Deployment", "Service"]


def test_rollback_deletes_everything_this_deploy_created(kit: Any) -> None:
    ns = kit.unique()
    _stuck(kit, "rollback", ns)
    assert kit.labelled("f", ns) == []
    assert kit.direct(GRAPH, ns).instances() == []


def test_rollback_keeps_what_existed_before(kit: Any) -> None:
    ns = kit.unique()
    factory = kit.direct(GRAPH, ns)
    factory.deploy({"name": "f"})
    before = {o["metadata"]["uid"] for o in kit.labelled("f", ns)}
    _stuck(kit, "rollback", ns)
    assert {o["metadata"]["uid"] for o in kit.labelled("f", ns)} == before
    assert [i.state for i in factory.instances()] == ["FAILED"]


def test_overall_timeout_lists_what_is_not_ready(kit: Any) -> None:
    factory = kit.direct(GRAPH, kit.unique(), options=DeployOptions(timeout=0.5))
    with pytest.raises(ReadinessTimeout) as info:
        factory.deploy({"name": "f", "stuck": "yes"})
    assert "web (in progress" in str(info.value) and "svc (waiting: web)" in str(info.value)


def test_a_failing_resource_is_terminal_without_waiting_for_the_timeout(kit: Any) -> None:
    factory = kit.direct(GRAPH, kit.unique(), options=DeployOptions(timeout=None))
    with pytest.raises(ResourceFailed) as info:
        factory.deploy({"name": "f", "broken": "yes"})
    assert "'web' failed" in str(info.value) and "timed out progressing" in str(info.value)


def test_warning_events_are_streamed_and_quoted(kit: Any) -> None:
    rgd = yamlio.load(RGD)
    rgd["spec"]["resources"] = [
        {
            "id": "data",
            "template": {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "${schema.spec.name}-data", "labels": {"broken": "${schema.spec.broken}"}},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
            },
        }
    ]
    reporter = NullReporter()
    factory = kit.direct(Graph.from_rgd(rgd), kit.unique(), reporter=reporter, options=DeployOptions(timeout=1.0))
    with pytest.raises(ReadinessTimeout) as info:
        factory.deploy({"name": "p", "broken": "yes"})
    warnings = [e for e in reporter.events if e.type == "event" and e.event_type == "Warning"]
    assert warnings and warnings[0].kind == "PersistentVolumeClaim" and "ProvisioningFailed" in warnings[0].message
    assert "last events: Warning ProvisioningFailed" in str(info.value)
    assert reporter.events[-1].type == "failed"
    assert inv.INSTANCE  # the inventory module is importable alongside (sanity for the helper)


def test_cancelling_a_deploy_stops_cleanly_and_keeps_what_was_applied(kit: Any) -> None:
    import asyncio

    ns = kit.unique()
    applied = asyncio.Event()

    class Signal(NullReporter):
        def emit(self, event: Any) -> None:
            super().emit(event)
            if event.type == "apply" and event.resource == "web":
                applied.set()

    factory = kit.direct(GRAPH, ns, reporter=Signal(), options=DeployOptions(timeout=None))

    async def scenario() -> set[asyncio.Task[Any]]:
        task = asyncio.create_task(factory.adeploy({"name": "f", "stuck": "yes"}))
        await applied.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}

    assert asyncio.run(scenario()) == set(), "watches and applies must not outlive the deploy"
    assert sorted(o["kind"] for o in kit.labelled("f", ns)) == ["ConfigMap", "Deployment"]
