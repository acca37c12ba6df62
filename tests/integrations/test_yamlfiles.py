"""yaml_file() / yaml_directory(): every object becomes a graph node with an id (visible in the RGD and the
manifests), CRDs and Namespaces first, paths relative to the composition's file; a missing file, a document that is
not a Kubernetes object and two objects with the same kind/name stop the build at the user's line; the objects deploy
to the emulator and are deleted with the instance."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pykro import Spec, Status, composition
from pykro.authoring._decorator import Composition
from pykro.deploy import DeployOptions, NullReporter, RetryPolicy, factory
from pykro.emulator._cluster import LocalCluster
from pykro.errors import CompositionError
from pykro.integrations.yamlfiles import yaml_directory, yaml_file

DATA = Path(__file__).resolve().parent / "data"


class NoSpec(Spec):
    name: str = "x"


class FluxStatus(Status):
    controller_ready: bool


@composition(api_version="example.com/v1", kind="FluxLite")
def flux_lite(spec: NoSpec) -> FluxStatus:
    objects = yaml_file("data/flux/install.yaml")  # relative to this file
    controller = objects[-1]
    return FluxStatus(controller_ready=controller.status.readyReplicas >= 1)


def _build(fn: Callable[[NoSpec], Any]) -> Composition:
    return Composition(fn, api_version="example.com/v1", kind="Files", name="files")


def test_every_object_is_a_node_crds_and_namespaces_first() -> None:
    graph = flux_lite.graph
    assert [r.id for r in graph.resources] == [
        "crdBucketSource",
        "namespaceFluxSystem",
        "deploymentSourceController",
    ]
    assert graph.status["controllerReady"] == "${deploymentSourceController.status.readyReplicas >= 1}"
    rgd = flux_lite.to_rgd_yaml()
    assert "image: ghcr.io/fluxcd/source-controller:v1.4.1" in rgd
    manifests = flux_lite.to_manifests({})
    assert [(o["kind"], o["metadata"]["name"]) for o in manifests] == [
        ("CustomResourceDefinition", "buckets.source.toolkit.fluxcd.io"),
        ("Namespace", "flux-system"),
        ("Deployment", "source-controller"),
    ]


def test_a_directory_with_include_exclude_and_lists() -> None:
    def every(spec: NoSpec) -> None:
        yaml_directory("data/manifests", id_prefix="base")

    def only_config(spec: NoSpec) -> None:
        yaml_directory(DATA / "manifests", exclude=["extra/*"])

    assert [r.id for r in _build(every).graph.resources] == ["baseConfigMapSettings", "baseServiceWeb"]
    assert [r.id for r in _build(only_config).graph.resources] == ["configMapSettings"]


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (None, "does not exist"),
        ("just: values\n", "is not a Kubernetes object: it has no apiVersion, kind, metadata.name"),
        ("- a\n- b\n", "is not a Kubernetes object"),
        ("a: [\n", "invalid YAML"),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\n"
            "metadata: {name: a}\n",
            "ConfigMap 'a' is defined twice",
        ),
        (  # named by its file and document (was by the RGD path spec.resources[1].template.bogus only)
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\n"
            "metadata: {name: b}\nbogus: 3\n",
            "ConfigMap has no field bogus (the API server would drop it) (at {path} (document 2), bogus)",
        ),
    ],
)
def test_mistakes_stop_the_build_at_the_users_line(tmp_path: Path, write: str | None, expected: str) -> None:
    path = tmp_path / "objects.yaml"
    if write is not None:
        path.write_text(write, encoding="utf-8")

    def files(spec: NoSpec) -> None:
        yaml_file(path)

    with pytest.raises(CompositionError) as err:
        _ = _build(files).graph
    assert expected.format(path=path) in str(err.value)
    assert f"{__file__}:" in str(err.value)


def test_objects_of_one_derived_id_are_all_kept(tmp_path: Path) -> None:
    """One name in two namespaces, or names that differ only in '-' and '.', would share the id kind + name (was
    'two resources have the id configMapB. Pass a distinct id', which yaml_file() has no way to do)."""
    path = tmp_path / "objects.yaml"
    docs = [("b", "one"), ("b", "two"), ("my-app", ""), ("my.app", ""), ("c", "")]
    path.write_text(
        "---\n".join(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {n}{', namespace: ' + ns if ns else ''}}}\n"
            f"data: {{at: '{ns}/{n}'}}\n"
            for n, ns in docs
        ),
        encoding="utf-8",
    )

    def files(spec: NoSpec) -> None:
        yaml_file(path)

    built = _build(files)
    ids = [r.id for r in built.graph.resources]
    assert ids[:2] == ["configMapOneB", "configMapTwoB"] and ids[4] == "configMapC"
    assert ids[2] != ids[3] and all(i.startswith("configMapMyApp") for i in ids[2:4])
    objects = built.to_manifests({})
    assert [o["data"]["at"] for o in objects] == [f"{ns}/{n}" for n, ns in docs]


def test_directory_mistakes(tmp_path: Path) -> None:
    def missing(spec: NoSpec) -> None:
        yaml_directory(tmp_path / "nope")

    def nothing(spec: NoSpec) -> None:
        yaml_directory(DATA / "manifests", include=["*.json"])

    for fn, text in ((missing, "is not a directory"), (nothing, "no file under")):
        with pytest.raises(CompositionError) as err:
            _ = _build(fn).graph
        assert text in str(err.value)


def test_deploys_and_deletes_on_the_emulator() -> None:
    with LocalCluster(bookmark_interval=0.5) as cluster:
        fac = factory(
            flux_lite,
            "direct",
            namespace="files",
            kubeconfig=cluster.kubeconfig_path,
            reporter=NullReporter(),
            retry=RetryPolicy(base=0.01, cap=0.2),
            options=DeployOptions(timeout=60),
        )
        result = fac.deploy({}, name="flux")
        assert result.state == "ACTIVE" and result.status.controller_ready is True
        client = cluster.client()
        from lightkube.resources.apps_v1 import Deployment

        assert client.get(Deployment, "source-controller", namespace="flux-system").metadata is not None
        fac.delete("flux")
        from lightkube import ApiError

        with pytest.raises(ApiError):
            client.get(Deployment, "source-controller", namespace="flux-system")
