"""Deploying graphs: `factory(source, mode)` returns a `DirectFactory` (pykro applies the graph itself, in
dependency order, following readiness with watches) or a `KroFactory` (the RGD and the instance go to a cluster
running kro)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from pykro.deploy.diffs import Diff, DiffEntry
from pykro.deploy.direct import DirectFactory
from pykro.deploy.errors import (
    ApiFailure,
    ClusterUnreachable,
    DeployError,
    OwnershipConflict,
    ReadinessTimeout,
    ResourceFailed,
)
from pykro.deploy.handle import Instance, InstanceInfo, StatusView
from pykro.deploy.lock import InstanceLocked
from pykro.deploy.options import DeployOptions
from pykro.deploy.progress import JsonReporter, NullReporter, PlainReporter, ProgressEvent, Reporter, reporter_for
from pykro.deploy.retry import RetryPolicy
from pykro.errors import PykroError
from pykro.graph import Graph

Mode = Literal["direct", "kro"]


def graph_of(source: Any) -> Graph:
    """The Graph of a Graph, a composition (anything with a ``.graph``), or an RGD file path."""
    if isinstance(source, Graph):
        return source
    graph = getattr(source, "graph", None)
    if isinstance(graph, Graph):
        return graph
    if isinstance(source, str | Path):
        return Graph.from_file(str(source))
    raise PykroError(
        f"cannot deploy a {type(source).__name__}",
        fix="Pass a pykro Graph, a composition, or the path of an RGD YAML file.",
    )


def _model(source: Any, *attrs: str) -> type[BaseModel] | None:
    for attr in attrs:
        model = getattr(source, attr, None)
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model
    return None


def factory(
    source: Any,
    mode: Mode = "direct",
    *,
    namespace: str | None = None,
    kubeconfig: str | Path | None = None,
    context: str | None = None,
    **kwargs: Any,
) -> DirectFactory | KroFactory:
    """A factory deploying instances of ``source`` (a Graph, a composition or an RGD path) in ``mode``."""
    graph = graph_of(source)
    kwargs.setdefault("status_model", _model(source, "status_model", "status_type"))
    kwargs.setdefault("spec_model", _model(source, "spec_model"))
    if mode == "direct":
        return DirectFactory(graph, namespace=namespace, kubeconfig=kubeconfig, context=context, **kwargs)
    if mode == "kro":
        return KroFactory(graph, namespace=namespace, kubeconfig=kubeconfig, context=context, **kwargs)
    raise PykroError(f"unknown deploy mode {mode!r}", fix='Use mode="direct" or mode="kro".')


from pykro.deploy.kro import KroFactory  # noqa: E402  (kro.py imports from this package)

__all__ = [
    "ApiFailure",
    "ClusterUnreachable",
    "DeployError",
    "DeployOptions",
    "Diff",
    "DiffEntry",
    "DirectFactory",
    "Instance",
    "InstanceInfo",
    "InstanceLocked",
    "JsonReporter",
    "KroFactory",
    "NullReporter",
    "OwnershipConflict",
    "PlainReporter",
    "ProgressEvent",
    "ReadinessTimeout",
    "Reporter",
    "ResourceFailed",
    "RetryPolicy",
    "StatusView",
    "factory",
    "graph_of",
    "reporter_for",
]
