"""`pykro hub sync FILE` (the typer app in `pykro.hub._cli`) against the emulator, rows in SQLite."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from pykro.emulator._cluster import LocalCluster
from pykro.hub._cli import app

HERE = Path(__file__).resolve().parent

HUB_FILE = """
from compositions import app
from pykro.hub import Hub

hub = Hub("tenants", "sqlite:///{db}", table="nodes", uid="node_id", active="is_active", sync_every="1m")
hub.form(app, spec=lambda row: {{"name": row.node_id, "image": row.image}})
"""


def _setup(tmp_path: Path, *more: str) -> tuple[Path, sa.Engine]:
    shutil.copy(HERE / "compositions.py", tmp_path / "compositions.py")
    db = tmp_path / "tenants.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT PRIMARY KEY, is_active BOOLEAN, image TEXT)"))
        for uid in ("acme", "globex", *more):
            conn.execute(sa.text("INSERT INTO nodes VALUES (:u, 1, 'web:1')"), {"u": uid})
    hub_file = tmp_path / "hub.py"
    hub_file.write_text(HUB_FILE.format(db=db))
    return hub_file, engine


def test_sync_prints_each_instance_and_fails_on_the_guard(
    tmp_path: Path, cluster: LocalCluster, namespace: str
) -> None:
    hub_file, engine = _setup(tmp_path, "initech", "hooli", "umbrella", "wayne")
    runner = CliRunner()
    target = [str(hub_file), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]

    dry = runner.invoke(app, ["sync", *target, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing written" in dry.output and "acme" in dry.output and "would be created" in dry.output

    done = runner.invoke(app, ["sync", *target])
    assert done.exit_code == 0, done.output
    assert "6 created" in done.output

    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM nodes"))
    stopped = runner.invoke(app, ["sync", *target, "-o", "json"])
    assert stopped.exit_code == 1
    data = json.loads(stopped.output)
    assert "--allow-mass-delete" in data["error"] and data["ok"] is False

    allowed = runner.invoke(app, ["sync", *target, "--allow-mass-delete", "--changes"])
    assert allowed.exit_code == 0, allowed.output
    assert "6 deleted" in allowed.output


def test_a_file_without_a_hub_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "nothing.py"
    empty.write_text("x = 1\n")
    result = CliRunner().invoke(app, ["sync", str(empty)])
    assert result.exit_code != 0
    assert "defines no Hub" in str(result.exception)


def test_a_hub_file_that_fails_to_import_is_named_at_its_line(tmp_path: Path) -> None:
    """Through the real `pykro` entry point: one paragraph naming the user's file:line, never an internal error."""
    import subprocess
    import sys

    broken = tmp_path / "broken.py"
    broken.write_text("from pykro.hub import Hub\nhub = (\n")
    raising = tmp_path / "raising.py"
    raising.write_text("import os\nos.environ['NO_SUCH_VARIABLE_FOR_PYKRO']\n")
    for path, line, what in ((broken, 2, "not valid Python"), (raising, 2, "raised KeyError")):
        proc = subprocess.run(
            [sys.executable, "-m", "pykro", "hub", "sync", str(path), "--dry-run"], capture_output=True, text=True
        )
        assert proc.returncode == 1, proc.stderr
        assert f"{path}:{line}" in proc.stderr and what in proc.stderr and "internal error" not in proc.stderr


def test_run_syncs_repeatedly(tmp_path: Path, cluster: LocalCluster, namespace: str) -> None:
    hub_file, _ = _setup(tmp_path)
    target = [str(hub_file), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    result = CliRunner().invoke(app, ["run", *target, "--syncs", "1", "--metrics-port", "0"])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output


def test_run_refuses_syncs_below_one(tmp_path: Path, cluster: LocalCluster, namespace: str) -> None:
    hub_file, _ = _setup(tmp_path)
    target = [str(hub_file), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    mark = len(cluster.request_log())
    for value in ("0", "-2"):
        result = CliRunner().invoke(app, ["run", *target, "--syncs", value])
        assert result.exit_code != 0, result.output
        assert f"--syncs {value} is not a number of syncs" in str(result.exception), result.exception
    assert [i for _, i, _ in cluster.request_log()[mark:]] == []  # refused before anything was read


def test_a_database_error_is_reported_first_and_alone(tmp_path: Path, cluster: LocalCluster, namespace: str) -> None:
    hub_file, engine = _setup(tmp_path)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE nodes"))
    target = [str(hub_file), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    for args in (["sync", *target], ["sync", *target, "--dry-run"], ["run", *target, "--syncs", "1"]):
        result = CliRunner().invoke(app, args)
        lines = result.output.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "nodes" in lines[0], result.output
        assert "nothing to do" not in result.output and "Nothing was changed" in result.output
        assert result.exit_code == 1, result.output
    shown = CliRunner().invoke(app, ["status", *target])
    assert shown.output.startswith("error: ") and len(shown.output.splitlines()) == 1, shown.output


# (case, (old, new) in hub.py, the command after FILE and the target, words of the message). A new user's one
# mistake per command: every message says what, where (the user's file:line or the option) and how to fix it.
MISTAKES: list[tuple[str, tuple[str, str] | None, list[str], list[str]]] = [
    ("metrics port out of range", None, ["run", "--metrics-port", "99999"], ["--metrics-port: ", "not a TCP port"]),
    ("bad namespace", None, ["status", "-n", "Bad_NS"], ["-n/--namespace: namespace 'Bad_NS'", "DNS-1123"]),
    ("source not a URL", None, ["plan", "--source", "tenants.db"], ["--source: ", "not a URL", "sqlite:///FILE"]),
    ("misspelt mode", None, ["sync", "--mode", "dirct"], ["--mode: ", "'dirct'", '"direct" or "kro"']),
    ("output value", None, ["plan", "-o", "yml"], ["--output: ", "'yml'", "-o json"]),
    (
        "uid column missing",
        ('uid="node_id"', 'uid="nodeid"'),
        ["sync"],
        ["hub.py:5: uid=: ", "no uid column 'nodeid'", "Nothing was changed"],
    ),
    ("bad sync_every", ('sync_every="1m"', 'sync_every="1 min"'), ["run", "--syncs", "1"], ["hub.py:5: ", "'1 min'"]),
    (
        "unknown column in the spec",
        ("row.image}", 'row["imag"]}'),
        ["plan"],
        ["row uid 'acme' of form 'app'", "column 'imag'", "did you mean 'image'?", "hub.py:6"],
    ),
    (
        "spec of the wrong type",
        ("row.image}", 'row.image, "replicas": "two"}'),
        ["plan"],
        ["row uid 'acme' of form 'app'", "spec.replicas", "integer", "hub.py:6"],
    ),
]


@pytest.mark.parametrize(("change", "args", "words"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_a_new_users_mistakes_are_named(
    tmp_path: Path,
    cluster: LocalCluster,
    namespace: str,
    change: tuple[str, str] | None,
    args: list[str],
    words: list[str],
) -> None:
    hub_file, _ = _setup(tmp_path)
    if change is not None:
        text = hub_file.read_text()
        assert change[0] in text
        hub_file.write_text(text.replace(*change))
    command, *rest = args
    result = CliRunner().invoke(
        app, [command, str(hub_file), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace, *rest]
    )
    assert result.exit_code == 1, result.output
    text = result.output + ("" if isinstance(result.exception, SystemExit) else str(result.exception))
    for word in words:
        assert word in text, text
    assert "internal error" not in text and "Traceback" not in text


def test_a_metrics_port_in_use_is_named(tmp_path: Path, cluster: LocalCluster, namespace: str) -> None:
    hub_file, _ = _setup(tmp_path)
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        target = [str(hub_file), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
        result = CliRunner().invoke(app, ["run", *target, "--syncs", "1", "--metrics-port", str(port)])
    assert result.exit_code == 1
    assert f"--metrics-port: cannot serve metrics on port {port}" in str(result.exception), result.exception


def test_a_wrong_file_argument_is_named(tmp_path: Path) -> None:
    """A directory, a file that is neither Python nor YAML, a file given twice: named, with the fix, before
    anything is read."""
    hub_file, _ = _setup(tmp_path)
    (tmp_path / "notes.txt").write_text("x = 1\n")
    runner = CliRunner()
    for args, words in (
        (["plan", tmp_path], [f"{tmp_path}", "is a directory", ".yaml"]),
        (["sync", tmp_path / "notes.txt"], ["notes.txt: .txt is not a hub file"]),
        (["status", tmp_path / "hub.pyy"], ["hub.pyy", "no such file"]),
        (["manifests", hub_file, tmp_path / "." / "hub.py", "--image", "x:1"], ["hub.py: the file is given twice"]),
    ):
        result = runner.invoke(app, list(map(str, args)))
        assert result.exit_code == 1, result.output
        for word in words:
            assert word in str(result.exception), result.exception
