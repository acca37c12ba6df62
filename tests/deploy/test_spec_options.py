"""`pykro deploy` builds specs with the same --set rules as `pykro render` (one loader serves both)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pykro import Spec
from pykro import _yamlio as yamlio
from pykro.cli._deploy import build_spec
from pykro.errors import PykroError


class Inner(Spec):
    tag: str
    replicas: int = 1


class AppSpec(Spec):
    name: str
    version: str
    inner: Inner


def test_string_fields_keep_the_text_as_written() -> None:
    spec, _, _ = build_spec([], ["name=007", "version=1.0", "inner.tag=true", "inner.replicas=3"], None, AppSpec)
    assert spec == {"name": "007", "version": "1.0", "inner": {"tag": "true", "replicas": 3}}


def test_without_a_model_values_are_yaml_scalars() -> None:
    spec, _, _ = build_spec([], ["version=1.0", "on=true"], None)
    assert spec == {"version": 1.0, "on": True}


def test_instance_file_then_set_overrides(tmp_path: Path) -> None:
    values = tmp_path / "instance.yaml"
    values.write_text(
        yamlio.dump({"kind": "App", "metadata": {"name": "a", "namespace": "ns"}, "spec": {"inner": {"tag": "x"}}})
    )
    spec, name, namespace = build_spec([values], ["inner.tag=y"], None, AppSpec)
    assert (spec, name, namespace) == ({"inner": {"tag": "y"}}, "a", "ns")


def test_setting_inside_a_scalar_is_a_clear_error() -> None:
    with pytest.raises(PykroError, match="version is not a mapping"):
        build_spec([], ["version=1", "version.x=2"], None)


# ------------------------------------------------------------------------- strict input (values.py)
REPO = Path(__file__).resolve().parents[2]
WEBAPP_RGD = REPO / "examples" / "rgd" / "webapp.yaml"


class Port(Spec):
    port_number: int


class StrictSpec(Spec):
    name: str
    app_image: str = "nginx"
    replicas: int = 1
    ports: list[Port] = []  # noqa: RUF012 (pydantic copies defaults)
    labels: dict[str, str] = {}  # noqa: RUF012


def test_python_names_become_crd_names() -> None:
    spec, _, _ = build_spec([], ["app_image=web", "ports=[{port_number: 80}]"], None, StrictSpec)
    assert spec == {"appImage": "web", "ports": [{"portNumber": 80}]}


def test_unknown_fields_are_refused_with_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(PykroError, match=r"--set bogus=1: unknown field 'bogus'\. .*Fields there: appImage, labels"):
        build_spec([], ["bogus=1"], None, StrictSpec)
    with pytest.raises(PykroError, match=r"unknown field 'inner\.tagg'\. Did you mean 'tag'\?"):
        build_spec([], ["inner.tagg=x"], None, AppSpec)
    values = tmp_path / "values.yaml"
    values.write_text("name: a\nports:\n  - port_number: 80\n  - portNumbr: 81\n")
    with pytest.raises(PykroError, match=r"values\.yaml: unknown field 'ports\[1\]\.portNumbr'\. Did you mean"):
        build_spec([values], [], None, StrictSpec)


def test_a_field_given_under_both_names_is_refused(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("app_image: a\nappImage: b\n")
    with pytest.raises(PykroError, match="appImage is given twice \\(as app_image and appImage\\)"):
        build_spec([values], [], None, StrictSpec)


def test_set_values_are_typed_by_the_field() -> None:
    spec, _, _ = build_spec([], ["name=007", "app_image=true", "labels.team=42", "replicas=3"], None, StrictSpec)
    assert spec == {"name": "007", "appImage": "true", "labels": {"team": "42"}, "replicas": 3}
    with pytest.raises(PykroError, match=r"--set replicas=3\.5: replicas takes an integer, not '3\.5'"):
        build_spec([], ["replicas=3.5"], None, StrictSpec)
    with pytest.raises(PykroError, match="--set ports=x: ports takes an array"):
        build_spec([], ["ports=x"], None, StrictSpec)
    with pytest.raises(PykroError, match=r"--set replicas=\[1: the value of replicas is not valid YAML"):
        build_spec([], ["replicas=[1"], None, StrictSpec)
    with pytest.raises(PykroError, match="ports is a list; --set cannot reach into it"):
        build_spec([], ["ports.0.port_number=1"], None, StrictSpec)


def test_null_unsets_an_optional_field_and_is_refused_for_a_required_one(tmp_path: Path) -> None:
    with pytest.raises(PykroError, match="--set name=null: name is required and cannot be null"):
        build_spec([], ["name=null"], None, StrictSpec)
    values = tmp_path / "values.yaml"
    values.write_text("name: a\nappImage: web\n")
    spec, _, _ = build_spec([values], ["app_image=null"], None, StrictSpec)
    assert spec == {"name": "a"}  # the default applies


def test_escaped_dots_reach_map_keys() -> None:
    spec, _, _ = build_spec([], ["labels.app\\.kubernetes\\.io/name=web"], None, StrictSpec)
    assert spec == {"labels": {"app.kubernetes.io/name": "web"}}


def test_an_rgd_file_is_checked_against_its_schema() -> None:
    from pykro.graph import Graph

    graph = Graph.from_file(str(WEBAPP_RGD))
    spec, _, _ = build_spec([], ["name=007", "ingress.enabled=true"], None, graph)
    assert spec == {"name": "007", "ingress": {"enabled": True}}
    with pytest.raises(PykroError, match=r"unknown field 'ingress\.hots'\. Did you mean 'host'\?"):
        build_spec([], ["ingress.hots=x"], None, graph)
    with pytest.raises(PykroError, match=r"--set replicas=11: .*replicas in body should be less than or equal to 10"):
        build_spec([], ["replicas=11"], None, graph)


def test_values_files_must_be_one_small_utf8_mapping(tmp_path: Path) -> None:
    from pykro.runtime._values import MAX_SPEC_BYTES

    values = tmp_path / "values.yaml"
    values.write_text("name: a\n---\nname: b\n")
    with pytest.raises(PykroError, match=r"values\.yaml: expected one YAML document, found 2"):
        build_spec([values], [], None, StrictSpec)
    values.write_text("name: [a\n")
    with pytest.raises(PykroError, match=r"values\.yaml:2:1: invalid YAML"):
        build_spec([values], [], None, StrictSpec)
    values.write_text("- a\n")
    with pytest.raises(PykroError, match=r"values\.yaml: a values file must be a mapping"):
        build_spec([values], [], None, StrictSpec)
    values.write_text("name: " + "x" * MAX_SPEC_BYTES + "\n")
    with pytest.raises(PykroError, match=r"values\.yaml: the values file is larger than 1 MiB"):
        build_spec([values], [], None, StrictSpec)


def test_rgd_expand_checks_the_instance_strictly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pykro.cli.main import main

    instance = tmp_path / "instance.yaml"
    meta = {"name": "shop"}
    instance.write_text(yamlio.dump({"apiVersion": "kro.run/v1alpha1", "kind": "WebApp", "metadata": meta,
                                     "spec": {"name": "shop", "replicsa": 3}}))  # fmt: skip
    with pytest.raises(SystemExit) as exited:
        main(["rgd", "expand", str(WEBAPP_RGD), "--instance", str(instance)])
    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert f"{instance}: unknown field 'spec.replicsa'. Did you mean 'replicas'?" in err


def test_keys_must_be_strings_and_null_objects_can_be_set_into(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("name: a\non: 1\n")  # kubectl (go-yaml v2) reads `on` as true
    with pytest.raises(PykroError, match=r"values\.yaml:2:1: kubectl reads the key 'on' as bool, not as text\. Quote"):
        build_spec([values], [], None, StrictSpec)
    values.write_text("name: a\nlabels: null\n")
    spec, _, _ = build_spec([values], ["labels.team=x"], None, StrictSpec)
    assert spec == {"name": "a", "labels": {"team": "x"}}
