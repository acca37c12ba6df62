"""pytest plugin (entry point `pykro`): the `local_cluster` fixture (a fresh emulator per test) and
`local_cluster_session` (one emulator shared by a whole session)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the emulator (aiohttp) loads only when a test asks for a cluster
    from pykro.emulator._cluster import LocalCluster

__all__ = ["local_cluster", "local_cluster_session"]


@pytest.fixture
def local_cluster() -> Iterator[LocalCluster]:
    """A running emulator (workload simulation on) for one test."""
    from pykro.emulator._cluster import LocalCluster

    with LocalCluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def local_cluster_session() -> Iterator[LocalCluster]:
    """One running emulator shared by every test of the session (use distinct namespaces)."""
    from pykro.emulator._cluster import LocalCluster

    with LocalCluster() as cluster:
        yield cluster
