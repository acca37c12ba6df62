"""Built-in kinds: validation against the Kubernetes schema (422 with causes), unknown fields with
fieldValidation, name rules, Service clusterIP allocation, defaults, Events (v1 and events.k8s.io/v1)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from lightkube import ApiError, Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import ConfigMap, Event, Service
from lightkube.resources.events_v1 import Event as EventV1

from pykro.emulator._cluster import LocalCluster


def _svc(name: str, **spec: Any) -> Service:
    return Service.from_dict(
        {"metadata": {"name": name}, "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec}}
    )


def test_schema_invalid_deployment_is_422_with_field_causes(raw: Any, ns: str) -> None:
    body: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "bad"},
        "spec": {
            "replicas": -1,
            "selector": {"matchLabels": {"a": "b"}},
            "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"image": "x"}]}},
        },
    }
    code, _, status = raw("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body)
    assert code == 422 and status["reason"] == "Invalid"
    assert status["message"].startswith('Deployment.apps "bad" is invalid: ')
    fields = {c["field"] for c in status["details"]["causes"]}
    assert {"spec.replicas", "spec.template.spec.containers[0].name"} <= fields
    assert status["details"]["kind"] == "Deployment" and status["details"]["group"] == "apps"
    # a value of the wrong JSON type never reaches validation: Go's decoder refuses it (400, no causes)
    body["spec"]["replicas"] = "three"
    code, _, status = raw("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body)
    assert code == 400 and status["reason"] == "BadRequest"
    assert status["message"] == (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct '
        "field DeploymentSpec.spec.replicas of type int32"
    )


def test_unknown_fields_strict_warn_ignore(raw: Any, ns: str) -> None:
    body: Any = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "uf"}, "data": {"a": "b"}, "dta": {}}
    url = f"/api/v1/namespaces/{ns}/configmaps"
    code, _, status = raw("POST", url + "?fieldValidation=Strict", body)
    assert code == 400
    assert status["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dta"'
    )
    code, headers, obj = raw("POST", url + "?fieldValidation=Warn", body)
    assert code == 201 and "dta" not in obj and headers["Warning"] == '299 - "unknown field \\"dta\\""'
    body["metadata"]["name"] = "uf2"
    code, headers, obj = raw("POST", url + "?fieldValidation=Ignore", body)
    assert code == 201 and "Warning" not in headers and "dta" not in obj  # dropped, without a warning


def test_invalid_name_is_422(client: Client, ns: str) -> None:
    with pytest.raises(ApiError) as err:
        client.create(ConfigMap(metadata=ObjectMeta(name="Not_Valid")), namespace=ns)
    status = err.value.status
    assert status.code == 422
    assert status.details.causes[0].field == "metadata.name"
    assert "a lowercase RFC 1123 subdomain" in status.message


def test_cluster_ips_are_unique_in_range_and_headless_is_kept(client: Client, ns: str) -> None:
    ips = [client.create(_svc(f"s{i}"), namespace=ns).spec.clusterIP for i in range(20)]
    assert len(set(ips)) == 20
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("10.96.0.0/12") for ip in ips)
    headless = client.create(_svc("headless", clusterIP="None"), namespace=ns)
    assert headless.spec.clusterIP == "None"
    kept = client.patch(Service, "s0", {"metadata": {"labels": {"x": "y"}}}, namespace=ns)
    assert kept.spec.clusterIP == ips[0]
    with pytest.raises(ApiError) as err:
        client.create(_svc("taken", clusterIP=ips[1]), namespace=ns)
    assert err.value.status.code == 422 and "provided IP is already allocated" in err.value.status.message


def test_node_ports_for_load_balancers(client: Client, ns: str) -> None:
    lb = client.create(_svc("lb", type="LoadBalancer"), namespace=ns)
    assert 30000 <= lb.spec.ports[0].nodePort <= 32767
    assert lb.spec.ports[0].targetPort == 80 and lb.spec.ports[0].protocol == "TCP"


def test_kubernetes_service_exists(client: Client) -> None:
    assert client.get(Service, "kubernetes", namespace="default").spec.clusterIP == "10.96.0.1"


def test_deployment_defaults(client: Client, ns: str) -> None:
    dep = Deployment.from_dict(
        {
            "metadata": {"name": "dd"},
            "spec": {
                "selector": {"matchLabels": {"a": "b"}},
                "template": {
                    "metadata": {"labels": {"a": "b"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                },
            },
        }
    )
    got = client.create(dep, namespace=ns)
    assert got.spec.replicas == 1 and got.spec.strategy.type == "RollingUpdate"
    container = got.spec.template.spec.containers[0]
    assert container.imagePullPolicy == "Always"  # untagged image, as the apiserver defaults it
    assert got.spec.template.spec.restartPolicy == "Always"


def test_record_event_writes_both_event_apis(bare_cluster: LocalCluster, client: Client, ns: str) -> None:
    cm = client.create(ConfigMap(metadata=ObjectMeta(name="evented")), namespace=ns)

    async def record(api: Any) -> None:
        await api.record_event(
            cm.to_dict() | {"apiVersion": "v1", "kind": "ConfigMap"}, "Tested", "it works", "Warning", "pytest"
        )

    bare_cluster.run(record)
    core = list(client.list(Event, namespace=ns))
    assert [(e.reason, e.message, e.type, e.involvedObject.name, e.source.component) for e in core] == [
        ("Tested", "it works", "Warning", "evented", "pytest")
    ]
    new = list(client.list(EventV1, namespace=ns))
    assert [(e.reason, e.note, e.regarding.uid, e.reportingController) for e in new] == [
        ("Tested", "it works", cm.metadata.uid, "pytest")
    ]


async def test_async_validation_error(bare_cluster: LocalCluster, ns: str) -> None:
    client = bare_cluster.async_client()
    with pytest.raises(ApiError) as err:
        await client.create(_svc("1st-service"), namespace=ns)
    assert err.value.status.code == 422
    assert "a DNS-1035 label must consist of" in err.value.status.message
    await client.close()
