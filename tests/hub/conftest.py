"""Fixtures for the hub tests: an emulator shared per module (Deployments named ``stuck*`` never get ready), a
unique namespace per test, and databases: an SQLite file always, PostgreSQL and MariaDB/MySQL when
PYKRO_TEST_POSTGRES_URL / PYKRO_TEST_MYSQL_URL name a server (``make databases`` starts both; those cases are
marked slow: ``make slow`` runs them)."""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa

from pykro.deploy import DeployOptions, RetryPolicy
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._simulation import Rule, SimulationRules
from pykro.hub import Hub

_names = itertools.count()
HERE = Path(__file__).resolve().parent
SERVERS = {"postgresql": "PYKRO_TEST_POSTGRES_URL", "mysql": "PYKRO_TEST_MYSQL_URL"}


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"pykro_hub_test_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def comps() -> ModuleType:
    return _load("compositions")


@pytest.fixture(scope="module")
def cluster_options() -> dict[str, Any]:
    """The hub tests' emulator (tests/conftest.py's `cluster`): Deployments named ``stuck*`` never get ready."""
    rules = SimulationRules(rules=[Rule(kind="Deployment", name="stuck*", outcome="never")])
    return {"bookmark_interval": 0.5, "rules": rules}


class Db:
    """A read-write handle on the test database (the hub reads it with its own read-only connections)."""

    def __init__(self, url: str, table: str) -> None:
        self.url = url
        self.table = table
        self.engine = sa.create_engine(url)

    def run(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text(sql.replace("{t}", self.table)), params)

    def nodes(self, *rows: tuple[str, bool | None, str | None, int]) -> None:
        """Create the nodes table (node_id, is_active, image, replicas) with ``rows``."""
        self.run(
            "CREATE TABLE {t} (node_id VARCHAR(63) PRIMARY KEY, is_active BOOLEAN, image VARCHAR(100), "
            "replicas INTEGER)"
        )
        for row in rows:
            self.add(*row)

    def add(self, uid: str, active: bool | None, image: str | None, replicas: int = 1) -> None:
        self.run(
            "INSERT INTO {t} (node_id, is_active, image, replicas) VALUES (:u, :a, :i, :r)",
            u=uid,
            a=active,
            i=image,
            r=replicas,
        )

    def drop(self) -> None:
        self.run("DROP TABLE IF EXISTS {t}")


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow), pytest.param("mysql", marks=pytest.mark.slow)]
)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """The nodes database: SQLite in tmp_path, or a fresh table on the PostgreSQL / MySQL server given."""
    kind = request.param
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'hub.db'}"
    else:
        url = os.environ.get(SERVERS[kind], "")
        if not url:
            pytest.skip(f"no {kind} server: set {SERVERS[kind]} (`make databases` starts one)")
    handle = Db(url, f"nodes_{os.getpid()}_{next(_names)}")
    try:
        yield handle
    finally:
        handle.drop()
        handle.engine.dispose()


@pytest.fixture
def namespace() -> str:
    return f"hub{next(_names)}"


class Make:
    def __init__(self, cluster: LocalCluster, namespace: str) -> None:
        self.cluster = cluster
        self.namespace = namespace

    def hub(self, db: Db, **kwargs: Any) -> Hub:
        kwargs.setdefault("table", db.table)
        kwargs.setdefault("uid", "node_id")
        kwargs.setdefault("active", "is_active")
        return Hub(
            "tenants",
            db.url,
            namespace=self.namespace,
            kubeconfig=self.cluster.kubeconfig_path,
            retry=RetryPolicy(base=0.01, cap=0.2, seed=1),
            options=DeployOptions(timeout=30),
            **kwargs,
        )


@pytest.fixture
def make(cluster: LocalCluster, namespace: str) -> Make:
    return Make(cluster, namespace)
