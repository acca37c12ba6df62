"""`--state FILE`: a restarted emulator keeps its objects, resourceVersions keep increasing, CRDs are served."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lightkube.generic_resource import create_namespaced_resource
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.resources.core_v1 import ConfigMap, Service

from pykro.emulator.cluster import LocalCluster

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "gizmos.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "gizmos", "kind": "Gizmo"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            }
        ],
    },
}
Gizmo = create_namespaced_resource("example.com", "v1", "Gizmo", "gizmos")


def test_restart_keeps_objects(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with LocalCluster(simulate=False, state_file=state) as cluster:
        client = cluster.client()
        cm = client.create(ConfigMap(metadata=ObjectMeta(name="kept"), data={"a": "1"}))
        ip = client.create(Service.from_dict({"metadata": {"name": "svc"}, "spec": {"ports": [{"port": 1}]}}))
        client.create(CustomResourceDefinition.from_dict(CRD))
        client.create(
            Gizmo.from_dict(
                {"apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": {"name": "g"}, "spec": {"x": 1}}
            ),
            namespace="default",
        )
    saved = json.loads(state.read_text())
    assert saved["format"] == "pykro-emulator-state/v1"
    with LocalCluster(simulate=False, state_file=state) as cluster:
        client = cluster.client()
        again = client.get(ConfigMap, "kept")
        assert again.metadata.uid == cm.metadata.uid and again.data == {"a": "1"}
        assert client.get(Gizmo, "g", namespace="default").spec == {"x": 1}
        new = client.create(ConfigMap(metadata=ObjectMeta(name="new")))
        assert int(new.metadata.resourceVersion) > int(again.metadata.resourceVersion)
        other = client.create(Service.from_dict({"metadata": {"name": "svc2"}, "spec": {"ports": [{"port": 1}]}}))
        assert other.spec.clusterIP != ip.spec.clusterIP
        assert client.get(Service, "svc").spec.clusterIP == ip.spec.clusterIP


def test_cli_start_writes_kubeconfig_and_stops_on_sigterm(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pykro",
            "emulator",
            "start",
            "--port",
            "0",
            "--no-simulate",
            "--kubeconfig",
            str(kubeconfig),
            "--state",
            str(tmp_path / "s.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("pykro emulator serving at https://127.0.0.1:")
    listed = subprocess.run(
        [sys.executable, "-m", "pykro", "emulator", "get", "ns", "--kubeconfig", str(kubeconfig)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert "kube-system" in listed.stdout and "Active" in listed.stdout
    proc.terminate()
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "stopping" in out
    assert (tmp_path / "s.json").exists()
