"""Shared test helpers: paths to the team's shared fixtures (used by relative path, never copied)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = (REPO / ".." / "shared").resolve()
KRO_FIXTURES = SHARED / "fixtures" / "kro"
CHAINSAW = KRO_FIXTURES / "test" / "e2e" / "chainsaw"
RGD_CRD = KRO_FIXTURES / "helm" / "crds" / "kro.run_resourcegraphdefinitions.yaml"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared directory is missing: expected it at {SHARED}")
    return SHARED
