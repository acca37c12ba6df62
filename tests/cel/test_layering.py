"""pykro.cel is the bottom layer: importing it loads neither pykro.schema nor pykro.authoring, and the composition
escape hatch (pykro.cel.expr/has/default/concat/dyn) is registered by pykro.authoring when that is imported."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_cel_imports_no_upper_layer() -> None:
    out = _run(
        "import sys, pykro.cel, pykro.cel._template, pykro.cel._library.runtime\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pykro.schema', 'pykro.authoring', 'pykro.graph'))))"
    )
    assert out == "[]"


def test_escape_hatch_is_registered_by_authoring() -> None:
    out = _run(
        "from pykro import cel\n"
        "try:\n    cel.has\nexcept AttributeError as exc:\n    print(exc)\n"
        "from pykro import composition\n"
        "from pykro.authoring import _escape as escape\n"
        "print(all(getattr(cel, n) is getattr(escape, n) for n in ('has', 'expr', 'default', 'concat', 'dyn')))"
    )
    first, second = out.splitlines()
    assert "import pykro.authoring" in first
    assert second == "True"
