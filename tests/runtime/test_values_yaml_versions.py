"""Scalars YAML 1.1 and YAML 1.2 read differently (``010``, ``0x10``, ``1_000``, ``1:30``, ``yes``) never reach a
non-string spec field as a guess: ``--set`` and values files refuse them there and keep their text for string fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from pykro import Spec
from pykro.errors import ValidationError
from pykro.runtime.values import spec_from_options


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
        ("replicas=1:30", "1:30", "90"),
        ("ratio=1_0.5", "1_0.5", "10.5"),
        ("debug=yes", "yes", "true"),
        ("debug=off", "off", "false"),
        ("ports=[80, 010]", "010", "8"),
    ],
)
def test_set_refuses_version_dependent_scalars_for_other_fields(assignment: str, written: str, reading: str) -> None:
    with pytest.raises(ValidationError) as info:
        spec_from_options(VersionSpec, [assignment], [])
    assert info.value.where == f"--set {assignment}"
    assert f"is written {written}, which YAML 1.1 reads as {reading}" in info.value.what
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
    assert info.value.where == str(bad) and "replicas is written 010, which YAML 1.1 reads as 8" in info.value.what
