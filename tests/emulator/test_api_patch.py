"""Patches over HTTP: JSON merge patch, strategic merge patch (list merge keys, $patch directives) and JSON
patch, plus the patch functions on their own."""

from __future__ import annotations

from typing import Any

import pytest
from lightkube import ApiError, Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import ConfigMap, Service
from lightkube.types import PatchType

from pykro.emulator._patch import json_patch, merge_patch, strategic_merge


def _deployment(name: str) -> Deployment:
    return Deployment.from_dict(
        {
            "metadata": {"name": name},
            "spec": {
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {
                        "containers": [
                            {
                                "name": "web",
                                "image": "nginx:1",
                                "env": [{"name": "A", "value": "1"}],
                                "ports": [{"containerPort": 80}],
                            },
                            {"name": "side", "image": "busybox:1"},
                        ],
                        "volumes": [{"name": "v1", "emptyDir": {}}],
                    },
                },
            },
        }
    )


def test_strategic_merge_merges_containers_env_and_ports_by_key(client: Client, ns: str) -> None:
    client.create(_deployment("smp"), namespace=ns)
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:2",
                            "env": [{"name": "B", "value": "2"}],
                            "ports": [{"containerPort": 443}],
                        }
                    ],
                    "volumes": [{"name": "v2", "emptyDir": {}}],
                }
            }
        }
    }
    got = client.patch(Deployment, "smp", patch, namespace=ns, patch_type=PatchType.STRATEGIC)
    containers = got.spec.template.spec.containers
    assert [(c.name, c.image) for c in containers] == [("web", "nginx:2"), ("side", "busybox:1")]
    assert [(e.name, e.value) for e in containers[0].env] == [("A", "1"), ("B", "2")]
    assert [p.containerPort for p in containers[0].ports] == [80, 443]
    assert [v.name for v in got.spec.template.spec.volumes] == ["v1", "v2"]


def test_strategic_merge_delete_directive(client: Client, ns: str) -> None:
    client.create(_deployment("smpdel"), namespace=ns)
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "side", "$patch": "delete"}]}}}}
    got = client.patch(Deployment, "smpdel", patch, namespace=ns, patch_type=PatchType.STRATEGIC)
    assert [c.name for c in got.spec.template.spec.containers] == ["web"]


def test_service_ports_merge_by_port(client: Client, ns: str) -> None:
    svc = Service.from_dict(
        {"metadata": {"name": "s"}, "spec": {"selector": {"a": "b"}, "ports": [{"name": "http", "port": 80}]}}
    )
    client.create(svc, namespace=ns)
    got = client.patch(Service, "s", {"spec": {"ports": [{"name": "https", "port": 443}]}}, namespace=ns)
    assert [p.port for p in got.spec.ports] == [80, 443]


def test_merge_patch_replaces_lists_and_null_deletes(client: Client, ns: str) -> None:
    client.create(_deployment("mp"), namespace=ns)
    patch = {"metadata": {"labels": {"x": "1"}}, "spec": {"template": {"spec": {"volumes": None}}}}
    got = client.patch(Deployment, "mp", patch, namespace=ns, patch_type=PatchType.MERGE)
    assert got.metadata.labels == {"x": "1"}
    assert got.spec.template.spec.volumes is None
    patch2 = {"spec": {"template": {"spec": {"containers": [{"name": "only", "image": "x:1"}]}}}}
    got = client.patch(Deployment, "mp", patch2, namespace=ns, patch_type=PatchType.MERGE)
    assert [c.name for c in got.spec.template.spec.containers] == ["only"]


def test_json_patch(client: Client, ns: str) -> None:
    client.create(ConfigMap(metadata=ObjectMeta(name="jp"), data={"a": "1", "b": "2"}), namespace=ns)
    ops = [
        {"op": "replace", "path": "/data/a", "value": "10"},
        {"op": "remove", "path": "/data/b"},
        {"op": "add", "path": "/metadata/labels", "value": {"k": "v"}},
        {"op": "test", "path": "/data/a", "value": "10"},
    ]
    got = client.patch(ConfigMap, "jp", ops, namespace=ns, patch_type=PatchType.JSON)
    assert got.data == {"a": "10"} and got.metadata.labels == {"k": "v"}
    with pytest.raises(ApiError) as err:
        client.patch(
            ConfigMap, "jp", [{"op": "test", "path": "/data/a", "value": "no"}], namespace=ns, patch_type=PatchType.JSON
        )
    assert err.value.status.code == 422


def test_patch_with_stale_resource_version_is_409(client: Client, ns: str) -> None:
    cm = client.create(ConfigMap(metadata=ObjectMeta(name="rvp")), namespace=ns)
    client.patch(ConfigMap, "rvp", {"data": {"a": "1"}}, namespace=ns)
    stale = {"metadata": {"resourceVersion": cm.metadata.resourceVersion}, "data": {"a": "2"}}
    with pytest.raises(ApiError) as err:
        client.patch(ConfigMap, "rvp", stale, namespace=ns, patch_type=PatchType.MERGE)
    assert err.value.status.code == 409


async def test_async_patch(bare_cluster: Any, ns: str) -> None:
    client = bare_cluster.async_client()
    await client.create(ConfigMap(metadata=ObjectMeta(name="ap"), data={"a": "1"}), namespace=ns)
    got = await client.patch(ConfigMap, "ap", {"data": {"b": "2"}}, namespace=ns, patch_type=PatchType.MERGE)
    assert got.data == {"a": "1", "b": "2"}
    await client.close()


# the functions ---------------------------------------------------------------------------------------------------
def test_merge_patch_rfc7386_examples() -> None:
    assert merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert merge_patch({"a": "b"}, {"a": None}) == {}
    assert merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert merge_patch({"e": None}, {"a": 1}) == {"e": None, "a": 1}


def test_json_patch_move_copy_and_append() -> None:
    doc = {"a": [1, 2], "b": {"c": 3}}
    out = json_patch(
        doc,
        [
            {"op": "add", "path": "/a/-", "value": 9},
            {"op": "copy", "from": "/b/c", "path": "/d"},
            {"op": "move", "from": "/b", "path": "/e"},
        ],
    )
    assert out == {"a": [1, 2, 9], "d": 3, "e": {"c": 3}}
    assert doc == {"a": [1, 2], "b": {"c": 3}}  # the input is not changed


def test_strategic_conditions_by_type_and_finalizers_as_set() -> None:
    current = {
        "status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "X", "status": "True"}]},
        "metadata": {"finalizers": ["a"]},
    }
    patch = {"status": {"conditions": [{"type": "Ready", "status": "True"}]}, "metadata": {"finalizers": ["b", "a"]}}
    out = strategic_merge(current, patch)
    assert out["status"]["conditions"] == [{"type": "Ready", "status": "True"}, {"type": "X", "status": "True"}]
    assert out["metadata"]["finalizers"] == ["a", "b"]
    removed = strategic_merge(out, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}})
    assert removed["metadata"]["finalizers"] == ["b"]
    replaced = strategic_merge(out, {"status": {"conditions": [{"type": "Z", "status": "U"}, {"$patch": "replace"}]}})
    assert replaced["status"]["conditions"] == [{"type": "Z", "status": "U"}]
