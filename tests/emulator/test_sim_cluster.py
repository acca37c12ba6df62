"""The workload simulator seen through the real HTTP API with lightkube (sync and async): readiness transitions of
every simulated kind, rule delays honoured in order, never/fail outcomes, scaling and new generations, garbage
collection of what the simulated controllers made, events, and determinism under a seed."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from lightkube.codecs import from_dict
from lightkube.generic_resource import create_namespaced_resource
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.resources.apps_v1 import DaemonSet, Deployment, ReplicaSet, StatefulSet
from lightkube.resources.batch_v1 import Job
from lightkube.resources.core_v1 import (
    Event,
    Namespace,
    Node,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    Service,
)
from lightkube.resources.networking_v1 import Ingress
from lightkube.types import PatchType
from tests.helpers import eventually

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._simulation import Rule, SimulationRules

_names = itertools.count()

RULES = SimulationRules(
    rules=[
        Rule(kind="Deployment", name="slow-*", delay_ms=700),
        Rule(kind="Deployment", name="mid-*", delay_ms=350),
        Rule(kind="Deployment", name="quick-*", delay_ms=20),
        Rule(name="never-*", outcome="never"),
        Rule(name="fail-*", outcome="fail", delay_ms=50),
        Rule(
            kind="Database",
            delay_ms=100,
            condition="Ready",
            status={"endpoint": "db.example:5432", "connection.port": 5432},
        ),
    ]
)


pytestmark = pytest.mark.cluster(rules=RULES, seed=3)


@pytest.fixture
def client(cluster: LocalCluster) -> Any:
    """Typed as Any: lightkube models make every status field Optional, which these tests check at run time."""
    return cluster.client()


@pytest.fixture
def ns(client: Any) -> str:
    name = f"sim-{next(_names)}"
    client.create(Namespace(metadata={"name": name}))  # type: ignore[arg-type]
    return name


def deployment(name: str, ns: str, replicas: int = 1, image: str = "nginx:1.27") -> Any:
    return from_dict(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "main", "image": image}]},
                },
            },
        }
    )


def condition(obj: Any, type_: str) -> Any:
    return next((c for c in (obj.status.conditions or []) if c.type == type_), None) if obj.status else None


def available(client: Any, name: str, ns: str) -> Any:
    dep = client.get(Deployment, name, namespace=ns)
    cond = condition(dep, "Available")
    return dep if cond is not None and cond.status == "True" else None


def pods_of(client: Any, ns: str, app: str) -> list[Any]:
    return [p for p in client.list(Pod, namespace=ns, labels={"app": app}) if not p.metadata.deletionTimestamp]


def test_deployment_goes_through_progressing_to_available(client: Any, ns: str) -> None:
    client.create(deployment("web", ns, replicas=2))
    seen: list[tuple[int, int, str]] = []
    for _, dep in client.watch(Deployment, namespace=ns, fields={"metadata.name": "web"}):
        if dep.status is None or dep.status.conditions is None:
            continue
        progressing = condition(dep, "Progressing")
        seen.append((dep.status.updatedReplicas or 0, dep.status.availableReplicas or 0, progressing.reason))
        if progressing.reason == "NewReplicaSetAvailable":
            break
    assert seen[0][1] == 0 and seen[0][2] in ("ReplicaSetUpdated", "NewReplicaSetCreated")
    assert seen[-1] == (2, 2, "NewReplicaSetAvailable")
    dep = client.get(Deployment, "web", namespace=ns)
    assert dep.status.observedGeneration == dep.metadata.generation
    assert dep.status.readyReplicas == dep.status.replicas == 2
    assert condition(dep, "Available").status == "True"

    (rs,) = client.list(ReplicaSet, namespace=ns)
    assert rs.metadata.ownerReferences[0].uid == dep.metadata.uid and rs.metadata.ownerReferences[0].controller
    assert rs.metadata.name == f"web-{rs.metadata.labels['pod-template-hash']}"
    assert rs.status.readyReplicas == 2
    pods = pods_of(client, ns, "web")
    assert len(pods) == 2
    for pod in pods:
        assert pod.metadata.ownerReferences[0].uid == rs.metadata.uid
        assert pod.metadata.name.startswith(f"{rs.metadata.name}-")
        assert pod.spec.nodeName == "pykro-node-0"
        assert pod.status.phase == "Running" and pod.status.podIP and pod.status.hostIP
        assert condition(pod, "Ready").status == "True" and condition(pod, "ContainersReady").status == "True"
        assert pod.status.containerStatuses[0].ready and pod.status.containerStatuses[0].state.running
    assert len({p.status.podIP for p in pods}) == 2

    reasons = {e.reason for e in client.list(Event, namespace=ns)}
    assert {"ScalingReplicaSet", "SuccessfulCreate", "Scheduled", "Pulled", "Created", "Started"} <= reasons


def first_available_order(client: Any, ns: str, names: set[str]) -> list[str]:
    order: list[str] = []
    for _, dep in client.watch(Deployment, namespace=ns):
        cond = condition(dep, "Available")
        name = dep.metadata.name
        if cond is not None and cond.status == "True" and name not in order:
            order.append(name)
            if set(order) == names:
                return order
    raise AssertionError("watch ended")


def test_delays_are_honoured_in_order(client: Any, ns: str) -> None:
    # created shortest delay first: each one starts later AND waits longer, so a slow machine cannot swap them
    for name in ("quick-b", "mid-c", "slow-a"):
        client.create(deployment(name, ns))
    assert first_available_order(client, ns, {"slow-a", "quick-b", "mid-c"}) == ["quick-b", "mid-c", "slow-a"]


def test_never_stays_pending_while_others_become_ready(cluster: LocalCluster, client: Any, ns: str) -> None:
    client.create(deployment("never-x", ns))
    client.create(deployment("slow-y", ns))
    cluster.settle()  # the simulator has nothing left to do: never-x is not merely late
    assert available(client, "slow-y", ns)
    dep = client.get(Deployment, "never-x", namespace=ns)
    assert condition(dep, "Available").status == "False"
    assert condition(dep, "Progressing").reason == "ReplicaSetUpdated"
    (pod,) = pods_of(client, ns, "never-x")
    assert pod.status.phase == "Pending"
    assert pod.status.containerStatuses[0].state.waiting.reason == "ContainerCreating"


def test_fail_reports_progress_deadline_and_crash_loops(client: Any, ns: str) -> None:
    client.create(deployment("fail-api", ns))

    def failed() -> Any:
        cond = condition(client.get(Deployment, "fail-api", namespace=ns), "Progressing")
        return cond if cond is not None and cond.status == "False" else None

    assert eventually(failed, "Progressing=False").reason == "ProgressDeadlineExceeded"

    def crashing() -> Any:
        (pod,) = pods_of(client, ns, "fail-api")
        waiting = pod.status.containerStatuses[0].state.waiting
        return pod if waiting is not None and waiting.reason == "CrashLoopBackOff" else None

    pod = eventually(crashing, "the pod crash-loops")
    status = pod.status.containerStatuses[0]
    assert not status.ready and status.restartCount >= 1 and condition(pod, "Ready").status == "False"
    events = client.list(Event, namespace=ns, fields={"involvedObject.name": pod.metadata.name})
    assert any(e.reason == "BackOff" and e.type == "Warning" for e in events)


def test_scaling_and_a_new_generation_progress_again(client: Any, ns: str) -> None:
    client.create(deployment("app", ns, replicas=1))
    eventually(lambda: available(client, "app", ns), "app available")
    client.patch(Deployment, "app", {"spec": {"replicas": 3}}, namespace=ns)
    eventually(lambda: (d := available(client, "app", ns)) and d.status.readyReplicas == 3 and d, "3 ready")
    assert len(pods_of(client, ns, "app")) == 3
    client.patch(Deployment, "app", {"spec": {"replicas": 1}}, namespace=ns)
    eventually(lambda: len(pods_of(client, ns, "app")) == 1, "scaled down to one pod")

    patch = {"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "nginx:1.28"}]}}}}
    dep = client.patch(Deployment, "app", patch, namespace=ns)
    assert dep.metadata.generation == 4

    def rolled_out() -> Any:
        d = client.get(Deployment, "app", namespace=ns)
        done = condition(d, "Progressing")
        if d.status.observedGeneration == 4 and done.reason == "NewReplicaSetAvailable" and d.status.replicas == 1:
            return d
        return None

    dep = eventually(rolled_out, "rollout of generation 4")
    sets = {rs.metadata.name: rs for rs in client.list(ReplicaSet, namespace=ns)}
    assert len(sets) == 2
    assert sorted(rs.spec.replicas for rs in sets.values()) == [0, 1]
    (pod,) = pods_of(client, ns, "app")
    assert pod.spec.containers[0].image == "nginx:1.28"


def test_deleting_a_deployment_collects_its_replica_sets_and_pods(client: Any, ns: str) -> None:
    client.create(deployment("gone", ns, replicas=2))
    eventually(lambda: available(client, "gone", ns), "available")
    client.delete(Deployment, "gone", namespace=ns)

    def collected() -> bool:
        left = [r.metadata.name for r in client.list(ReplicaSet, namespace=ns)]
        left += [p.metadata.name for p in client.list(Pod, namespace=ns)]
        return not left

    eventually(collected, "GC")


def test_stateful_set_orders_pods_and_binds_claims(client: Any, ns: str) -> None:
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": ns},
        "spec": {
            "replicas": 3,
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [{"name": "pg", "image": "pg"}]},
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}}},
                }
            ],
        },
    }
    client.create(from_dict(sts))
    order: list[str] = []  # pod ADDED events and Ready transitions, as they happen
    for kind, pod in client.watch(Pod, namespace=ns):
        ready = condition(pod, "Ready")
        if kind == "ADDED":
            order.append(f"+{pod.metadata.name}")
        elif ready is not None and ready.status == "True" and f"ready:{pod.metadata.name}" not in order:
            order.append(f"ready:{pod.metadata.name}")
        if "ready:db-2" in order:
            break
    assert order == ["+db-0", "ready:db-0", "+db-1", "ready:db-1", "+db-2", "ready:db-2"]
    got = eventually(lambda: (s := client.get(StatefulSet, "db", namespace=ns)).status.readyReplicas == 3 and s, "3")
    assert got.status.currentRevision == got.status.updateRevision
    assert got.status.observedGeneration == 1
    claims = {c.metadata.name: c for c in client.list(PersistentVolumeClaim, namespace=ns)}
    assert sorted(claims) == ["data-db-0", "data-db-1", "data-db-2"]
    for claim in claims.values():
        assert claim.status.phase == "Bound" and claim.status.capacity["storage"] == "2Gi"
        volume = client.get(PersistentVolume, claim.spec.volumeName)
        assert volume.spec.claimRef.name == claim.metadata.name and volume.status.phase == "Bound"
    pod = client.get(Pod, "db-1", namespace=ns)
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-1"}} in [
        v.to_dict() for v in pod.spec.volumes
    ]


def test_daemon_set_runs_one_pod_on_the_simulated_node(client: Any, ns: str) -> None:
    node = client.get(Node, "pykro-node-0")
    assert condition(node, "Ready").status == "True"
    ds = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": ns},
        "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"name": "a", "image": "a"}]},
            },
        },
    }
    client.create(from_dict(ds))
    got = eventually(lambda: (d := client.get(DaemonSet, "agent", namespace=ns)).status.numberReady == 1 and d, "ready")
    assert (got.status.desiredNumberScheduled, got.status.currentNumberScheduled) == (1, 1)
    assert got.status.updatedNumberScheduled == 1 and got.status.observedGeneration == 1
    (pod,) = pods_of(client, ns, "agent")
    assert pod.spec.nodeName == "pykro-node-0"


def job(name: str, ns: str, completions: int = 1) -> Any:
    pod = {"restartPolicy": "Never", "containers": [{"name": "run", "image": "busybox"}]}
    spec = {"completions": completions, "parallelism": 2, "backoffLimit": 2, "template": {"spec": pod}}
    return from_dict(
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": ns}, "spec": spec}
    )


def finished(client: Any, name: str, ns: str) -> Any:
    j = client.get(Job, name, namespace=ns)
    conds = {c.type: c for c in (j.status.conditions or [])} if j.status else {}
    return j if "Complete" in conds or "Failed" in conds else None


def test_jobs_complete_or_fail_with_counts(client: Any, ns: str) -> None:
    client.create(job("batch", ns, completions=3))
    client.create(job("fail-batch", ns))
    done = eventually(lambda: finished(client, "batch", ns), "batch finished")
    assert condition(done, "Complete").status == "True" and done.status.succeeded == 3
    assert done.status.completionTime is not None and not done.status.active
    failed = eventually(lambda: finished(client, "fail-batch", ns), "fail-batch finished")
    assert condition(failed, "Failed").reason == "BackoffLimitExceeded"
    assert failed.status.failed == 3 and not failed.status.succeeded  # backoffLimit 2 -> 3 attempts
    phases = sorted(p.status.phase for p in client.list(Pod, namespace=ns))
    assert phases == ["Failed"] * 3 + ["Succeeded"] * 3
    reasons = {e.reason for e in client.list(Event, namespace=ns)}
    assert {"Completed", "BackoffLimitExceeded"} <= reasons


def lb_ingress(obj: Any) -> Any:
    status = obj.status
    return status.loadBalancer.ingress if status is not None and status.loadBalancer is not None else None


def test_load_balancer_and_ingress_get_addresses(client: Any, ns: str) -> None:
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "front", "namespace": ns},
        "spec": {"type": "LoadBalancer", "selector": {"app": "front"}, "ports": [{"port": 80}]},
    }
    ing = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "front", "namespace": ns},
        "spec": {"rules": [{"host": "front.example"}]},
    }
    client.create(from_dict(svc))
    client.create(from_dict(ing))
    lb = eventually(lambda: lb_ingress(client.get(Service, "front", namespace=ns)), "a load balancer address")
    assert lb[0].ip.startswith("172.18.255.")
    got = eventually(lambda: lb_ingress(client.get(Ingress, "front", namespace=ns)), "an ingress address")
    assert got[0].ip != lb[0].ip
    plain = client.create(
        from_dict({**svc, "metadata": {"name": "plain", "namespace": ns}, "spec": {"ports": [{"port": 80}]}})
    )
    assert plain.spec.type == "ClusterIP"
    assert not lb_ingress(client.get(Service, "plain", namespace=ns))


CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "databases.sim.example"},
    "spec": {
        "group": "sim.example",
        "scope": "Namespaced",
        "names": {"plural": "databases", "singular": "database", "kind": "Database", "listKind": "DatabaseList"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            }
        ],
    },
}
Database = create_namespaced_resource("sim.example", "v1", "Database", "databases")


def test_crd_established_and_custom_kind_rule(client: Any, ns: str) -> None:
    client.create(from_dict(CRD))

    def established() -> Any:
        return condition(client.get(CustomResourceDefinition, "databases.sim.example"), "Established")

    assert eventually(established, "CRD established").status == "True"
    client.create(
        from_dict(
            {
                "apiVersion": "sim.example/v1",
                "kind": "Database",
                "metadata": {"name": "orders", "namespace": ns},
                "spec": {"size": 1},
            }
        )
    )

    def ready_generation() -> int | None:
        status = client.get(Database, "orders", namespace=ns).status or {}
        conds = [c for c in status.get("conditions", []) if c["type"] == "Ready" and c["status"] == "True"]
        return conds[0]["observedGeneration"] if conds else None

    assert eventually(ready_generation, "Ready") == 1
    status = client.get(Database, "orders", namespace=ns).status
    assert status["endpoint"] == "db.example:5432" and status["connection"] == {"port": 5432}
    client.patch(Database, "orders", {"spec": {"size": 2}}, namespace=ns, patch_type=PatchType.MERGE)
    # the new generation is first reported as progressing, then ready again
    states: list[tuple[int, str]] = []
    for _, db in client.watch(Database, namespace=ns, fields={"metadata.name": "orders"}):
        cond = next(c for c in db.status["conditions"] if c["type"] == "Ready")
        states.append((cond["observedGeneration"], cond["status"]))
        if states[-1] == (2, "True"):
            break
    assert (2, "False") in states


def names_under_seed(seed: int) -> list[str]:
    with LocalCluster(seed=seed) as c:
        cl = c.client()
        cl.create(deployment("det", "default", replicas=3))
        eventually(lambda: len([p for p in pods_of(cl, "default", "det") if p.status and p.status.podIP]) == 3, "IPs")
        return sorted(f"{p.metadata.name} {p.status.podIP}" for p in pods_of(cl, "default", "det"))


def test_generated_names_and_addresses_are_deterministic_under_a_seed() -> None:
    first = names_under_seed(5)
    assert first == names_under_seed(5)
    assert first != names_under_seed(6)


async def test_async_client_sees_readiness(cluster: LocalCluster) -> None:
    client: Any = cluster.async_client()
    name = f"sim-async-{next(_names)}"
    await client.create(Namespace(metadata={"name": name}))  # type: ignore[arg-type]
    await client.create(deployment("quick-async", name, replicas=2))
    async for _, dep in client.watch(Deployment, namespace=name):
        cond = condition(dep, "Available")
        if cond is not None and cond.status == "True":
            assert dep.status.availableReplicas == 2
            break
    pods = [p async for p in client.list(Pod, namespace=name)]
    assert len(pods) == 2 and all(p.status.phase == "Running" for p in pods)
    await client.close()
    await asyncio.sleep(0)
