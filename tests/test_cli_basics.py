"""The `pykro` command exists, reports its version and turns user errors into one paragraph."""

from __future__ import annotations

import subprocess
import sys

import pykro
from pykro.errors import PykroError


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pykro", *args], capture_output=True, text=True, check=False)


def test_version() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"pykro {pykro.__version__}"


def test_error_renders_what_where_fix() -> None:
    err = PykroError("unknown field 'replicaz'", where="app.yaml:3", fix="Did you mean 'replicas'?")
    assert str(err) == "app.yaml:3: unknown field 'replicaz'. Did you mean 'replicas'?"
