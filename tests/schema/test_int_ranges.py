"""Integers out of their field's range are refused offline, naming the field and the range: int32 for
``format: int32`` fields (Deployment replicas, ports; the API server answers 400), int64 for every other integer
(a Spec ``int``, a CRD ``integer``: a bigger number becomes a float in the API server, digits lost). The extremes
of each range pass unchanged."""

from __future__ import annotations

import copy
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pydantic
import pytest
from tests.helpers import crd

from pykro import Spec, composition
from pykro import _yamlio as yamlio
from pykro.authoring import SpecValueError
from pykro.errors import CompositionError, ValidationError
from pykro.graph import Graph
from pykro.graph._templates import check_object, object_problem
from pykro.runtime._values import check_spec
from pykro.schema import _structural as structural

R32 = "a 32-bit integer (-2147483648 to 2147483647)"
R64 = "a 64-bit integer (-9223372036854775808 to 9223372036854775807)"
INT32, INT64 = f"does not fit in {R32}", f"does not fit in {R64}"


def _deployment(**spec: Any) -> dict[str, Any]:
    pod = {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    body = {"selector": {"matchLabels": {"app": "x"}}, "template": pod, **spec}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": body}


def _job(**spec: Any) -> dict[str, Any]:
    pod = {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"}, "spec": {"template": pod, **spec}}


def _rgd(*templates: dict[str, Any]) -> dict[str, Any]:
    spec = {"name": "string", "replicas": "integer | default=1"}
    resources = [{"id": f"r{i}", "template": t} for i, t in enumerate(templates)]
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "app"},
        "spec": {"schema": {"apiVersion": "v1alpha1", "kind": "App", "spec": spec}, "resources": resources},
    }


def _refused(data: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        Graph.from_rgd(data)
    return info.value


# ------------------------------------------------------------------------------------------ built-in kinds
@pytest.mark.parametrize(
    ("template", "where", "message"),
    [
        (_deployment(replicas=2**31), "spec.replicas", f"spec.replicas must be {R32}, got 2147483648"),
        (_deployment(replicas=2**32), "spec.replicas", f"spec.replicas must be {R32}, got 4294967296"),
        (_deployment(replicas=2**63), "spec.replicas", f"must be {R32}"),
        (_deployment(replicas=2**70), "spec.replicas", f"must be {R32}, got {2**70}"),
        (
            _deployment(template={"spec": {"priority": -(2**31) - 1, "containers": [{"name": "c", "image": "i"}]}}),
            "spec.template.spec.priority",
            f"must be {R32}, got -2147483649",
        ),
        (_job(activeDeadlineSeconds=2**63), "spec.activeDeadlineSeconds", f"must be {R64}, got {2**63}"),
        (_job(activeDeadlineSeconds=2**64), "spec.activeDeadlineSeconds", f"must be {R64}, got {2**64}"),
    ],
)
def test_a_literal_out_of_its_range_fails_the_graph(template: dict[str, Any], where: str, message: str) -> None:
    error = _refused(_rgd(template))
    assert error.where == f"spec.resources[0].template.{where}"
    assert message in error.what
    assert error.fix == "The API server cannot store it; use a value in that range."


def test_the_extremes_of_each_range_pass_unchanged() -> None:
    pod = {"spec": {"priority": -(2**31), "containers": [{"name": "c", "image": "i"}]}}
    templates = [
        _deployment(replicas=2**31 - 1),
        {**_deployment(template=pod), "metadata": {"name": "low"}},
        _job(activeDeadlineSeconds=2**63 - 1),
    ]
    data = _rgd(*templates)
    graph = Graph.from_rgd(copy.deepcopy(data))
    assert [r.body for r in graph.resources] == [r["template"] for r in data["spec"]["resources"]]
    assert object_problem(templates[0]) is None and object_problem(templates[2]) is None


def test_a_rendered_object_out_of_range_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        check_object(_deployment(replicas=4294967296), "Deployment web")
    assert info.value.where == "Deployment web: spec.replicas"
    assert info.value.what == f"Deployment field spec.replicas must be {R32}, got 4294967296"


# ------------------------------------------------------------------------------------------ CRD kinds
_CRD = crd(
    "ints.example.com",
    "Gauge",
    "gauges",
    {
        "small": {"type": "integer", "format": "int32"},
        "big": {"type": "integer"},
        "sizes": {"type": "array", "items": {"type": "integer", "format": "int32"}},
    },
)


def _gauge(**spec: Any) -> dict[str, Any]:
    data = _rgd({"apiVersion": "ints.example.com/v1", "kind": "Gauge", "metadata": {"name": "g"}, "spec": spec})
    data["spec"]["resources"].append({"id": "crd", "template": _CRD})
    return data


@pytest.mark.parametrize(
    ("spec", "where", "message"),
    [
        ({"small": 2**31}, "spec.small", f"Gauge field spec.small must be {R32}, got 2147483648"),
        ({"sizes": [1, -(2**31) - 1]}, "spec.sizes[1]", f"must be {R32}, got -2147483649"),
        ({"big": 2**63}, "spec.big", f"Gauge field spec.big must be {R64}, got {2**63}"),
    ],
)
def test_crd_integer_fields_follow_their_format(spec: dict[str, Any], where: str, message: str) -> None:
    error = _refused(_gauge(**spec))
    assert error.where == f"spec.resources[0].template.{where}"
    assert message in error.what


def test_crd_integer_extremes_pass() -> None:
    Graph.from_rgd(_gauge(small=2**31 - 1, sizes=[-(2**31)], big=-(2**63)))
    Graph.from_rgd(_gauge(big=2**63 - 1))


def test_spec_values_follow_the_crd_schema_format() -> None:
    """What the hub and the RGD path check spec values with (no pydantic model): int32 by format, else int64."""
    schema = _CRD["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    found = structural.int_misfits(schema, {"small": 2**31, "sizes": [0, 2**31 - 1], "big": 2**63 - 1}, "spec")
    assert [cause.message for cause in found] == [f"spec.small: Invalid value: 2147483648: spec.small in body {INT32}"]
    with pytest.raises(ValidationError) as info:
        check_spec(schema, {"big": -(2**63) - 1}, where="rows.csv:3", what="Gauge spec")
    assert info.value.where == "rows.csv:3"
    assert f"spec.big in body {INT64}" in info.value.what
    assert check_spec(schema, {"big": -(2**63), "small": -(2**31)}) == {"big": -(2**63), "small": -(2**31)}


# ------------------------------------------------------------------------------------------ Spec models
class _Sizes(Spec):
    replicas: int = 1
    ports: list[int] = pydantic.Field(default_factory=list)
    limits: dict[str, int] = pydantic.Field(default_factory=dict)


@pytest.mark.parametrize(
    ("values", "field"),
    [({"replicas": 2**63}, "replicas"), ({"ports": [1, -(2**63) - 1]}, "ports"), ({"limits": {"a": 2**64}}, "limits")],
)
def test_a_spec_int_beyond_int64_is_refused(values: dict[str, Any], field: str) -> None:
    line = sys._getframe().f_lineno + 2
    with pytest.raises(SpecValueError) as info:
        _Sizes(**values)
    assert info.value.where is not None and info.value.where.startswith(f"{__file__}:{line}:")
    assert info.value.what.startswith(f"invalid _Sizes: {field} = ")
    assert f"is refused ({INT64})" in info.value.what
    with pytest.raises(pydantic.ValidationError):
        _Sizes.model_validate(values)


def test_spec_int64_extremes_pass_unchanged() -> None:
    made = _Sizes(replicas=2**63 - 1, ports=[-(2**63)], limits={"a": 2**63 - 1})
    assert (made.replicas, made.ports, made.limits) == (2**63 - 1, [-(2**63)], {"a": 2**63 - 1})


class _AppSpec(Spec):
    name: str = "web"
    replicas: int = 1


def test_a_composition_with_a_literal_out_of_range_fails_at_its_line() -> None:
    from pykro.simple import Deployment

    @composition(api_version="example.com/v1", kind="Wide")
    def app(spec: _AppSpec) -> None:
        Deployment(spec.name, id="web", image="nginx", replicas=2**31)

    with pytest.raises(CompositionError) as info:
        _ = app.graph
    line = __import__("inspect").getsourcelines(app.fn)[1] + 2
    assert info.value.where is not None and info.value.where.startswith(f"{__file__}:{line}:")
    assert f"Deployment field spec.replicas must be {R32}, got 2147483648" in info.value.what


def test_python_to_manifests_refuses_a_computed_value_out_of_range() -> None:
    from pykro.simple import Deployment

    @composition(api_version="example.com/v1", kind="Computed")
    def app(spec: _AppSpec) -> None:
        Deployment(spec.name, id="web", image="nginx", replicas=spec.replicas)

    assert app.to_manifests(_AppSpec(replicas=2**31 - 1))[0]["spec"]["replicas"] == 2**31 - 1
    with pytest.raises(ValidationError) as info:
        app.to_manifests(_AppSpec(replicas=2**31))
    assert info.value.where == "Deployment web: spec.replicas" and R32 in info.value.what


# ------------------------------------------------------------------------------------------ the CLI
def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pykro", *args], capture_output=True, text=True, cwd=cwd, check=False)


_APP = """
from pykro import Spec, composition
from pykro.simple import Deployment

class S(Spec):
    name: str
    replicas: int = 1

@composition(api_version="example.com/v1", kind="Big")
def big(spec: S) -> None:
    Deployment(id="web", name=spec.name, image="nginx", replicas=spec.replicas)
"""


def test_cli_render_manifests(tmp_path: Path) -> None:
    app = tmp_path / "big.py"
    app.write_text(textwrap.dedent(_APP), encoding="utf-8")

    def render(*args: str) -> subprocess.CompletedProcess[str]:
        return _cli("render", str(app), "--manifests", "--set", "name=a", *args, cwd=tmp_path)

    out = render("--set", "replicas=4294967296")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"Deployment a: spec.replicas: Deployment field spec.replicas must be {R32}, got 4294967296" in out.stderr
    out = render("--set", "replicas=9223372036854775808")  # a Spec int is an int64 first
    assert out.returncode == 1 and "--set replicas=9223372036854775808: invalid value: spec.replicas" in out.stderr
    assert INT64 in out.stderr
    out = render("--set", "replicas=1000000000000000000000000000000")
    assert out.returncode == 1
    assert out.stderr.startswith(
        "error: --set replicas=1000000000000000000000000000000: the value of replicas holds "
        f"1000000000000000000000000000000, which {INT64}. Use a number in that range."
    )
    assert "YAML" not in out.stderr and "brackets" not in out.stderr
    values = tmp_path / "values.yaml"
    values.write_text("replicas: -9223372036854775809\n", encoding="utf-8")
    out = render("-f", str(values))
    assert out.returncode == 1 and "-9223372036854775809 does not fit in 64 bits" in out.stderr
    values.write_text("replicas: 9223372036854775808\n", encoding="utf-8")
    out = render("-f", str(values))
    assert out.returncode == 1 and f"{values}: invalid value: spec.replicas" in out.stderr and INT64 in out.stderr
    out = render("--set", "replicas=2147483647")
    assert out.returncode == 0, out.stderr
    assert next(iter(yamlio.load_all(out.stdout)))["spec"]["replicas"] == 2**31 - 1


def test_cli_rgd_expand(tmp_path: Path) -> None:
    rgd = tmp_path / "rgd.yaml"
    template = _deployment(replicas="${schema.spec.replicas}")
    template["metadata"]["name"] = "${schema.spec.name}"
    rgd.write_text(yamlio.dump(_rgd(template)), encoding="utf-8")
    instance = tmp_path / "instance.yaml"

    def expand(replicas: int) -> subprocess.CompletedProcess[str]:
        body = {"apiVersion": "kro.run/v1alpha1", "kind": "App", "metadata": {"name": "a"}}
        instance.write_text(yamlio.dump({**body, "spec": {"name": "a", "replicas": replicas}}), encoding="utf-8")
        return _cli("rgd", "expand", str(rgd), "-i", str(instance), "-o", "yaml", cwd=tmp_path)

    out = expand(2**31)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"{instance}: Deployment a: spec.replicas: Deployment field spec.replicas must be {R32}, got 2147483648" in (
        out.stderr
    )
    out = expand(2**63)
    assert out.returncode == 1 and f"spec.replicas in body {INT64}" in out.stderr
    out = expand(2**31 - 1)
    assert out.returncode == 0, out.stderr
    assert next(iter(yamlio.load_all(out.stdout)))["spec"]["replicas"] == 2**31 - 1
