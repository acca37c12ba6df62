"""Deploying graphs: `factory(source, mode)` returns a `DirectFactory` (pykro applies the graph itself, in
dependency order, following readiness with watches) or a `KroFactory` (the RGD and the instance go to a cluster
running kro)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Unpack, overload

from pydantic import BaseModel

from pykro import _lazy
from pykro.deploy._base import FactoryBase, FactoryOptions
from pykro.deploy._diffs import Diff, DiffEntry
from pykro.deploy._direct import DirectFactory
from pykro.deploy._errors import (
    ApiFailure,
    ClusterUnreachable,
    DeployError,
    OwnershipConflict,
    ReadinessTimeout,
    ResourceFailed,
)
from pykro.deploy._handle import Instance, InstanceInfo, StatusView
from pykro.deploy._lock import InstanceLocked
from pykro.deploy._options import DeployOptions
from pykro.deploy._progress import JsonReporter, NullReporter, PlainReporter, ProgressEvent, Reporter, reporter_for
from pykro.deploy._retry import RetryPolicy
from pykro.errors import PykroError
from pykro.graph import Graph

if TYPE_CHECKING:
    from pykro.deploy._kro import KroFactory

# Imported on first use: a direct-mode deploy (the default, and what `pykro deploy` runs) does not load kro mode.
_LAZY = {"KroFactory": "pykro.deploy._kro"}

if not TYPE_CHECKING:
    __getattr__ = _lazy.lazy_getattr(__name__, _LAZY)

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


@overload
def factory(source: Any, mode: Literal["direct"] = "direct", **options: Unpack[FactoryOptions]) -> DirectFactory: ...


@overload
def factory(source: Any, mode: Literal["kro"], **options: Unpack[FactoryOptions]) -> KroFactory: ...


@overload
def factory(source: Any, mode: Mode, **options: Unpack[FactoryOptions]) -> DirectFactory | KroFactory: ...


def factory(source: Any, mode: Mode = "direct", **options: Unpack[FactoryOptions]) -> DirectFactory | KroFactory:
    """A factory deploying instances of ``source`` (a Graph, a composition or an RGD path) in ``mode``; the
    keywords are those of `FactoryOptions` (the composition's status and spec models unless given)."""
    graph = graph_of(source)
    options.setdefault("status_model", _model(source, "status_model", "status_type"))
    options.setdefault("spec_model", _model(source, "spec_model"))
    if mode == "direct":
        return DirectFactory(graph, **options)
    if mode == "kro":
        from pykro.deploy._kro import KroFactory

        return KroFactory(graph, **options)
    raise PykroError(f"unknown deploy mode {mode!r}", fix='Use mode="direct" or mode="kro".')


__all__ = [
    "ApiFailure",
    "ClusterUnreachable",
    "DeployError",
    "DeployOptions",
    "Diff",
    "DiffEntry",
    "DirectFactory",
    "FactoryBase",
    "FactoryOptions",
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
