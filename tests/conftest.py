"""Fixtures for every test: the emulator one test module shares (`cluster`, configured by the module's `cluster`
marker). Helpers that are not fixtures live in tests/helpers.py (test modules cannot import conftest files)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the emulator (aiohttp) loads only when a test asks for a cluster
    from pykro.emulator._cluster import LocalCluster


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cluster(**options): LocalCluster options of the module's `cluster` fixture")


@pytest.fixture(scope="module")
def cluster_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The LocalCluster options of the module's `cluster`: workload simulation with default delays and a watch
    bookmark every 0.5 s, overridden by the module's marker (``pytestmark = pytest.mark.cluster(kro=True)``)."""
    marker = request.node.get_closest_marker("cluster")
    return {"bookmark_interval": 0.5, **(marker.kwargs if marker else {})}


@pytest.fixture(scope="module")
def cluster(cluster_options: dict[str, Any]) -> Iterator[LocalCluster]:
    """An emulator shared by one test module (options: `cluster_options`)."""
    from pykro.emulator._cluster import LocalCluster

    with LocalCluster(**cluster_options) as c:
        yield c
