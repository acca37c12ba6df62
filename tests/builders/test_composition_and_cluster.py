"""Builders inside a @composition: values are spec references, the graph compiles and renders schema-valid
objects; an AppGroup built that way is deployed to the emulator over HTTP and becomes ready."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from pykro import Spec, Status, composition
from pykro.builders import App, AppGroup, ConfigMap, Job, Secret, StatefulApp
from pykro.emulator._cluster import LocalCluster
from pykro.errors import PykroError
from pykro.schema._kubernetes import validate_object

TOKEN = "BUILDER-s3cr3t-token"


class ShopSpec(Spec):
    image: str
    replicas: int = 2
    storage: str = "1Gi"


class ShopStatus(Status):
    ready: bool
    web_replicas: int


@composition(api_version="example.com/v1alpha1", kind="CelestraShop")
def shop(spec: ShopSpec) -> ShopStatus:
    keys = Secret("web-keys").add("token", TOKEN)
    web = (
        App("web")
        .image(spec.image)
        .replicas(spec.replicas)
        .port(8080)
        .add_secret(keys)
        .add_config(ConfigMap("web-config").add("LOG_LEVEL", "info"))
        .readiness_probe("/ready")
    )
    db = StatefulApp("db").image("postgres:15").port(5432).storage(spec.storage).env("POSTGRES_DB", "shop")
    refs = AppGroup("shop").add_services([web, db, Job("migrate").image(spec.image).args(["migrate"])]).to_resources()
    deployment = refs.of("Deployment", "web")
    stateful = refs.of("StatefulSet")
    return ShopStatus(
        ready=(deployment.status.readyReplicas >= spec.replicas) and (stateful.status.readyReplicas >= 1),
        web_replicas=deployment.status.readyReplicas,
    )


def test_the_composition_uses_spec_references() -> None:
    graph = shop.graph
    assert graph.ids == [
        "secretWebKeys",
        "configMapWebConfig",
        "deploymentWeb",
        "serviceWeb",
        "statefulSetDb",
        "serviceDb",
        "jobMigrate",
    ]
    rgd = shop.to_rgd_yaml()
    assert "replicas: ${schema.spec.replicas}" in rgd
    assert "image: ${schema.spec.image}" in rgd
    assert "storage: ${schema.spec.storage}" in rgd


def test_rendered_objects_are_schema_valid_and_carry_the_values() -> None:
    objects = shop.to_manifests(ShopSpec(image="shop:1.4", replicas=3, storage="5Gi"), namespace="default")
    for obj in objects:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))
    by = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    web = by[("Deployment", "web")]
    assert web["spec"]["replicas"] == 3
    assert web["spec"]["template"]["spec"]["containers"][0]["image"] == "shop:1.4"
    claim = by[("StatefulSet", "db")]["spec"]["volumeClaimTemplates"][0]
    assert claim["spec"]["resources"]["requests"]["storage"] == "5Gi"
    assert by[("Service", "web")]["spec"]["selector"] == {"app": "web"}
    assert by[("Service", "db")]["spec"]["clusterIP"] == "None"
    # the secret value is in the Secret only
    for key, obj in by.items():
        text = repr(obj)
        assert (TOKEN in text or base64.b64encode(TOKEN.encode()).decode() in text) == (key == ("Secret", "web-keys"))


def test_a_reference_of_the_wrong_type_is_caught_when_the_graph_is_built() -> None:
    @composition(api_version="example.com/v1alpha1", kind="Broken")
    def broken(spec: ShopSpec) -> None:
        App("web").image(spec.image).replicas(spec.image).to_resources()

    with pytest.raises(PykroError, match="replicas must be an int"):
        broken.to_rgd_yaml()


def test_an_app_group_deploys_to_the_emulator_and_becomes_ready(cluster: LocalCluster) -> None:
    factory = shop.factory("direct", namespace="builders", kubeconfig=cluster.kubeconfig_path)
    instance: Any = factory.deploy(ShopSpec(image="shop:1.4", replicas=2), name="shop")
    assert instance.ready and instance.state == "ACTIVE"
    assert instance.status.ready is True
    assert instance.status.web_replicas == 2

    async def collect(api: Any) -> list[dict[str, Any]]:
        return [o for _, o in cluster.engine.store.all_objects() if o["metadata"].get("namespace") == "builders"]

    live = {(o["kind"], o["metadata"]["name"]): o for o in cluster.run(collect)}
    assert live[("Service", "web")]["spec"]["selector"] == {"app": "web"}
    assert ("StatefulSet", "db") in live and ("Job", "migrate") in live
    env_from = live[("Deployment", "web")]["spec"]["template"]["spec"]["containers"][0]["envFrom"]
    assert {"secretRef": {"name": "web-keys"}} in env_from
    factory.delete(instance.name)


def test_standalone_to_manifests_and_to_yaml() -> None:
    """Without a composition, a builder gives its objects (``to_manifests``) and one YAML stream (``to_yaml``)."""
    from pykro import _yamlio

    db = StatefulApp("db").image("postgres:16").port(5432).storage("1Gi").replicas(2)
    manifests = db.to_manifests()
    assert manifests == db.objects()
    assert [(o["kind"], o["metadata"]["name"]) for o in manifests] == [("StatefulSet", "db"), ("Service", "db")]
    assert manifests[0]["spec"]["replicas"] == 2
    assert list(_yamlio.load_all(db.to_yaml())) == manifests
