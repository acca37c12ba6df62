"""Nesting depth: data nested up to pykro's limit goes through load, validate, expand, simulate and render; deeper
data stops with a one-paragraph error naming the path (never a RecursionError), wherever it enters."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pykro import Spec, composition, resource
from pykro import _yamlio as yamlio
from pykro._yamlio import MAX_DEPTH
from pykro.errors import CompositionError, ValidationError
from pykro.graph import Graph
from pykro.render._manifests import manifests
from pykro.runtime import expand, reconcile_passes, simulate_ready

REPO = Path(__file__).resolve().parents[2]
INSTANCE = {"apiVersion": "kro.run/v1alpha1", "kind": "Deep", "metadata": {"name": "d"}, "spec": {}}


def nest(depth: int, leaf: Any, kind: str = "map") -> Any:
    value = leaf
    for _ in range(depth):
        value = {"k": value} if kind == "map" else [value]
    return value


def rgd(data: Any, *, spec: Any = None, status: Any = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"apiVersion": "v1alpha1", "kind": "Deep", "spec": {"name": "string | default=x"}}
    if spec is not None:
        schema["spec"]["deep"] = spec
    if status is not None:
        schema["status"] = {"deep": status}
    # a kind of its own: a ConfigMap's data holds only strings (its schema is checked), this holds any nesting
    cm = {"apiVersion": "example.com/v1", "kind": "Blob", "metadata": {"name": "${schema.spec.name}"}, "data": data}
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "deep"},
        "spec": {"schema": schema, "resources": [{"id": "cm", "template": cm}]},
    }


@pytest.mark.parametrize("kind", ["map", "list"])
def test_data_just_within_the_limit_runs_everywhere(kind: str) -> None:
    # the template starts 4 levels below the document (spec.resources[0].template.data)
    raw = rgd(
        nest(MAX_DEPTH - 5, "${schema.spec.name}", kind),
        spec=nest(MAX_DEPTH - 6, "string | default=v"),
        status=nest(MAX_DEPTH - 6, "${cm.metadata.name}", kind),
    )
    graph = Graph.from_rgd(yamlio.load(yamlio.dump(raw)))
    result = reconcile_passes(graph, INSTANCE, simulate_ready)
    assert result.status["state"] == "ACTIVE"
    assert result.status["deep"] == nest(MAX_DEPTH - 6, "x", kind)
    assert result.objects[0]["data"] == nest(MAX_DEPTH - 5, "x", kind)
    assert manifests(graph, {}, name="d")[0]["data"] == nest(MAX_DEPTH - 5, "x", kind)
    assert Graph.from_rgd(graph.to_yaml()) == graph
    assert yamlio.dump(graph.crd())


@pytest.mark.parametrize("depth", [MAX_DEPTH, 500, 5000])
@pytest.mark.parametrize("kind", ["map", "list"])
def test_deeper_templates_stop_with_the_path(depth: int, kind: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Graph.from_rgd(rgd(nest(depth, "${schema.spec.name}", kind)))
    text = str(caught.value)
    assert text.startswith("spec.resources[0].template.data")
    assert f"more than {MAX_DEPTH} levels deep" in text
    assert "more levels" in text  # the long path is elided


def test_deep_schema_and_status_stop_with_the_path() -> None:
    with pytest.raises(ValidationError, match=r"^spec\.schema\.spec\.deep\.k"):
        Graph.from_rgd(rgd({}, spec=nest(500, "string")))
    with pytest.raises(ValidationError, match=r"^spec\.schema\.status\.deep\.k"):
        Graph.from_rgd(rgd({}, status=nest(500, "${cm.metadata.name}")))


def test_a_graph_built_in_code_is_checked_by_validate() -> None:
    graph = Graph.from_rgd(rgd({"a": "b"}))
    assert graph.resources[0].template is not None
    graph.resources[0].template["data"] = nest(500, "x")
    with pytest.raises(ValidationError, match=r"resource 'cm' nests .* more than 100 levels"):
        graph.validate()


def test_a_deep_instance_stops_with_the_path() -> None:
    graph = Graph.from_rgd(rgd({"a": "b"}, spec="object"))
    with pytest.raises(ValidationError) as caught:
        expand(graph, {**INSTANCE, "spec": {"deep": nest(5000, 1)}}, source="inst.yaml")
    assert str(caught.value).startswith("inst.yaml: spec.deep.k.k")


class DeepSpec(Spec):
    name: str = "x"


def test_a_deep_composition_stops_at_the_users_line() -> None:
    @composition(api_version="example.com/v1alpha1", kind="Deep")
    def deep(spec: DeepSpec) -> None:
        resource(
            {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": spec.name}, "spec": nest(5000, 1)}
        )

    with pytest.raises(CompositionError) as caught:
        _ = deep.graph
    assert f"{__file__}:" in str(caught.value)
    assert "the Thing object nests" in str(caught.value)


def test_cli_validate_and_expand_a_deep_file(tmp_path: Path) -> None:
    # 500 levels as YAML text (libyaml itself refuses more than 1,000)
    text = "\n".join(
        [
            "apiVersion: kro.run/v1alpha1",
            "kind: ResourceGraphDefinition",
            "metadata: {name: deep}",
            "spec:",
            "  schema: {apiVersion: v1alpha1, kind: Deep, spec: {name: string | default=x}}",
            "  resources:",
            "  - id: cm",
            "    template:",
            "      apiVersion: v1",
            "      kind: ConfigMap",
            "      metadata: {name: x}",
            "      data: " + "{k: " * 500 + "v" + "}" * 500,
        ]
    )
    (tmp_path / "rgd.yaml").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "i.yaml").write_text(yamlio.dump(INSTANCE), encoding="utf-8")
    for args in (["validate"], ["expand", "-i", str(tmp_path / "i.yaml"), "--simulate-ready"]):
        out = subprocess.run(
            [sys.executable, "-m", "pykro", "rgd", args[0], str(tmp_path / "rgd.yaml"), *args[1:]],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
        assert out.returncode == 1
        assert "Traceback" not in out.stderr and "RecursionError" not in out.stderr
        assert "spec.resources[0].template.data.k" in out.stderr


def test_deeply_nested_expressions_are_a_compile_error() -> None:
    expression = "(" * 2000 + "schema.spec.name" + ")" * 2000
    # pykro's parser or the engine's (whichever meets it first) refuses it, never a RecursionError
    with pytest.raises(ValidationError, match=r"nesting exceeds the parser's limit|expression nested too deeply"):
        Graph.from_rgd(rgd({"a": "${" + expression + "}"}))


def test_deep_observed_objects_stop_with_the_path() -> None:
    graph = Graph.from_rgd(rgd({"a": "b"}))
    with pytest.raises(ValidationError, match=r"^observed\.cm\.data\.k\.k.*the observed objects nests"):
        manifests(graph, {}, name="d", observed={"cm": {"data": nest(5000, "x")}})
