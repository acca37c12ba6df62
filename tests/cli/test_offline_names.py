"""`pykro rgd expand` and `pykro render --manifests` check names offline as deploy does: the instance's own
``metadata.name`` and every produced object's ``metadata.name`` must be DNS-1123 subdomains (issue: both printed
``Shop_X-config`` manifests that any API server refuses)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.helpers import run_cli

from pykro import _yamlio as yamlio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WEBAPP = str(EXAMPLES / "rgd" / "webapp.yaml")
FULLSTACK = str(EXAMPLES / "fullstack.py")


def _instance(tmp_path: Path, name: str, spec_name: str) -> str:
    doc = yamlio.load((EXAMPLES / "rgd" / "webapp-instance.yaml").read_text())
    doc["metadata"]["name"], doc["spec"]["name"] = name, spec_name
    path = tmp_path / "instance.yaml"
    path.write_text(yamlio.dump(doc))
    return str(path)


@pytest.mark.parametrize("simulate", [[], ["--simulate-ready"]])
def test_rgd_expand_refuses_a_bad_instance_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], simulate: list[str]
) -> None:
    path = _instance(tmp_path, "Shop_X", "shop")
    code, out, err = run_cli(capsys, "rgd", "expand", WEBAPP, "-i", path, *simulate)
    assert code == 1 and out == "", err
    assert f"error: {path}: WebApp instance name 'Shop_X' is not a valid Kubernetes name" in err
    assert "DNS-1123 subdomain" in err and err.count("\n") == 1


def test_rgd_expand_refuses_an_object_name_built_from_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _instance(tmp_path, "shop", "Shop_X")
    code, out, err = run_cli(capsys, "rgd", "expand", WEBAPP, "-i", path, "-o", "yaml")
    assert code == 1 and out == "", err
    assert "ConfigMap name 'Shop_X-config' is not a valid Kubernetes name" in err
    code, out, err = run_cli(capsys, "rgd", "expand", WEBAPP, "-i", _instance(tmp_path, "shop", "shop"), "-o", "yaml")
    assert code == 0 and "name: shop-config" in out, err


def test_render_manifests_refuses_names_the_api_server_would_refuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    observed = tmp_path / "observed.yaml"
    observed.write_text("dbSvc: {spec: {clusterIP: 10.96.0.10}}\n")
    base = ["render", FULLSTACK, "--manifests", "--set", "appImage=app:1", "--observed", str(observed)]
    code, out, err = run_cli(capsys, *base, "--set", "name=Shop_X")  # the instance name defaults to spec.name
    assert code == 1 and out == "" and "FullStack instance name 'Shop_X' is not a valid Kubernetes name" in err
    code, out, err = run_cli(capsys, *base, "--set", "name=shop.", "--name", "shop")  # objects: shop.-db-secret...
    assert code == 1 and out == "" and "Secret name 'shop.-db-secret' is not a valid Kubernetes name" in err, err
    code, out, err = run_cli(capsys, *base, "--set", "name=shop")
    assert code == 0 and "name: shop-db-secret" in out, err


def test_render_manifests_refuses_a_namespace_computed_from_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spec value used as metadata.namespace was written into the manifests as given (`Prod_1`)."""
    app = tmp_path / "app.py"
    app.write_text(
        "from pykro import Spec, composition\nfrom pykro.simple import ConfigMap\n\n\n"
        "class S(Spec):\n    name: str\n    ns: str = 'default'\n\n\n"
        "@composition(api_version='example.com/v1', kind='App')\ndef app(spec: S) -> None:\n"
        "    ConfigMap(id='cfg', name=spec.name, namespace=spec.ns, data={'k': 'v'})\n"
    )
    base = ["render", str(app), "--manifests", "--set", "name=shop"]
    code, out, err = run_cli(capsys, *base, "--set", "ns=Prod_1")
    assert code == 1 and out == "", err
    assert "ConfigMap 'shop': namespace 'Prod_1' is not a valid Kubernetes namespace name" in err
    code, out, err = run_cli(capsys, *base, "--set", "ns=prod-1")
    assert code == 0 and "namespace: prod-1" in out, err


def test_render_uses_the_name_and_namespace_of_an_instance_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`render -f instance.yaml` dropped the instance's metadata (name and namespace) without a word."""
    path = tmp_path / "instance.yaml"
    path.write_text(
        "apiVersion: example.com/v1\nkind: WebApp\nmetadata: {name: shop, namespace: prod}\nspec: {replicas: 1}\n"
    )
    base = ["render", str(EXAMPLES / "webapp.py"), "--manifests", "-f", str(path)]
    code, out, err = run_cli(capsys, *base)
    assert code == 0, err
    assert {doc["metadata"].get("namespace") for doc in yamlio.load_all(out)} == {"prod"}
    code, out, err = run_cli(capsys, *base, "-n", "other")
    assert (
        code == 1
        and out == ""
        and "names namespace 'prod' (metadata.namespace) but -n/--namespace names 'other'" in err
    )
    code, out, err = run_cli(capsys, *base, "--name", "other")  # --name never renames the file's instance
    assert code == 1 and out == "" and "is named 'shop' (metadata.name) but --name names 'other'" in err, err
    code, out, err = run_cli(capsys, *base, "--name", "shop")
    assert code == 0 and "namespace: prod" in out, err
    path.write_text("kind: WebApp\nmetadata: {name: Shop_X}\nspec: {replicas: 1}\n")
    code, out, err = run_cli(capsys, *base)
    assert code == 1 and "instance name 'Shop_X' is not a valid Kubernetes name" in err, err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["metadata"].update(namespace="Demo"), "metadata.namespace: namespace 'Demo' is not a valid"),
        (lambda d: d.update(spce=d.pop("spec")), "a WebApp has no field 'spce' (kubectl would refuse it). Put spec"),
        (lambda d: d.update(replicas=3), "a WebApp has no field 'replicas'"),
        (
            lambda d: d["metadata"].update(lables={"a": "b"}),
            "no field metadata.lables (kubectl would refuse it). Remove",
        ),
        (lambda d: d["metadata"].update(labels={"a": "b"}, annotations={"n": "x"}), None),
    ],
)
def test_rgd_expand_refuses_what_the_api_server_refuses_outside_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Any, message: str | None
) -> None:
    """An unknown top-level or metadata field and a bad namespace were expanded without a word (the spec alone was
    checked); kubectl apply of the same instance fails."""
    path = Path(_instance(tmp_path, "shop", "shop"))
    doc = yamlio.load(path.read_text())
    edit(doc)
    path.write_text(yamlio.dump(doc))
    code, out, err = run_cli(capsys, "rgd", "expand", WEBAPP, "-i", str(path), "-o", "yaml")
    if message is None:
        assert code == 0, err
        return
    assert code == 1 and out == "" and message in err and err.startswith(f"error: {path}"), err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("apiVersion: kro.run/v1alpha1\n", "the instance's apiVersion is 'kro.run/v1alpha1', but this composition's"),
        ("metadata: {name: shop, labels: {team: a}}\n", "holds metadata.labels, which pykro would not carry"),
        ("metadata: {name: shop}\nspce: {replicas: 2}\n", "holds spce, which pykro would not carry"),
    ],
)
def test_render_refuses_what_an_instance_file_holds_besides_name_namespace_and_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    """Were dropped without a word: another apiVersion, labels/annotations, a misspelt top-level key."""
    path = tmp_path / "instance.yaml"
    head = "" if text.startswith("apiVersion") else "apiVersion: example.com/v1\n"
    body = text if "metadata" in text else text + "metadata: {name: shop}\n"
    path.write_text(head + "kind: WebApp\n" + body + "spec: {replicas: 1}\n")
    code, out, err = run_cli(capsys, "render", str(EXAMPLES / "webapp.py"), "--manifests", "-f", str(path))
    assert code == 1 and out == "" and message in err, err
    saved = "apiVersion: example.com/v1\nkind: WebApp\nmetadata: {name: shop, uid: abc, resourceVersion: '7'}\n"
    path.write_text(saved + "spec: {replicas: 1}\nstatus: {ready: true}\n")  # as `kubectl get -o yaml` saves it
    code, out, err = run_cli(capsys, "render", str(EXAMPLES / "webapp.py"), "--manifests", "-f", str(path))
    assert code == 0 and "kind: Deployment" in out, err


SHOP = """\
from pykro import Spec, composition
from pykro.simple import ConfigMap, Service


class ShopSpec(Spec):
    name: str
    team: str = "web"


@composition(api_version="example.com/v1", kind="Shop")
def shop(spec: ShopSpec) -> None:
    ConfigMap(id="config", name=spec.name + "-config", data={"k": "v"})
    Service(id="svc", name=spec.name + "-svc", labels={"team": spec.team}, selector={"app": "shop"}, ports=[80])
"""


def test_render_manifests_refuses_a_service_name_or_label_value_from_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only DNS-1123 subdomain names were checked: a 64-character Service name (a DNS-1035 label) and a label value
    with a space were printed as manifests the API server refuses."""
    app = tmp_path / "shop.py"
    app.write_text(SHOP)
    base = ["render", str(app), "--manifests"]
    code, out, err = run_cli(capsys, *base, "--set", "name=" + "s" * 60)
    assert code == 1 and out == "", err
    assert f"Service name '{'s' * 60}-svc' is not a valid Kubernetes name: it must be a lower-case DNS-1035" in err
    code, out, err = run_cli(capsys, *base, "--set", "name=shop", "--set", "team=a b")
    assert code == 1 and out == "", err
    assert "error: metadata.labels.team: Service 'shop-svc': label value 'a b' is not valid" in err
    assert "Fix the composition, or the spec values it reads (free text goes in an annotation)." in err
    code, out, err = run_cli(capsys, *base, "--set", "name=shop", "--set", "team=a-b")
    assert code == 0 and "team: a-b" in out, err


def test_a_literal_label_value_or_service_name_is_refused_when_compiled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / "shop.py"
    app.write_text(SHOP.replace('"team": spec.team', '"team": "a b"'))
    code, out, err = run_cli(capsys, "render", str(app), "--rgd")
    assert code == 1 and out == "", err
    assert "label value 'a b' is not valid" in err and "template.metadata.labels.team" in err
    assert "Use a value such as my-team (free text goes in an annotation)." in err
    app.write_text(SHOP.replace('spec.name + "-svc"', '"' + "s" * 64 + '"'))
    code, out, err = run_cli(capsys, "render", str(app), "--rgd")
    assert code == 1 and out == "" and f"Service name '{'s' * 64}' is not a valid Kubernetes name" in err, err


def test_rgd_expand_refuses_a_label_value_built_from_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rgd = yamlio.load(Path(WEBAPP).read_text())
    rgd["spec"]["schema"]["spec"]["team"] = 'string | default="web"'
    config = next(r for r in rgd["spec"]["resources"] if r["id"] == "config")
    config["template"]["metadata"]["labels"] = {"team": "${schema.spec.team}"}
    path = tmp_path / "rgd.yaml"
    path.write_text(yamlio.dump(rgd))
    doc = yamlio.load((EXAMPLES / "rgd" / "webapp-instance.yaml").read_text())
    doc["spec"]["team"] = "web team"
    instance = tmp_path / "instance.yaml"
    instance.write_text(yamlio.dump(doc))
    code, out, err = run_cli(capsys, "rgd", "expand", str(path), "-i", str(instance), "-o", "yaml")
    assert code == 1 and out == "", err
    assert f"error: {instance}: metadata.labels.team: ConfigMap 'shop-config': label value 'web team'" in err
    doc["spec"]["team"] = "web-team"
    instance.write_text(yamlio.dump(doc))
    code, out, err = run_cli(capsys, "rgd", "expand", str(path), "-i", str(instance), "-o", "yaml")
    assert code == 0 and "team: web-team" in out, err
