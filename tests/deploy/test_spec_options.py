"""`pykro deploy` builds specs with the same --set rules as `pykro render` (one loader serves both)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pykro import Spec, yamlio
from pykro.cli.deploy import build_spec
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
