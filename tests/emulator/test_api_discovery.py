"""Discovery, version, health and OpenAPI over HTTP, and the unmodified kubectl using them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import Raw

from pykro.emulator._cluster import LocalCluster

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"


def test_version_and_health(raw: Any) -> None:
    code, _, version = raw("GET", "/version", token=None)
    assert code == 200 and (version["major"], version["minor"]) == ("1", "35")
    for path in ("/healthz", "/livez", "/readyz"):
        assert raw("GET", path, token=None)[2] == "ok"


def test_legacy_discovery(raw: Any) -> None:
    _, _, api = raw("GET", "/api")
    assert api["kind"] == "APIVersions" and api["versions"] == ["v1"]
    _, _, core = raw("GET", "/api/v1")
    by_name = {r["name"]: r for r in core["resources"]}
    assert by_name["pods"]["namespaced"] and by_name["pods"]["shortNames"] == ["po"]
    assert not by_name["namespaces"]["namespaced"]
    assert "pods/status" in by_name
    _, _, groups = raw("GET", "/apis")
    apps = next(g for g in groups["groups"] if g["name"] == "apps")
    assert apps["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    _, _, resources = raw("GET", "/apis/apps/v1")
    assert {r["name"] for r in resources["resources"]} >= {"deployments", "deployments/scale", "statefulsets"}
    assert raw("GET", "/apis/nope.example.com/v1")[0] == 404


def test_aggregated_discovery(raw: Any) -> None:
    code, headers, doc = raw("GET", "/apis", headers={"Accept": AGGREGATED})
    assert code == 200
    assert headers["Content-Type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    apps = next(i for i in doc["items"] if i["metadata"]["name"] == "apps")
    deploy = next(r for r in apps["versions"][0]["resources"] if r["resource"] == "deployments")
    assert deploy["responseKind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert {s["subresource"] for s in deploy["subresources"]} == {"status", "scale"}
    _, _, core = raw("GET", "/api", headers={"Accept": AGGREGATED})
    assert core["items"][0]["metadata"] == {} and core["items"][0]["versions"][0]["version"] == "v1"


def test_openapi_v3_declares_field_validation(raw: Any) -> None:
    _, _, index = raw("GET", "/openapi/v3")
    url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    _, _, doc = raw("GET", url)
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert {"name": "fieldValidation", "in": "query"}.items() <= patch["parameters"][2].items()
    schema = doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]
    assert schema["x-kubernetes-group-version-kind"] == [{"group": "apps", "version": "v1", "kind": "Deployment"}]
    spec = doc["components"]["schemas"]["io.k8s.api.apps.v1.DeploymentSpec"]
    assert spec["properties"]["replicas"]["type"] == "integer"
    assert spec["properties"]["selector"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"}
    ]
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector" in doc["components"]["schemas"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_discovers_applies_and_validates(tmp_path: Path) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-kubectl}\ndata: {a: b}\n")
    bogus = tmp_path / "bogus.yaml"
    bogus.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bogus}\ndata: {a: b}\nbogus: 1\n")
    with LocalCluster(simulate=False) as cluster:
        env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig_path), "HOME": str(tmp_path)}

        def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True, check=False)

        listed = kubectl("get", "namespaces", "-o", "name")
        assert listed.returncode == 0, listed.stderr
        assert "namespace/kube-system" in listed.stdout.split()
        applied = kubectl("apply", "-f", str(manifest))
        assert applied.returncode == 0, applied.stderr
        assert applied.stdout.strip() == "configmap/from-kubectl created"
        rejected = kubectl("apply", "-f", str(bogus))
        assert rejected.returncode != 0
        assert 'unknown field "bogus"' in rejected.stderr
        got = kubectl("get", "configmap", "from-kubectl", "-o", "jsonpath={.data.a}")
        assert got.stdout == "b"
        table = kubectl("get", "namespaces", "--show-labels")
        header, *rows = table.stdout.splitlines()
        assert header.split() == ["NAME", "STATUS", "AGE", "LABELS"]
        assert any(r.split()[0] == "default" and r.split()[1] == "Active" for r in rows)
        assert "kubernetes.io/metadata.name=default" in table.stdout


def test_table_for_kubectl_get(raw: Any, ns: str) -> None:
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "tab"},
        "spec": {"ports": [{"port": 80}], "selector": {"a": "b"}},
    }
    _, _, created = raw("POST", f"/api/v1/namespaces/{ns}/services", svc)
    code, _, doc = raw("GET", f"/api/v1/namespaces/{ns}/services", headers={"Accept": accept})
    assert code == 200 and doc["kind"] == "Table"
    assert [c["name"] for c in doc["columnDefinitions"]] == [
        "Name",
        "Type",
        "Cluster-IP",
        "External-IP",
        "Port(s)",
        "Age",
    ]
    [row] = doc["rows"]
    assert row["cells"][:5] == ["tab", "ClusterIP", created["spec"]["clusterIP"], "<none>", "80/TCP"]
    assert row["object"]["kind"] == "PartialObjectMetadata"
    assert row["object"]["metadata"]["uid"] == created["metadata"]["uid"]


def test_openapi_v2_is_a_document_without_definitions(raw: Raw) -> None:
    code, headers, doc = raw("GET", "/openapi/v2")
    assert code == 200 and headers["Content-Type"].startswith("application/json")
    assert doc == {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": "v1.35.0"},
        "paths": {},
        "definitions": {},
    }
    accept = {"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"}
    code, headers, body = raw("GET", "/openapi/v2", headers=accept)
    assert code == 200 and headers["Content-Type"] == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    assert body == "\n\x032.0\x12\x15\n\nKubernetes\x12\x07v1.35.0B\x00J\x00"  # swagger, info, paths, definitions
