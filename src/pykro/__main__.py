"""`python -m pykro` and the `pykro` command: run the CLI (`pykro.cli.main.main`), then end the process without
tearing the interpreter down (freeing every module and object costs a command ~15% of its time, and nothing
depends on it once the command is done)."""

from __future__ import annotations

import atexit
import os
import sys
import threading

from pykro.cli.main import main


def run() -> None:
    """The console script: `main`, then `leave` with its exit status."""
    try:
        main()
    except SystemExit as exc:
        leave(exc.code)
    leave(0)


def leave(code: str | int | None) -> None:
    """Exit with ``code`` (SystemExit's meaning: None is 0, an int itself, anything else printed and 1) as the
    interpreter would, minus the teardown: atexit callbacks run and stdout/stderr are flushed first. While another
    non-daemon thread runs, the interpreter's own exit waits for it as usual."""
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`pykro ... | head`): status 120, as Python gives
            status = status or 120
    os._exit(status)


if __name__ == "__main__":
    run()
