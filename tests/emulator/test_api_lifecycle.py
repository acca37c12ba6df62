"""Deletion semantics over HTTP: finalizers and deletionTimestamp, ownerReference garbage collection with the
Background/Foreground/Orphan policies, deletecollection, and namespace termination."""

from __future__ import annotations

from typing import Any

import pytest
from lightkube import ApiError, Client
from lightkube.models.meta_v1 import ObjectMeta, OwnerReference
from lightkube.resources.core_v1 import ConfigMap, Namespace, Secret
from lightkube.types import CascadeType, PatchType
from tests.helpers import eventually

from pykro.emulator._cluster import LocalCluster


def _gone(client: Client, kind: Any, name: str, ns: str | None) -> bool:
    try:
        client.get(kind, name, namespace=ns)
    except ApiError as err:
        return err.status.code == 404
    return False


def _owned_by(owner: Any) -> list[OwnerReference]:
    return [OwnerReference(apiVersion="v1", kind="ConfigMap", name=owner.metadata.name, uid=owner.metadata.uid)]


def test_finalizer_holds_object_until_removed(client: Client, ns: str) -> None:
    client.create(ConfigMap(metadata=ObjectMeta(name="fin", finalizers=["example.com/hold"])), namespace=ns)
    client.delete(ConfigMap, "fin", namespace=ns)
    held = client.get(ConfigMap, "fin", namespace=ns)
    assert held.metadata.deletionTimestamp is not None
    assert held.metadata.finalizers == ["example.com/hold"]
    client.patch(ConfigMap, "fin", {"metadata": {"finalizers": None}}, namespace=ns)
    assert _gone(client, ConfigMap, "fin", ns)


def test_background_gc_deletes_dependents(client: Client, ns: str) -> None:
    owner = client.create(ConfigMap(metadata=ObjectMeta(name="owner")), namespace=ns)
    client.create(Secret(metadata=ObjectMeta(name="dep1", ownerReferences=_owned_by(owner))), namespace=ns)
    client.create(ConfigMap(metadata=ObjectMeta(name="dep2", ownerReferences=_owned_by(owner))), namespace=ns)
    client.delete(ConfigMap, "owner", namespace=ns)
    assert _gone(client, ConfigMap, "owner", ns)
    eventually(lambda: _gone(client, Secret, "dep1", ns) and _gone(client, ConfigMap, "dep2", ns), "garbage collection")


def test_dependent_with_a_live_second_owner_survives(client: Client, ns: str) -> None:
    a = client.create(ConfigMap(metadata=ObjectMeta(name="oa")), namespace=ns)
    b = client.create(ConfigMap(metadata=ObjectMeta(name="ob")), namespace=ns)
    client.create(Secret(metadata=ObjectMeta(name="shared", ownerReferences=_owned_by(a) + _owned_by(b))), namespace=ns)
    client.delete(ConfigMap, "oa", namespace=ns)
    client.get(ConfigMap, "ob", namespace=ns)  # a later request: the GC pass has run
    assert not _gone(client, Secret, "shared", ns)


def test_orphan_policy_keeps_dependents_without_owner_refs(client: Client, ns: str) -> None:
    owner = client.create(ConfigMap(metadata=ObjectMeta(name="orph")), namespace=ns)
    client.create(Secret(metadata=ObjectMeta(name="kept", ownerReferences=_owned_by(owner))), namespace=ns)
    client.delete(ConfigMap, "orph", namespace=ns, cascade=CascadeType.ORPHAN)
    eventually(lambda: _gone(client, ConfigMap, "orph", ns), "garbage collection")
    kept = client.get(Secret, "kept", namespace=ns)
    assert kept.metadata.ownerReferences is None


def test_foreground_deletes_dependents_first(client: Client, ns: str) -> None:
    owner = client.create(ConfigMap(metadata=ObjectMeta(name="fg")), namespace=ns)
    client.create(
        Secret(metadata=ObjectMeta(name="blocker", ownerReferences=_owned_by(owner), finalizers=["x/hold"])),
        namespace=ns,
    )
    client.delete(ConfigMap, "fg", namespace=ns, cascade=CascadeType.FOREGROUND)
    eventually(
        lambda: client.get(Secret, "blocker", namespace=ns).metadata.deletionTimestamp is not None, "garbage collection"
    )
    waiting = client.get(ConfigMap, "fg", namespace=ns)
    assert waiting.metadata.deletionTimestamp is not None
    assert "foregroundDeletion" in (waiting.metadata.finalizers or [])
    client.patch(Secret, "blocker", {"metadata": {"finalizers": None}}, namespace=ns)
    eventually(
        lambda: _gone(client, Secret, "blocker", ns) and _gone(client, ConfigMap, "fg", ns), "garbage collection"
    )


def test_deletecollection(client: Client, ns: str, raw: Any) -> None:
    for name, group in (("d1", "x"), ("d2", "x"), ("d3", "y")):
        client.create(ConfigMap(metadata=ObjectMeta(name=name, labels={"g": group})), namespace=ns)
    code, _, body = raw("DELETE", f"/api/v1/namespaces/{ns}/configmaps?labelSelector=g%3Dx")
    assert code == 200 and [i["metadata"]["name"] for i in body["items"]] == ["d1", "d2"]
    assert [c.metadata.name for c in client.list(ConfigMap, namespace=ns)] == ["d3"]
    client.deletecollection(ConfigMap, namespace=ns)
    assert list(client.list(ConfigMap, namespace=ns)) == []


def test_namespace_terminates_then_disappears(client: Client) -> None:
    client.create(Namespace(metadata=ObjectMeta(name="doomed")))
    client.create(ConfigMap(metadata=ObjectMeta(name="c", finalizers=["x/hold"])), namespace="doomed")
    client.create(Secret(metadata=ObjectMeta(name="s")), namespace="doomed")
    client.delete(Namespace, "doomed")
    eventually(lambda: _gone(client, Secret, "s", "doomed"), "garbage collection")
    terminating = client.get(Namespace, "doomed")
    assert terminating.status.phase == "Terminating"
    assert terminating.metadata.deletionTimestamp is not None
    with pytest.raises(ApiError) as err:
        client.create(ConfigMap(metadata=ObjectMeta(name="late")), namespace="doomed")
    assert err.value.status.code == 403
    assert "because it is being terminated" in err.value.status.message
    client.patch(ConfigMap, "c", {"metadata": {"finalizers": None}}, namespace="doomed")
    eventually(lambda: _gone(client, Namespace, "doomed", None), "garbage collection")


def test_default_namespace_may_not_be_deleted(client: Client) -> None:
    with pytest.raises(ApiError) as err:
        client.delete(Namespace, "default")
    assert err.value.status.code == 403


def test_delete_precondition_uid(raw: Any, client: Client, ns: str) -> None:
    client.create(ConfigMap(metadata=ObjectMeta(name="pre")), namespace=ns)
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": "wrong"}}
    code, _, status = raw("DELETE", f"/api/v1/namespaces/{ns}/configmaps/pre", body)
    assert code == 409 and "Precondition failed: UID in precondition: wrong" in status["message"]


async def test_async_delete_with_finalizer(bare_cluster: LocalCluster, ns: str) -> None:
    client = bare_cluster.async_client()
    await client.create(ConfigMap(metadata=ObjectMeta(name="af", finalizers=["x/y"])), namespace=ns)
    await client.delete(ConfigMap, "af", namespace=ns)
    held = await client.get(ConfigMap, "af", namespace=ns)
    assert held.metadata.deletionTimestamp is not None
    await client.patch(ConfigMap, "af", {"metadata": {"finalizers": []}}, namespace=ns, patch_type=PatchType.MERGE)
    with pytest.raises(ApiError):
        await client.get(ConfigMap, "af", namespace=ns)
    await client.close()
