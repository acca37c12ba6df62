"""The e2e suite runs only under `make e2e` (PYKRO_E2E=1), against the control plane of e2e/controlplane/cluster.sh."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the suite's helper modules (e2e_*.py)

from e2e_chainsaw import poll  # noqa: E402
from e2e_kube import Kube, KubeError  # noqa: E402

from pykro.integrations import _vendored  # noqa: E402

CLUSTER_SH = HERE.parent.parent / "e2e" / "controlplane" / "cluster.sh"
ENABLED = os.environ.get("PYKRO_E2E") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark this directory's cluster tests `e2e` and skip them unless PYKRO_E2E=1 (`make test` never needs a cluster).

    Tests of the suite's own helpers (no `kube` fixture) run everywhere.
    """
    skip = pytest.mark.skip(reason="needs the real control plane: run `make e2e`")
    for item in items:
        if HERE in item.path.parents and "kube" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
            if not ENABLED:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def timeout() -> float:
    """How long to wait for the cluster to converge (PYKRO_E2E_TIMEOUT seconds; generous: the machine is shared)."""
    return float(os.environ.get("PYKRO_E2E_TIMEOUT", "180"))


@pytest.fixture(scope="session")
def kube() -> Kube:
    """A client for the running control plane (PYKRO_E2E_KUBECONFIG, else the kubeconfig cluster.sh writes)."""
    path = (
        os.environ.get("PYKRO_E2E_KUBECONFIG")
        or subprocess.run([str(CLUSTER_SH), "kubeconfig"], check=True, capture_output=True, text=True).stdout.strip()
    )
    if not Path(path).is_file():
        pytest.fail(f"no kubeconfig at {path}: start the control plane with `{CLUSTER_SH} up` (or run `make e2e`)")
    client = Kube.from_kubeconfig(Path(path))
    try:
        client.send("GET", "/readyz")
    except (KubeError, OSError) as err:
        pytest.fail(f"the control plane at {client.server} is not ready ({err}): run `{CLUSTER_SH} up`")
    return client


@pytest.fixture
def namespace(kube: Kube) -> Iterator[str]:
    """A fresh namespace per test, deleted afterwards (kube-controller-manager's namespace controller empties it)."""
    name = f"e2e-{secrets.token_hex(4)}"
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    yield name
    kube.delete("v1", "Namespace", name)


CRD_API = ("apiextensions.k8s.io/v1", "CustomResourceDefinition")
# The CRDs of the operators webapp_with_processing uses (the ones pykro ships): kro reads their schemas.
OPERATOR_CRDS = [
    "postgresql.cnpg.io_clusters",
    "postgresql.cnpg.io_poolers",
    "hyperspike.io_valkeys",
    "source.toolkit.fluxcd.io_helmrepositories",
    "helm.toolkit.fluxcd.io_helmreleases",
]


@pytest.fixture
def operator_crds(kube: Kube, timeout: float) -> Iterator[None]:
    """The operators' CRDs installed, established and published in the OpenAPI document; deleted afterwards."""
    crds = [_vendored.crd(name) for name in OPERATOR_CRDS]
    names = [crd["metadata"]["name"] for crd in crds]
    for crd in crds:
        kube.apply(crd)

    def established() -> str | None:
        for name in names:
            conditions = ((kube.get(*CRD_API, name) or {}).get("status") or {}).get("conditions") or []
            if not any(c["type"] == "Established" and c["status"] == "True" for c in conditions):
                return f"CRD {name} is not established"
        # kro and kwok read each kind's OpenAPI schema, which the API server publishes a moment later
        published = kube.request("GET", "/openapi/v3").get("paths") or {}
        for crd in crds:
            path = f"apis/{crd['spec']['group']}/{crd['spec']['versions'][0]['name']}"
            if path not in published:
                return f"the API server does not publish the OpenAPI schema of {path} yet"
        return None

    try:
        poll("the operators' CRDs", timeout, established)
        yield
    finally:
        for name in names:
            kube.delete(*CRD_API, name)
        for name in names:
            kube.wait_gone(*CRD_API, name, None, timeout)
