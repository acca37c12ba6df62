"""`FactoryBase`, the interface of the direct and kro factories (deploy, status, instances, diff, delete, each
async with a synchronous twin) and what they share: where to deploy (kubeconfig, context, namespace), how to
report and retry, the default options, and one cluster connection per operation. `FactoryOptions` names the
keywords every factory takes, for `pykro.deploy.factory`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ClassVar, TypedDict, TypeVar, Unpack

from pydantic import BaseModel

from pykro.deploy._api import Cluster
from pykro.deploy._diffs import Diff
from pykro.deploy._handle import Instance, InstanceInfo
from pykro.deploy._names import check_namespace
from pykro.deploy._options import DeployOptions, OnFailure
from pykro.deploy._progress import NullReporter, RedactingReporter, Reporter
from pykro.deploy._retry import RetryPolicy
from pykro.deploy._sync import run_sync
from pykro.errors import PykroError
from pykro.graph import Graph
from pykro.graph._secrets import Redactor
from pykro.graph._templates import check_object
from pykro.runtime import expand

__all__ = ["DeployKeywords", "FactoryBase", "FactoryOptions"]

T = TypeVar("T")


class FactoryOptions(TypedDict, total=False):
    """The keywords of every factory besides the graph (see `FactoryBase`)."""

    namespace: str | None
    kubeconfig: str | Path | None
    context: str | None
    reporter: Reporter | None
    status_model: type[BaseModel] | None
    spec_model: type[BaseModel] | None
    retry: RetryPolicy | None
    options: DeployOptions | None


class DeployKeywords(TypedDict, total=False):
    """The keywords of `FactoryBase.adeploy`, for its synchronous twin."""

    name: str | None
    timeout: float | None
    resource_timeout: float | None
    wait: bool | None
    on_failure: OnFailure | None
    force_conflicts: bool | None
    switch_mode: bool


class FactoryBase(ABC):
    """Deploys instances of ``graph`` to one cluster (base of DirectFactory and KroFactory)."""

    mode: ClassVar[str]

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
        self.shared: Cluster | None = None

    def cluster(self) -> Cluster:
        return Cluster(kubeconfig=self.kubeconfig, context=self.context, namespace=self._namespace, retry=self.retry)

    async def _with(self, fn: Callable[[Cluster], Awaitable[T]]) -> T:
        """Run ``fn`` on a fresh connection, closed afterwards; ``last_writes`` counts what it wrote. With a
        ``shared`` connection (set by a caller running many operations at once, e.g. a hub's sync; that caller
        closes it), ``fn`` runs on it instead and ``last_writes`` is not kept."""
        cluster = self.shared or self.cluster()
        try:
            return await fn(cluster)
        except PykroError as exc:
            raise self.redactor.error(exc) from exc.__cause__
        finally:
            if cluster is not self.shared:
                self.last_writes = cluster.writes
                await cluster.close()

    def _learn(self, instance: dict[str, Any]) -> None:
        """Remember the secret values of an instance (its secret spec fields and the Secrets it renders to before
        observing anything) so that no error, progress line or status shows them; and check the objects the spec
        alone decides (e.g. a negative replicas from ``--set``) before anything is written."""
        self.redactor.learn_spec(self.graph, instance.get("spec") or {})
        try:
            states = list(expand(self.graph, instance, {}).states.values())
        except PykroError:
            return
        for st in states:
            for obj in st.objects:
                self.redactor.learn_object(obj)
        for st in states:  # what the spec alone decides is checked as the API server would, before any write
            for obj in st.objects:
                check_object(obj, f"{obj.get('kind')} {(obj.get('metadata') or {}).get('name')}")

    def _redact_status(self, status: dict[str, Any]) -> dict[str, Any]:
        """A status with known secret values masked (a status expression may echo a secret field)."""
        out: dict[str, Any] = self.redactor.data(status)
        return out

    # ------------------------------------------------------------------------------------------ the operations
    @abstractmethod
    async def adeploy(self, spec: Any, **options: Unpack[DeployKeywords]) -> Instance:
        """Deploy (or update) one instance and wait until it is ready; returns it with its hydrated status.
        Every factory takes at least the `DeployKeywords` (``name``, ``timeout``, ``resource_timeout``,
        ``wait``, ``on_failure``, ``force_conflicts``), each None for the factory's default, and ``switch_mode``
        (move an instance deployed in the other mode: see `pykro.deploy._modes`)."""

    @abstractmethod
    async def astatus(self, name: str) -> Instance:
        """The instance ``name`` as it is now."""

    @abstractmethod
    async def ainstances(self) -> list[InstanceInfo]:
        """The instances of this graph in the namespace."""

    @abstractmethod
    async def adiff(self, spec: Any, *, name: str | None = None) -> Diff:
        """What a deploy of ``spec`` would change, without writing anything."""

    @abstractmethod
    async def adelete(self, name: str, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """Delete the instance and wait until it is gone; returns the objects kept (Retain)."""

    def deploy(self, spec: Any, **options: Unpack[DeployKeywords]) -> Instance:
        """Synchronous `adeploy` (the same keywords)."""
        return run_sync(self.adeploy(spec, **options))

    def status(self, name: str) -> Instance:
        """Synchronous `astatus`."""
        return run_sync(self.astatus(name))

    def instances(self) -> list[InstanceInfo]:
        """Synchronous `ainstances`."""
        return run_sync(self.ainstances())

    def diff(self, spec: Any, *, name: str | None = None) -> Diff:
        """Synchronous `adiff`."""
        return run_sync(self.adiff(spec, name=name))

    def delete(self, name: str, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """Synchronous `adelete`."""
        return run_sync(self.adelete(name, timeout=timeout))
