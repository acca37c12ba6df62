"""CRUD over real HTTP with lightkube (sync and async): create/get/list/update/delete, selectors, paging,
optimistic concurrency, status and scale subresources, generation, error Status bodies, authentication."""

from __future__ import annotations

from typing import Any

import pytest
from lightkube import ApiError, Client
from lightkube import operators as op
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import ConfigMap, Namespace, Node
from lightkube.types import PatchType

from pykro.emulator._cluster import LocalCluster


def _deployment(name: str, replicas: int = 1) -> Deployment:
    return Deployment.from_dict(
        {
            "metadata": {"name": name, "labels": {"app": name}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                },
            },
        }
    )


def test_create_get_list_namespaced(client: Client, ns: str) -> None:
    created = client.create(
        ConfigMap(metadata=ObjectMeta(name="a", labels={"tier": "x"}), data={"k": "v"}), namespace=ns
    )
    assert created.metadata.uid and created.metadata.creationTimestamp
    assert created.metadata.namespace == ns
    got = client.get(ConfigMap, "a", namespace=ns)
    assert got.data == {"k": "v"}
    assert got.metadata.resourceVersion == created.metadata.resourceVersion
    client.create(ConfigMap(metadata=ObjectMeta(name="b", labels={"tier": "y"})), namespace=ns)
    assert sorted(c.metadata.name for c in client.list(ConfigMap, namespace=ns)) == ["a", "b"]
    assert [c.metadata.name for c in client.list(ConfigMap, namespace=ns, labels={"tier": "y"})] == ["b"]


def test_cluster_scoped_kind(client: Client) -> None:
    node = client.create(Node(metadata=ObjectMeta(name="crud-node", labels={"role": "w"})))
    assert node.metadata.namespace is None
    assert client.get(Node, "crud-node").metadata.labels == {"role": "w"}
    client.delete(Node, "crud-node")
    with pytest.raises(ApiError) as err:
        client.get(Node, "crud-node")
    assert err.value.status.code == 404


def test_error_bodies_are_status_objects(client: Client, ns: str) -> None:
    client.create(ConfigMap(metadata=ObjectMeta(name="dup")), namespace=ns)
    with pytest.raises(ApiError) as err:
        client.create(ConfigMap(metadata=ObjectMeta(name="dup")), namespace=ns)
    status = err.value.status
    assert (status.code, status.reason, status.message) == (409, "AlreadyExists", 'configmaps "dup" already exists')
    assert status.details.name == "dup" and status.details.kind == "configmaps"
    with pytest.raises(ApiError) as err:
        client.get(Deployment, "missing", namespace=ns)
    assert (err.value.status.code, err.value.status.reason) == (404, "NotFound")
    assert err.value.status.message == 'deployments.apps "missing" not found'


def test_create_in_missing_namespace_is_404(client: Client) -> None:
    with pytest.raises(ApiError) as err:
        client.create(ConfigMap(metadata=ObjectMeta(name="x")), namespace="does-not-exist")
    assert err.value.status.code == 404
    assert err.value.status.message == 'namespaces "does-not-exist" not found'


def test_label_and_field_selectors(client: Client, ns: str) -> None:
    for name, labels in (("p1", {"app": "a", "env": "prod"}), ("p2", {"app": "a", "env": "dev"}), ("p3", {"app": "b"})):
        client.create(ConfigMap(metadata=ObjectMeta(name=name, labels=labels)), namespace=ns)

    def names(**kw: object) -> list[str]:
        return sorted(c.metadata.name for c in client.list(ConfigMap, namespace=ns, **kw))

    assert names(labels={"app": "a"}) == ["p1", "p2"]
    assert names(labels={"env": op.in_(["prod", "staging"])}) == ["p1"]
    assert names(labels={"env": op.exists()}) == ["p1", "p2"]
    assert names(labels={"env": op.not_exists()}) == ["p3"]
    assert names(labels={"app": "a", "env": op.not_in(["dev"])}) == ["p1"]
    assert names(labels={"app": op.not_equal("a")}) == ["p3"]
    assert names(fields={"metadata.name": "p3"}) == ["p3"]
    assert names(fields={"metadata.name": op.not_equal("p3")}) == ["p1", "p2"]


def test_limit_and_continue(client: Client, ns: str) -> None:
    for i in range(7):
        client.create(ConfigMap(metadata=ObjectMeta(name=f"c{i}")), namespace=ns)
    # lightkube follows `continue` tokens itself; chunk_size=3 means three requests
    got = [c.metadata.name for c in client.list(ConfigMap, namespace=ns, chunk_size=3)]
    assert got == [f"c{i}" for i in range(7)]


def test_limit_continue_raw(bare_cluster: LocalCluster, ns: str, raw: Any) -> None:
    for i in range(5):
        bare_cluster.client().create(ConfigMap(metadata=ObjectMeta(name=f"r{i}")), namespace=ns)
    url = f"/api/v1/namespaces/{ns}/configmaps?limit=2"
    _, _, first = raw("GET", url)
    assert [i["metadata"]["name"] for i in first["items"]] == ["r0", "r1"]
    assert first["metadata"]["remainingItemCount"] == 3
    _, _, second = raw("GET", f"{url}&continue={first['metadata']['continue']}")
    assert [i["metadata"]["name"] for i in second["items"]] == ["r2", "r3"]


def test_update_with_stale_resource_version_is_409(client: Client, ns: str) -> None:
    cm = client.create(ConfigMap(metadata=ObjectMeta(name="u"), data={"a": "1"}), namespace=ns)
    cm.data = {"a": "2"}
    updated = client.replace(cm)
    assert updated.data == {"a": "2"}
    assert int(updated.metadata.resourceVersion) > int(cm.metadata.resourceVersion)
    cm.data = {"a": "3"}  # still carries the old resourceVersion
    with pytest.raises(ApiError) as err:
        client.replace(cm)
    status = err.value.status
    assert (status.code, status.reason) == (409, "Conflict")
    assert status.message == (
        'Operation cannot be fulfilled on configmaps "u": the object has been modified; please apply your changes '
        "to the latest version and try again"
    )


def test_generation_bumps_on_spec_not_status(client: Client, ns: str) -> None:
    d = client.create(_deployment("gen"), namespace=ns)
    assert d.metadata.generation == 1
    d.spec.replicas = 3
    d = client.replace(d)
    assert d.metadata.generation == 2
    body = {**d.to_dict(), "status": {"replicas": 3, "readyReplicas": 3}}
    d = client.replace(Deployment.Status.from_dict(body), "gen", namespace=ns)
    assert d.metadata.generation == 2
    assert d.status.readyReplicas == 3
    # a write to the main resource leaves the status alone
    d = Deployment.from_dict(d.to_dict())
    d.status.readyReplicas = 0
    d.metadata.labels = {"changed": "yes"}
    d = client.replace(d)
    assert d.status.readyReplicas == 3 and d.metadata.generation == 2


def test_status_subresource_ignores_spec(client: Client, ns: str) -> None:
    d = client.create(_deployment("st"), namespace=ns)
    client.patch(
        Deployment.Status,
        "st",
        {"spec": {"replicas": 5}, "status": {"replicas": 7}},
        namespace=ns,
        patch_type=PatchType.MERGE,
    )
    got = client.get(Deployment, "st", namespace=ns)
    assert got.spec.replicas == d.spec.replicas == 1
    assert got.status.replicas == 7


def test_scale_subresource(client: Client, ns: str) -> None:
    client.create(_deployment("sc", 2), namespace=ns)
    scale = client.get(Deployment.Scale, "sc", namespace=ns)
    assert scale.spec.replicas == 2
    assert scale.status.selector == "app=sc"
    scale.spec.replicas = 4
    client.replace(scale, "sc", namespace=ns)
    assert client.get(Deployment, "sc", namespace=ns).spec.replicas == 4


def test_dry_run_does_not_store(bare_cluster: LocalCluster, ns: str) -> None:
    client = bare_cluster.client(dry_run=True)
    obj = client.create(ConfigMap(metadata=ObjectMeta(name="dry")), namespace=ns)
    assert obj.metadata.name == "dry"
    with pytest.raises(ApiError):
        bare_cluster.client().get(ConfigMap, "dry", namespace=ns)


def test_generate_name(client: Client, ns: str) -> None:
    obj = client.create(ConfigMap(metadata=ObjectMeta(generateName="gen-")), namespace=ns)
    assert obj.metadata.name.startswith("gen-") and len(obj.metadata.name) == 9


def test_unauthorized_without_token(raw: Any) -> None:
    code, _, body = raw("GET", "/api/v1/namespaces", token=None)
    assert code == 401
    assert body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }
    assert raw("GET", "/api/v1/namespaces", token="nope")[0] == 401
    assert raw("GET", "/healthz", token=None)[2] == "ok"


def test_system_namespaces_exist_and_are_active(client: Client) -> None:
    found = {n.metadata.name: n.status.phase for n in client.list(Namespace)}
    for name in ("default", "kube-system", "kube-public"):
        assert found[name] == "Active"


def test_request_log_records_verbs_in_order(bare_cluster: LocalCluster, client: Client, ns: str) -> None:
    before = len(bare_cluster.request_log())
    client.create(ConfigMap(metadata=ObjectMeta(name="logged")), namespace=ns)
    client.get(ConfigMap, "logged", namespace=ns)
    client.delete(ConfigMap, "logged", namespace=ns)
    entries = bare_cluster.request_log()[before:]
    assert [(e[1].verb, e[1].kind, e[2]) for e in entries] == [
        ("create", "ConfigMap", 201),
        ("get", "ConfigMap", 200),
        ("delete", "ConfigMap", 200),
    ]
    assert entries[0][0] <= entries[1][0] <= entries[2][0]


async def test_async_client_crud(bare_cluster: LocalCluster, ns: str) -> None:
    client = bare_cluster.async_client()
    created = await client.create(
        ConfigMap(metadata=ObjectMeta(name="as", labels={"a": "1"}), data={"x": "1"}), namespace=ns
    )
    got = await client.get(ConfigMap, "as", namespace=ns)
    assert got.metadata.uid == created.metadata.uid
    names = [c.metadata.name async for c in client.list(ConfigMap, namespace=ns, labels={"a": "1"})]
    assert names == ["as"]
    got.data = {"x": "2"}
    assert (await client.replace(got)).data == {"x": "2"}
    with pytest.raises(ApiError) as err:
        await client.replace(got)
    assert err.value.status.code == 409
    await client.delete(ConfigMap, "as", namespace=ns)
    with pytest.raises(ApiError):
        await client.get(ConfigMap, "as", namespace=ns)
    await client.close()
