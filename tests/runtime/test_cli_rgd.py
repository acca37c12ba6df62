"""`pykro rgd ...` run as a user runs it: a subprocess, exit codes, one-paragraph errors, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pykro import _yamlio as yamlio

REPO = Path(__file__).resolve().parents[2]
WEBAPP = REPO / "examples" / "rgd" / "webapp.yaml"
INSTANCE = REPO / "examples" / "rgd" / "webapp-instance.yaml"


def pykro(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pykro", "rgd", *args], capture_output=True, text=True, cwd=REPO, check=False
    )


def test_validate_order_and_crd() -> None:
    assert pykro("validate", str(WEBAPP)).returncode == 0
    order = pykro("order", str(WEBAPP))
    assert order.stdout.split() == ["config", "deployment", "service", "ingress"]
    crd = yamlio.load(pykro("crd", str(WEBAPP)).stdout)
    assert crd["metadata"]["name"] == "webapps.kro.run"
    status = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]
    assert status["ready"] == {"type": "boolean"}
    assert status["endpoint"] == {"type": "string"}


def test_expand_simulated_to_json() -> None:
    out = pykro("expand", str(WEBAPP), "--instance", str(INSTANCE), "--simulate-ready", "-o", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [o["kind"] for o in data["objects"]] == ["ConfigMap", "Deployment", "Service", "Ingress"]
    assert data["instance"]["status"]["state"] == "ACTIVE"
    assert data["instance"]["status"]["availableReplicas"] == 3
    assert data["instance"]["status"]["url"] == "shop.example.com"


def test_expand_with_observed_directory(tmp_path: Path) -> None:
    first = pykro("expand", str(WEBAPP), "--instance", str(INSTANCE), "-o", "yaml")
    objects = list(yamlio.load_all(first.stdout))
    (tmp_path / "config.yaml").write_text(yamlio.dump(objects[0]), encoding="utf-8")
    out = pykro("expand", str(WEBAPP), "--instance", str(INSTANCE), "--observed", str(tmp_path), "-o", "json")
    states = json.loads(out.stdout)["states"]
    assert states["config"]["state"] == "ready"
    assert states["deployment"]["state"] == "pending"


def test_readable_report_without_tty() -> None:
    out = pykro("expand", str(WEBAPP), "--instance", str(INSTANCE), "--simulate-ready")
    assert out.returncode == 0
    assert "WebApp shop: ACTIVE" in out.stdout
    assert "\x1b[" not in out.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("apiVersion: [oops\n", "invalid YAML"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "not a ResourceGraphDefinition"),
        (WEBAPP.read_text().replace("id: config", "id: my-config"), "not a valid KRO resource id"),
        (WEBAPP.read_text().replace("${config.metadata.name}", "${confg.metadata.name}"), "Did you mean 'config'"),
    ],
)
def test_bad_rgd_is_one_paragraph_and_exit_1(tmp_path: Path, content: str, expected: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    out = pykro("validate", str(bad))
    assert out.returncode == 1
    assert expected in out.stderr
    assert "Traceback" not in out.stderr
    assert str(bad) in out.stderr


def test_bad_instance_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "inst.yaml"
    bad.write_text(INSTANCE.read_text().replace("replicas: 3", "replicas: 30"), encoding="utf-8")
    out = pykro("expand", str(WEBAPP), "--instance", str(bad))
    assert out.returncode == 1 and "replicas" in out.stderr and "Traceback" not in out.stderr
    missing = pykro("crd", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    fmt = pykro("expand", str(WEBAPP), "--instance", str(INSTANCE), "-o", "xml")
    assert fmt.returncode == 1 and "unknown output format" in fmt.stderr


def test_observed_objects_that_would_be_ignored_are_refused(tmp_path: Path) -> None:
    """An observed object matching no resource, or with a field its kind does not have, was silently ignored."""
    objects = list(yamlio.load_all(pykro("expand", str(WEBAPP), "--instance", str(INSTANCE), "-o", "yaml").stdout))
    config = objects[0]
    (tmp_path / "config.yaml").write_text(yamlio.dump({**config, "metadata": {**config["metadata"], "name": "shopp"}}))
    out = pykro("expand", str(WEBAPP), "--instance", str(INSTANCE), "--observed", str(tmp_path))
    assert out.returncode == 1 and out.stdout == "", out.stderr
    assert "config.yaml: the observed object ConfigMap demo/shopp matches no resource" in out.stderr
    (tmp_path / "config.yaml").write_text(yamlio.dump({**config, "dta": {"a": "b"}}))
    out = pykro("expand", str(WEBAPP), "--instance", str(INSTANCE), "--observed", str(tmp_path))
    assert out.returncode == 1 and "config.yaml: dta: ConfigMap has no field dta. Did you mean data?" in out.stderr
