"""The RBAC, policy, companion and scaling builders inside a @composition: spec references reach the objects, the
graph compiles, and the instance deploys to the emulator over HTTP and becomes ready with every object live."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pykro import Spec, Status, composition
from pykro.builders import (
    App,
    Companion,
    NetworkPolicy,
    Observability,
    Role,
    Scaling,
    SecurityPolicy,
    ServiceAccount,
)
from pykro.emulator._cluster import LocalCluster
from pykro.schema._kubernetes import validate_object


class ApiSpec(Spec):
    image: str
    replicas: int = 2
    max_replicas: int = 5


class ApiStatus(Status):
    ready: bool


@composition(api_version="example.com/v1alpha1", kind="SecuredApi")
def secured(spec: ApiSpec) -> ApiStatus:
    refs = (
        App("api")
        .image(spec.image)
        .replicas(spec.replicas)
        .port(8080)
        .add_service_account(ServiceAccount("api-sa").automount_token(False))
        .add_role(Role("api-reader").allow_read_only("configmaps"))
        .add_network_policy(NetworkPolicy("api-ingress").allow_pods_with_label("app", "web", ports=[8080]))
        .add_security_policy(SecurityPolicy("strict").pod_security_standard("restricted"))
        .add_companion(Companion("log").image("fluent-bit:3").mount_shared_volume("/var/log/app"))
        .add_observability(Observability("obs").enable_metrics(9100))
        .scale(Scaling("api").target_cpu_utilization(70).min_replicas(2).max_replicas(spec.max_replicas))
    ).to_resources()
    return ApiStatus(ready=refs.of("Deployment", "api").status.readyReplicas >= spec.replicas)


KINDS = [
    ("ServiceAccount", "api-sa"),
    ("Role", "api-reader"),
    ("RoleBinding", "api-api-reader"),
    ("NetworkPolicy", "api-ingress"),
    ("Deployment", "api"),
    ("Service", "api"),
    ("HorizontalPodAutoscaler", "api"),
]


def test_the_rendered_objects_are_valid_and_carry_the_spec() -> None:
    assert "maxReplicas: ${schema.spec.maxReplicas}" in secured.to_rgd_yaml()
    objects = secured.to_manifests(ApiSpec(image="api:2", replicas=3, max_replicas=7), namespace="prod")
    for obj in objects:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))
    by = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    assert sorted(by) == sorted(KINDS)
    assert by[("HorizontalPodAutoscaler", "api")]["spec"]["maxReplicas"] == 7
    pod = by[("Deployment", "api")]["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["api", "log"]
    assert pod["serviceAccountName"] == "api-sa" and pod["securityContext"]["runAsNonRoot"] is True


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(bookmark_interval=0.5) as c:
        yield c


def test_it_deploys_to_the_emulator(cluster: LocalCluster) -> None:
    factory = secured.factory("direct", namespace="secured", kubeconfig=cluster.kubeconfig_path)
    instance: Any = factory.deploy(ApiSpec(image="api:2", replicas=2), name="api")
    assert instance.ready and instance.status.ready is True

    async def collect(api: Any) -> list[dict[str, Any]]:
        return [o for _, o in cluster.engine.store.all_objects() if o["metadata"].get("namespace") == "secured"]

    live = {(o["kind"], o["metadata"]["name"]): o for o in cluster.run(collect)}
    for key in KINDS:
        assert key in live, key
    binding = live[("RoleBinding", "api-api-reader")]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "api-sa"}]
    assert live[("ServiceAccount", "api-sa")]["automountServiceAccountToken"] is False
    factory.delete(instance.name)
