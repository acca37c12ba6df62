"""What one direct-mode deploy knows about the instance's objects (`Ledger`) and what every part of it reads
(`RunContext`). Object keys are identities ``apiVersion/kind/namespace/name``; resource ids are the graph's."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pykro.deploy import _inventory as inventory
from pykro.deploy._api import Cluster
from pykro.deploy._live import LiveSet
from pykro.deploy._options import DeployOptions
from pykro.graph import Graph
from pykro.graph._analysis import Node

if TYPE_CHECKING:
    from pykro.deploy._report import RunReport

__all__ = ["Ledger", "RunContext"]


@dataclass
class Ledger:
    """The bookkeeping of one deploy, shared by its parts."""

    desired_ids: dict[str, list[str]] = field(default_factory=dict)  # resource id -> keys it renders to now
    applied: dict[str, str] = field(default_factory=dict)  # key -> hash of what this deploy applied (or found)
    touched: dict[str, str] = field(default_factory=dict)  # key -> resource id, for objects of this instance
    before: set[str] = field(default_factory=set)  # keys that existed when the deploy began
    applied_at: dict[str, float] = field(default_factory=dict)  # resource id -> first apply (monotonic)
    snapshot: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> the object as it was, for rollback
    updated: set[str] = field(default_factory=set)  # keys of existing objects this deploy applied
    checked: set[str] = field(default_factory=set)  # keys whose ownership was checked
    inflight: dict[str, asyncio.Task[None]] = field(default_factory=dict)  # key -> its running apply


@dataclass
class RunContext:
    """What every part of one deploy reads: where and what it deploys, how, the live objects, the progress."""

    cluster: Cluster
    graph: Graph
    instance: dict[str, Any]
    ref: inventory.InstanceRef
    opts: DeployOptions
    mode: str
    live: LiveSet
    report: RunReport
    sem: asyncio.Semaphore

    @property
    def started(self) -> float:
        return self.report.started

    @property
    def nodes(self) -> dict[str, Node]:
        return self.graph.analysis.nodes
