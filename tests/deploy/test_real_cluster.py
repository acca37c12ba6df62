"""Both modes against the real control plane of `make e2e` (kube-apiserver v1.35.4 + kro v0.9.3 + kwok): run with
PYKRO_E2E=1 and PYKRO_E2E_KUBECONFIG set (skipped otherwise)."""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pykro.deploy import DeployOptions, DirectFactory, NullReporter, RetryPolicy, factory
from pykro.deploy import _inventory as inv
from pykro.graph import Graph

pytestmark = pytest.mark.e2e
KUBECONFIG = os.environ.get("PYKRO_E2E_KUBECONFIG", "")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WEBAPP = Graph.from_file(str(EXAMPLES / "rgd" / "webapp.yaml"))
SPEC = {"name": "shop", "replicas": 2, "ingress": {"enabled": True, "host": "shop.example.com"}}


@pytest.fixture
def kubeconfig() -> str:
    if os.environ.get("PYKRO_E2E") != "1" or not KUBECONFIG:
        pytest.skip("needs the real control plane: make e2e (PYKRO_E2E=1, PYKRO_E2E_KUBECONFIG)")
    return KUBECONFIG


@pytest.fixture
def namespace(kubeconfig: str) -> Iterator[str]:
    from lightkube import Client, KubeConfig
    from lightkube.resources.core_v1 import Namespace

    name = f"pykro-deploy-{uuid.uuid4().hex[:6]}"
    yield name
    Client(config=KubeConfig.from_file(kubeconfig)).delete(Namespace, name)


def _options() -> dict[str, Any]:
    return {"reporter": NullReporter(), "retry": RetryPolicy(base=0.05), "options": DeployOptions(timeout=180)}


def test_direct_mode_on_a_real_api_server(kubeconfig: str, namespace: str) -> None:
    fac = factory(WEBAPP, "direct", namespace=namespace, kubeconfig=kubeconfig, **_options())
    result = fac.deploy(SPEC)
    assert result.state == "ACTIVE" and result.status.ready is True and result.status.available_replicas == 2
    assert isinstance(fac, DirectFactory)
    # a re-deploy writes nothing but the instance's lock (a Lease taken and given back: two updates)
    assert fac.deploy(SPEC).state == "ACTIVE" and fac.last_writes == 2
    assert not fac.diff(SPEC).changed
    assert [i.name for i in fac.instances()] == ["shop"]
    fac.delete("shop")
    from lightkube import Client, KubeConfig
    from lightkube.resources.apps_v1 import Deployment

    client = Client(config=KubeConfig.from_file(kubeconfig))
    assert list(client.list(Deployment, namespace=namespace, labels={inv.INSTANCE: "shop"})) == []


def test_kro_mode_on_real_kro(kubeconfig: str, namespace: str) -> None:
    rgd = copy.deepcopy(WEBAPP.to_rgd())
    suffix = uuid.uuid4().hex[:6]
    rgd["metadata"]["name"] = f"pykro-deploy-{suffix}"
    rgd["spec"]["schema"]["kind"] = f"DeployCheck{suffix.upper()}"
    graph = Graph.from_rgd(rgd)
    fac = factory(graph, "kro", namespace=namespace, kubeconfig=kubeconfig, **_options())
    try:
        result = fac.deploy(SPEC)
        assert result.state == "ACTIVE" and result.status.ready is True and result.status.url == "shop.example.com"
        assert [i.state for i in fac.instances()] == ["ACTIVE"]
        fac.delete("shop")
        assert fac.instances() == []
    finally:
        from lightkube import Client, KubeConfig
        from lightkube.generic_resource import create_global_resource

        rgd_class = create_global_resource("kro.run", "v1alpha1", "ResourceGraphDefinition", "resourcegraphdefinitions")
        Client(config=KubeConfig.from_file(kubeconfig)).delete(rgd_class, rgd["metadata"]["name"])
