"""The shared test fixtures (``../shared/fixtures`` beside the repository) that some benchmarks read."""

from __future__ import annotations

from pathlib import Path

from tests.paths import SHARED


def fixture_dir(*parts: str) -> Path:
    """The fixture directory ``shared/fixtures/<parts>``; stops the benchmark with a message naming it when it is
    missing (a benchmark over no fixtures would print figures that measure nothing)."""
    path = SHARED.joinpath("fixtures", *parts)
    if not path.is_dir():
        raise SystemExit(
            f"bench: the fixtures {path} are missing; this benchmark reads them from ../shared/fixtures beside the "
            "repository (check out or link the shared directory there)"
        )
    return path
