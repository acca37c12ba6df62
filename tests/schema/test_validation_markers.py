"""kro's check-validation-markers e2e case: instances validated against the CRD kro generated for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.helpers import CHAINSAW

from pykro import _yamlio as yamlio
from pykro.schema._simple import to_openapi
from pykro.schema._structural import apply_defaults, prune, validate

CASE = CHAINSAW / "check-validation-markers"

# What the apiserver answers for each invalid instance of the case (the chainsaw `error` steps expect a rejection).
EXPECTED = {
    "invalid-instance-min-items.yaml": ["spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items"],
    "invalid-instance-max-items.yaml": ["spec.tags: Too many: 4: must have at most 3 items"],
    "invalid-instance-array-limits.yaml": [
        "spec.tags: Too many: 6: must have at most 3 items",
        "spec.priorities: Too many: 4: must have at most 3 items",
    ],
    "invalid-instance-priorities-max.yaml": ["spec.priorities: Too many: 4: must have at most 3 items"],
    "invalid-length-instance.yaml": [
        'spec.username: Invalid value: "ab": spec.username in body should be at least 3 chars long'
    ],
    "invalid-pattern-instance.yaml": [
        'spec.email: Invalid value: "invalid-email-format": spec.email in body should match '
        "'^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$'"
    ],
    "invalid-unique-instance.yaml": ['spec.tags[2]: Duplicate value: "production"'],
}


def crd_schema() -> dict[str, Any]:
    crd = yamlio.load_file(CASE / "instancecrd-assert.yaml")
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def generated_schema() -> dict[str, Any]:
    """The instance schema as pykro generates it from the RGD (root wrapper as kro's newCRDSchema builds it)."""
    rgd = yamlio.load_file(CASE / "rgd.yaml")
    spec = to_openapi(rgd["spec"]["schema"]["spec"], path="spec.schema.spec")
    props = {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"}}
    return {"type": "object", "properties": {**props, "spec": spec, "status": {"type": "object"}}}


SOURCES = {"fixture-crd": crd_schema, "generated": generated_schema}


def admit(schema: dict[str, Any], path: Path) -> tuple[dict[str, Any], list[str]]:
    obj = apply_defaults(schema, prune(schema, yamlio.load_file(path)))
    return obj, [c.message for c in validate(schema, obj)]


def test_every_invalid_instance_is_covered() -> None:
    names = {p.name for p in CASE.glob("invalid-*instance*.yaml")}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_valid_instance_is_accepted_and_defaulted(source: str) -> None:
    obj, messages = admit(SOURCES[source](), CASE / "valid-instance.yaml")
    assert messages == []
    assert obj["spec"]["description"] == "A test application"


def test_defaults_fill_the_optional_fields() -> None:
    obj, messages = admit(crd_schema(), CASE / "invalid-length-instance.yaml")
    assert obj["spec"]["description"] == "Test application"
    assert messages == EXPECTED["invalid-length-instance.yaml"]


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_instances_are_rejected_with_the_apiserver_message(name: str, source: str) -> None:
    _, messages = admit(SOURCES[source](), CASE / name)
    assert sorted(messages) == sorted(EXPECTED[name])  # the apiserver walks properties in map order
