"""Where the repository and the team's shared fixtures are: the one place tests and benchmarks learn it (no
imports beyond the standard library, so benchmarks can use it outside pytest)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["REPO", "SHARED"]

REPO = Path(__file__).resolve().parent.parent
SHARED = (REPO / ".." / "shared").resolve()  # the team's fixtures, used in place by relative path (never copied)
