"""Scalars kubectl (go-yaml v2, YAML 1.1-like) and YAML 1.2 read differently (``010``, ``0x10``, ``1_000``, ``y``,
``yes``, ``08``) never reach a non-string spec field as a guess: ``--set`` and values files refuse them there and keep
their text for string fields. ``1:30`` is text for kubectl (no base 60), so it is text for pykro too."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from pykro import Spec
from pykro.errors import ValidationError
from pykro.runtime._values import spec_from_options


class VersionSpec(Spec):
    name: str = "web"
    replicas: int = 1
    ratio: float = 1.0
    debug: bool = False
    tags: list[str] = Field(default_factory=list)
    ports: list[int] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)


@pytest.mark.parametrize(
    ("assignment", "written", "reading"),
    [
        ("replicas=010", "010", "8"),
        ("replicas=0x10", "0x10", "16"),
        ("replicas=0b10", "0b10", "2"),
        ("replicas=1_000", "1_000", "1000"),
        ("replicas=08", "08", "8.0"),  # kubectl: the float 8.0 (not octal); YAML 1.2: the integer 8
        ("ratio=1_0.5", "1_0.5", "10.5"),
        ("debug=yes", "yes", "true"),
        ("debug=off", "off", "false"),
        ("debug=y", "y", "true"),  # kubectl reads y/n as booleans, YAML 1.1 as PyYAML reads it does not
        ("ports=[80, 010]", "010", "8"),
    ],
)
def test_set_refuses_version_dependent_scalars_for_other_fields(assignment: str, written: str, reading: str) -> None:
    with pytest.raises(ValidationError) as info:
        spec_from_options(VersionSpec, [assignment], [])
    assert info.value.where == f"--set {assignment}"
    assert f"is written {written}, which kubectl (YAML 1.1) reads as {reading}" in info.value.what
    assert info.value.fix is not None and "quote it" in info.value.fix


def test_plain_numbers_and_bools_and_string_fields_are_as_written() -> None:
    sets = ["replicas=10", "ratio=0.5", "debug=true", "ports=[80, 0]", "name=010", "tags=[010, 0x1, yes]"]
    spec, _, _ = spec_from_options(VersionSpec, [*sets, "labels={a: 1_000}"], [])
    assert spec == {
        "replicas": 10,
        "ratio": 0.5,
        "debug": True,
        "ports": [80, 0],
        "name": "010",
        "tags": ["010", "0x1", "yes"],
        "labels": {"a": "1_000"},
    }


def test_values_files_follow_the_same_rule(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: 010\ntags: [010, on]\nlabels: {a: 1:30}\nreplicas: 3\n", encoding="utf-8")
    spec, _, _ = spec_from_options(VersionSpec, [], [good])
    assert spec == {"name": "010", "tags": ["010", "on"], "labels": {"a": "1:30"}, "replicas": 3}

    bad = tmp_path / "bad.yaml"
    bad.write_text("replicas: 010\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        spec_from_options(VersionSpec, [], [bad])
    assert info.value.where == str(bad)
    assert "replicas is written 010, which kubectl (YAML 1.1) reads as 8" in info.value.what


def test_base_60_is_text_as_for_kubectl() -> None:
    """PyYAML read 1:30 as 90; kubectl (no base 60) sends the text, so an integer field refuses it."""
    with pytest.raises(ValidationError, match="replicas takes an integer, not '1:30'"):
        spec_from_options(VersionSpec, ["replicas=1:30"], [])
    spec, _, _ = spec_from_options(VersionSpec, ["ratio=1e3", "name=1:30"], [])
    assert spec == {"ratio": 1000.0, "name": "1:30"}  # 1e3 is a float for kubectl and YAML 1.2 (PyYAML: text)


@pytest.mark.parametrize(
    ("assignment", "where", "message"),
    [
        ("replicas", "--set", "'replicas' is not KEY=VALUE. E.g. --set replicas=3."),
        ("tags=a,b", "--set tags=a,b", "tags takes an array, not 'a,b'. Write it as YAML: --set 'tags=[a, b]'."),
        ("labels=x", "--set labels=x", "labels takes an object, not 'x'. Write it as YAML: --set 'labels={key: "),
        ("tags[0]=x", "--set tags[0]=x", "tags is a list; --set cannot reach into it. Set the whole list as YAML"),
        ("name[0]=x", "--set name[0]=x", "unknown field 'name[0]'. Did you mean 'name'?"),
    ],
)
def test_set_mistakes_say_how_to_write_it(assignment: str, where: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        spec_from_options(VersionSpec, [assignment], [])
    assert info.value.where == where and message in str(info.value).removeprefix(f"{where}: ")
