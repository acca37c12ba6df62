"""Further simulator behaviour over HTTP: picking up objects from a state file, StatefulSet scale-down and rolling
updates, pods waiting for claims that never bind, Recreate rollouts, DaemonSet updates, Service type changes."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from lightkube import ApiError
from lightkube.codecs import from_dict
from lightkube.resources.apps_v1 import DaemonSet, Deployment, ReplicaSet, StatefulSet
from lightkube.resources.core_v1 import Endpoints, Event, Namespace, PersistentVolumeClaim, Pod, Service
from lightkube.resources.discovery_v1 import EndpointSlice
from lightkube.types import PatchType
from tests.helpers import eventually

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._simulation import Rule, SimulationRules

_names = itertools.count()
RULES = SimulationRules(rules=[Rule(kind="PersistentVolumeClaim", name="stuck-*", outcome="never")])


pytestmark = pytest.mark.cluster(rules=RULES, seed=9)


@pytest.fixture
def client(cluster: LocalCluster) -> Any:
    return cluster.client()


@pytest.fixture
def ns(client: Any) -> str:
    name = f"life-{next(_names)}"
    client.create(Namespace(metadata={"name": name}))  # type: ignore[arg-type]
    return name


def template(app: str, image: str = "img:1", **spec: Any) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "c", "image": image}], **spec}}


def workload(kind: str, name: str, ns: str, **spec: Any) -> Any:
    body = {"selector": {"matchLabels": {"app": name}}, "template": template(name), **spec}
    return from_dict({"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": body})


def ready_pods(client: Any, ns: str, app: str) -> list[Any]:
    pods = [p for p in client.list(Pod, namespace=ns, labels={"app": app}) if not p.metadata.deletionTimestamp]
    return [p for p in pods if p.status and any(c.type == "Ready" and c.status == "True" for c in p.status.conditions)]


def test_objects_from_a_state_file_are_simulated(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with LocalCluster(simulate=False, state_file=state) as c:
        c.client().create(workload("Deployment", "saved", "default", replicas=2))
    with LocalCluster(state_file=state) as c:
        client: Any = c.client()
        # pods become ready one at a time: wait for both (1 of 2 is a moment on the way, not the end state)
        dep = eventually(
            lambda: (d := client.get(Deployment, "saved")).status and d.status.availableReplicas == 2 and d, "2 up"
        )
        assert dep.status.availableReplicas == 2 and dep.status.replicas == 2


def test_a_deleted_pod_is_replaced(client: Any, ns: str) -> None:
    client.create(workload("Deployment", "heal", ns, replicas=2))
    eventually(lambda: len(ready_pods(client, ns, "heal")) == 2, "2 ready")
    first = {p.metadata.name for p in ready_pods(client, ns, "heal")}
    victim = sorted(first)[0]
    client.delete(Pod, victim, namespace=ns)

    def healed() -> set[str] | None:
        names = {p.metadata.name for p in ready_pods(client, ns, "heal")}
        return names if len(names) == 2 and victim not in names else None

    after = eventually(healed, "a replacement pod")
    assert len(after & first) == 1


def test_stateful_set_scales_down_from_the_top_and_rolls_updates(client: Any, ns: str) -> None:
    client.create(workload("StatefulSet", "kv", ns, replicas=3, serviceName="kv"))
    eventually(lambda: len(ready_pods(client, ns, "kv")) == 3, "3 ready")
    client.patch(StatefulSet, "kv", {"spec": {"replicas": 2}}, namespace=ns)
    eventually(lambda: sorted(p.metadata.name for p in ready_pods(client, ns, "kv")) == ["kv-0", "kv-1"], "scaled")
    before = client.get(StatefulSet, "kv", namespace=ns).status.updateRevision
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "img:2"}]}}}}
    client.patch(StatefulSet, "kv", patch, namespace=ns)

    def rolled() -> Any:
        sts = client.get(StatefulSet, "kv", namespace=ns)
        s = sts.status
        done = s.observedGeneration == 3 and s.updatedReplicas == 2 and s.readyReplicas == 2
        return sts if done and s.currentRevision == s.updateRevision else None

    sts = eventually(rolled, "rolling update")
    assert sts.status.updateRevision != before
    images = {p.spec.containers[0].image for p in client.list(Pod, namespace=ns, labels={"app": "kv"})}
    assert images == {"img:2"}
    reasons = [e.message for e in client.list(Event, namespace=ns) if e.reason == "SuccessfulDelete"]
    assert "delete Pod kv-2 in StatefulSet kv successful" in reasons


def test_pod_waits_for_a_claim_that_never_binds(client: Any, ns: str) -> None:
    claim = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    for name in ("stuck-data", "good-data"):
        client.create(
            from_dict(
                {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": {"name": name, "namespace": ns},
                    "spec": claim,
                }
            )
        )
    for app, claim_name in (("waiting", "stuck-data"), ("mounted", "good-data")):
        volumes = [{"name": "d", "persistentVolumeClaim": {"claimName": claim_name}}]
        client.create(
            from_dict(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": app, "namespace": ns, "labels": {"app": app}},
                    "spec": {"containers": [{"name": "c", "image": "i"}], "volumes": volumes},
                }
            )
        )
    eventually(lambda: ready_pods(client, ns, "mounted"), "the pod with a bound claim runs")
    assert client.get(PersistentVolumeClaim, "good-data", namespace=ns).status.phase == "Bound"
    assert client.get(PersistentVolumeClaim, "stuck-data", namespace=ns).status.phase == "Pending"
    waiting = client.get(Pod, "waiting", namespace=ns)
    assert waiting.status.phase == "Pending" and waiting.spec.nodeName == "pykro-node-0"  # bound by the scheduler


def test_recreate_strategy_removes_old_pods_first(client: Any, ns: str) -> None:
    client.create(workload("Deployment", "rc", ns, replicas=2, strategy={"type": "Recreate"}))
    eventually(lambda: len(ready_pods(client, ns, "rc")) == 2, "2 ready")
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "img:2"}]}}}}
    client.patch(Deployment, "rc", patch, namespace=ns)
    images_seen: list[set[str]] = []

    def rolled() -> bool:
        pods = [p for p in client.list(Pod, namespace=ns, labels={"app": "rc"}) if not p.metadata.deletionTimestamp]
        images_seen.append({p.spec.containers[0].image for p in pods})
        dep = client.get(Deployment, "rc", namespace=ns)
        return bool(dep.status.observedGeneration == 2 and dep.status.updatedReplicas == 2 and len(pods) == 2)

    eventually(lambda: rolled() and len(ready_pods(client, ns, "rc")) == 2, "recreated")
    assert all(len(images) <= 1 for images in images_seen)  # never old and new pods at once
    assert sorted(rs.spec.replicas for rs in client.list(ReplicaSet, namespace=ns)) == [0, 2]


def test_daemon_set_update_replaces_its_pod(client: Any, ns: str) -> None:
    client.create(workload("DaemonSet", "agent", ns))
    (first,) = eventually(lambda: ready_pods(client, ns, "agent"), "agent ready")
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "img:2"}]}}}}
    client.patch(DaemonSet, "agent", patch, namespace=ns)

    def replaced() -> Any:
        pods = ready_pods(client, ns, "agent")
        return pods if len(pods) == 1 and pods[0].metadata.name != first.metadata.name else None

    (second,) = eventually(replaced, "a new agent pod")
    assert second.spec.containers[0].image == "img:2"
    ds = client.get(DaemonSet, "agent", namespace=ns)
    assert ds.status.observedGeneration == 2 and ds.status.numberReady == 1


def test_service_type_change_releases_the_load_balancer(client: Any, ns: str) -> None:
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "edge", "namespace": ns},
        "spec": {"type": "LoadBalancer", "selector": {"app": "edge"}, "ports": [{"port": 443}]},
    }
    client.create(from_dict(svc))

    def ingress() -> Any:
        status = client.get(Service, "edge", namespace=ns).status
        return status.loadBalancer.ingress if status and status.loadBalancer else None

    assert eventually(ingress, "a load balancer address")
    client.patch(Service, "edge", {"spec": {"type": "ClusterIP"}}, namespace=ns, patch_type=PatchType.MERGE)
    eventually(lambda: not ingress(), "the address released")


def test_services_get_endpoints_of_the_pods_they_select(client: Any, ns: str) -> None:
    spec = {"selector": {"app": "api"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}
    client.create(
        from_dict({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": ns}, "spec": spec})
    )
    client.create(workload("Deployment", "api", ns, replicas=2))

    def addresses() -> list[str]:
        try:
            subsets = client.get(Endpoints, "api", namespace=ns).subsets or []
        except ApiError:
            return []
        return sorted(a.ip for s in subsets for a in (s.addresses or []))

    ready = eventually(lambda: len(addresses()) == 2 and addresses(), "two ready addresses")
    assert ready == sorted(p.status.podIP for p in ready_pods(client, ns, "api"))
    (subset,) = client.get(Endpoints, "api", namespace=ns).subsets
    assert [(p.name, p.port) for p in subset.ports] == [("http", 8080)]
    assert {a.targetRef.name for a in subset.addresses} == {p.metadata.name for p in ready_pods(client, ns, "api")}
    (slice_,) = client.list(EndpointSlice, namespace=ns, labels={"kubernetes.io/service-name": "api"})
    assert sorted(e.addresses[0] for e in slice_.endpoints if e.conditions.ready) == ready
    assert slice_.metadata.ownerReferences[0].kind == "Service"

    client.patch(Deployment, "api", {"spec": {"replicas": 1}}, namespace=ns)
    eventually(lambda: len(addresses()) == 1, "one address after scaling down")
    client.patch(Deployment, "api", {"spec": {"replicas": 0}}, namespace=ns)  # no pod left: no subsets at all
    eventually(lambda: client.get(Endpoints, "api", namespace=ns).subsets is None, "the subsets removed")
    client.delete(Service, "api", namespace=ns)

    def gone() -> bool:
        left = list(client.list(EndpointSlice, namespace=ns)) + list(client.list(Endpoints, namespace=ns))
        return not left

    eventually(gone, "endpoints removed with the service")


def test_init_containers_complete_before_the_pod_runs(client: Any, ns: str) -> None:
    spec = {
        "initContainers": [{"name": "migrate", "image": "tool"}],
        "containers": [{"name": "app", "image": "app"}],
    }
    client.create(
        from_dict(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p", "namespace": ns, "labels": {"app": "p"}},
                "spec": spec,
            }
        )
    )
    (pod,) = eventually(lambda: ready_pods(client, ns, "p"), "the pod runs")
    (init,) = pod.status.initContainerStatuses
    assert (
        init.name == "migrate" and init.state.terminated.exitCode == 0 and init.state.terminated.reason == "Completed"
    )
    conditions = {c.type: c.status for c in pod.status.conditions}
    assert conditions["Initialized"] == conditions["PodReadyToStartContainers"] == "True"
