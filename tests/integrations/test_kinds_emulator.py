"""A built-in kind deployed to the emulator over HTTP: the shipped CRD installs, the API server accepts the
template, and the dependent resource waits until the object reaches the state CloudNativePG reports when healthy."""

from __future__ import annotations

from typing import Any, cast

import pytest
from lightkube.generic_resource import create_namespaced_resource
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.types import PatchType

import pykro
from pykro.deploy import DeployOptions, DirectFactory, NullReporter, RetryPolicy
from pykro.emulator._cluster import LocalCluster
from pykro.integrations import cnpg
from pykro.simple import ConfigMap

# the test plays the CloudNativePG operator itself (patching the Cluster's status); the emulator's simulated
# operators would otherwise reconcile the Cluster as soon as its CRD exists
pytestmark = pytest.mark.cluster(simulate=False)

PgCluster = create_namespaced_resource("postgresql.cnpg.io", "v1", "Cluster", "clusters")


class AppSpec(pykro.Spec):
    name: str


@pykro.composition(api_version="v1alpha1", kind="PgApp")
def pg_app(spec: AppSpec) -> None:
    db = cnpg.Cluster(f"{spec.name}-db", id="db", instances=2, storage={"size": "1Gi"})
    ConfigMap(id="conn", name=f"{spec.name}-conn", data={"host": db.status.writeService})


@pytest.fixture(scope="module")
def installed(cluster: LocalCluster) -> LocalCluster:
    """The module's emulator with the shipped CloudNativePG Cluster CRD installed."""
    crd = cast(CustomResourceDefinition, CustomResourceDefinition.from_dict(dict(cnpg.Cluster.definition.crd)))
    cluster.client().create(crd)
    return cluster


def test_dependent_waits_for_a_healthy_cnpg_cluster(installed: LocalCluster) -> None:
    cluster = installed
    factory = DirectFactory(
        pg_app.graph,
        namespace="pg",
        kubeconfig=cluster.kubeconfig_path,
        reporter=NullReporter(),
        retry=RetryPolicy(base=0.01, cap=0.2, seed=1),
        options=DeployOptions(timeout=60),
    )
    first = factory.deploy({"name": "shop"}, wait=False)
    assert first.state != "ACTIVE"
    client = cluster.client()
    live = client.get(PgCluster, "shop-db", namespace="pg")
    # as written, plus the CRD's defaults the API server applied
    assert live["spec"]["instances"] == 2
    assert live["spec"]["storage"] == {"size": "1Gi", "resizeInUseVolumes": True}
    assert [c.metadata.name for c in _configmaps(client, "shop-conn")] == []

    def status(**fields: Any) -> None:
        client.patch(PgCluster.Status, "shop-db", {"status": fields}, namespace="pg", patch_type=PatchType.MERGE)

    status(phase="Setting up primary", readyInstances=0, writeService="shop-db-rw")
    assert factory.deploy({"name": "shop"}, wait=False).state != "ACTIVE"
    assert _configmaps(client, "shop-conn") == []
    status(phase=cnpg.HEALTHY, readyInstances=2)
    done = factory.deploy({"name": "shop"})
    assert done.state == "ACTIVE"
    assert [c.data for c in _configmaps(client, "shop-conn")] == [{"host": "shop-db-rw"}]


def _configmaps(client: Any, name: str) -> list[Any]:
    from lightkube.resources.core_v1 import ConfigMap as K8sConfigMap

    return [c for c in client.list(K8sConfigMap, namespace="pg") if c.metadata.name == name]
