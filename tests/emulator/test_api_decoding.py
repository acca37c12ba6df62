"""The emulator decodes built-in objects as kube-apiserver's Go decoder does: values of the wrong JSON type are a 400
BadRequest naming the Go struct field and type (encoding/json's UnmarshalTypeError), and quantities are stored and
printed in resource.Quantity's canonical form (Quantity.String())."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.helpers import Raw


def pod(name: str, spec: dict[str, Any] | None = None, **container: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "i", **container}]},
    }
    body["spec"].update(spec or {})
    return body


def causes(body: Any) -> list[tuple[str, str]]:
    return sorted((c["field"], c["message"]) for c in body["details"]["causes"])


def test_admission_messages_print_canonical_quantities(raw: Raw, ns: str) -> None:
    """ValidateResourceRequirements prints quantity.String(): 1000m is 1, 0.5 is 500m, 1.5Gi is 1536Mi."""
    resources = {
        "limits": {"cpu": "1000m", "memory": "1Gi"},
        "requests": {"cpu": "2", "memory": "1.5Gi", "ephemeral-storage": "-0.5"},
    }
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", pod("msg", resources=resources))
    assert code == 422, out
    at = "spec.containers[0].resources"
    assert causes(out) == [
        (f"{at}.requests", 'Invalid value: "1536Mi": must be less than or equal to memory limit of 1Gi'),
        (f"{at}.requests", 'Invalid value: "2": must be less than or equal to cpu limit of 1'),
        (f"{at}.requests[ephemeral-storage]", 'Invalid value: "-500m": must be greater than or equal to 0'),
    ]
    claim = {
        "metadata": {"name": "c"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "-1024Mi"}}},
    }
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/persistentvolumeclaims", claim)
    assert code == 422, out
    assert causes(out) == [("spec.resources[storage]", 'Invalid value: "-1Gi": must be greater than zero')]


def test_quantities_are_stored_in_canonical_form(raw: Raw, ns: str) -> None:
    """What a GET returns: Go's String() of each quantity, JSON numbers parsed from their literal text (`0.50` is
    500m, `1e3` keeps its exponent), spaces trimmed, and a value Go's quick test finds canonical kept as written."""
    limits = (
        '{"cpu": 0.50, "memory": "1024Mi", "ephemeral-storage": 1e3, "example.com/a": " 2k ", "example.com/b": "1.500"}'
    )
    requests = '{"cpu": "100m", "memory": 1073741824, "example.com/a": "2000", "example.com/b": "1500m"}'
    body = (
        '{"metadata": {"name": "canon"}, "spec": {"containers": [{"name": "c", "image": "i", '
        f'"resources": {{"limits": {limits}, "requests": {requests}}}}}]}}}}'
    )
    code, _, created = raw("POST", f"/api/v1/namespaces/{ns}/pods", body)
    assert code == 201, created
    code, _, got = raw("GET", f"/api/v1/namespaces/{ns}/pods/canon")
    resources = got["spec"]["containers"][0]["resources"]
    assert resources == created["spec"]["containers"][0]["resources"]
    assert resources["limits"] == {
        "cpu": "500m",
        "memory": "1Gi",
        "ephemeral-storage": "1e3",
        "example.com/a": "2k",
        "example.com/b": "1.500",
    }
    assert resources["requests"] == {
        "cpu": "100m",
        "memory": "1073741824",  # DecimalSI: a number has no binary suffix
        "example.com/a": "2k",
        "example.com/b": "1500m",
    }


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("e-10", "unable to parse numeric part of quantity"),  # no digit and inf.Dec's path: SetString fails
        ("Pi", "unable to parse numeric part of quantity"),
        ("1e99999999999999999999", "unable to parse quantity's suffix"),
    ],
)
def test_quantities_go_refuses_late(raw: Raw, ns: str, value: str, why: str) -> None:
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", pod("late", resources={"limits": {"cpu": value}}))
    assert code == 400, out
    assert out["message"] == f'Pod in version "v1" cannot be handled as a Pod: {why}'


def test_quantities_go_accepts_that_look_wrong(raw: Raw, ns: str) -> None:
    """A suffix alone or a lone point is zero to Go; `1.` and `.5` are numbers."""
    limits = {"cpu": "Gi", "memory": ".", "example.com/a": "1.", "example.com/b": ".5"}
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", pod("odd", resources={"limits": limits}))
    assert code == 201, out
    assert out["spec"]["containers"][0]["resources"]["limits"] == {
        "cpu": "0",
        "memory": "0",
        "example.com/a": "1.",
        "example.com/b": "500m",
    }


TYPE_ERRORS = [
    (pod("a", image=5), "number into Go struct field Container.spec.containers.image of type string"),
    (
        {"metadata": {"name": "b"}, "spec": {"containers": {"name": "c", "image": "i"}}},
        "object into Go struct field PodSpec.spec.containers of type []v1.Container",
    ),
    ({"metadata": {"name": "c"}, "spec": []}, "array into Go struct field Pod.spec of type v1.PodSpec"),
    (pod("d", {"restartPolicy": 5}), "number into Go struct field PodSpec.spec.restartPolicy of type v1.RestartPolicy"),
    (pod("e", args="run"), "string into Go struct field Container.spec.containers.args of type []string"),
    (pod("f", args=["run", 1]), "number into Go struct field Container.spec.containers.args of type string"),
    (
        pod("g", env=[{"name": "A", "value": True}]),
        "bool into Go struct field EnvVar.spec.containers.env.value of type string",
    ),
    (pod("h", {"nodeSelector": {"disk": 1}}), "number into Go struct field PodSpec.spec.nodeSelector of type string"),
    (
        pod("i", resources={"limits": ["1"]}),
        "array into Go struct field ResourceRequirements.spec.containers.resources.limits of type v1.ResourceList",
    ),
    (
        pod("j", ports=[{"containerPort": 80, "protocol": 6}]),
        "number into Go struct field ContainerPort.spec.containers.ports.protocol of type v1.Protocol",
    ),
    (
        {"metadata": {"name": "k", "labels": "app"}, "spec": pod("k")["spec"]},
        "string into Go struct field ObjectMeta.metadata.labels of type map[string]string",
    ),
    (
        pod("l", livenessProbe="tcp"),
        "string into Go struct field Container.spec.containers.livenessProbe of type v1.Probe",
    ),
    (
        pod("m", {"activeDeadlineSeconds": "60"}),
        "string into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64",
    ),
    ({"metadata": "n", "spec": pod("n")["spec"]}, "string into Go struct field Pod.metadata of type v1.ObjectMeta"),
]


@pytest.mark.parametrize(("body", "message"), TYPE_ERRORS)
def test_wrong_json_type_is_a_400_with_go_type_names(raw: Raw, ns: str, body: dict[str, Any], message: str) -> None:
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", body)
    assert code == 400, out
    assert out["reason"] == "BadRequest" and "details" not in out, out
    assert out["message"] == f'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal {message}'


def test_wrong_json_types_in_other_kinds(raw: Raw, ns: str) -> None:
    claim = {
        "metadata": {"name": "c"},
        "spec": {"accessModes": "ReadWriteOnce", "resources": {"requests": {"storage": "1Gi"}}},
    }
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/persistentvolumeclaims", claim)
    assert code == 400, out
    assert out["message"].endswith(
        "json: cannot unmarshal string into Go struct field PersistentVolumeClaimSpec.spec.accessModes "
        "of type []v1.PersistentVolumeAccessMode"
    )
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/configmaps", {"metadata": {"name": "m"}, "data": {"k": 1}})
    assert code == 400, out
    assert out["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: '
        "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
    )
    secret = {"metadata": {"name": "s"}, "data": {"k": 5}}
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/secrets", secret)
    assert code == 400, out
    assert out["message"].endswith("json: cannot unmarshal number into Go struct field Secret.data of type []uint8")


def test_first_type_error_in_document_order_wins_and_a_returned_error_beats_it(raw: Raw, ns: str) -> None:
    """encoding/json saves the first type error and goes on; a field decoder's own error (Quantity) stops it."""
    body = pod("o", image=5, args="x")
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", body)
    assert code == 400 and out["message"].endswith("Container.spec.containers.image of type string"), out
    body = pod("p", image=5, resources={"limits": {"cpu": "one"}})
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", body)
    assert code == 400 and out["message"].endswith("[eEinumkKMGTP]*[-+]?[0-9]*)$'"), out


def test_number_literal_is_quoted_as_written(raw: Raw, ns: str) -> None:
    body = json.dumps(pod("q", ports=[{"containerPort": 8}])).replace('"containerPort": 8', '"containerPort": 8.08e3')
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", body)
    assert code == 400, out
    assert out["message"].endswith(
        "json: cannot unmarshal number 8.08e3 into Go struct field ContainerPort.spec.containers.ports.containerPort "
        "of type int32"
    )


def test_a_patch_that_makes_a_type_error_is_a_422_on_the_patch(raw: Raw, ns: str) -> None:
    """A merge patch whose result cannot be decoded: 422 on the field "patch", quoting the patched object as sent."""
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", pod("r", resources={"limits": {"cpu": "0.5"}}))
    assert code == 201, out
    patch = {"spec": {"activeDeadlineSeconds": "soon"}}
    code, _, out = raw("PATCH", f"/api/v1/namespaces/{ns}/pods/r", patch, content_type="application/merge-patch+json")
    assert code == 422, out
    [(field, message)] = causes(out)
    assert field == "patch"
    assert message.endswith(
        "json: cannot unmarshal string into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64"
    )
    assert '\\"cpu\\":\\"500m\\"' in message  # the stored, canonical value


APPLY_TYPE_ERRORS = [
    ({"replicas": "two"}, ".spec.replicas: expected numeric (int or float), got string"),
    ({"paused": "no"}, ".spec.paused: expected boolean, got &{no}"),
    ({"strategy": [1, "x"]}, ".spec.strategy: expected map, got &{[1 x]}"),
    (
        {"minReadySeconds": {"a": 1}},
        ".spec.minReadySeconds: expected numeric (int or float), got map[string]interface {}",
    ),
]


@pytest.mark.parametrize(("spec", "message"), APPLY_TYPE_ERRORS)
def test_server_side_apply_of_a_wrong_type_is_a_typed_patch_error(
    raw: Raw, ns: str, spec: dict[str, Any], message: str
) -> None:
    """structured-merge-diff cannot type the applied configuration: 500 with its path and Go's formatting."""
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "t"},
        "spec": {
            "selector": {"matchLabels": {"app": "t"}},
            "template": {"metadata": {"labels": {"app": "t"}}, "spec": pod("t")["spec"]},
            **spec,
        },
    }
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/t?fieldManager=test"
    code, _, out = raw("PATCH", path, body, content_type="application/apply-patch+yaml")
    assert code == 500, out
    assert out["message"] == f"failed to create typed patch object (/t; apps/v1, Kind=Deployment): {message}"
    code, _, _ = raw("GET", f"/apis/apps/v1/namespaces/{ns}/deployments/t")
    assert code == 404


def test_server_side_apply_lists_every_type_error(raw: Raw, ns: str) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "two"},
        "spec": pod("two", image=5, args="x")["spec"],
    }
    path = f"/api/v1/namespaces/{ns}/pods/two?fieldManager=test"
    code, _, out = raw("PATCH", path, body, content_type="application/apply-patch+yaml")
    assert code == 500, out
    assert out["message"].endswith(
        ": errors:\n"
        '  .spec.containers[name="c"].image: expected string, got &value.valueUnstructured{Value:5}\n'
        '  .spec.containers[name="c"].args: expected list, got &{x}'
    )


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(raw: Raw, ns: str, word: str) -> None:
    """Python's decoder takes them; Go's does not, and nothing is stored."""
    body = '{"metadata": {"name": "nan"}, "data": {"a": "b"}, "extra": ' + word + "}"
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/configmaps", body)
    assert code == 400, out
    assert "invalid character" in out["message"]
    code, _, _ = raw("GET", f"/api/v1/namespaces/{ns}/configmaps/nan")
    assert code == 404


def test_null_strings_in_maps_and_lists_are_stored_empty(raw: Raw, ns: str) -> None:
    """encoding/json decodes null into a string as "": a label, a data value, a node selector value, an argument."""
    body = {"metadata": {"name": "nulls", "labels": {"a": None}}, "data": {"k": None}}
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/configmaps", body)
    assert code == 201, out
    assert out["metadata"]["labels"] == {"a": ""} and out["data"] == {"k": ""}
    code, _, out = raw(
        "POST", f"/api/v1/namespaces/{ns}/pods", pod("nulls", {"nodeSelector": {"x": None}}, args=["a", None])
    )
    assert code == 201, out
    assert out["spec"]["nodeSelector"] == {"x": ""} and out["spec"]["containers"][0]["args"] == ["a", ""]


def test_decoding_comes_before_the_name_and_namespace_checks(raw: Raw, ns: str) -> None:
    body = {"metadata": {"generateName": 5, "namespace": 7}}
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/configmaps", body)
    assert code == 400, out
    assert out["message"].endswith(
        "cannot unmarshal number into Go struct field ObjectMeta.metadata.generateName of type string"
    )


@pytest.mark.parametrize(
    ("spec", "field", "go_type"),
    [
        ({"priority": 2**31}, "priority", "int32"),
        ({"priority": -(2**31) - 1}, "priority", "int32"),
        ({"activeDeadlineSeconds": 2**63}, "activeDeadlineSeconds", "int64"),
        ({"activeDeadlineSeconds": 2**70}, "activeDeadlineSeconds", "int64"),
    ],
)
def test_number_out_of_its_go_integer_range_is_a_400(
    raw: Raw, ns: str, spec: dict[str, Any], field: str, go_type: str
) -> None:
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", pod("big", spec))
    assert code == 400, out
    number = next(iter(spec.values()))
    assert out["message"] == (
        'Pod in version "v1" cannot be handled as a Pod: '
        f"json: cannot unmarshal number {number} into Go struct field PodSpec.spec.{field} of type {go_type}"
    )
