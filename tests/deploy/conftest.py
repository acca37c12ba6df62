"""Helpers for the deploy tests (the emulator one module shares is tests/conftest.py's `cluster`): unique
namespaces, writes counted from the emulator's request log, and the objects carrying an instance's inventory labels
read from the emulator's store."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest

from pykro.deploy import DeployOptions, DirectFactory, NullReporter, RetryPolicy
from pykro.deploy import _inventory as inv
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._controller import ClusterAPI
from pykro.graph import Graph
from pykro.runtime import identity

WRITE_VERBS = frozenset({"create", "update", "patch", "apply", "delete", "deletecollection"})
COPIES = frozenset({"Endpoints", "EndpointSlice"})  # the endpoints controllers copy a Service's labels
_names = itertools.count()


class Kit:
    """Test helpers bound to one emulator (conftest modules cannot be imported under --import-mode=importlib)."""

    def __init__(self, cluster: LocalCluster) -> None:
        self.cluster = cluster

    @staticmethod
    def unique(prefix: str = "ns") -> str:
        return f"{prefix}{next(_names)}"

    def mark(self) -> int:
        return len(self.cluster.request_log())

    def writes(self, since: int = 0) -> list[tuple[str, str, str | None]]:
        """(verb, resource, name) of every write request served after log index ``since``."""
        log = self.cluster.request_log()[since:]
        return [(i.verb, i.resource, i.name) for _, i, _ in log if i.verb in WRITE_VERBS]

    def labelled(self, instance: str, namespace: str | None = None) -> list[dict[str, Any]]:
        """Every object in the emulator labelled as belonging to ``instance`` (any kind)."""
        cluster = self.cluster

        async def collect(api: ClusterAPI) -> list[dict[str, Any]]:
            out = []
            for _, obj in cluster.engine.store.all_objects():
                meta = obj.get("metadata") or {}
                if (meta.get("labels") or {}).get(inv.INSTANCE) != instance or obj.get("kind") in COPIES:
                    continue
                annotations = meta.get("annotations") or {}
                if namespace is None or annotations.get(inv.INSTANCE_NAMESPACE) == namespace:
                    out.append(copy.deepcopy(obj))
            return out

        return cluster.run(collect)

    def versions(self) -> dict[str, str]:
        """resourceVersion of every object in the emulator, by identity."""
        cluster = self.cluster

        async def collect(api: ClusterAPI) -> dict[str, str]:
            return {
                identity(o): str(o["metadata"].get("resourceVersion")) for _, o in cluster.engine.store.all_objects()
            }

        return cluster.run(collect)

    def direct(self, graph: Graph, namespace: str, **kwargs: Any) -> DirectFactory:
        kwargs.setdefault("reporter", NullReporter())
        kwargs.setdefault("retry", RetryPolicy(base=0.01, cap=0.2, seed=1))
        kwargs.setdefault("options", DeployOptions(timeout=60))
        return DirectFactory(graph, namespace=namespace, kubeconfig=self.cluster.kubeconfig_path, **kwargs)


@pytest.fixture
def kit(cluster: LocalCluster) -> Kit:
    return Kit(cluster)
