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
