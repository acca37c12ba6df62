"""Helpers for the integration tests: the operators' CRDs from the shared fixtures, registered for schema checks
for one test only (the registry is restored after it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pykro.resources import kinds, register_crd

CRDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "crds"
OPERATOR_CRDS = [
    "cloudnative-pg/config/crd/bases/postgresql.cnpg.io_clusters.yaml",
    "cloudnative-pg/config/crd/bases/postgresql.cnpg.io_poolers.yaml",
    "valkey-operator/config/crd/bases/hyperspike.io_valkeys.yaml",
    "flux/helm-controller/config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml",
    "flux/source-controller/config/crd/bases/source.toolkit.fluxcd.io_helmrepositories.yaml",
]


@pytest.fixture
def operator_crds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The CNPG, Valkey and Flux CRDs registered (typed kinds, templates validated against their schemas)."""
    monkeypatch.setattr(kinds, "_crds", dict(kinds._crds))
    paths = [CRDS / p for p in OPERATOR_CRDS]
    for path in paths:
        register_crd(path)
    yield paths
