"""`LocalCluster.settle()` / `Simulator.settled()`: waiting on the simulator's own idle signal, with outcomes held
back by rules that select only a workload's pods (labels on the pod template); `cluster.simulator` and
`cluster.faults` expose the running simulator and fault injector."""

from __future__ import annotations

from typing import Any

import pytest
from lightkube import ApiError
from lightkube.codecs import from_dict
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.batch_v1 import Job
from lightkube.resources.core_v1 import ConfigMap, Pod

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._faults import Fault, FaultPlan
from pykro.emulator._simulation import Rule, SimulationRules, Simulator

RULES = SimulationRules(
    rules=[
        Rule(labels={"stuck": "yes"}, outcome="never"),
        Rule(kind="Pod", labels={"crash": "yes"}, outcome="fail", delay_ms=30),
    ]
)


pytestmark = pytest.mark.cluster(rules=RULES, seed=5)


def deployment(name: str, pod_labels: dict[str, str]) -> Any:
    """A Deployment whose extra labels are only on its pod template, not on its own metadata."""
    template = {
        "metadata": {"labels": {"app": name, **pod_labels}},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
    }
    spec = {"replicas": 1, "selector": {"matchLabels": {"app": name}}, "template": template}
    return from_dict({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec})


def condition(obj: Any, type_: str) -> Any:
    return next((c for c in (obj.status.conditions or []) if c.type == type_), None)


def pod_of(client: Any, ns: str, app: str) -> Any:
    (pod,) = client.list(Pod, namespace=ns, labels={"app": app})
    return pod


def test_a_rule_on_the_pod_template_holds_the_deployment_back(cluster: LocalCluster) -> None:
    client: Any = cluster.client()
    for name, labels in (("held", {"stuck": "yes"}), ("crashing", {"crash": "yes"}), ("free", {"stuck": "no"})):
        client.create(deployment(name, labels), namespace="default")
    cluster.settle()
    free = client.get(Deployment, "free", namespace="default")
    assert condition(free, "Available").status == "True" and free.status.readyReplicas == 1

    held = client.get(Deployment, "held", namespace="default")
    assert not held.metadata.labels  # the rule selects it only through its pod template
    assert condition(held, "Available").status == "False" and not held.status.readyReplicas
    assert condition(held, "Progressing").reason == "ReplicaSetUpdated"
    assert pod_of(client, "default", "held").status.phase == "Pending"

    crashing = client.get(Deployment, "crashing", namespace="default")
    assert condition(crashing, "Progressing").reason == "ProgressDeadlineExceeded"  # a Pod rule fails the workload
    waiting = pod_of(client, "default", "crashing").status.containerStatuses[0].state.waiting
    assert waiting.reason == "CrashLoopBackOff"


def test_a_rule_on_the_pod_template_holds_a_job_back(cluster: LocalCluster) -> None:
    client: Any = cluster.client()
    pod = {
        "metadata": {"labels": {"stuck": "yes"}},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]},
    }
    client.create(
        from_dict({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": pod}})
    )
    cluster.settle()
    job = client.get(Job, "j", namespace="default")
    assert not job.status.succeeded and not job.status.conditions
    assert job.status.active == 1


def test_settled_means_nothing_more_is_written(cluster: LocalCluster) -> None:
    client: Any = cluster.client()
    client.create(deployment("steady", {}), namespace="default")
    cluster.settle()
    simulator = cluster.simulator
    assert simulator is not None and simulator.idle() and not simulator.pending()

    def probe() -> int:
        made = from_dict({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "probe-"}})
        return int(client.create(made, namespace="default").metadata.resourceVersion)

    before = probe()
    cluster.settle()
    assert probe() == before + 1  # the only change between the probes is the second probe itself


def test_settle_sees_a_change_made_just_before() -> None:
    """Without a wait on the simulator, the Deployment would still be unavailable right after its creation."""
    with LocalCluster(rules=SimulationRules(delays={"Pod": 200})) as cluster:
        client: Any = cluster.client()
        client.create(deployment("just-made", {}), namespace="default")
        cluster.settle()
        assert condition(client.get(Deployment, "just-made", namespace="default"), "Available").status == "True"


def test_simulator_and_faults_are_exposed() -> None:
    plan = FaultPlan([Fault(verbs=("create",), kinds=("ConfigMap",), error=503, limit=2)])
    with LocalCluster(faults=plan, seed=1) as cluster:
        assert isinstance(cluster.simulator, Simulator) and cluster.simulator.seed == 1
        injector = cluster.faults
        assert injector is not None and injector.plan is plan
        client: Any = cluster.client()
        for _ in range(3):
            try:
                client.create(ConfigMap(metadata=ObjectMeta(name="c")), namespace="default")
            except ApiError as exc:
                assert exc.status.code == 503
        assert injector.counters["error:503"] == 2
        assert [(i.fault, i.action, i.verb) for i in injector.injections] == [(0, "error:503", "create")] * 2
        assert client.get(ConfigMap, "c", namespace="default").metadata.name == "c"


def test_without_simulation_or_faults_both_are_none(bare_cluster: LocalCluster) -> None:
    assert bare_cluster.simulator is None and bare_cluster.faults is None
    with pytest.raises(RuntimeError, match="no workload simulator"):
        bare_cluster.settle()
    with pytest.raises(RuntimeError, match="not started"):
        _ = LocalCluster().simulator
