"""The emulator's simulated operators over HTTP: with `operators=True` the CNPG/Flux/Valkey CRDs are served; a CNPG
Cluster gets its Services, app Secret (a usable URI) and ready status, a Pooler its Service once its cluster is
ready, a Valkey its Services and password Secret, a HelmRelease Ready at its generation once its source is;
everything they create goes with the object; rules still decide (never / fail); with the real CRDs they validate; a
kind of the same name in another group is left alone."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lightkube import ApiError
from lightkube.generic_resource import create_namespaced_resource
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.resources.core_v1 import Namespace, Secret, Service

from pykro import _yamlio as yamlio
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._simulation import Rule, SimulationRules

CRDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "crds"
PgCluster = create_namespaced_resource("postgresql.cnpg.io", "v1", "Cluster", "clusters")
Pooler = create_namespaced_resource("postgresql.cnpg.io", "v1", "Pooler", "poolers")
Valkey = create_namespaced_resource("hyperspike.io", "v1", "Valkey", "valkeys")
HelmRelease = create_namespaced_resource("helm.toolkit.fluxcd.io", "v2", "HelmRelease", "helmreleases")
HelmRepository = create_namespaced_resource("source.toolkit.fluxcd.io", "v1", "HelmRepository", "helmrepositories")
OtherCluster = create_namespaced_resource("example.com", "v1", "Cluster", "clusters")


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    rules = SimulationRules(rules=[Rule(kind="Cluster", name="stuck-*", outcome="never")])
    with LocalCluster(operators=True, rules=rules, bookmark_interval=0.5) as c:
        client: Any = c.client()
        client.create(Namespace.from_dict({"metadata": {"name": "ops"}}))
        yield c


def _obj(kind: Any, name: str, spec: dict[str, Any]) -> Any:
    api = kind._api_info.resource
    return kind.from_dict(
        {
            "apiVersion": f"{api.group}/{api.version}",
            "kind": api.kind,
            "metadata": {"name": name, "namespace": "ops"},
            "spec": spec,
        }
    )


def test_a_cnpg_cluster_publishes_services_and_its_app_secret(cluster: LocalCluster) -> None:
    client: Any = cluster.client()
    client.create(_obj(PgCluster, "pg", {"instances": 2, "storage": {"size": "1Gi"}}))
    cluster.settle()
    live = client.get(PgCluster, "pg", namespace="ops")
    status = live["status"]
    assert status["readyInstances"] == 2 and status["writeService"] == "pg-rw"
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True"
    for name in ("pg-rw", "pg-ro", "pg-r"):
        svc = client.get(Service, name, namespace="ops")
        assert svc.spec.ports[0].port == 5432 and svc.metadata.ownerReferences[0].name == "pg"
    secret = client.get(Secret, "pg-app", namespace="ops")
    data = {k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()}
    assert data["username"] == "app" and data["dbname"] == "app" and len(data["password"]) == 32
    assert data["uri"] == f"postgresql://app:{data['password']}@pg-rw.ops:5432/app"
    client.create(_obj(Pooler, "early-pooler", {"cluster": {"name": "late"}, "instances": 1, "pgbouncer": {}}))
    client.create(_obj(Pooler, "pg-pooler", {"cluster": {"name": "pg"}, "instances": 2, "pgbouncer": {}}))
    cluster.settle()
    assert client.get(Pooler, "early-pooler", namespace="ops")["status"]["instances"] == 0  # no cluster 'late' yet
    client.create(_obj(PgCluster, "late", {"instances": 1}))
    cluster.settle()  # the cluster becomes ready and wakes its pooler
    assert client.get(Pooler, "early-pooler", namespace="ops")["status"]["instances"] == 1
    assert client.get(Pooler, "pg-pooler", namespace="ops")["status"]["instances"] == 2
    assert client.get(Service, "pg-pooler", namespace="ops").spec.selector == {"cnpg.io/poolerName": "pg-pooler"}
    # nothing the operator made outlives the cluster
    client.delete(PgCluster, "pg", namespace="ops")
    cluster.settle()
    for kind, name in ((Service, "pg-rw"), (Secret, "pg-app")):
        with pytest.raises(ApiError):
            client.get(kind, name, namespace="ops")


def test_valkey_and_helm_release(cluster: LocalCluster) -> None:
    client: Any = cluster.client()
    client.create(_obj(Valkey, "cache", {"nodes": 3}))
    client.create(
        _obj(
            HelmRelease,
            "app",
            {
                "interval": "5m",
                "chart": {
                    "spec": {
                        "chart": "podinfo",
                        "version": "6.0.0",
                        "sourceRef": {"kind": "HelmRepository", "name": "podinfo"},
                    }
                },
            },
        )
    )
    cluster.settle()
    valkey = client.get(Valkey, "cache", namespace="ops")
    assert valkey["status"]["ready"] is True
    assert client.get(Service, "cache", namespace="ops").spec.ports[0].port == 6379
    assert client.get(Service, "cache-headless", namespace="ops").spec.clusterIP == "None"
    assert client.get(Secret, "cache", namespace="ops").data is not None  # no servicePassword: one is generated
    release = client.get(HelmRelease, "app", namespace="ops")
    waiting = next(c for c in release["status"]["conditions"] if c["type"] == "Ready")
    assert (waiting["status"], waiting["reason"]) == ("False", "SourceNotReady")  # no HelmRepository 'podinfo' yet
    client.create(_obj(HelmRepository, "podinfo", {"interval": "5m", "url": "https://stefanprodan.github.io/podinfo"}))
    cluster.settle()  # the repository becomes Ready and wakes the release
    release = client.get(HelmRelease, "app", namespace="ops")
    ready = next(c for c in release["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True" and ready["observedGeneration"] == release["metadata"]["generation"]
    assert release["status"]["lastAttemptedRevision"] == "6.0.0"


def test_rules_still_decide(cluster: LocalCluster) -> None:
    client: Any = cluster.client()
    client.create(_obj(PgCluster, "stuck-db", {"instances": 1}))
    cluster.settle()
    status = client.get(PgCluster, "stuck-db", namespace="ops")["status"]
    assert status["readyInstances"] == 0
    assert next(c for c in status["conditions"] if c["type"] == "Ready")["status"] == "False"
    with pytest.raises(ApiError):
        client.get(Secret, "stuck-db-app", namespace="ops")


def test_real_crds_validate_and_other_groups_are_left_alone() -> None:
    real = yamlio.load_file(CRDS / "cloudnative-pg/config/crd/bases/postgresql.cnpg.io_poolers.yaml")
    other = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "clusters.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"kind": "Cluster", "plural": "clusters", "singular": "cluster"},
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
    with LocalCluster(bookmark_interval=0.5) as plain:
        client: Any = plain.client()
        client.create(CustomResourceDefinition.from_dict(real))
        client.create(CustomResourceDefinition.from_dict(other))
        client.create(Namespace.from_dict({"metadata": {"name": "ops"}}))
        plain.settle()
        client.create(_obj(OtherCluster, "mine", {"anything": 1}))
        plain.settle()
        assert "status" not in client.get(OtherCluster, "mine", namespace="ops") or not client.get(
            OtherCluster, "mine", namespace="ops"
        ).get("status")
        with pytest.raises(ApiError) as err:  # the real Pooler schema validates
            client.create(_obj(Pooler, "bad", {"cluster": {"name": "x"}, "instances": "two"}))
        assert err.value.status.code == 422
