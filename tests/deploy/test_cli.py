"""The `pykro deploy/status/diff/delete/list` commands: in-process against an emulator (JSON events, the hydrated
status, one-paragraph errors with exit code 1), and `--local` as a new user runs it (a background emulator started
on first use and reused afterwards)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import run_cli

from pykro import _yamlio as yamlio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WEBAPP = str(EXAMPLES / "rgd" / "webapp.yaml")
INSTANCE = str(EXAMPLES / "rgd" / "webapp-instance.yaml")  # names namespace demo


@pytest.fixture
def anywhere(tmp_path: Path) -> str:
    """The example instance without its namespace, for deploys into a test's own namespace (-n NS)."""
    doc = yamlio.load(Path(INSTANCE).read_text())
    del doc["metadata"]["namespace"]
    path = tmp_path / "webapp-instance-anywhere.yaml"
    path.write_text(yamlio.dump(doc))
    return str(path)


def test_deploy_status_list_diff_delete(kit: Any, capsys: pytest.CaptureFixture[str], anywhere: str) -> None:
    ns = kit.unique()
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path), "-n", ns]
    code, out, err = run_cli(capsys, "deploy", WEBAPP, "-f", anywhere, "--set", "replicas=2", *where, "-o", "json")
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert events[0]["type"] == "start" and events[-1]["type"] == "result"
    assert {e["resource"] for e in events if e["type"] == "state" and e["state"] == "ready"} == {
        "config",
        "deployment",
        "service",
        "ingress",
    }
    result = events[-1]
    assert result["state"] == "ACTIVE" and result["status"]["availableReplicas"] == 2
    assert result["status"]["url"] == "shop.example.com"

    code, out, _ = run_cli(capsys, "status", "shop", *where)
    assert code == 0 and yamlio.load(out)["status"] == result["status"]
    code, out, _ = run_cli(capsys, "status", "shop", *where, "--composition", "webapp")
    assert code == 0 and yamlio.load(out)["composition"] == "webapp"
    code, _, err = run_cli(capsys, "status", "shop", *where, "--composition", "webap")  # a typo, not a missing instance
    assert code == 1 and "no pykro instance of composition 'webap'" in err and "Did you mean 'webapp'?" in err, err
    assert "compositions with instances there: 'webapp'" in err and "named 'shop'" not in err
    code, _, err = run_cli(capsys, "status", "nothing", *where, "--composition", "webapp")  # a known composition
    assert code == 1 and "no pykro instance named 'nothing'" in err, err
    code, out, _ = run_cli(capsys, "list", *where, "-o", "json")
    assert [json.loads(line)["name"] for line in out.splitlines()] == ["shop"]
    code, out, _ = run_cli(capsys, "diff", WEBAPP, "-f", anywhere, "--set", "replicas=4", *where)
    assert code == 1 and "update    deployment" in out and "+  replicas: 4" in out  # 1: changes (kubectl diff)
    code, out, _ = run_cli(capsys, "diff", WEBAPP, "-f", anywhere, "--set", "replicas=2", *where)
    assert code == 0 and "update" not in out
    code, _, err = run_cli(capsys, "diff", WEBAPP, "-f", anywhere, "--set", "replicas=99", *where)
    assert code == 2 and "spec.replicas" in err  # errors exit above 1
    code, _, err = run_cli(capsys, "status", "shop", *where, "--mode", "kro")  # not the instance's mode
    assert code == 1 and "instance 'shop' was deployed in direct mode, not kro" in err
    code, _, err = run_cli(capsys, "delete", "shop", *where, "--mode", "krO")
    assert code == 1 and "unknown --mode 'krO'" in err
    assert kit.labelled("shop", ns)  # nothing deleted
    code, out, err = run_cli(capsys, "delete", "shop", *where)
    assert code == 0 and "done: deleted WebApp shop" in err
    assert kit.labelled("shop", ns) == []


def test_user_errors_are_one_paragraph_with_exit_code_1(kit: Any, capsys: pytest.CaptureFixture[str]) -> None:
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path), "-n", kit.unique()]
    code, _, err = run_cli(capsys, "deploy", WEBAPP, "--set", "name=x", "--set", "replicas=99", *where)
    assert code == 1 and "error:" in err and "spec.replicas" in err
    assert "Traceback" not in err and err.strip().count("\n") == 0
    code, _, err = run_cli(capsys, "status", "nothing", *where)
    assert code == 1 and "no pykro instance named 'nothing'" in err
    code, _, err = run_cli(capsys, "deploy", WEBAPP, "--set", "name=x", "--on-failure", "maybe", *where)
    assert code == 1 and "--on-failure" in err


def test_a_second_instance_name_over_the_same_objects_is_refused(
    kit: Any, capsys: pytest.CaptureFixture[str], anywhere: str
) -> None:
    ns = kit.unique()
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path), "-n", ns]
    nameless = yamlio.load(Path(anywhere).read_text())
    del nameless["metadata"]["name"]  # --name names the instance (one naming another name is refused)
    Path(anywhere).write_text(yamlio.dump(nameless))
    code, _, err = run_cli(capsys, "deploy", WEBAPP, "-f", anywhere, "--name", "dev", *where)
    assert code == 0, err
    code, _, err = run_cli(capsys, "deploy", WEBAPP, "-f", anywhere, "--name", "dev2", *where)
    assert code == 1 and "would take over objects it does not own" in err and "instance 'dev'" in err, err
    assert "--force-takeover" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, "delete", "dev2", *where)
    assert code == 1 and "no pykro instance named 'dev2'" in err
    assert {o["metadata"]["labels"]["pykro.io/instance"] for o in kit.labelled("dev", ns)} == {"dev"}
    code, out, _ = run_cli(capsys, "list", *where, "-o", "json")
    assert [(r["name"], r["state"]) for r in map(json.loads, out.splitlines())] == [("dev", "ACTIVE")]
    code, _, err = run_cli(capsys, "deploy", WEBAPP, "-f", anywhere, "--name", "dev2", "--force-takeover", *where)
    assert code == 0, err
    assert kit.labelled("dev", ns) == [] and len(kit.labelled("dev2", ns)) == 4


def test_n_naming_another_namespace_than_the_instance_file_is_refused(
    kit: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """kubectl's rule: -n and the file's metadata.namespace must agree; -n never silently moves the instance."""
    ns = kit.unique()
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path)]
    for command, failed in (("deploy", 1), ("diff", 2)):
        code, _, err = run_cli(capsys, command, WEBAPP, "-f", INSTANCE, *where, "-n", ns)
        assert code == failed, err
        assert f"{INSTANCE}: the instance names namespace 'demo'" in err and f"-n/--namespace names {ns!r}" in err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert kit.labelled("shop", ns) == [] and kit.labelled("shop", "demo") == []  # nothing written
    # two instance objects that disagree (-f twice) are refused the same way
    other = tmp_path / "other.yaml"
    other.write_text(Path(INSTANCE).read_text().replace("namespace: demo", "namespace: elsewhere"))
    code, _, err = run_cli(capsys, "diff", WEBAPP, "-f", INSTANCE, "-f", str(other), *where)
    assert code == 2 and "names namespace 'elsewhere'" in err and f"{INSTANCE} names 'demo'" in err, err
    # the same namespace in both is fine: the diff shows the objects it would create
    code, out, err = run_cli(capsys, "diff", WEBAPP, "-f", INSTANCE, *where, "-n", "demo")
    assert code == 1 and "create" in out, err


def test_name_naming_another_instance_than_the_instance_file_is_refused(
    kit: Any, capsys: pytest.CaptureFixture[str], anywhere: str, tmp_path: Path
) -> None:
    """--name never silently renames the instance an -f file names (its metadata.name), as -n never moves it."""
    ns = kit.unique()
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path), "-n", ns]
    for command, failed in (("deploy", 1), ("diff", 2)):
        code, out, err = run_cli(capsys, command, WEBAPP, "-f", anywhere, "--name", "other", *where)
        assert code == failed and out == "", err
        assert f"{anywhere}: the instance is named 'shop' (metadata.name) but --name names 'other'" in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert kit.labelled("shop", ns) == [] and kit.labelled("other", ns) == []  # nothing written
    other = tmp_path / "other.yaml"  # two instance objects naming different instances
    other.write_text(Path(anywhere).read_text().replace("name: shop", "name: shop2"))
    code, _, err = run_cli(capsys, "diff", WEBAPP, "-f", anywhere, "-f", str(other), *where)
    assert code == 2 and "is named 'shop2'" in err and f"{anywhere} names 'shop'" in err, err
    # the same name in both is fine
    code, out, err = run_cli(capsys, "deploy", WEBAPP, "-f", anywhere, "--name", "shop", *where, "-o", "json")
    assert code == 0 and json.loads(out.splitlines()[-1])["name"] == "shop", err
    assert len(kit.labelled("shop", ns)) == 4


@pytest.mark.slow
def test_local_starts_a_background_emulator_once_and_reuses_it(tmp_path: Path, anywhere: str) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path)}
    pykro = [sys.executable, "-m", "pykro"]
    home = tmp_path / "pykro" / "emulator"

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*pykro, *argv], env=env, capture_output=True, text=True, check=False)

    try:
        first = run("deploy", WEBAPP, "-f", INSTANCE, "--local")
        assert first.returncode == 0, first.stderr
        assert yamlio.load(first.stdout)["state"] == "ACTIVE"
        pid = (home / "pid").read_text()
        listed = run("list", "--local", "-A")
        assert "shop" in listed.stdout and "ACTIVE" in listed.stdout
        assert (home / "pid").read_text() == pid, "the running emulator must be reused"
        kro = run("deploy", WEBAPP, "-f", anywhere, "--local", "--mode", "kro", "-n", "kro-demo")
        assert kro.returncode == 0, kro.stderr
        gone = run("delete", "shop", "--local", "-n", "demo")
        assert gone.returncode == 0, gone.stderr
        assert "shop" not in run("list", "--local", "-n", "demo").stdout
        # `pykro emulator get` finds the same emulator by default (one kubeconfig for --local and the emulator CLI)
        seen = run("emulator", "get", "namespaces")
        assert seen.returncode == 0 and "kro-demo" in seen.stdout, seen.stderr
        stopped = run("emulator", "stop")
        assert stopped.returncode == 0 and "stopped" in stopped.stdout
        assert not (home / "pid").exists()
        assert "no local emulator" in run("emulator", "stop").stdout
    finally:
        pid_file = home / "pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGTERM)


@pytest.mark.parametrize("mode", ["direct", "kro"])
def test_deploy_refuses_a_bad_object_name_before_any_write(
    kit: Any, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    """Each produced object's metadata.name is checked offline (as render does), not only the instance name: a
    spec that builds 'shop.-db-secret' stops before the namespace, the record or any object is written."""
    ns = kit.unique()
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path), "-n", ns]
    fullstack = str(EXAMPLES / "fullstack.py")
    since = kit.mark()
    code, _, err = run_cli(
        capsys,
        "deploy",
        fullstack,
        "--set",
        "appImage=app:1",
        "--set",
        "name=shop.",
        "--name",
        "shop",
        *where,
        "--mode",
        mode,
    )
    assert code == 1 and "Secret name 'shop.-db-secret' is not a valid Kubernetes name" in err, err
    assert "Traceback" not in err and err.count("error:") == 1
    assert kit.writes(since) == []
