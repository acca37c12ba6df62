"""Where tests find tools/gotemplate-check (built by scripts/tools.sh build); skip without it, fail under CI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def checker_path() -> str:
    bindir = subprocess.run(
        [str(REPO / "scripts" / "tools.sh"), "bindir"], capture_output=True, text=True, check=True
    ).stdout.strip()
    found = Path(bindir) / "gotemplate-check"
    if found.is_file() and os.access(found, os.X_OK):
        return str(found)
    message = "gotemplate-check is not built: run scripts/tools.sh build (make test does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError("unreachable")
