"""`pykro.__main__.leave`, how `pykro` and `python -m pykro` end: the exit status as SystemExit gives it, atexit
callbacks run and buffered output written, a running non-daemon thread waited for (each in a fresh process)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


@pytest.mark.parametrize(("code", "status", "stderr"), [("None", 0, ""), ("3", 3, ""), ("'boom'", 1, "boom\n")])
def test_leave_exits_with_systemexit_meaning(code: str, status: int, stderr: str) -> None:
    done = _python(
        "import atexit, sys\n"
        "from pykro.__main__ import leave\n"
        "atexit.register(print, 'atexit ran')\n"
        "sys.stdout.write('buffered, no newline')\n"
        f"leave({code})\n"
        "print('not reached')\n"
    )
    assert done.returncode == status
    assert done.stdout == "buffered, no newlineatexit ran\n"
    assert done.stderr == stderr


def test_leave_waits_for_a_running_non_daemon_thread() -> None:
    done = _python(
        "import threading\n"
        "from pykro.__main__ import leave\n"
        "go = threading.Event()\n"
        "def work():\n"
        "    go.wait()\n"
        "    print('thread finished')\n"
        "threading.Thread(target=work).start()\n"
        "threading.Timer(0.1, go.set).start()\n"
        "leave(4)\n"
    )
    assert (done.returncode, done.stdout) == (4, "thread finished\n")


def test_the_cli_exit_status_goes_through() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pykro", "render", "no-such-file.py", "--rgd"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and "no-such-file.py" in done.stderr
