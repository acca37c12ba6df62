"""CustomResource: each method changes the CustomResourceDefinition at its path, to the value expected; the CRD
is valid Kubernetes 1.35; bad values stop at the caller's line."""

from __future__ import annotations

from typing import Any

import pytest

from pykro.builders import CRDScope, CustomResource
from pykro.errors import PykroError
from pykro.schema._kubernetes import validate_object

from .test_every_method import at, implemented

V = "spec.versions[0]"
CASES: dict[str, tuple[Any, str, Any]] = {
    "api_version": (lambda c: c.api_version("acme.io/v2"), "spec.group", "acme.io"),
    "group": (lambda c: c.group("acme.io"), "spec.group", "acme.io"),
    "version": (lambda c: c.version("v1beta1"), f"{V}.name", "v1beta1"),
    "kind": (lambda c: c.kind("Widget"), "spec.names", {"plural": "widgets", "singular": "widget", "kind": "Widget"}),
    "plural": (lambda c: c.plural("customappz"), "spec.names.plural", "customappz"),
    "scope": (lambda c: c.scope(CRDScope.CLUSTER), "spec.scope", "Cluster"),
    "short_names": (lambda c: c.short_names(["ca"]), "spec.names.shortNames", ["ca"]),
    "categories": (lambda c: c.categories(["all"]), "spec.names.categories", ["all"]),
    "schema_properties": (
        lambda c: c.schema_properties({"size": {"type": "integer"}}),
        f"{V}.schema.openAPIV3Schema.properties.spec.properties",
        {"size": {"type": "integer"}},
    ),
    "schema_required": (
        lambda c: c.schema_properties({"size": {"type": "integer"}}).schema_required(["size"]),
        f"{V}.schema.openAPIV3Schema.properties.spec.required",
        ["size"],
    ),
    "preserve_unknown_fields": (
        lambda c: c.preserve_unknown_fields(),
        f"{V}.schema.openAPIV3Schema.properties.spec.x-kubernetes-preserve-unknown-fields",
        True,
    ),
    "status_subresource": (lambda c: c.status_subresource(), f"{V}.subresources", {"status": {}}),
    "scale_subresource": (
        lambda c: c.scale_subresource(),
        f"{V}.subresources.scale",
        {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"},
    ),
    "add_printer_column": (
        lambda c: c.add_printer_column("Size", "integer", ".spec.size"),
        f"{V}.additionalPrinterColumns",
        [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
    ),
    "printer_columns": (
        lambda c: c.printer_columns([{"name": "Age", "type": "date", "json_path": ".metadata.creationTimestamp"}]),
        f"{V}.additionalPrinterColumns[0].type",
        "date",
    ),
    "add_label": (lambda c: c.add_label("team", "x"), "metadata.labels", {"team": "x"}),
    "add_labels": (lambda c: c.add_labels({"team": "x"}), "metadata.labels", {"team": "x"}),
    "add_annotation": (lambda c: c.add_annotation("a", "b"), "metadata.annotations", {"a": "b"}),
    "add_annotations": (lambda c: c.add_annotations({"a": "b"}), "metadata.annotations", {"a": "b"}),
}


def base() -> CustomResource:
    return CustomResource("my-app").api_version("mycompany.com/v1").kind("CustomApp")


def _crd(objects: list[dict[str, Any]]) -> tuple[str, str]:
    return "CustomResourceDefinition", objects[0]["metadata"]["name"]


def test_every_method_has_a_case() -> None:
    assert implemented(CustomResource) == set(CASES)


@pytest.mark.parametrize("method", sorted(CASES))
def test_the_call_changes_the_crd(method: str) -> None:
    call, path, expected = CASES[method]
    before = base().objects()
    after = call(base()).objects()
    assert at(after, *_crd(after), path) != at(before, *_crd(before), path)
    assert at(after, *_crd(after), path) == expected
    assert validate_object(after[0]) == []


def test_the_name_is_plural_dot_group() -> None:
    assert base().objects()[0]["metadata"] == {"name": "customapps.mycompany.com"}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: CustomResource("x").api_version("v1"), "must be group/version"),
        (lambda: CustomResource("x").group("local"), "must be a domain with a dot"),
        (lambda: CustomResource("x").version("1.0"), "is not a Kubernetes API version"),
        (lambda: CustomResource("x").kind("custom-app"), "must be CamelCase"),
        (lambda: CustomResource("x").scope("Global"), "must be Namespaced or Cluster"),
        (lambda: CustomResource("x").schema_properties({"size": {}}), "'size' needs a type"),
        (lambda: CustomResource("x").add_printer_column("Size", "int", ".spec.size"), "printer column type 'int'"),
        (lambda: CustomResource("x").add_printer_column("Size", "integer", "spec.size"), "must start with '.'"),
        (lambda: CustomResource("x").namespace("default"), r"namespace\(\) is not supported"),
        (lambda: CustomResource("x").operator_enabled(True), r"operator_enabled\(\) is not supported"),
    ],
)
def test_bad_values_stop_at_the_call(make: Any, message: str) -> None:
    with pytest.raises(PykroError, match=message) as caught:
        make()
    assert caught.value.where is not None and "test_custom_resource.py" in caught.value.where


def test_an_incomplete_crd_is_an_error() -> None:
    with pytest.raises(PykroError, match="needs a group and a kind"):
        CustomResource("x").objects()
