"""pykro.crds: resource classes from CRD files — typed references, template validation, readiness, errors."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import shared

import pykro
from pykro import _yamlio as yamlio
from pykro.crds import CustomResource, Kinds, load
from pykro.errors import CompositionError, PykroError, ValidationError
from pykro.runtime import expand

CRDS = shared("fixtures", "crds")
CLUSTERS = CRDS / "cloudnative-pg" / "config" / "crd" / "bases" / "postgresql.cnpg.io_clusters.yaml"
HELM_RELEASES = CRDS / "flux/helm-controller/config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml"
ISSUERS = CRDS / "cert-manager" / "deploy" / "crds" / "cert-manager.io_clusterissuers.yaml"


def widget_crd(status: dict[str, Any], *, scope: str = "Namespaced") -> dict[str, Any]:
    """A small CRD whose status follows the conventions under test."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.crds.test"},
        "spec": {
            "group": "crds.test",
            "scope": scope,
            "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {"size": {"type": "integer"}, "color": {"type": "string"}},
                                },
                                "status": {"type": "object", "properties": status},
                            },
                        }
                    },
                }
            ],
        },
    }


CONDITIONS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "status": {"type": "string"},
            "observedGeneration": {"type": "integer"},
        },
    },
}


class Name(pykro.Spec):
    name: str


class Names(pykro.Spec):
    names: list[str]


def build(body: Any) -> Any:
    """The graph of a composition whose body is ``body(spec)``."""

    @pykro.composition(api_version="v1alpha1", kind="CrdTest")
    def comp(spec: Name) -> None:
        body(spec)

    return comp


def states(comp: Any, observed: dict[str, Any]) -> dict[str, str]:
    instance = {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "CrdTest",
        "metadata": {"name": "t", "namespace": "default"},
        "spec": {"name": "t"},
    }
    result = expand(comp.graph, instance, observed)
    return {rid: s.state for rid, s in result.states.items()}


def live(api_version: str, kind: str, status: dict[str, Any] | None, *, generation: int = 1, **spec: Any) -> Any:
    obj: dict[str, Any] = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "t", "namespace": "default", "generation": generation},
        "spec": spec,
    }
    if status is not None:
        obj["status"] = status
    return obj


# ------------------------------------------------------------------------------------------------ loading
def test_load_gives_a_class_per_kind_from_files() -> None:
    kinds = load(CLUSTERS, str(HELM_RELEASES))
    assert isinstance(kinds, Kinds)
    assert list(kinds) == ["Cluster", "HelmRelease"]
    assert kinds.Cluster.definition.api_version == "postgresql.cnpg.io/v1"
    assert kinds["HelmRelease"].definition.api_version == "helm.toolkit.fluxcd.io/v2"
    assert kinds.Cluster.definition.source == str(CLUSTERS)


def test_kinds_suggest_the_kind_meant() -> None:
    kinds = load(CLUSTERS)
    with pytest.raises(CompositionError, match=r"no kind 'Clustr'\. Did you mean 'Cluster'\?"):
        kinds.Clustr  # noqa: B018


def test_load_reads_every_crd_of_a_multi_document_file(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(yamlio.dump_all([yamlio.load_file(CLUSTERS), yamlio.load_file(ISSUERS)]))
    kinds = load(bundle)
    assert sorted(kinds) == ["Cluster", "ClusterIssuer"]
    assert not kinds.ClusterIssuer.definition.namespaced


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """An HTTP server on localhost serving ``tmp_path``."""
    (tmp_path / "clusters.yaml").write_text(CLUSTERS.read_text())
    (tmp_path / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_load_from_a_url(served: str) -> None:
    kinds = load(f"{served}/clusters.yaml")
    assert kinds.Cluster.definition.source == f"{served}/clusters.yaml"
    with pytest.raises(ValidationError, match=r"deploy.yaml: kind is 'Deployment'"):
        load(f"{served}/deploy.yaml")
    with pytest.raises(ValidationError, match=r"missing.yaml: cannot download the CRD: HTTP Error 404"):
        load(f"{served}/missing.yaml")


def test_from_crd_on_a_mapping_a_path_and_a_subclass() -> None:
    Widget = CustomResource.from_crd(widget_crd({}))
    assert Widget.definition.kind == "Widget"
    assert Widget.__name__ == "Widget"
    Cluster = CustomResource.from_crd(CLUSTERS)
    assert Cluster.definition.plural == "clusters"

    class MyCluster(CustomResource, crd=CLUSTERS):
        pass

    assert MyCluster.definition.kind == "Cluster"
    assert MyCluster("db", instances=1).obj == {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": "db"},
        "spec": {"instances": 1},
    }


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"apiVersion": "apps/v1", "kind": "Deployment"},
            r"^crd.yaml: kind is 'Deployment' \(apiVersion 'apps/v1'\), not an apiextensions.k8s.io "
            r"CustomResourceDefinition\. Pass the operator's CRD files",
        ),
        (["a", "list"], r"^crd.yaml: \(the document\) is not a mapping"),
        (
            {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "spec": {"group": "g"}},
            r"^crd.yaml: spec.names.kind is missing",
        ),
        (
            {
                "apiVersion": "apiextensions.k8s.io/v1",
                "kind": "CustomResourceDefinition",
                "spec": {"group": "g", "names": {"kind": "K"}, "versions": [{"name": "v1", "storage": True}]},
            },
            r"^crd.yaml: spec.versions\[0\].schema.openAPIV3Schema is missing",
        ),
    ],
)
def test_a_file_that_is_not_a_usable_crd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doc: Any, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("crd.yaml").write_text(yamlio.dump(doc))
    with pytest.raises(ValidationError, match=message):
        load("crd.yaml")
    with pytest.raises(ValidationError, match=message):
        CustomResource.from_crd("crd.yaml")


def test_missing_file_and_unknown_version(tmp_path: Path) -> None:
    with pytest.raises(PykroError, match=r"nothing\.yaml"):
        load(tmp_path / "nothing.yaml")
    with pytest.raises(ValidationError, match=r"spec.versions has no version 'v2'.*It defines v1"):
        CustomResource.from_crd(CLUSTERS, version="v2")


# ------------------------------------------------------------------------------------------------ typing
def test_references_are_typed_with_did_you_mean() -> None:
    kinds = load(CLUSTERS)

    def body(spec: Any) -> None:
        db = kinds.Cluster(spec.name, id="db", instances=2)
        pykro.resource(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "conn"},
                "data": {"host": db.status.writeService},
            }
        )

    rgd = build(body).to_rgd()
    assert rgd["spec"]["resources"][1]["template"]["data"] == {"host": "${db.status.writeService}"}

    def typo(spec: Any) -> None:
        db = kinds.Cluster(spec.name, id="db", instances=2)
        db.status.readyInstancs  # noqa: B018

    with pytest.raises(CompositionError, match=r"test_crds.py:\d+:\d+: Cluster has no field status.readyInstancs. "
                       r"Did you mean status.readyInstances\?"):  # fmt: skip
        build(typo).graph  # noqa: B018


def test_template_validated_against_the_schema() -> None:
    kinds = load(CLUSTERS)

    def unknown(spec: Any) -> None:
        kinds.Cluster(spec.name, id="db", instances=1, storage={"sise": "1Gi"})

    with pytest.raises(CompositionError, match=r"Cluster has no field spec.storage.sise .*"
                       r"at spec.resources\[0\].template.spec.storage.sise"):  # fmt: skip
        build(unknown).graph  # noqa: B018

    def wrong_type(spec: Any) -> None:
        kinds.Cluster(spec.name, id="db", instances="three")

    with pytest.raises(CompositionError, match=r"spec.resources\[0\].template.spec.instances"):
        build(wrong_type).graph  # noqa: B018


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"primaryUpdateStrategy": "automatic"},
            "spec.primaryUpdateStrategy must be one of 'unsupervised', 'supervised'",
        ),
        ({"instances": 0}, "spec.instances must be at least 1, got 0"),
        ({"primaryUpdateStrategy": "supervised", "instances": 1}, None),
        ({"primaryUpdateStrategy": "${schema.spec.name}"}, None),  # an expression: checked by type, at run time
    ],
)
def test_literals_outside_a_crds_enum_or_range_are_refused(fields: dict[str, Any], message: str | None) -> None:
    """The API server refuses a custom object whose value is not in its CRD's enum or range (was accepted offline)."""
    kinds = load(CLUSTERS)
    comp = build(lambda spec: kinds.Cluster(spec.name, id="db", storage={"size": "1Gi"}, **{"instances": 1, **fields}))
    if message is None:
        comp.graph  # noqa: B018
        return
    with pytest.raises(CompositionError, match=re.escape(message)):
        comp.graph  # noqa: B018


def test_unknown_top_level_spec_field_fails_at_the_users_line() -> None:
    kinds = load(CLUSTERS)
    with pytest.raises(CompositionError, match=r"test_crds.py:\d+:\d+: Cluster has no field spec.instance\. "
                       r"Did you mean spec.instances\?"):  # fmt: skip
        kinds.Cluster("db", instance=3)
    with pytest.raises(CompositionError, match=r"spec.instances is given twice"):
        kinds.Cluster("db", spec={"instances": 1}, instances=2)


def test_cluster_scoped_kind_refuses_a_namespace() -> None:
    kinds = load(ISSUERS)
    with pytest.raises(CompositionError, match="ClusterIssuer is cluster-scoped"):
        kinds.ClusterIssuer("ca", namespace="default", selfSigned={})
    assert kinds.ClusterIssuer("ca", selfSigned={}).obj["metadata"] == {"name": "ca"}


def test_plain_object_outside_a_composition_is_checked_now() -> None:
    kinds = load(CLUSTERS)
    with pytest.raises(CompositionError, match=r"spec.storage.sise"):
        kinds.Cluster("db", instances=1, storage={"sise": "1Gi"})


# ------------------------------------------------------------------------------------------------ readiness
def test_conditions_readiness_at_the_latest_generation() -> None:
    Widget = CustomResource.from_crd(widget_crd({"conditions": CONDITIONS, "observedGeneration": {"type": "integer"}}))
    comp = build(lambda spec: Widget(spec.name, id="w", size=1))

    def at(status: Any) -> dict[str, str]:
        return states(comp, {"w": live("crds.test/v1", "Widget", status, generation=2)})

    ready = [{"type": "Ready", "status": "True", "observedGeneration": 2}]
    assert at(None) == {"w": "pending"}
    assert at({"conditions": ready, "observedGeneration": 2}) == {"w": "ready"}
    stale = [{"type": "Ready", "status": "True", "observedGeneration": 1}]
    assert at({"conditions": stale, "observedGeneration": 2}) == {"w": "pending"}
    assert at({"conditions": ready, "observedGeneration": 1}) == {"w": "pending"}
    not_ready = [{"type": "Ready", "status": "False", "observedGeneration": 2}]
    assert at({"conditions": not_ready, "observedGeneration": 2}) == {"w": "pending"}
    unversioned = [{"type": "Ready", "status": "True"}]
    assert at({"conditions": unversioned, "observedGeneration": 2}) == {"w": "ready"}


def test_available_condition_when_there_is_no_ready_condition() -> None:
    Widget = CustomResource.from_crd(widget_crd({"conditions": CONDITIONS}))
    comp = build(lambda spec: Widget(spec.name, id="w"))
    available = {"conditions": [{"type": "Available", "status": "True"}]}
    assert states(comp, {"w": live("crds.test/v1", "Widget", available)}) == {"w": "ready"}
    both = {"conditions": [{"type": "Available", "status": "True"}, {"type": "Ready", "status": "False"}]}
    assert states(comp, {"w": live("crds.test/v1", "Widget", both)}) == {"w": "pending"}
    assert states(comp, {"w": live("crds.test/v1", "Widget", {"conditions": []})}) == {"w": "pending"}


def test_boolean_ready_status_and_no_convention() -> None:
    Flag = CustomResource.from_crd(widget_crd({"ready": {"type": "boolean"}}))
    comp = build(lambda spec: Flag(spec.name, id="w"))
    assert states(comp, {"w": live("crds.test/v1", "Widget", {"ready": False})}) == {"w": "pending"}
    assert states(comp, {"w": live("crds.test/v1", "Widget", {"ready": True})}) == {"w": "ready"}
    Plain = CustomResource.from_crd(widget_crd({"phase": {"type": "string"}}))
    assert Plain.readiness == ()
    comp = build(lambda spec: Plain(spec.name, id="w"))
    assert states(comp, {"w": live("crds.test/v1", "Widget", None)}) == {"w": "ready"}


def test_ready_when_overrides_the_conventions() -> None:
    Widget = CustomResource.from_crd(widget_crd({"conditions": CONDITIONS, "size": {"type": "integer"}}))
    comp = build(lambda spec: Widget(spec.name, id="w", ready_when=lambda w: w.status.size > 2))
    assert comp.graph.resource("w").ready_when == ["${w.status.size > 2}"]
    no_conditions = {"size": 3}
    assert states(comp, {"w": live("crds.test/v1", "Widget", no_conditions)}) == {"w": "ready"}
    assert states(comp, {"w": live("crds.test/v1", "Widget", {"size": 1})}) == {"w": "pending"}
    none = build(lambda spec: Widget(spec.name, id="w", ready_when=()))
    assert none.graph.resource("w").ready_when == []


def test_readiness_per_item_of_a_collection() -> None:
    Widget = CustomResource.from_crd(widget_crd({"ready": {"type": "boolean"}}))

    @pykro.composition(api_version="v1alpha1", kind="Many")
    def many(spec: Names) -> None:
        for n in spec.names:
            Widget(n, id="w")

    assert many.graph.resource("w").ready_when == ["${each.status.ready == true}"]


def test_class_rules_are_checked_when_the_class_is_made() -> None:
    with pytest.raises(CompositionError, match=r"ready= expression 'self.status.ready ==' for Widget is not valid CEL"):
        CustomResource.from_crd(widget_crd({}), ready=["self.status.ready =="])
    with pytest.raises(CompositionError, match=r"ready= takes a list of CEL expressions"):
        CustomResource.from_crd(widget_crd({}), ready="self.status.ready")
    Widget = CustomResource.from_crd(widget_crd({"ready": {"type": "boolean"}}), ready=["self.status.ready != false"])
    comp = build(lambda spec: Widget(spec.name, id="w"))
    assert comp.graph.resource("w").ready_when == ["${w.status.ready != false}"]


def test_the_base_class_names_no_crd() -> None:
    with pytest.raises(CompositionError, match="CustomResource names no CRD"):
        CustomResource("x")
