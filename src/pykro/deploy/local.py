"""``--local``: the embedded emulator as a per-user background service. Its files live in
``${XDG_STATE_HOME:-~/.local/state}/pykro/emulator/`` (``kubeconfig``, ``state.json`` with the objects, ``pid``,
``emulator.log``; see pykro.emulator._home). If no emulator answers there, ``pykro emulator start --kro`` is started
detached (with persistent state, any free port) and awaited on ``/healthz``; the next command reuses it, and so does
an emulator the user runs there with ``pykro emulator start``. An emulator that holds the state's lock but does not
answer is reported (never doubled). ``pykro emulator stop`` stops it. It also runs with ``--operators`` (the CRDs of
the simulated CloudNativePG, Flux and Valkey operators)."""

from __future__ import annotations

import base64
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pykro import _yamlio as yamlio
from pykro.deploy._errors import ClusterUnreachable
from pykro.emulator._home import lock_holder, state_dir

__all__ = ["ensure_local", "healthy", "stop_local"]

START_TIMEOUT = 60.0
STALL_WAIT = 15.0  # how long an emulator that holds the state but does not answer may take to come up


def _server(kubeconfig: Path) -> tuple[str, str | None]:
    data: Any = yamlio.load_file(kubeconfig)
    cluster = data["clusters"][0]["cluster"]
    ca = cluster.get("certificate-authority-data")
    return str(cluster["server"]), base64.b64decode(ca).decode() if ca else None


def healthy(kubeconfig: Path) -> bool:
    """True when the emulator named by ``kubeconfig`` answers ``/healthz`` with 200 (over TLS checked against the
    kubeconfig's certificate authority)."""
    try:
        server, ca = _server(kubeconfig)
        scheme, _, rest = server.partition("://")
        netloc, slash, prefix = rest.partition("/")
        host, _, port = netloc.rpartition(":")
        host = host.strip("[]")
        path = f"{slash}{prefix}".rstrip("/") + "/healthz"
        address = (host, int(port))
    except (OSError, KeyError, IndexError, TypeError, ValueError):
        return False
    try:
        with socket.create_connection(address, timeout=2) as raw:
            sock = raw
            if scheme == "https":
                sock = ssl.create_default_context(cadata=ca).wrap_socket(raw, server_hostname=host)
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {netloc}\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while b"\r\n" not in answer and len(answer) < 4096 and (data := sock.recv(4096)):
                answer += data
    except (OSError, ValueError):
        return False
    status = answer.split(b"\r\n", 1)[0].split(b" ")
    return len(status) > 1 and status[0].startswith(b"HTTP/1.") and status[1] == b"200"


def _alive(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def _await_holder(home: Path, kubeconfig: Path, wait: float) -> bool:
    """When an emulator holds the state (starting, or stuck): True once it answers, False when it exits; raises
    when it neither answers nor exits within `wait` seconds."""
    holder = lock_holder(home / "state.json")
    if holder is None:
        return False
    deadline = time.monotonic() + wait
    pause = 0.01
    while time.monotonic() < deadline:
        if healthy(kubeconfig):
            return True
        if lock_holder(home / "state.json") is None:
            return False
        time.sleep(pause)  # another process is starting or stuck: there is nothing to watch
        pause = min(pause * 2, 0.2)
    who = f"pid {holder}" if holder else "another process"
    raise ClusterUnreachable(
        f"the local emulator ({who}) holds its state but does not answer on /healthz",
        where=str(home / "emulator.log"),
        fix="It may be stuck: `pykro emulator stop` stops it (killing it if it does not stop; every object it "
        "acknowledged is kept), and the next command starts a new one.",
    )


def ensure_local(
    directory: Path | None = None, *, timeout: float = START_TIMEOUT, stall_wait: float = STALL_WAIT
) -> Path:
    """The kubeconfig of a running background emulator, starting one if needed."""
    home = directory or state_dir()
    kubeconfig = home / "kubeconfig"
    pid_file = home / "pid"
    if healthy(kubeconfig):  # ours from an earlier command, or one the user runs with `pykro emulator start`
        return kubeconfig
    if _await_holder(home, kubeconfig, stall_wait):
        return kubeconfig
    home.mkdir(parents=True, exist_ok=True)
    kubeconfig.unlink(missing_ok=True)
    command = [sys.executable, "-m", "pykro", "emulator", "start", "--port", "0", "--kro", "--operators"]
    command += ["--kubeconfig", str(kubeconfig), "--state", str(home / "state.json")]
    with open(home / "emulator.log", "ab") as log:
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True
        )
    pid_file.write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    pause = 0.01
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if kubeconfig.exists() and healthy(kubeconfig):
            return kubeconfig
        time.sleep(pause)  # waiting for another process to come up: there is nothing to watch yet
        pause = min(pause * 2, 0.1)
    raise ClusterUnreachable(
        "the local emulator did not start",
        where=str(home / "emulator.log"),
        fix="Read the log above; `pykro emulator start` runs it in the foreground to see the error.",
    )


def stop_local(directory: Path | None = None, *, grace: float = 10.0) -> bool:
    """Stop the background emulator (SIGTERM; SIGKILL when it still holds its state after `grace` seconds, which
    loses nothing it acknowledged); False when none was running."""
    home = directory or state_dir()
    pid_file = home / "pid"
    holder = lock_holder(home / "state.json")
    if holder:  # the process that holds the state, whoever started it
        os.kill(holder, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while lock_holder(home / "state.json") == holder and time.monotonic() < deadline:
            time.sleep(0.1)  # waiting for another process to exit: there is nothing to watch
        if lock_holder(home / "state.json") == holder:
            os.kill(holder, signal.SIGKILL)
    elif _alive(pid_file):
        os.kill(int(pid_file.read_text().strip()), 15)
    else:
        return False
    pid_file.unlink(missing_ok=True)
    return True
