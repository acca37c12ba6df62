"""Failures: a resource that never becomes ready (per-resource and overall timeouts, keep vs rollback, a re-run
that converges), a resource that fails (kstatus Failed), and warning events streamed and quoted in the error."""

from __future__ import annotations

from typing import Any

import pytest

from pykro import _yamlio as yamlio
from pykro.deploy import DeployOptions, NullReporter, ReadinessTimeout, ResourceFailed
from pykro.deploy import _inventory as inv
from pykro.deploy._options import OnFailure
from pykro.emulator._faults import Fault, FaultPlan
from pykro.emulator._simulation import Rule, SimulationRules
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
      image: string | default="nginx"
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
            spec:
              containers: [{name: c, image: "${schema.spec.image}", env: [{name: CFG, value: "${cfg.metadata.name}"}]}]
    - id: svc
      template:
        apiVersion: v1
        kind: Service
        metadata: {name: "${schema.spec.name}-svc"}
        spec: {selector: "${web.spec.selector.matchLabels}", ports: [{port: 80}]}
"""
GRAPH = Graph.from_rgd(yamlio.load(RGD))


pytestmark = pytest.mark.cluster(
    rules=RULES, faults=FaultPlan([Fault(verbs=("apply",), name="slow-cfg", latency_ms=3000)])
)


def _stuck(kit: Any, on_failure: OnFailure, ns: str, **spec: str) -> ReadinessTimeout:
    factory = kit.direct(GRAPH, ns, options=DeployOptions(timeout=60, resource_timeout=0.4, on_failure=on_failure))
    with pytest.raises(ReadinessTimeout) as info:
        factory.deploy({"name": "f", "stuck": "yes", **spec})
    return info.value


def _namespace(kit: Any, ns: str) -> dict[str, Any] | None:
    cluster = kit.cluster

    async def find(api: Any) -> dict[str, Any] | None:
        for _, obj in cluster.engine.store.all_objects():
            if obj.get("kind") == "Namespace" and obj["metadata"]["name"] == ns:
                return dict(obj)
        return None

    found: dict[str, Any] | None = cluster.run(find)
    return found


def test_keep_leaves_the_objects_and_reports_what_it_waited_for(kit: Any) -> None:
    ns = kit.unique()
    err = _stuck(kit, "keep", ns)
    text = str(err)
    assert "'web'" in text and "readyReplicas 0/1" in text and "conditions" in text
    assert text.count("\n") == 0, "one paragraph"
    # a failed first deploy says what it leaves behind (objects, the FAILED record, the namespace it created)
    assert "Kept what this first deploy created (2 objects, the instance record (state FAILED)" in text
    assert f"namespace {ns})" in text and "`pykro delete f`" in text
    assert sorted(o["kind"] for o in kit.labelled("f", ns)) == ["ConfigMap", "Deployment"]
    factory = kit.direct(GRAPH, ns)
    assert [(i.name, i.state) for i in factory.instances()] == [("f", "FAILED")]
    assert factory.status("f").state == "FAILED", "status and list agree"
    # a re-run with a spec that can become ready converges on what was kept
    assert factory.deploy({"name": "f", "stuck": "no"}).state == "ACTIVE"
    assert sorted(o["kind"] for o in kit.labelled("f", ns)) == ["ConfigMap", "Deployment", "Service"]


def test_rollback_deletes_everything_this_deploy_created(kit: Any) -> None:
    ns = kit.unique()
    text = str(_stuck(kit, "rollback", ns))
    assert "Rolled back: deleted ConfigMap/f-cfg, Deployment/f-web" in text
    assert f"deleted namespace {ns} it had created; no record is left" in text
    assert kit.labelled("f", ns) == []
    assert kit.direct(GRAPH, ns).instances() == []
    assert _namespace(kit, ns) is None, "the namespace this deploy created is gone"


def test_rollback_restores_what_the_failed_update_changed(kit: Any) -> None:
    ns = kit.unique()
    factory = kit.direct(GRAPH, ns)
    factory.deploy({"name": "f", "image": "nginx:1.25"})
    before = {o["metadata"]["uid"]: o for o in kit.labelled("f", ns)}
    reporter = NullReporter()
    failing = kit.direct(
        GRAPH, ns, reporter=reporter, options=DeployOptions(timeout=60, resource_timeout=0.4, on_failure="rollback")
    )
    with pytest.raises(ReadinessTimeout) as info:
        failing.deploy({"name": "f", "stuck": "yes", "image": "nginx:1.26"})
    text = str(info.value)
    assert "Rolled back: restored Deployment/f-web" in text and "keeps its previous spec" in text, text
    after = {o["metadata"]["uid"]: o for o in kit.labelled("f", ns)}
    assert after.keys() == before.keys(), "the objects that existed before are the same objects"
    web = next(o for o in after.values() if o["kind"] == "Deployment")
    old = before[web["metadata"]["uid"]]
    assert web["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert web["metadata"]["labels"] == old["metadata"]["labels"]  # stuck: "no" again
    assert web["spec"]["template"] == old["spec"]["template"]
    assert web["metadata"]["annotations"][inv.APPLIED_HASH] == old["metadata"]["annotations"][inv.APPLIED_HASH]
    assert [e.name for e in reporter.events if e.type == "rollback"] == ["f-web", "pykro.fragile.f"]
    # the record keeps the last good spec, and status and list agree on the state
    assert [(i.name, i.state) for i in factory.instances()] == [("f", "ACTIVE")]
    assert factory.status("f").state == "ACTIVE"
    diff = factory.diff({"name": "f", "image": "nginx:1.25"})
    assert not diff.changed, diff.render()


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


def _watch_failing_once(monkeypatch: pytest.MonkeyPatch, error: Exception) -> list[str]:
    """The first watch of Deployments ends with ``error`` (a real stream otherwise); returns what was hit."""
    from pykro.deploy._api import Cluster

    real = Cluster.watch
    hit: list[str] = []

    def watch(self: Cluster, rt: Any, *args: Any, **kwargs: Any) -> Any:
        stream = real(self, rt, *args, **kwargs)
        if rt.kind != "Deployment" or hit:
            return stream

        async def failing() -> Any:
            hit.append(type(error).__name__)
            await stream.aclose()  # type: ignore[attr-defined]  # an async generator
            raise error
            yield  # an async generator

        return failing()

    monkeypatch.setattr(Cluster, "watch", watch)
    return hit


def test_a_bug_in_a_watch_surfaces_instead_of_being_swallowed(kit: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    hit = _watch_failing_once(monkeypatch, RuntimeError("injected bug"))
    factory = kit.direct(GRAPH, kit.unique(), options=DeployOptions(timeout=60))
    with pytest.raises(RuntimeError, match="injected bug"):
        factory.deploy({"name": "f"})
    assert hit == ["RuntimeError"]


def test_a_broken_watch_stream_is_relisted_and_the_deploy_converges(kit: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from pykro.deploy._transport import ReadError

    hit = _watch_failing_once(monkeypatch, ReadError("connection reset"))
    factory = kit.direct(GRAPH, kit.unique(), options=DeployOptions(timeout=60))
    assert factory.deploy({"name": "f"}).state == "ACTIVE"
    assert hit == ["ReadError"]


def test_cancelling_a_deploy_while_it_stops_after_a_failure_propagates(kit: Any) -> None:
    import asyncio

    rgd = yamlio.load(RGD)
    rgd["spec"]["resources"] = [
        rgd["spec"]["resources"][1],
        {"id": "slow", "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "slow-cfg"}}},
    ]
    rgd["spec"]["resources"][0]["template"]["spec"]["template"]["spec"]["containers"][0]["env"] = []

    class CancelOnFailure(NullReporter):
        def emit(self, event: Any) -> None:
            super().emit(event)
            if event.type == "failed" and sum(e.type == "failed" for e in self.events) == 1:
                task = asyncio.current_task()
                assert task is not None
                task.cancel()  # Ctrl-C while the deploy stops its in-flight apply of slow-cfg

    ns = kit.unique()
    reporter = CancelOnFailure()
    factory = kit.direct(Graph.from_rgd(rgd), ns, reporter=reporter, options=DeployOptions(timeout=None))

    async def scenario() -> None:
        await asyncio.create_task(factory.adeploy({"name": "f", "broken": "yes"}))

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(scenario())
    assert any(e.type == "apply" and e.resource == "web" for e in reporter.events)
    assert not any(e.resource == "slow" and e.type == "apply" for e in reporter.events), "slow-cfg was in flight"


def test_events_not_followed_are_read_for_the_diagnosis(kit: Any) -> None:
    """follow_events=False (what a hub uses): no Events watch while deploying, yet a failure quotes them."""
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
    options = DeployOptions(timeout=1.0, follow_events=False)
    ns = kit.unique()
    factory = kit.direct(Graph.from_rgd(rgd), ns, options=options)
    mark = kit.mark()
    with pytest.raises(ReadinessTimeout) as info:
        factory.deploy({"name": "q", "broken": "yes"})
    assert "last events: Warning ProvisioningFailed" in str(info.value)
    log = kit.cluster.request_log()[mark:]  # a watch is logged when it ends: only this namespace's requests count
    mine = [
        (i.verb, i.resource)
        for _, i, _ in log
        if i.namespace == ns and i.resource in ("events", "persistentvolumeclaims")
    ]
    events = [m for m in mine if m[1] == "events"]
    assert events == [("list", "events")], events  # one read, at the failure; no watch
    assert mine.index(("list", "events")) > mine.index(("apply", "persistentvolumeclaims")), mine  # not at the start
