"""Factories inside real compositions: rendered with the real CEL engine, every manifest is schema-valid; typed
references catch the headline mistakes at definition time."""

from __future__ import annotations

from typing import Any

import pytest

from pykro import Spec, Status, composition
from pykro.errors import CompositionError
from pykro.schema._kubernetes import validate_object
from pykro.simple import (
    ClusterRole,
    ClusterRoleBinding,
    ConfigMap,
    CronJob,
    DaemonSet,
    Deployment,
    HorizontalPodAutoscaler,
    Ingress,
    Job,
    Namespace,
    NetworkPolicy,
    PersistentVolumeClaim,
    PodDisruptionBudget,
    Role,
    RoleBinding,
    Secret,
    Service,
    ServiceAccount,
    StatefulSet,
)


class ShopSpec(Spec):
    name: str
    image: str
    replicas: int = 2
    port: int = 3000
    domain: str
    environment: str = "development"
    storage: str = "1Gi"
    debug: bool = False


class ShopStatus(Status):
    ready: bool
    replicas: int


@composition(api_version="example.com/v1alpha1", kind="Shop")
def shop(spec: ShopSpec) -> ShopStatus:
    Namespace(id="ns", name=f"{spec.name}-ns", labels={"env": spec.environment})
    cfg = ConfigMap(
        id="appConfig",
        name=f"{spec.name}-config",
        data={"ENVIRONMENT": spec.environment, "PORT": spec.port, "nginx.conf": "events {}\nhttp {}\n"},
    )
    creds = Secret(id="dbSecrets", name=f"{spec.name}-db", string_data={"url": f"postgres://{spec.name}-db:5432"})
    account = ServiceAccount(id="sa", name=f"{spec.name}-sa")
    role = Role(
        id="reader", name=f"{spec.name}-reader", rules=[{"api_groups": [""], "resources": ["pods"], "verbs": ["get"]}]
    )
    RoleBinding(id="readerBinding", name=f"{spec.name}-reader", role=role, subjects=[account], namespace="default")
    viewer = ClusterRole(
        id="viewer", name=f"{spec.name}-viewer", rules=[{"non_resource_urls": ["/metrics"], "verbs": ["get"]}]
    )
    ClusterRoleBinding(id="viewerBinding", name=f"{spec.name}-viewer", role=viewer, subjects=[account])
    db = StatefulSet(
        id="db",
        name=f"{spec.name}-db",
        image="postgres:15",
        ports=[5432],
        env={"POSTGRES_PASSWORD": {"secretKeyRef": {"name": creds.metadata.name, "key": "url"}}},
        volume_claim_templates=[{"name": "data", "size": spec.storage, "mount_path": "/var/lib/postgresql/data"}],
    )
    Service(id="dbSvc", name=f"{spec.name}-db", selector=db, ports=[5432], cluster_ip="None")
    PersistentVolumeClaim(id="shared", name=f"{spec.name}-shared", size=spec.storage)
    app = Deployment(
        id="app",
        name=spec.name,
        image=spec.image,
        replicas=spec.replicas,
        ports=[spec.port],
        env={"PORT": spec.port, "DEBUG": spec.debug, "ENV": spec.environment},
        env_from=[cfg, creds],
        service_account=account,
        labels={"tier": "web", "env": spec.environment},
        config_maps=[{"name": cfg.metadata.name, "mount_path": "/etc/nginx/nginx.conf", "sub_path": "nginx.conf"}],
        liveness_probe={"httpGet": {"path": "/health", "port": spec.port}},
        resources={"requests": {"cpu": "100m"}},
    )
    svc = Service(id="appSvc", name=spec.name, ports=[{"port": 80, "target_port": spec.port}], type="LoadBalancer")
    Ingress(id="edge", name=f"{spec.name}-edge", host=spec.domain, service=svc, port=80, tls_secret=f"{spec.name}-tls")
    NetworkPolicy(
        id="dbPolicy",
        name=f"{spec.name}-db",
        pod_selector=db,
        ingress=[{"from": [{"podSelector": {"matchLabels": {"app": spec.name}}}]}],
    )
    HorizontalPodAutoscaler(
        id="hpa", name=spec.name, target=app, min_replicas=spec.replicas, max_replicas=10, cpu_utilization=70
    )
    PodDisruptionBudget(id="pdb", name=spec.name, selector=app, min_available=1)
    DaemonSet(id="agent", name=f"{spec.name}-agent", image="fluent-bit:3")
    Job(id="migrate", name=f"{spec.name}-migrate", image=spec.image, args=["migrate"], env_from=[creds])
    CronJob(id="backup", name=f"{spec.name}-backup", image="backup:1", schedule="0 3 * * *")
    return ShopStatus(ready=app.status.readyReplicas >= spec.replicas, replicas=app.status.readyReplicas)


SPEC: dict[str, Any] = {"name": "shop", "image": "shop:1.4", "domain": "shop.example.com", "port": 8080, "debug": True}


def _manifests() -> list[dict[str, Any]]:
    return shop.to_manifests(ShopSpec(**SPEC), namespace="default")


def test_every_rendered_manifest_is_schema_valid() -> None:
    manifests = _manifests()
    assert len(manifests) == 20
    for obj in manifests:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))


def test_rendered_values() -> None:
    by_id = {(m["kind"], m["metadata"]["name"]): m for m in _manifests()}
    app = by_id[("Deployment", "shop")]
    pod = app["spec"]["template"]["spec"]
    assert app["metadata"]["labels"] == {"app": "shop", "tier": "web", "env": "development"}
    assert app["spec"]["selector"]["matchLabels"] == {"app": "shop"}
    assert pod["containers"][0]["name"] == "main"  # the name is the spec's, so the container is "main"
    assert pod["containers"][0]["env"] == [
        {"name": "PORT", "value": "8080"},
        {"name": "DEBUG", "value": "true"},
        {"name": "ENV", "value": "development"},
    ]
    assert pod["containers"][0]["ports"] == [{"containerPort": 8080}]
    assert pod["volumes"] == [{"name": "configmap-0", "configMap": {"name": "shop-config"}}]
    assert pod["serviceAccountName"] == "shop-sa"
    assert by_id[("ConfigMap", "shop-config")]["data"]["PORT"] == "8080"
    assert by_id[("Service", "shop-db")]["spec"]["selector"] == {"app": "shop-db"}
    assert by_id[("RoleBinding", "shop-reader")]["subjects"] == [
        {"kind": "ServiceAccount", "name": "shop-sa", "namespace": "default"}
    ]
    rule = by_id[("Ingress", "shop-edge")]["spec"]["rules"][0]
    assert rule["host"] == "shop.example.com" and rule["http"]["paths"][0]["backend"]["service"]["name"] == "shop"
    claims = by_id[("StatefulSet", "shop-db")]["spec"]["volumeClaimTemplates"]
    assert claims[0]["spec"]["resources"]["requests"]["storage"] == "1Gi"


def test_typo_in_a_status_field_fails_at_definition_time() -> None:
    with pytest.raises(CompositionError) as info:

        @composition(api_version="example.com/v1alpha1", kind="Typo")
        def typo(spec: ShopSpec) -> ShopStatus:
            app = Deployment(id="app", name=spec.name, image=spec.image)
            return ShopStatus(ready=app.status.reedyReplicas > 0, replicas=0)

        typo.graph  # noqa: B018 - building the graph runs the function
    assert "Deployment has no field status.reedyReplicas" in str(info.value)
    assert "Did you mean status.readyReplicas?" in str(info.value)
    assert info.value.where is not None and __file__ in info.value.where


def test_service_cluster_ip_lives_in_spec() -> None:
    with pytest.raises(CompositionError) as info:

        @composition(api_version="example.com/v1alpha1", kind="Moved")
        def moved(spec: ShopSpec) -> ShopStatus:
            svc = Service(id="svc", name=spec.name, ports=[80])
            Deployment(id="app", name=spec.name, image=spec.image, env={"DB_HOST": svc.status.clusterIP})
            return ShopStatus(ready=True, replicas=0)

        moved.graph  # noqa: B018
    assert "Service has no field status.clusterIP" in str(info.value)
    assert "clusterIP lives at spec.clusterIP" in str(info.value)
