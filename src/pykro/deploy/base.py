"""What the direct and kro factories share: where to deploy (kubeconfig, context, namespace), how to report and
retry, the default options, and one cluster connection per operation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from pykro.deploy.api import Cluster
from pykro.deploy.engine import DeployOptions
from pykro.deploy.names import check_namespace
from pykro.deploy.progress import NullReporter, RedactingReporter, Reporter
from pykro.deploy.retry import RetryPolicy
from pykro.errors import PykroError
from pykro.graph import Graph
from pykro.graph.secrets import Redactor
from pykro.runtime import expand

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
        spec_model: type[BaseModel] | None = None,
        retry: RetryPolicy | None = None,
        options: DeployOptions | None = None,
    ) -> None:
        self.graph = graph
        self.kubeconfig = kubeconfig
        self.context = context
        self.redactor = Redactor()
        self.redactor.learn_graph(graph)
        self.reporter: Reporter = RedactingReporter(reporter or NullReporter(), self.redactor)
        self.status_model = status_model
        self.spec_model = spec_model  # a composition's: its Python field names are accepted in specs
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
        except PykroError as exc:
            raise self.redactor.error(exc) from exc.__cause__
        finally:
            self.last_writes = cluster.writes
            await cluster.close()

    def _learn(self, instance: dict[str, Any]) -> None:
        """Remember the secret values of an instance (its secret spec fields and the Secrets it renders to before
        observing anything) so that no error, progress line or status shows them."""
        self.redactor.learn_spec(self.graph, instance.get("spec") or {})
        try:
            states = expand(self.graph, instance, {}).states.values()
        except PykroError:
            return
        for st in states:
            for obj in st.objects:
                self.redactor.learn_object(obj)

    def _redact_status(self, status: dict[str, Any]) -> dict[str, Any]:
        """A status with known secret values masked (a status expression may echo a secret field)."""

        def walk(value: Any) -> Any:
            if isinstance(value, str):
                return self.redactor.text(value)
            if isinstance(value, dict):
                return {k: walk(v) for k, v in value.items()}
            if isinstance(value, list):
                return [walk(v) for v in value]
            return value

        out: dict[str, Any] = walk(status)
        return out
