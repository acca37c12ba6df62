"""webapp_with_processing (CloudNativePG, Valkey, Flux) on the real control plane: its operators' CRDs (the ones
pykro ships) installed, kwok stages standing in for the operators (tests/e2e/stages/operators.yaml), the RGD pykro
emits goes Active, an instance reaches ACTIVE, and kro's instance status equals pykro's runtime on the same objects.

No Secret `<name>-db-app` is created: kro only names it (secretKeyRef, valuesFrom), nothing reads it here."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_chainsaw import poll
from e2e_kube import Kube, Obj
from e2e_parity import RGD, active_rgd, assert_kro_agrees, assert_same_crd
from tests.helpers import REPO

from pykro.authoring._loader import load_composition

HERE = Path(__file__).resolve().parent
CLUSTER_SH = HERE.parent.parent / "e2e" / "controlplane" / "cluster.sh"
SPEC: dict[str, Any] = {
    "name": "shop",
    "app": {"image": "nginx:1.25", "replicas": 2},
    "database": {"instances": 2},
    "processing": {"event_key": "evt-e2e", "signing_key": "sign-e2e"},
}


def _kwok_binary() -> Path:
    """The kwok cluster.sh built (the same cache directory it uses)."""
    cache = Path(
        os.environ.get("PYKRO_E2E_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pykro-e2e"
    )
    found = sorted(cache.glob("*kwok-*/bin/kwok"))
    if not found:
        pytest.fail(f"no kwok binary under {cache}: run `{CLUSTER_SH} build`")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def operators(kube: Kube, operator_crds: None, tmp_path: Path) -> Iterator[None]:
    """A kwok playing the operators (over the operators' CRDs, installed by `operator_crds`); stopped afterwards."""
    kubeconfig = (
        os.environ.get("PYKRO_E2E_KUBECONFIG")
        or subprocess.run([str(CLUSTER_SH), "kubeconfig"], check=True, capture_output=True, text=True).stdout.strip()
    )
    with (tmp_path / "kwok.log").open("w") as log:
        kwok = subprocess.Popen(
            [
                str(_kwok_binary()),
                f"--kubeconfig={kubeconfig}",
                f"--config={HERE / 'stages' / 'operators.yaml'}",
                "--manage-all-nodes=false",
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=operators-e2e",
                f"--server-address=127.0.0.1:{_free_port()}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield
        finally:
            kwok.terminate()
            kwok.wait()


def _assert_accepted(kube: Kube, rgd: Obj, timeout: float) -> None:
    """kro accepts the RGD (GraphAccepted True); its rejection message at once otherwise (the RGD is then deleted)."""
    name = rgd["metadata"]["name"]
    kube.apply(rgd)

    def accepted() -> str | None:
        live = kube.get(*RGD, name) or {}
        found = [c for c in (live.get("status") or {}).get("conditions") or [] if c["type"] == "GraphAccepted"]
        if found and found[0]["status"] == "False":
            raise AssertionError(f"kro rejects the RGD: {found[0].get('message')}")
        return None if found and found[0]["status"] == "True" else "kro has not judged the RGD yet"

    try:
        poll(f"RGD {name} accepted", timeout, accepted)
    except AssertionError:
        kube.delete(*RGD, name)
        kube.wait_gone(*RGD, name, None, timeout)
        raise


# Both branches of the Cluster's spec.storage (a dyn() map: with storageClass only when the spec sets one).
@pytest.mark.parametrize("storage_class", [None, "fast-ssd"], ids=["default-storage-class", "storage-class"])
def test_webapp_with_processing_goes_active_in_kro(
    kube: Kube, namespace: str, timeout: float, operators: None, storage_class: str | None
) -> None:
    database = dict(SPEC["database"], **({"storage_class": storage_class} if storage_class else {}))
    spec = dict(SPEC, database=database)
    comp = load_composition(str(REPO / "examples" / "webapp_with_processing.py"))
    graph = comp.graph
    _assert_accepted(kube, comp.to_rgd(), timeout)
    with active_rgd(kube, comp.to_rgd(), timeout) as live_rgd:
        assert live_rgd["status"]["topologicalOrder"] == graph.topological_order
        assert_same_crd(kube, graph)
        instance: Obj = {
            "apiVersion": graph.instance_api_version,
            "kind": graph.kind,
            "metadata": {"name": "sample", "namespace": namespace},
            "spec": comp.spec_values(spec),
        }

        def active() -> str | None:
            kube.apply(dict(instance, metadata=dict(instance["metadata"])))
            live = kube.get(graph.instance_api_version, graph.kind, "sample", namespace) or {}
            status = live.get("status") or {}
            if status.get("state") != "ACTIVE" or status.get("ready") is not True:
                return f"instance status is {status!r}"
            return None

        poll("webapp_with_processing instance ACTIVE", timeout, active)
        cluster = kube.get("postgresql.cnpg.io/v1", "Cluster", "shop-db", namespace)
        assert cluster is not None, "kro did not create the Cluster shop-db"
        storage = cluster["spec"]["storage"]
        assert (storage["size"], storage.get("storageClass")) == ("10Gi", storage_class)
        assert_kro_agrees(kube, graph, instance, timeout)  # then deletes the instance
