"""Kubernetes protobuf request bodies (kubectl's typed commands send them): the decoder on hand-encoded
messages, and `kubectl create ...` generators against a running emulator."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._protobuf import MAGIC, decode
from pykro.emulator._status import StatusError


def _varint(n: int) -> bytes:
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, value: Any) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = _field(1, api_version) + _field(2, kind)
    return MAGIC + _field(1, type_meta) + _field(2, raw)


def test_decode_configmap_with_maps_and_bytes() -> None:
    meta = _field(1, "cfg") + _field(3, "dev") + _field(11, _field(1, "app") + _field(2, "web"))  # 11: labels
    raw = (
        _field(1, meta)
        + _field(2, _field(1, "a") + _field(2, "b"))  # data
        + _field(3, _field(1, "bin") + _field(2, b"\x00\x01"))  # binaryData
        + _field(4, 0)  # immutable=false: a zero value JSON would omit
    )
    obj = decode(_envelope("v1", "ConfigMap", raw))
    assert obj == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "dev", "labels": {"app": "web"}},
        "data": {"a": "b"},
        "binaryData": {"bin": "AAE="},
    }


def test_decode_service_int_or_string_and_explicit_zero_replicas() -> None:
    port = _field(1, "http") + _field(3, 80) + _field(4, _field(1, 1) + _field(3, "web"))  # targetPort: "web"
    svc = decode(_envelope("v1", "Service", _field(1, _field(1, "s")) + _field(2, _field(1, port))))
    assert svc["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "web"}]
    deployment = decode(_envelope("apps/v1", "Deployment", _field(1, _field(1, "d")) + _field(2, _field(1, 0))))
    assert deployment["spec"] == {"replicas": 0}


def test_unknown_kind_and_bad_magic() -> None:
    with pytest.raises(StatusError) as err:
        decode(_envelope("example.com/v1", "Widget", b""))
    assert err.value.code == 415
    with pytest.raises(StatusError) as err:
        decode(b"not protobuf")
    assert err.value.code == 400


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_typed_create_commands(tmp_path: Path) -> None:
    with LocalCluster(simulate=False) as cluster:
        env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig_path), "HOME": str(tmp_path)}

        def kubectl(*args: str) -> str:
            proc = subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True, check=False)
            assert proc.returncode == 0, proc.stderr
            return proc.stdout

        assert kubectl("create", "namespace", "pb").strip() == "namespace/pb created"
        kubectl("create", "secret", "generic", "s", "-n", "pb", "--from-literal=pw=x")
        kubectl("create", "deployment", "web", "-n", "pb", "--image=nginx:1.27", "--replicas=2", "--port=80")
        kubectl("expose", "deployment", "web", "-n", "pb", "--port=80", "--target-port=8080")
        client = cluster.client()
        from lightkube.resources.apps_v1 import Deployment
        from lightkube.resources.core_v1 import Secret, Service

        assert client.get(Secret, "s", namespace="pb").data == {"pw": "eA=="}
        dep = client.get(Deployment, "web", namespace="pb")
        assert dep.spec.replicas == 2
        assert dep.spec.template.spec.containers[0].ports[0].containerPort == 80
        svc = client.get(Service, "web", namespace="pb")
        assert svc.spec.ports[0].targetPort == 8080 and svc.spec.selector == {"app": "web"}
