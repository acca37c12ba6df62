"""`pykro render`: RGD and manifests from a Python file, --set/-f values, -o DIR, and one-paragraph errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pykro import _yamlio as yamlio

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pykro", "render", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, check=False)


def test_rgd_of_an_example_is_byte_identical_to_the_api() -> None:
    result = run(str(EXAMPLES / "webapp.py"), "--rgd")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (REPO / "tests" / "examples" / "golden" / "webapp.rgd.yaml").read_text(encoding="utf-8")


def test_manifests_from_set_and_values_file(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("environment: production\nversion: '2.0'\ngateway: {domain: a.example, replicas: 2}\n")
    services = {s: {"image": f"{s}:1", "replicas": 1, "database": {"host": "h", "name": "n"}} for s in ("user",)}
    sets = [f"services.{s}.{k}={v}" for s in ("product", "order") for k, v in (("image", f"{s}:1"), ("replicas", 2))]
    sets += [f"services.{s}.database.{k}=x" for s in ("product", "order") for k in ("host", "name")]
    extra = tmp_path / "services.yaml"
    extra.write_text(yamlio.dump({"services": services}))
    result = run(str(EXAMPLES / "microservices.py"), "--manifests", "-f", str(values), "-f", str(extra),
                 *[arg for s in sets for arg in ("--set", s)], "--set", "version=1.10")  # fmt: skip
    assert result.returncode == 0, result.stderr
    docs = list(yamlio.load_all(result.stdout))
    config = next(d for d in docs if d["metadata"]["name"] == "app-config")
    assert config["data"]["VERSION"] == "1.10"  # a string field keeps the text as written
    product = next(d for d in docs if d["metadata"]["name"] == "product-service" and d["kind"] == "Deployment")
    assert product["spec"]["replicas"] == 2


def test_output_directory(tmp_path: Path) -> None:
    result = run(f"{EXAMPLES / 'webapp.py'}:webapp", "--manifests", "--set", "replicas=2", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["01-deployment-webapp.yaml", "02-service-webapp-service.yaml"]
    assert yamlio.load_file(tmp_path / "out" / files[0])["spec"]["replicas"] == 2


def test_cluster_only_values_and_observed(tmp_path: Path) -> None:
    target = str(EXAMPLES / "fullstack.py")
    result = run(target, "--manifests", "--set", "name=shop", "--set", "app_image=node:20")
    assert result.returncode == 1
    assert "app (reads ${dbSvc.spec.clusterIP})" in result.stderr and "Traceback" not in result.stderr
    observed = tmp_path / "live.yaml"
    observed.write_text("dbSvc: {spec: {clusterIP: 10.1.2.3}}\n")
    result = run(target, "--manifests", "--set", "name=shop", "--set", "appImage=node:20", "--observed", str(observed))
    assert result.returncode == 0, result.stderr
    assert "value: 10.1.2.3" in result.stdout


def test_errors_are_one_paragraph(tmp_path: Path) -> None:
    result = run(str(EXAMPLES / "webapp.py"), "--rgd", "--manifests")
    assert (
        result.returncode == 1
        and "choose one of --rgd, --manifests, --helm, --kustomize or --compose (got --rgd, --manifests)"
        in result.stderr
    )
    result = run(f"{EXAMPLES / 'webapp.py'}:nope", "--rgd")
    assert result.returncode == 1 and "has no composition named 'nope'" in result.stderr and "webapp" in result.stderr
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from pykro import Spec, composition\nfrom pykro.simple import ConfigMap\n"
        "class S(Spec):\n    name: str\n"
        "@composition(api_version='v1alpha1', kind='Bad')\ndef bad(spec: S) -> None:\n"
        "    if spec.name:\n        ConfigMap(name='x', data={})\n"
    )
    result = run(str(bad), "--rgd")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{bad}:7:" in result.stderr and "truthiness" in result.stderr
    result = run(str(EXAMPLES / "webapp.py"), "--manifests", "--set", "replicas=many")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "--set replicas=many: replicas takes an integer, not 'many'" in result.stderr  # names the field


def test_bad_values_print_one_paragraph_naming_the_input(tmp_path: Path) -> None:
    bad = tmp_path / "values.yaml"
    bad.write_text("replicas: 2\nmessage: [unclosed\n")
    result = run(str(EXAMPLES / "webapp.py"), "--manifests", "-f", str(bad))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {bad}:3:1: invalid YAML") and len(result.stderr.splitlines()) == 1
    result = run(str(EXAMPLES / "webapp.py"), "--manifests", "--set", "replicas=[1")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "--set replicas=[1: the value of replicas is not valid YAML" in result.stderr
    bad.write_bytes(b"message: caf\xe9\n")
    result = run(str(EXAMPLES / "webapp.py"), "--manifests", "-f", str(bad))
    assert result.returncode == 1 and f"{bad}:1: the values file is not UTF-8 text" in result.stderr


@pytest.mark.parametrize(
    ("observed", "message"),
    [
        (
            "dbsvc: {spec: {clusterIP: 10.1.2.3}}",
            "live.yaml: dbsvc: 'dbsvc' is not a resource id of FullStack. Did you mean 'dbSvc'?",
        ),
        (
            "dbSvc: {spec: {clusterIp: 10.1.2.3}}",
            "live.yaml: dbSvc.spec.clusterIp: Service has no field spec.clusterIp. Did you mean spec.clusterIP?",
        ),
        ("dbSvc: {spec: {ports: [{prot: 1}]}}", "dbSvc.spec.ports[0].prot: Service has no field spec.ports[0].prot"),
        ("dbSvc: [10.1.2.3]", "the observed value of 'dbSvc' must be a mapping of the object's fields, not list"),
    ],
)
def test_observed_typos_are_named(tmp_path: Path, observed: str, message: str) -> None:
    """A misspelt id or field in --observed was reported as "needs values only a live cluster knows"."""
    target = f"{EXAMPLES / 'fullstack.py'}:fullstack"
    (tmp_path / "live.yaml").write_text(observed + "\n")
    result = run(
        target,
        "--manifests",
        "--set",
        "name=shop",
        "--set",
        "appImage=node:20",
        "--observed",
        str(tmp_path / "live.yaml"),
    )
    assert result.returncode == 1 and result.stdout == "", result.stderr
    assert message in result.stderr and "only a live cluster knows" not in result.stderr


TOKEN_APP = """
from pydantic import SecretStr
from pykro import Spec, composition
from pykro.simple import Secret


class TokenSpec(Spec):
    name: str
    token: SecretStr | None = None


@composition(api_version="example.com/v1", kind="Token")
def token(spec: TokenSpec) -> None:
    Secret(id="tok", name=spec.name, string_data={"token": spec.token})
"""


def test_an_unset_spec_field_and_a_key_written_twice(tmp_path: Path) -> None:
    """An unset optional field was reported as a value "only a live cluster knows"; a values file's repeated key
    kept its last value silently."""
    (tmp_path / "token.py").write_text(TOKEN_APP)
    result = run(str(tmp_path / "token.py"), "--manifests", "--set", "name=t")
    assert result.returncode == 1 and result.stdout == "", result.stderr
    assert "1 resource(s) read a spec field this spec leaves unset: tok (reads ${schema.spec.token})" in result.stderr
    assert "live cluster" not in result.stderr
    (tmp_path / "values.yaml").write_text("name: t\ntoken: abcdef\nname: u\n")
    result = run(str(tmp_path / "token.py"), "--manifests", "-f", str(tmp_path / "values.yaml"))
    assert result.returncode == 1 and result.stdout == "", result.stderr
    assert "values.yaml:3:1: the key 'name' is written twice in this mapping. Keep one of them." in result.stderr


def test_an_earlier_renders_leftovers_are_not_left_to_be_applied(tmp_path: Path) -> None:
    """A file a render no longer writes stayed in the directory, where `kubectl apply -f` or helm read it too."""
    out, chart = tmp_path / "out", tmp_path / "chart"
    out.mkdir()
    (out / "09-configmap-old.yaml").write_text("kind: ConfigMap\n")
    (out / "notes.txt").write_text("mine\n")
    result = run(str(EXAMPLES / "webapp.py"), "--manifests", "--set", "replicas=2", "-o", str(out))
    assert result.returncode == 1 and result.stdout == "", result.stderr
    assert result.stderr == (
        f"error: {out}: the directory already holds 09-configmap-old.yaml, which this render does not write; "
        "kubectl apply -f would read it too. Remove it (an earlier render's output?), or render into an empty "
        "directory.\n"
    )
    assert sorted(p.name for p in out.iterdir()) == ["09-configmap-old.yaml", "notes.txt"]  # nothing written
    (out / "09-configmap-old.yaml").unlink()
    assert run(str(EXAMPLES / "webapp.py"), "--manifests", "--set", "replicas=2", "-o", str(out)).returncode == 0
    assert run(str(EXAMPLES / "webapp.py"), "--helm", str(chart)).returncode == 0
    (chart / "templates" / "03-old.yaml").write_text("kind: ConfigMap\n")
    result = run(str(EXAMPLES / "webapp.py"), "--helm", str(chart))
    assert (
        result.returncode == 1 and "already holds 03-old.yaml" in result.stderr and "helm would read" in result.stderr
    )
    # rendering again over its own output is fine
    assert run(str(EXAMPLES / "webapp.py"), "--manifests", "--set", "replicas=3", "-o", str(out)).returncode == 0
