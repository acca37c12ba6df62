"""A tiny kopf operator (`kopf run` in a subprocess, logging in through the emulator's kubeconfig) handles a custom
resource of a CRD registered in the emulator: its create handler patches the status and creates a ConfigMap."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lightkube.codecs import from_dict
from lightkube.generic_resource import create_namespaced_resource
from lightkube.resources.core_v1 import ConfigMap
from tests.helpers import HANG_GUARD_S

from pykro.emulator._cluster import LocalCluster

if importlib.util.find_spec("kopf") is None:  # pragma: no cover - kopf is in the dev extra
    print("kopf cannot be imported: install the dev extra (pip install -e '.[dev]')")
    pytest.skip("kopf cannot be imported", allow_module_level=True)

Greeting = create_namespaced_resource("kopf.example", "v1", "Greeting", "greetings")

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "greetings.kopf.example"},
    "spec": {
        "group": "kopf.example",
        "scope": "Namespaced",
        "names": {"plural": "greetings", "singular": "greeting", "kind": "Greeting"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            }
        ],
    },
}

OPERATOR = textwrap.dedent(
    """
    import kopf
    from lightkube import Client
    from lightkube.codecs import from_dict


    @kopf.on.startup()
    def configure(settings, **_):
        settings.watching.server_timeout = 30
        settings.posting.enabled = True


    @kopf.on.create("kopf.example", "v1", "greetings")
    def greet(spec, name, namespace, patch, **_):
        text = f"hello, {spec['who']}"
        Client().create(from_dict({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": f"{name}-greeting", "namespace": namespace},
            "data": {"text": text},
        }))
        patch.status["message"] = text
        return {"created": f"{name}-greeting"}
    """
)


@pytest.fixture
def operator(tmp_path: Path) -> Iterator[tuple[LocalCluster, subprocess.Popen[str]]]:
    with LocalCluster(kubeconfig_path=tmp_path / "kubeconfig", simulate=False) as cluster:
        client: Any = cluster.client()
        client.create(from_dict(CRD))
        script = tmp_path / "operator.py"
        script.write_text(OPERATOR)
        env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig_path)}
        cmd = [sys.executable, "-m", "kopf", "run", "--standalone", "--namespace=default", str(script)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            yield cluster, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_create_handler_runs_against_the_emulator(operator: tuple[LocalCluster, subprocess.Popen[str]]) -> None:
    cluster, proc = operator
    client: Any = cluster.client()
    client.create(
        from_dict(
            {
                "apiVersion": "kopf.example/v1",
                "kind": "Greeting",
                "metadata": {"name": "hi"},
                "spec": {"who": "emulator"},
            }
        )
    )
    deadline = time.monotonic() + HANG_GUARD_S
    status: dict[str, Any] = {}
    while time.monotonic() < deadline and proc.poll() is None:
        status = client.get(Greeting, "hi", namespace="default").status or {}
        if "greet" in status:
            break
        time.sleep(0.1)
    if "greet" not in status:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
        raise AssertionError(f"the kopf handler never completed; kopf said:\n{output[-4000:]}")
    assert status["message"] == "hello, emulator"
    assert status["greet"] == {"created": "hi-greeting"}
    assert client.get(ConfigMap, "hi-greeting", namespace="default").data == {"text": "hello, emulator"}
    greeting = client.get(Greeting, "hi", namespace="default")
    assert "kopf.zalando.org/last-handled-configuration" in (greeting.metadata.annotations or {})
