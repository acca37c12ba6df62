"""Every way of giving a spec (`--set`, `-f`, `deploy(dict)`, `deploy(model)`) x (unknown field, Python name, wrong
type, null, nested unknown field, ...): the value arrives exactly (in `pykro render --manifests`, or in the object
a direct deploy wrote to the emulator) or everything stops with an error naming the field."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
import pytest
from tests.helpers import run_cli

from pykro import _yamlio as yamlio
from pykro.authoring._loader import load_composition
from pykro.deploy import DeployOptions, NullReporter
from pykro.errors import PykroError

APP = Path(__file__).resolve().parent / "specinput_app.py"
_names = itertools.count()


@dataclass
class Case:
    id: str
    sets: list[str]  # --set
    file: dict[str, Any]  # -f (also the dict given to deploy)
    model: dict[str, Any] | None  # keyword arguments of SweepSpec(...); None: same as ``file``
    expect: tuple[str, str, str]  # ("data", ConfigMap key, exact value) or ("error", text naming the field, "")
    model_expect: tuple[str, str, str] | None = None  # when the Python model says otherwise
    named: bool = True  # add name=... to every form
    set_expect: tuple[str, str, str] | None = None  # when --set says otherwise


CASES = [
    Case("unknown", ["bogus=1"], {"bogus": 1}, None, ("error", "bogus", "")),
    Case("python-name", ["app_image=web:1"], {"app_image": "web:1"}, None, ("data", "appImage", "web:1")),
    Case("crd-name", ["appImage=web:2"], {"appImage": "web:2"}, {"app_image": "web:2"}, ("data", "appImage", "web:2")),
    Case("nested-python-name", ["db.size_gb=3"], {"db": {"size_gb": 3}}, None, ("data", "sizeGb", "3")),
    Case("nested-unknown", ["db.sizee=3"], {"db": {"sizee": 3}}, None, ("error", "sizee", "")),
    Case(
        "list-python-name",
        ["ports=[{port_number: 8080}]"],
        {"ports": [{"port_number": 8080}]},
        None,
        ("data", "ports", "8080/http"),
    ),
    Case(
        "list-unknown", ["ports=[{port_numbr: 80}]"], {"ports": [{"port_numbr": 80}]}, None, ("error", "port_numbr", "")
    ),
    Case(
        "map-python-name",
        ["backends.x.max_conns=5"],
        {"backends": {"x": {"max_conns": 5}}},
        None,
        ("data", "maxConns", "x=5"),
    ),
    Case("map-unknown", ["backends.x.maxConn=5"], {"backends": {"x": {"maxConn": 5}}}, None, ("error", "maxConn", "")),
    Case("wrong-type", ["replicas=abc"], {"replicas": "abc"}, None, ("error", "replicas", "")),
    Case(
        "nested-wrong-type",
        ["db.size_gb=big"],
        {"db": {"size_gb": "big"}},
        None,
        ("error", "sizeGb", ""),
        ("error", "size_gb", ""),
    ),
    Case("below-minimum", ["replicas=-1"], {"replicas": -1}, None, ("error", "replicas", "")),
    Case(
        "nested-below-minimum",
        ["db.sizeGb=0"],
        {"db": {"sizeGb": 0}},
        {"db": {"size_gb": 0}},
        ("error", "sizeGb", ""),
        ("error", "size_gb", ""),
    ),
    Case("null-required", ["name=null"], {"name": None}, None, ("error", "name", ""), named=False),
    Case(
        "null-optional",
        ["app_image=null"],
        {"app_image": None},
        None,
        ("data", "appImage", "nginx"),
        ("error", "app_image", ""),
    ),
    Case("text-stays-text", ["app_image=007"], {"app_image": "007"}, None, ("data", "appImage", "007")),
    Case("bool-text-stays-text", ["db.engine=true"], {"db": {"engine": "true"}}, None, ("data", "engine", "true")),
    Case("map-of-strings", ["labels.team=42"], {"labels": {"team": "42"}}, None, ("data", "labels", "team=42")),
    Case(
        "both-names",
        ["app_image=a", "appImage=b"],
        {"app_image": "a", "appImage": "b"},
        None,
        ("error", "appImage is given twice", ""),
        ("error", "app_image", ""),  # pydantic: "Extra inputs are not permitted"
        set_expect=("data", "appImage", "b"),  # two --set of one field: the later wins, like helm
    ),
]


def _check_render(code: int, out: str, err: str, name: str, expect: tuple[str, str, str]) -> None:
    kind, key, value = expect
    if kind == "error":
        assert code == 1 and key in err and "Traceback" not in err, err
        return
    assert code == 0, err
    config = next(d for d in yamlio.load_all(out) if d["metadata"]["name"] == f"{name}-values")
    assert config["data"][key] == value


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_set(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    name = f"s{next(_names)}"
    named = ["--set", f"name={name}"] if case.named else []
    sets = [arg for s in case.sets for arg in ("--set", s)]
    _check_render(
        *run_cli(capsys, "render", str(APP), "--manifests", *named, *sets), name, case.set_expect or case.expect
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_values_file(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = f"f{next(_names)}"
    values = tmp_path / "values.yaml"
    values.write_text(yamlio.dump({**({"name": name} if case.named else {}), **case.file}))
    code, out, err = run_cli(capsys, "render", str(APP), "--manifests", "-f", str(values))
    _check_render(code, out, err, name, case.expect)
    if case.expect[0] == "error" and case.id != "null-required":  # required: a property of the whole spec
        assert str(values) in err  # an error found in the file names the file


def _factory(kit: Any) -> tuple[Any, Any]:
    comp = load_composition(str(APP))
    options = DeployOptions(timeout=60, wait=False)
    kubeconfig = kit.cluster.kubeconfig_path
    return comp, comp.factory(
        "direct", namespace="sweep", kubeconfig=kubeconfig, reporter=NullReporter(), options=options
    )


def _check_deploy(kit: Any, factory: Any, spec: Any, name: str, expect: tuple[str, str, str]) -> None:
    kind, key, value = expect
    mark = kit.mark()
    if kind == "error":
        with pytest.raises(PykroError) as caught:
            factory.deploy(spec)
        assert key in str(caught.value)
        assert kit.writes(mark) == []  # stopped before anything was written
        return
    factory.deploy(spec)
    config = next(o for o in kit.labelled(name, "sweep") if o["kind"] == "ConfigMap")
    assert config["metadata"]["name"] == f"{name}-values"
    assert config["data"][key] == value


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_deploy_dict(case: Case, kit: Any) -> None:
    name = f"d{next(_names)}"
    _, factory = _factory(kit)
    spec = {**({"name": name} if case.named else {}), **case.file}
    _check_deploy(kit, factory, spec, name, case.expect)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_deploy_model(case: Case, kit: Any) -> None:
    name = f"m{next(_names)}"
    comp, factory = _factory(kit)
    kwargs = {**({"name": name} if case.named else {}), **(case.file if case.model is None else case.model)}
    expect = case.model_expect or case.expect
    try:
        spec = comp.spec_model(**kwargs)
    except pydantic.ValidationError as exc:  # the model itself refuses it, naming the field
        assert expect[0] == "error" and expect[1] in str(exc), exc
        return
    _check_deploy(kit, factory, spec, name, expect)


WEBAPP_RGD = Path(__file__).resolve().parents[2] / "examples" / "rgd" / "webapp.yaml"


def test_deploy_cli_refuses_bad_input_before_writing(
    kit: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path), "-n", "sweep"]
    mark = kit.mark()
    code, _, err = run_cli(capsys, "deploy", str(WEBAPP_RGD), "--set", "name=a", "--set", "ingress.hots=x", *where)
    assert code == 1 and "--set ingress.hots=x: unknown field 'ingress.hots'. Did you mean 'host'?" in err
    code, _, err = run_cli(capsys, "deploy", str(WEBAPP_RGD), "--set", "name=null", *where)
    assert code == 1 and "--set name=null: name is required and cannot be null" in err
    bad = tmp_path / "values.yaml"
    bad.write_text("name: a\nreplicas: [1\n")
    code, _, err = run_cli(capsys, "deploy", str(WEBAPP_RGD), "-f", str(bad), *where)
    assert code == 1 and f"{bad}:3:1: invalid YAML" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, "deploy", str(WEBAPP_RGD), "--set", "name=a", "--set", "replicas=[1", *where)
    assert code == 1 and "--set replicas=[1: the value of replicas is not valid YAML" in err
    both = tmp_path / "both.yaml"  # the RGD and an instance in one file
    instance = {"apiVersion": "kro.run/v1alpha1", "kind": "WebApp", "metadata": {"name": "a"}, "spec": {"nmae": "a"}}
    both.write_text(WEBAPP_RGD.read_text(encoding="utf-8") + "---\n" + yamlio.dump(instance))
    code, _, err = run_cli(capsys, "deploy", str(both), *where)
    assert code == 1 and f"{both}: unknown field 'spec.nmae'. Did you mean 'name'?" in err
    assert kit.writes(mark) == []


def test_a_huge_spec_is_refused_before_writing(kit: Any) -> None:
    _, factory = _factory(kit)
    mark = kit.mark()
    with pytest.raises(PykroError, match=r"the Sweep spec is 2097[0-9]{3} bytes; pykro accepts at most 1048576"):
        factory.deploy({"name": "huge", "labels": {"blob": "x" * 2 * 1024 * 1024}})
    assert kit.writes(mark) == []
