"""``--local``: the embedded emulator as a per-user background service. Its files live in
``${XDG_STATE_HOME:-~/.local/state}/pykro/emulator/`` (``kubeconfig``, ``state.json`` with the objects, ``pid``,
``emulator.log``; see pykro.emulator.home). If no emulator answers there, ``pykro emulator start --kro`` is started
detached (with persistent state, any free port) and awaited on ``/healthz``; the next command reuses it, and so does
an emulator the user runs there with ``pykro emulator start``. ``pykro emulator stop`` stops it."""

from __future__ import annotations

import base64
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from pykro import yamlio
from pykro.deploy.errors import ClusterUnreachable
from pykro.emulator.home import state_dir

START_TIMEOUT = 60.0


def _server(kubeconfig: Path) -> tuple[str, str | None]:
    data: Any = yamlio.load_file(kubeconfig)
    cluster = data["clusters"][0]["cluster"]
    ca = cluster.get("certificate-authority-data")
    return str(cluster["server"]), base64.b64decode(ca).decode() if ca else None


def healthy(kubeconfig: Path) -> bool:
    """True when the emulator named by ``kubeconfig`` answers ``/healthz``."""
    try:
        server, ca = _server(kubeconfig)
    except (OSError, KeyError, IndexError, TypeError, ValueError):
        return False
    context = ssl.create_default_context(cadata=ca) if ca else None
    try:
        with urllib.request.urlopen(server + "/healthz", timeout=2, context=context) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _alive(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def ensure_local(directory: Path | None = None, *, timeout: float = START_TIMEOUT) -> Path:
    """The kubeconfig of a running background emulator, starting one if needed."""
    home = directory or state_dir()
    kubeconfig = home / "kubeconfig"
    pid_file = home / "pid"
    if healthy(kubeconfig):  # ours from an earlier command, or one the user runs with `pykro emulator start`
        return kubeconfig
    home.mkdir(parents=True, exist_ok=True)
    kubeconfig.unlink(missing_ok=True)
    command = [sys.executable, "-m", "pykro", "emulator", "start", "--port", "0", "--kro"]
    command += ["--kubeconfig", str(kubeconfig), "--state", str(home / "state.json")]
    with open(home / "emulator.log", "ab") as log:
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True
        )
    pid_file.write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if kubeconfig.exists() and healthy(kubeconfig):
            return kubeconfig
        time.sleep(0.1)  # waiting for another process to come up: there is nothing to watch yet
    raise ClusterUnreachable(
        "the local emulator did not start",
        where=str(home / "emulator.log"),
        fix="Read the log above; `pykro emulator start` runs it in the foreground to see the error.",
    )


def stop_local(directory: Path | None = None) -> bool:
    """Stop the background emulator (SIGTERM); False when none was running."""
    home = directory or state_dir()
    pid_file = home / "pid"
    if not _alive(pid_file):
        return False
    os.kill(int(pid_file.read_text().strip()), 15)
    pid_file.unlink(missing_ok=True)
    return True
