"""NaN and infinities cannot be written to Kubernetes JSON (and a NaN, unequal to itself, would keep a reconcile
from ever settling): a rendered value that is one is a resource error naming the resource and the field, whether
it comes from a CEL expression or from a spec value, and rendering stops with it."""

from __future__ import annotations

import math
from typing import Any

import pytest

from pykro import Spec, Status, composition, resource
from pykro import _yamlio as yamlio
from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.render._manifests import manifests
from pykro.runtime import expand, reconcile_passes, simulate_ready


def _graph(ratio: str, status: str = "${w.spec.n}") -> Graph:
    text = f"""
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {{name: ratios}}
spec:
  schema:
    apiVersion: v1alpha1
    kind: Ratio
    spec: {{name: string, d: "float | default=0.0"}}
    status: {{value: "{status}"}}
  resources:
  - id: w
    template:
      apiVersion: example.com/v1
      kind: Widget
      metadata: {{name: "${{schema.spec.name}}"}}
      spec: {{n: 1, ratio: "{ratio}"}}
"""
    return Graph.from_rgd(yamlio.load(text))


def _instance(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "kro.run/v1alpha1", "kind": "Ratio", "metadata": {"name": "r"}, "spec": spec}


@pytest.mark.parametrize(
    ("ratio", "field", "shown"),
    [
        ("${0.0/0.0}", "spec.ratio", "NaN"),
        ("${1.0/schema.spec.d}", "spec.ratio", "+Inf"),
        ("${[1.0, -1.0/schema.spec.d]}", "spec.ratio[1]", "-Inf"),
        ("${{'a': {'b': schema.spec.d/schema.spec.d}}}", "spec.ratio.a.b", "NaN"),
    ],
)
def test_a_cel_value_that_is_not_finite_stops_rendering(ratio: str, field: str, shown: str) -> None:
    graph = _graph(ratio)
    message = f'node "w": field {field} evaluated to {shown}, which Kubernetes JSON cannot hold'
    with pytest.raises(ValidationError) as caught:
        manifests(graph, {"name": "a"}, name="a")
    assert f"1 resource(s) fail to resolve: w ({message})" in str(caught.value)
    # a reconcile that feeds objects back settles at once (before: 50 passes, then "kept changing")
    for apply in (None, simulate_ready):
        result = reconcile_passes(graph, _instance({"name": "a"}), apply)
        assert result.states["w"].state == "error"
        assert result.states["w"].message == message
        assert result.objects == []


def test_a_finite_double_renders() -> None:
    objects = manifests(_graph("${1.0/2.0}"), {"name": "a"}, name="a")
    assert objects[0]["spec"] == {"n": 1, "ratio": 0.5}


def test_a_status_field_that_is_not_finite_is_a_status_error() -> None:
    graph = _graph("${1}", status="${double(w.spec.n) / schema.spec.d}")
    result = expand(graph, _instance({"name": "a"}), {"w": {"spec": {"n": 1, "ratio": 1}}})
    assert "value" not in result.status
    assert result.status["state"] == "ERROR"


class RatioSpec(Spec):
    name: str
    ratio: float


class RatioStatus(Status):
    name: str


@composition(api_version="v1alpha1", kind="Weights")
def weights(spec: RatioSpec) -> RatioStatus:
    w = resource(
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": spec.name}, "spec": {"w": spec.ratio}},
        id="widget",
    )
    return RatioStatus(name=w.metadata.name)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_spec_value_that_is_not_finite_stops_a_composition(value: float) -> None:
    assert weights.to_manifests({"name": "a", "ratio": 0.5})[0]["spec"] == {"w": 0.5}
    with pytest.raises(ValidationError) as caught:
        weights.to_manifests({"name": "a", "ratio": value})
    shown = "NaN" if math.isnan(value) else "+Inf" if value > 0 else "-Inf"
    assert f'widget (node "widget": field spec.w evaluated to {shown}, which Kubernetes JSON cannot hold)' in str(
        caught.value
    )


def test_a_collection_item_that_is_not_finite_stops_rendering() -> None:
    rgd = yamlio.load("""
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {name: shares}
spec:
  schema:
    apiVersion: v1alpha1
    kind: Shares
    spec: {name: string, parts: "[]integer"}
  resources:
  - id: share
    forEach: [{part: "${schema.spec.parts}"}]
    template:
      apiVersion: example.com/v1
      kind: Widget
      metadata: {name: "${schema.spec.name}-${string(part)}"}
      spec: {share: "${1.0 / double(part)}", owner: "${schema.spec.name}"}
""")
    graph = Graph.from_rgd(rgd)
    objects = manifests(graph, {"name": "a", "parts": [2, 4]}, name="a")
    assert [o["spec"] for o in objects] == [{"share": 0.5, "owner": "a"}, {"share": 0.25, "owner": "a"}]
    with pytest.raises(ValidationError) as caught:
        manifests(graph, {"name": "a", "parts": [2, 0]}, name="a")
    assert 'share (node "share": field spec.share evaluated to +Inf, which Kubernetes JSON cannot hold)' in str(
        caught.value
    )
