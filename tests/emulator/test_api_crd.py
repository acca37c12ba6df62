"""CustomResourceDefinitions over HTTP: served at once (discovery), Established/NamesAccepted, instances
validated against openAPIV3Schema (422 with causes), defaults, pruning, fieldValidation, status and scale
subresources, deleting the CRD removes its objects."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from lightkube import ApiError
from lightkube.generic_resource import create_namespaced_resource
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.types import PatchType

from pykro.emulator._cluster import LocalCluster

SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size"],
            "properties": {
                "size": {"type": "integer", "minimum": 1},
                "color": {"type": "string", "enum": ["red", "blue"], "default": "red"},
                "replicas": {"type": "integer", "default": 1},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            },
        },
        "status": {"type": "object", "properties": {"ready": {"type": "boolean"}, "replicas": {"type": "integer"}}},
    },
}


def _crd(plural: str = "widgets", kind: str = "Widget") -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": plural, "singular": kind.lower(), "kind": kind, "shortNames": ["wd"]},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": copy.deepcopy(SCHEMA)},
                    "subresources": {
                        "status": {},
                        "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"},
                    },
                }
            ],
        },
    }


Widget = create_namespaced_resource("example.com", "v1", "Widget", "widgets")


@pytest.fixture(scope="module")
def crd_cluster(bare_cluster: LocalCluster) -> LocalCluster:
    bare_cluster.client().create(CustomResourceDefinition.from_dict(_crd()))
    return bare_cluster


def _widget(name: str, spec: dict[str, Any]) -> Any:
    return Widget.from_dict(
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec}
    )


def test_crd_is_established_and_served_at_once(crd_cluster: LocalCluster, raw: Any) -> None:
    crd = crd_cluster.client().get(CustomResourceDefinition, "widgets.example.com")
    conditions = {c.type: c.status for c in crd.status.conditions}
    assert conditions == {"NamesAccepted": "True", "Established": "True"}
    assert crd.status.acceptedNames.kind == "Widget"
    assert crd.status.storedVersions == ["v1"]
    code, _, resources = raw("GET", "/apis/example.com/v1")
    assert code == 200
    names = {r["name"]: r for r in resources["resources"]}
    assert names["widgets"]["kind"] == "Widget" and names["widgets"]["shortNames"] == ["wd"]
    assert "widgets/status" in names and "widgets/scale" in names
    _, _, groups = raw("GET", "/apis")
    assert "example.com" in [g["name"] for g in groups["groups"]]


def test_defaults_and_pruning(crd_cluster: LocalCluster, ns: str) -> None:
    client = crd_cluster.client()
    created = client.create(
        _widget("w1", {"size": 2, "unknown": "dropped", "extra": {"kept": {"deep": 1}}}), namespace=ns
    )
    assert created.spec == {"size": 2, "color": "red", "replicas": 1, "extra": {"kept": {"deep": 1}}}


def test_invalid_instance_is_422_with_causes(crd_cluster: LocalCluster, ns: str) -> None:
    client = crd_cluster.client()
    with pytest.raises(ApiError) as err:
        client.create(_widget("bad", {"size": 0, "color": "green"}), namespace=ns)
    status = err.value.status
    assert (status.code, status.reason) == (422, "Invalid")
    assert status.message.startswith('Widget.example.com "bad" is invalid: [')
    causes = {(c.field, c.reason) for c in status.details.causes}
    assert causes == {("spec.size", "FieldValueInvalid"), ("spec.color", "FieldValueNotSupported")}
    with pytest.raises(ApiError) as err:
        client.create(_widget("bad2", {}), namespace=ns)
    assert [(c.field, c.reason) for c in err.value.status.details.causes] == [("spec.size", "FieldValueRequired")]


def test_labels_of_a_custom_object_are_validated(crd_cluster: LocalCluster, raw: Any, ns: str) -> None:
    body = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"k": "v" * 64}}}
    body["spec"] = {"size": 1}
    code, _, out = raw("POST", f"/apis/example.com/v1/namespaces/{ns}/widgets", body)
    assert code == 422, out
    assert [(c["field"], c["message"]) for c in out["details"]["causes"]] == [
        ("metadata.labels", f'Invalid value: "{"v" * 64}": must be no more than 63 characters')
    ]


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"name": 5}, "number into Go struct field ObjectMeta.name of type string"),
        ({"generateName": 5}, "number into Go struct field ObjectMeta.generateName of type string"),
        ({"name": "f", "finalizers": "x"}, "string into Go struct field ObjectMeta.finalizers of type []string"),
        ({"name": "l", "labels": {"k": 1}}, "number into Go struct field ObjectMeta.labels of type string"),
        ("meta", "string into Go value of type v1.ObjectMeta"),
    ],
)
def test_metadata_of_a_custom_object_is_decoded_as_an_object_meta(
    crd_cluster: LocalCluster, raw: Any, ns: str, meta: Any, message: str
) -> None:
    """The apiserver unmarshals a custom object's metadata into an ObjectMeta of its own: a 400 whose field path
    starts there (and never a server error)."""
    body = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": meta, "spec": {"size": 1}}
    code, _, out = raw("POST", f"/apis/example.com/v1/namespaces/{ns}/widgets", body)
    assert code == 400, out
    assert out["message"] == f'Widget in version "v1" cannot be handled as a Widget: json: cannot unmarshal {message}'


def test_field_validation_strict_and_warn(crd_cluster: LocalCluster, raw: Any, ns: str) -> None:
    body = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "fv"},
        "spec": {"size": 1, "bogus": True},
    }
    url = f"/apis/example.com/v1/namespaces/{ns}/widgets"
    code, _, status = raw("POST", url + "?fieldValidation=Strict", body)
    assert code == 400
    assert status["message"] == (
        'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus"'
    )
    code, headers, obj = raw("POST", url + "?fieldValidation=Warn", body)
    assert code == 201 and "bogus" not in obj["spec"]
    assert headers["Warning"] == '299 - "unknown field \\"spec.bogus\\""'


def test_status_and_scale_subresources(crd_cluster: LocalCluster, ns: str) -> None:
    client = crd_cluster.client()
    created = client.create(_widget("ws", {"size": 1}), namespace=ns)
    assert created.metadata.generation == 1
    with_status = Widget.from_dict({**created.to_dict(), "status": {"ready": True, "replicas": 1}})
    updated = client.replace(with_status)  # the main resource ignores status
    assert updated.status is None or "ready" not in (updated.status or {})
    merge = PatchType.MERGE  # strategic merge is not supported for custom kinds (415, tested below)
    client.patch(Widget.Status, "ws", {"status": {"ready": True, "replicas": 1}}, namespace=ns, patch_type=merge)
    got = client.get(Widget, "ws", namespace=ns)
    assert got.status == {"ready": True, "replicas": 1} and got.metadata.generation == 1
    scale = client.get(Widget.Scale, "ws", namespace=ns)
    assert (scale.spec.replicas, scale.status.replicas) == (1, 1)
    client.patch(Widget.Scale, "ws", {"spec": {"replicas": 3}}, namespace=ns, patch_type=merge)
    got = client.get(Widget, "ws", namespace=ns)
    assert got.spec["replicas"] == 3 and got.metadata.generation == 2


def test_put_without_resource_version_is_rejected_for_custom_kinds(
    crd_cluster: LocalCluster, raw: Any, ns: str
) -> None:
    crd_cluster.client().create(_widget("norv", {"size": 1}), namespace=ns)
    body = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "norv"}, "spec": {"size": 2}}
    code, _, status = raw("PUT", f"/apis/example.com/v1/namespaces/{ns}/widgets/norv", body)
    assert code == 422 and status["details"]["causes"][0]["field"] == "metadata.resourceVersion"


def test_strategic_merge_is_unsupported_for_custom_kinds(crd_cluster: LocalCluster, raw: Any, ns: str) -> None:
    crd_cluster.client().create(_widget("smp", {"size": 1}), namespace=ns)
    code, _, status = raw(
        "PATCH",
        f"/apis/example.com/v1/namespaces/{ns}/widgets/smp",
        {"spec": {"size": 2}},
        content_type="application/strategic-merge-patch+json",
    )
    assert code == 415 and status["reason"] == "UnsupportedMediaType"


def test_invalid_crd_is_rejected(crd_cluster: LocalCluster) -> None:
    bad = _crd("gadgets", "Gadget")
    bad["metadata"]["name"] = "wrong.example.com"
    with pytest.raises(ApiError) as err:
        crd_cluster.client().create(CustomResourceDefinition.from_dict(bad))
    assert err.value.status.code == 422
    assert err.value.status.details.causes[0].field == "metadata.name"


def test_deleting_the_crd_removes_kind_and_objects() -> None:
    with LocalCluster(simulate=False) as cluster:
        client = cluster.client()
        client.create(CustomResourceDefinition.from_dict(_crd("things", "Thing")))
        Thing = create_namespaced_resource("example.com", "v1", "Thing", "things")
        client.create(
            Thing.from_dict(
                {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"}, "spec": {"size": 1}}
            ),
            namespace="default",
        )
        client.delete(CustomResourceDefinition, "things.example.com")
        with pytest.raises(ApiError) as err:
            client.get(Thing, "t", namespace="default")
        assert err.value.status.code == 404
        assert cluster.engine.store.tables[("example.com", "things")].count == 0


async def test_async_custom_objects(crd_cluster: LocalCluster, ns: str) -> None:
    client = crd_cluster.async_client()
    created = await client.create(_widget("aw", {"size": 5}), namespace=ns)
    assert created.spec["color"] == "red"
    with pytest.raises(ApiError) as err:
        await client.create(_widget("aw2", {"size": "big"}), namespace=ns)
    assert err.value.status.details.causes[0].reason == "FieldValueTypeInvalid"
    await client.close()
