"""The emulator rejects what kube-apiserver rejects for the built-in kinds (422 with the apiserver's causes, 400
for what its decoder refuses, 413 over the request size limit), and accepts the boundary values it accepts."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from tests.helpers import Raw

CM = "/api/v1/namespaces/{ns}/configmaps"


def deployment(name: str, **spec: Any) -> dict[str, Any]:
    labels = {"app": name}
    body: dict[str, Any] = {
        "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
    }
    body.update(spec)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": body}


def fields(body: Any) -> list[str]:
    return sorted(c["field"] for c in body["details"]["causes"])


@pytest.mark.parametrize(
    ("labels", "field", "message"),
    [
        ({"k": "v" * 64}, "metadata.labels", "must be no more than 63 characters"),
        ({"k": "a/b"}, "metadata.labels", "a valid label must be an empty string"),
        ({"-bad": "v"}, "metadata.labels", "name part must consist of alphanumeric characters"),
        ({"a/b/c": "v"}, "metadata.labels", "a qualified name must consist of"),
    ],
)
def test_label_syntax(raw: Raw, ns: str, labels: dict[str, str], field: str, message: str) -> None:
    code, _, body = raw("POST", CM.format(ns=ns), {"metadata": {"name": "cm", "labels": labels}})
    assert code == 422, body
    assert fields(body) == [field] and message in body["message"]


def test_label_value_of_63_characters_is_accepted(raw: Raw, ns: str) -> None:
    code, _, body = raw("POST", CM.format(ns=ns), {"metadata": {"name": "cm", "labels": {"k": "v" * 63}}})
    assert code == 201, body


def test_label_value_that_is_not_a_string_is_a_decoding_error(raw: Raw, ns: str) -> None:
    code, _, body = raw("POST", CM.format(ns=ns), {"metadata": {"name": "cm", "labels": {"k": [1, 2]}}})
    assert code == 400
    assert "cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type string" in body["message"]


def test_configmap_keys_and_size(raw: Raw, ns: str) -> None:
    code, _, body = raw("POST", CM.format(ns=ns), {"metadata": {"name": "k"}, "data": {"bad key": "x"}})
    assert code == 422 and fields(body) == ["data[bad key]"]
    code, _, body = raw("POST", CM.format(ns=ns), {"metadata": {"name": "big"}, "data": {"a": "x" * 1_100_000}})
    assert code == 422 and "[]: Too long: may not be more than 1048576 bytes" in body["message"]
    code, _, body = raw("POST", CM.format(ns=ns), {"metadata": {"name": "huge"}, "data": {"a": "x" * 4_000_000}})
    assert code == 413 and body["reason"] == "RequestEntityTooLarge"


def test_secret_type_rules_and_string_data(raw: Raw, ns: str) -> None:
    path = f"/api/v1/namespaces/{ns}/secrets"
    code, _, body = raw("POST", path, {"metadata": {"name": "tls"}, "type": "kubernetes.io/tls", "data": {}})
    assert code == 422 and fields(body) == ["data[tls.crt]", "data[tls.key]"]
    code, _, body = raw("POST", path, {"metadata": {"name": "k"}, "data": {"a/b": "eA=="}})
    assert code == 422 and fields(body) == ["data[a/b]"]
    code, _, body = raw("POST", path, {"metadata": {"name": "b64"}, "data": {"a": "not base64!"}})
    assert code == 400 and "cannot be handled as a Secret" in body["message"]
    code, _, body = raw("POST", path, {"metadata": {"name": "s"}, "stringData": {"pw": "hunter2"}, "data": {"a": ""}})
    assert code == 201, body
    assert "stringData" not in body
    assert body["data"] == {"a": "", "pw": base64.b64encode(b"hunter2").decode()}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"replicas": -1}, ["spec.replicas"]),
        ({"selector": {"matchLabels": {"app": "other"}}}, ["spec.template.metadata.labels"]),
        (
            {"template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "c"}]}}},
            ["spec.template.spec.containers[0].image"],
        ),
        (
            {
                "template": {
                    "metadata": {"labels": {"app": "d"}},
                    "spec": {
                        "containers": [
                            {"name": "c", "image": "i", "ports": [{"containerPort": 70000}]},
                            {"name": "c", "image": "i"},
                        ]
                    },
                }
            },
            ["spec.template.spec.containers[0].ports[0].containerPort", "spec.template.spec.containers[1].name"],
        ),
    ],
)
def test_deployment_rules(raw: Raw, ns: str, spec: dict[str, Any], expected: list[str]) -> None:
    code, _, body = raw("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("d", **spec))
    assert code == 422, body
    assert fields(body) == expected


def test_names_per_kind(raw: Raw, ns: str) -> None:
    code, _, body = raw("POST", CM.format(ns=ns), {"metadata": {"name": "a.b"}})
    assert code == 201, body  # a DNS subdomain
    svc = {"metadata": {"name": "a.b"}, "spec": {"ports": [{"port": 80}]}}
    code, _, body = raw("POST", f"/api/v1/namespaces/{ns}/services", svc)
    assert code == 422 and "DNS-1035 label" in body["message"]  # a Service name is a DNS-1035 label
    code, _, body = raw("POST", CM.format(ns=ns), {"metadata": {"generateName": "Bad_"}})
    assert code == 422 and "metadata.generateName" in fields(body)


def test_service_ports_and_type(raw: Raw, ns: str) -> None:
    path = f"/api/v1/namespaces/{ns}/services"
    svc = {"metadata": {"name": "s"}, "spec": {"type": "Fancy", "ports": [{"port": 0, "protocol": "ICMP"}]}}
    code, _, body = raw("POST", path, svc)
    assert code == 422
    assert fields(body) == ["spec.ports[0].port", "spec.ports[0].protocol", "spec.type"]
    code, _, body = raw("POST", path, {"metadata": {"name": "s"}, "spec": {}})
    assert code == 422 and fields(body) == ["spec.ports"]


def test_pvc_rules(raw: Raw, ns: str) -> None:
    code, _, body = raw(
        "POST", f"/api/v1/namespaces/{ns}/persistentvolumeclaims", {"metadata": {"name": "p"}, "spec": {}}
    )
    assert code == 422 and fields(body) == ["spec.accessModes", "spec.resources[storage]"]


QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


def pod(name: str, **container: Any) -> dict[str, Any]:
    return {"metadata": {"name": name}, "spec": {"containers": [{"name": "c", "image": "i", **container}]}}


def causes(body: Any) -> list[tuple[str, str]]:
    return sorted((c["field"], c["message"]) for c in body["details"]["causes"])


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("4GB", QUANTITY_FORMAT),
        ("1 core", QUANTITY_FORMAT),
        ("1.2.3", QUANTITY_FORMAT),
        ("", QUANTITY_FORMAT),
        (True, QUANTITY_FORMAT),
        ("4Mm", "unable to parse quantity's suffix"),
    ],
)
def test_quantity_the_decoder_cannot_parse_is_a_400(raw: Raw, ns: str, value: Any, why: str) -> None:
    """resource.Quantity's UnmarshalJSON fails, so the body is refused before validation (no causes)."""
    body = pod("q", resources={"limits": {"memory": value}})
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", body)
    assert code == 400, out
    assert out["reason"] == "BadRequest" and "details" not in out
    assert out["message"] == f'Pod in version "v1" cannot be handled as a Pod: {why}'


def test_quantities_in_templates_and_claims_are_decoded_too(raw: Raw, ns: str) -> None:
    spec = {
        "template": {
            "metadata": {"labels": {"app": "d"}},
            "spec": pod("x", resources={"requests": {"cpu": "1 core"}})["spec"],
        }
    }
    code, _, out = raw("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("d", **spec))
    assert code == 400 and out["message"].endswith(QUANTITY_FORMAT), out
    claim = {
        "metadata": {"name": "c"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10GB"}}},
    }
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/persistentvolumeclaims", claim)
    assert (
        code == 400
        and out["message"]
        == f'PersistentVolumeClaim in version "v1" cannot be handled as a PersistentVolumeClaim: {QUANTITY_FORMAT}'
    )


def test_quantities_the_decoder_accepts(raw: Raw, ns: str) -> None:
    """Surrounding spaces are trimmed, a JSON number is a quantity, equal values written differently are equal."""
    body = pod("ok", resources={"limits": {"memory": " 1Gi ", "cpu": 2}, "requests": {"memory": "1024Mi", "cpu": 0.5}})
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", body)
    assert code == 201, out


def test_negative_resources_and_requests_over_limits_are_invalid(raw: Raw, ns: str) -> None:
    resources = {"limits": {"cpu": "-1", "memory": "1Gi"}, "requests": {"memory": "2Gi", "ephemeral-storage": -5}}
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", pod("neg", resources=resources))
    assert code == 422, out
    at = "spec.containers[0].resources"
    assert causes(out) == [
        (f"{at}.limits[cpu]", 'Invalid value: "-1": must be greater than or equal to 0'),
        (f"{at}.requests", 'Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi'),
        (f"{at}.requests[ephemeral-storage]", 'Invalid value: "-5": must be greater than or equal to 0'),
    ]


def test_requests_of_resources_that_cannot_be_overcommitted_equal_their_limits(raw: Raw, ns: str) -> None:
    resources = {
        "limits": {"example.com/gpu": 2, "hugepages-2Mi": "4Mi", "memory": "1Gi"},
        "requests": {"example.com/gpu": 1, "hugepages-2Mi": "4Mi", "memory": "512Mi"},
    }
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", pod("gpu", resources=resources))
    assert code == 422, out
    field = "spec.containers[0].resources.requests"
    assert causes(out) == [(field, 'Invalid value: "1": must be equal to example.com/gpu limit of 2')]


def test_container_resource_names(raw: Raw, ns: str) -> None:
    resources = {"limits": {"memroy": "1Gi", "example.com/gpu": 1, "hugepages-2Mi": "2Mi"}}
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", pod("names", resources=resources))
    assert code == 422, out
    field = "spec.containers[0].resources.limits[memroy]"
    assert causes(out) == [(field, 'Invalid value: "memroy": must be a standard resource for containers')]


def test_claim_storage_must_be_positive(raw: Raw, ns: str) -> None:
    claim = {
        "metadata": {"name": "c"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "-1Gi"}}},
    }
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/persistentvolumeclaims", claim)
    assert code == 422, out
    assert causes(out) == [("spec.resources[storage]", 'Invalid value: "-1Gi": must be greater than zero')]


@pytest.mark.parametrize(
    ("container", "message"),
    [
        (
            {"ports": [{"containerPort": 80.5}]},
            "json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort "
            "of type int32",
        ),
        (
            {"livenessProbe": {"httpGet": {"port": 8080.0}}},
            "json: cannot unmarshal number 8080.0 into Go struct field HTTPGetAction.spec.containers.livenessProbe."
            "httpGet.port of type int32",
        ),
    ],
)
def test_fraction_for_an_integer_is_a_400(raw: Raw, ns: str, container: dict[str, Any], message: str) -> None:
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", pod("f", **container))
    assert code == 400, out
    assert out["message"] == f'Pod in version "v1" cannot be handled as a Pod: {message}'


def test_fraction_for_replicas_and_int_or_string_in_a_deployment(raw: Raw, ns: str) -> None:
    code, _, out = raw("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("r", replicas=1.5))
    assert code == 400, out
    assert out["message"].endswith(
        "cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"
    )
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2.5}}
    code, _, out = raw("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("r", strategy=strategy))
    assert code == 400, out
    assert out["message"].endswith(
        "cannot unmarshal number 2.5 into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge "
        "of type int32"
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"replicas": "3"}, "cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"),
        (
            {"replicas": 2**31},
            "cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32",
        ),
        ({"paused": "yes"}, "cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool"),
        (
            {"progressDeadlineSeconds": True},
            "cannot unmarshal bool into Go struct field DeploymentSpec.spec.progressDeadlineSeconds of type int32",
        ),
    ],
)
def test_value_an_integer_or_boolean_field_cannot_hold_is_a_400(
    raw: Raw, ns: str, spec: dict[str, Any], message: str
) -> None:
    code, _, out = raw("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("t", **spec))
    assert code == 400, out
    assert out["message"] == f'Deployment in version "v1" cannot be handled as a Deployment: json: {message}'


@pytest.mark.parametrize("port", [-1, 65536])
def test_port_numbers_out_of_range(raw: Raw, ns: str, port: int) -> None:
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/pods", pod("p", ports=[{"containerPort": port}]))
    assert code == 422, out
    message = f"Invalid value: {port}: must be between 1 and 65535, inclusive"
    assert causes(out) == [("spec.containers[0].ports[0].containerPort", message)]
    svc = {"metadata": {"name": "s"}, "spec": {"ports": [{"port": port}]}}
    code, _, out = raw("POST", f"/api/v1/namespaces/{ns}/services", svc)
    assert code == 422, out
    assert ("spec.ports[0].port", message) in causes(out)


def test_service_target_port_zero_or_empty_means_the_port(raw: Raw, ns: str) -> None:
    ports = [{"name": "a", "port": 80, "targetPort": 0}, {"name": "b", "port": 81, "targetPort": ""}]
    code, _, out = raw(
        "POST", f"/api/v1/namespaces/{ns}/services", {"metadata": {"name": "t"}, "spec": {"ports": ports}}
    )
    assert code == 201, out
    assert [p["targetPort"] for p in out["spec"]["ports"]] == [80, 81]


def test_secret_data_that_is_not_base64_names_the_byte(raw: Raw, ns: str) -> None:
    path = f"/api/v1/namespaces/{ns}/secrets"
    cases = [("hunter2!", 7), ("abc", 0), ("ab=c", 2), ("ab=", 3), ("c2VjcmV0", None), ("c2Vj\ncmV0\n", None)]
    for n, (value, byte) in enumerate(cases):
        code, _, out = raw("POST", path, {"metadata": {"name": f"s{n}"}, "data": {"pw": value}})
        if byte is None:
            assert code == 201, out
            assert out["data"] == {"pw": "c2VjcmV0"}  # stored as bytes, read back without the line breaks
            continue
        assert code == 400 and out["reason"] == "BadRequest", out
        assert (
            out["message"]
            == f'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte {byte}'
        )
        assert value not in out["message"]
    code, _, out = raw("POST", CM.format(ns=ns), {"metadata": {"name": "bin"}, "binaryData": {"b": "abc"}})
    assert code == 400, out
    assert (
        out["message"]
        == 'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 0'
    )
