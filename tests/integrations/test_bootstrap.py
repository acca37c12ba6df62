"""runtime_bootstrap(): Flux from its install manifests (here: Flux's real HelmRelease/HelmRepository CRDs, the
flux-system Namespace and two controllers) and kro through a HelmRelease that waits for the controllers; deploys to the
emulator (the simulated helm-controller makes the release Ready) and reports both ready; mistakes stop it early."""

from __future__ import annotations

from pathlib import Path

import pytest

from pykro import _yamlio as yamlio
from pykro.deploy import DeployOptions, NullReporter, RetryPolicy, factory
from pykro.emulator._cluster import LocalCluster
from pykro.errors import CompositionError
from pykro.integrations.bootstrap import runtime_bootstrap

FLUX = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "crds" / "flux"


def _controller(name: str) -> dict[str, object]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "flux-system"},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "manager", "image": f"ghcr.io/fluxcd/{name}:v1.0.0"}]},
            },
        },
    }


@pytest.fixture
def install(tmp_path: Path) -> Path:
    docs = [
        yamlio.load_file(FLUX / "helm-controller/config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml"),
        yamlio.load_file(FLUX / "source-controller/config/crd/bases/source.toolkit.fluxcd.io_helmrepositories.yaml"),
        _controller("source-controller"),
        _controller("helm-controller"),
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}},
    ]
    path = tmp_path / "install.yaml"
    path.write_text(yamlio.dump_all(docs), encoding="utf-8")
    return path


def test_the_graph_orders_flux_before_kro(install: Path) -> None:
    graph = runtime_bootstrap(install).graph
    order = graph.topological_order
    assert order[:3] == [
        "fluxCrdHelmReleaseHelm",
        "fluxCrdHelmRepositorySource",
        "fluxNamespaceFluxSystem",
    ]
    for controller in ("fluxDeploymentSourceController", "fluxDeploymentHelmController"):
        assert order.index(controller) < order.index("kroRepository") < order.index("kroRelease")
    release = next(r for r in graph.resources if r.id == "kroRelease").template
    assert release is not None
    assert release["spec"]["chart"]["spec"]["chart"] == "kro"
    assert release["spec"]["targetNamespace"] == "${schema.spec.kroNamespace}"


def test_deploys_flux_then_kro_and_waits_for_both(install: Path) -> None:
    with LocalCluster(bookmark_interval=0.5) as cluster:
        fac = factory(
            runtime_bootstrap(install),
            "direct",
            namespace="flux-system",
            kubeconfig=cluster.kubeconfig_path,
            reporter=NullReporter(),
            retry=RetryPolicy(base=0.01, cap=0.2),
            options=DeployOptions(timeout=60),
        )
        result = fac.deploy({}, name="runtime")
        assert result.state == "ACTIVE"
        assert (result.status.flux_ready, result.status.kro_ready, result.status.ready) == (True, True, True)


def test_mistakes(tmp_path: Path) -> None:
    with pytest.raises(CompositionError) as err:
        runtime_bootstrap(tmp_path / "missing.yaml")
    assert "do not exist" in str(err.value) and f"{__file__}:" in str(err.value)
    only = tmp_path / "only.yaml"
    only.write_text(yamlio.dump_all([_controller("helm-controller")]), encoding="utf-8")
    with pytest.raises(CompositionError) as err:
        _ = runtime_bootstrap(only).graph
    assert "does not look like Flux's install manifests (no CRD for HelmRelease, HelmRepository)" in str(err.value)
