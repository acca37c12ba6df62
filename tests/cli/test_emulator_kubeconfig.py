"""`pykro emulator start --kubeconfig FILE` (issue 11 item 5): the kubeconfig is created 0600 and replaced
atomically (the token is never in a file others can read), merged into a kubeconfig that holds other clusters (as
kind does) or refused when the file is something else; listening beyond loopback or without TLS is warned about."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pykro import _yamlio as yamlio
from pykro.emulator import _home as home
from pykro.emulator._cluster import CONTEXT, kubeconfig
from pykro.errors import PykroError

OTHER: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "prod", "cluster": {"server": "https://prod.example.com"}}],
    "users": [{"name": "admin", "user": {"token": "prod-token"}}],
    "contexts": [{"name": "prod", "context": {"cluster": "prod", "user": "admin"}}],
    "current-context": "prod",
}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _names(config: dict[str, Any], section: str) -> list[str]:
    return [entry["name"] for entry in config[section]]


def test_merges_into_an_existing_kubeconfig_and_keeps_other_clusters(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(yamlio.dump(OTHER))
    path.chmod(0o644)
    assert home.write_kubeconfig(path, kubeconfig("https://127.0.0.1:1", "tok-1")) is True
    merged = yamlio.load_file(path)
    for section in ("clusters", "users", "contexts"):
        assert _names(merged, section) == [OTHER[section][0]["name"], CONTEXT]
    assert merged["users"][0] == OTHER["users"][0]  # the other cluster's credentials are untouched
    assert merged["current-context"] == CONTEXT
    assert _mode(path) == 0o600
    # a second start replaces pykro's entries instead of adding more
    home.write_kubeconfig(path, kubeconfig("https://127.0.0.1:2", "tok-2"))
    again = yamlio.load_file(path)
    assert _names(again, "clusters") == ["prod", CONTEXT]
    assert again["clusters"][1]["cluster"]["server"] == "https://127.0.0.1:2"
    assert again["users"][1]["user"]["token"] == "tok-2"


@pytest.mark.parametrize("content", ["hello: [\n", "- a\n- b\n", "kind: Pod\nmetadata: {}\n", "clusters: nope\n"])
def test_refuses_to_replace_a_file_that_is_not_a_kubeconfig(tmp_path: Path, content: str) -> None:
    path = tmp_path / "config"
    path.write_text(content)
    with pytest.raises(PykroError) as info:
        home.write_kubeconfig(path, kubeconfig("https://127.0.0.1:1", "tok"))
    assert str(path) in str(info.value) and "not replaced" in str(info.value)
    assert path.read_text() == content
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_the_token_is_never_in_a_file_others_can_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At the moment the new file takes the kubeconfig's place it is already complete and 0600 (with the usual
    022 umask, a plain write would create it 0644 first)."""
    path = tmp_path / "new" / "config"
    seen: list[tuple[int, str]] = []
    real_replace = os.replace

    def replace(src: str, dst: Any) -> None:
        seen.append((_mode(Path(src)), Path(src).read_text()))
        assert not Path(dst).exists()
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    old = os.umask(0o022)
    try:
        assert home.write_kubeconfig(path, kubeconfig("https://127.0.0.1:1", "secret-token")) is False
    finally:
        os.umask(old)
    assert len(seen) == 1 and seen[0][0] == 0o600 and "secret-token" in seen[0][1]
    assert _mode(path) == 0o600
    assert list(path.parent.iterdir()) == [path]


def test_start_merges_warns_and_get_reads_the_merged_file(tmp_path: Path) -> None:
    """The real command in a subprocess: --host 0.0.0.0 and --no-tls print warnings; `emulator get` finds the
    emulator through the merged kubeconfig (whose first cluster is another one)."""
    path = tmp_path / "config"
    path.write_text(yamlio.dump(OTHER))
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    argv = ["emulator", "start", "--port", "0", "--host", "0.0.0.0", "--no-tls", "--no-simulate"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pykro", *argv, "--kubeconfig", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("pykro emulator serving at http://0.0.0.0:"), first
        assert "merged into" in proc.stdout.readline()
        merged = yamlio.load_file(path)
        assert _names(merged, "clusters") == ["prod", CONTEXT] and _mode(path) == 0o600
        get = subprocess.run(
            [sys.executable, "-m", "pykro", "emulator", "get", "namespaces", "--kubeconfig", str(path), "-o", "json"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert get.returncode == 0, get.stderr
        assert "default" in {item["metadata"]["name"] for item in yamlio.load(get.stdout)["items"]}
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "warning: --host 0.0.0.0 listens beyond loopback" in err
    assert "warning: --no-tls: the kubeconfig's bearer token travels unencrypted" in err


def test_no_warning_on_loopback_with_tls() -> None:
    from pykro.cli._emulator import exposure_warnings

    assert exposure_warnings("127.0.0.1", True) == []
    assert exposure_warnings("::1", True) == []
    assert exposure_warnings("localhost", True) == []
    assert len(exposure_warnings("192.168.1.10", False)) == 2


def test_start_does_not_take_over_the_kubeconfig_of_a_running_emulator(cluster: Any, tmp_path: Path) -> None:
    """A second `start` on the kubeconfig `--local` uses pointed it at itself: the first emulator kept running,
    unreachable, and `--local` reported it stuck once the second stopped."""
    before = cluster.kubeconfig_path.read_text()
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pykro",
            "emulator",
            "start",
            "--port",
            "0",
            "--kubeconfig",
            str(cluster.kubeconfig_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1 and proc.stdout == "", proc.stderr
    assert proc.stderr.startswith("error: --kubeconfig: an emulator already answers at the kubeconfig ")
    assert "a second one would take it over. Use the running one" in proc.stderr
    assert cluster.kubeconfig_path.read_text() == before
