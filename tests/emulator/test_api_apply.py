"""Server-side apply over HTTP: create-or-update, field managers and managedFields (FieldsV1), conflicts with
the apiserver's message and causes, force, removal of fields a manager stops applying, dryRun."""

from __future__ import annotations

from typing import Any

import pytest
from lightkube import ApiError, Client
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import ConfigMap


def _cm(name: str, data: dict[str, str], labels: dict[str, str] | None = None) -> ConfigMap:
    meta: dict[str, Any] = {"name": name}
    if labels:
        meta["labels"] = labels
    return ConfigMap.from_dict({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data})


def _owned(obj: Any, manager: str) -> dict[str, Any]:
    for entry in obj.metadata.managedFields or []:
        if entry.manager == manager:
            return {"operation": entry.operation, "fields": entry.fieldsV1}
    raise AssertionError(f"no managedFields entry for {manager}")


def test_apply_creates_then_updates(client: Client, ns: str) -> None:
    created = client.apply(_cm("a1", {"x": "1"}, {"app": "a"}), namespace=ns, field_manager="alice")
    assert created.data == {"x": "1"}
    assert _owned(created, "alice") == {
        "operation": "Apply",
        "fields": {"f:data": {"f:x": {}}, "f:metadata": {"f:labels": {"f:app": {}}}},
    }
    updated = client.apply(_cm("a1", {"x": "2", "y": "3"}, {"app": "a"}), namespace=ns, field_manager="alice")
    assert updated.data == {"x": "2", "y": "3"}
    assert updated.metadata.uid == created.metadata.uid
    assert int(updated.metadata.resourceVersion) > int(created.metadata.resourceVersion)


def test_reapplying_the_same_config_changes_nothing(client: Client, ns: str) -> None:
    first = client.apply(_cm("same", {"x": "1"}), namespace=ns, field_manager="alice")
    again = client.apply(_cm("same", {"x": "1"}), namespace=ns, field_manager="alice")
    assert again.metadata.resourceVersion == first.metadata.resourceVersion


def test_fields_a_manager_stops_applying_are_removed(client: Client, ns: str) -> None:
    client.apply(_cm("rm", {"x": "1", "y": "2"}), namespace=ns, field_manager="alice")
    client.apply(_cm("rm", {"z": "9"}), namespace=ns, field_manager="bob")
    got = client.apply(_cm("rm", {"x": "1"}), namespace=ns, field_manager="alice")
    assert got.data == {"x": "1", "z": "9"}  # y dropped (alice's only), z kept (bob's)


def test_conflict_with_another_manager(client: Client, ns: str) -> None:
    client.apply(_cm("c1", {"x": "1", "y": "1"}), namespace=ns, field_manager="alice")
    with pytest.raises(ApiError) as err:
        client.apply(_cm("c1", {"x": "2"}), namespace=ns, field_manager="bob")
    status = err.value.status
    assert (status.code, status.reason) == (409, "Conflict")
    assert status.message == 'Apply failed with 1 conflict: conflict with "alice" using v1: .data.x'
    cause = status.details.causes[0]
    assert (cause.reason, cause.field, cause.message) == (
        "FieldManagerConflict",
        ".data.x",
        'conflict with "alice" using v1',
    )
    # the same value is no conflict: both managers share the field
    shared = client.apply(_cm("c1", {"x": "1"}), namespace=ns, field_manager="bob")
    assert _owned(shared, "alice")["fields"]["f:data"] == {"f:x": {}, "f:y": {}}
    assert _owned(shared, "bob")["fields"]["f:data"] == {"f:x": {}}


def test_multiple_conflicts_message(client: Client, ns: str) -> None:
    client.apply(_cm("c2", {"a": "1", "b": "1"}), namespace=ns, field_manager="alice")
    with pytest.raises(ApiError) as err:
        client.apply(_cm("c2", {"a": "2", "b": "2"}), namespace=ns, field_manager="bob")
    assert err.value.status.message == (
        'Apply failed with 2 conflicts: conflicts with "alice" using v1:\n- .data.a\n- .data.b'
    )
    assert len(err.value.status.details.causes) == 2


def test_force_takes_ownership(client: Client, ns: str) -> None:
    client.apply(_cm("f1", {"x": "1", "y": "1"}), namespace=ns, field_manager="alice")
    got = client.apply(_cm("f1", {"x": "2"}), namespace=ns, field_manager="bob", force=True)
    assert got.data == {"x": "2", "y": "1"}
    assert _owned(got, "alice")["fields"] == {"f:data": {"f:y": {}}}
    assert _owned(got, "bob")["fields"] == {"f:data": {"f:x": {}}}


def test_update_by_put_takes_fields_and_then_conflicts(client: Client, ns: str) -> None:
    client.apply(_cm("u1", {"x": "1"}), namespace=ns, field_manager="alice")
    cm = client.get(ConfigMap, "u1", namespace=ns)
    cm.data = {"x": "edited"}
    edited = client.replace(cm, field_manager="editor")
    assert _owned(edited, "editor") == {"operation": "Update", "fields": {"f:data": {"f:x": {}}}}
    with pytest.raises(ApiError) as err:
        client.apply(_cm("u1", {"x": "1"}), namespace=ns, field_manager="alice")
    assert err.value.status.message == 'Apply failed with 1 conflict: conflict with "editor" using v1: .data.x'


def test_associative_lists_are_keyed_in_fields_v1(client: Client, ns: str) -> None:
    dep = Deployment.from_dict(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {
                "selector": {"matchLabels": {"a": "b"}},
                "template": {
                    "metadata": {"labels": {"a": "b"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1"}]},
                },
            },
        }
    )
    got = client.apply(dep, namespace=ns, field_manager="alice")
    containers = _owned(got, "alice")["fields"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert containers == {'k:{"name":"web"}': {".": {}, "f:image": {}, "f:name": {}}}
    dep.spec.template.spec.containers[0].image = "nginx:2"
    with pytest.raises(ApiError) as err:
        client.apply(dep, namespace=ns, field_manager="bob")
    assert err.value.status.message.endswith('.spec.template.spec.containers[name="web"].image')


def test_dry_run_apply_stores_nothing(bare_cluster: Any, ns: str) -> None:
    dry = bare_cluster.client(dry_run=True)
    got = dry.apply(_cm("dry", {"x": "1"}), namespace=ns, field_manager="alice")
    assert got.data == {"x": "1"}
    with pytest.raises(ApiError) as err:
        bare_cluster.client().get(ConfigMap, "dry", namespace=ns)
    assert err.value.status.code == 404


def test_apply_without_field_manager_is_rejected(raw: Any, ns: str) -> None:
    code, _, body = raw(
        "PATCH",
        f"/api/v1/namespaces/{ns}/configmaps/x",
        '{"apiVersion":"v1","kind":"ConfigMap"}',
        content_type="application/apply-patch+yaml",
    )
    assert code == 400 and body["reason"] == "BadRequest"


async def test_async_apply(bare_cluster: Any, ns: str) -> None:
    client = bare_cluster.async_client()
    got = await client.apply(_cm("as", {"x": "1"}), namespace=ns, field_manager="alice")
    assert got.data == {"x": "1"}
    with pytest.raises(ApiError) as err:
        await client.apply(_cm("as", {"x": "2"}), namespace=ns, field_manager="bob")
    assert err.value.status.code == 409
    forced = await client.apply(_cm("as", {"x": "2"}), namespace=ns, field_manager="bob", force=True)
    assert forced.data == {"x": "2"}
    await client.close()
