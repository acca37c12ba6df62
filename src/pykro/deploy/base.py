"""What the direct and kro factories share: where to deploy (kubeconfig, context, namespace), how to report and
retry, the default options, and one cluster connection per operation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from pykro.deploy.api import Cluster
from pykro.deploy.engine import DeployOptions
from pykro.deploy.names import check_namespace
from pykro.deploy.progress import NullReporter, Reporter
from pykro.deploy.retry import RetryPolicy
from pykro.graph import Graph

T = TypeVar("T")


class FactoryBase:
    """Deploys instances of ``graph`` to one cluster (base of DirectFactory and KroFactory)."""

    mode = ""

    def __init__(
        self,
        graph: Graph,
        *,
        namespace: str | None = None,
        kubeconfig: str | Path | None = None,
        context: str | None = None,
        reporter: Reporter | None = None,
        status_model: type[BaseModel] | None = None,
        retry: RetryPolicy | None = None,
        options: DeployOptions | None = None,
    ) -> None:
        self.graph = graph
        self.kubeconfig = kubeconfig
        self.context = context
        self.reporter: Reporter = reporter or NullReporter()
        self.status_model = status_model
        self.retry = retry
        self.options = options or DeployOptions()
        self._namespace = check_namespace(namespace) if namespace is not None else None
        self.last_writes = 0

    def cluster(self) -> Cluster:
        return Cluster(kubeconfig=self.kubeconfig, context=self.context, namespace=self._namespace, retry=self.retry)

    async def _with(self, fn: Callable[[Cluster], Awaitable[T]]) -> T:
        """Run ``fn`` on a fresh connection, closed afterwards; ``last_writes`` counts what it wrote."""
        cluster = self.cluster()
        try:
            return await fn(cluster)
        finally:
            self.last_writes = cluster.writes
            await cluster.close()
