"""pykro.emulator: a local Kubernetes API server (HTTPS, aiohttp) for lightkube, kubectl and kopf, with workload
simulation and fault injection. Start one with `LocalCluster` (or `pykro emulator start`).

The names below load on first use, so that importing a light submodule (``pykro.emulator._home``) does not pull
in aiohttp and the whole server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pykro._lazy import lazy_getattr

if TYPE_CHECKING:
    from pykro.emulator._cluster import LocalCluster
    from pykro.emulator._controller import ClusterAPI, Controller, WatchEvent
    from pykro.emulator._faults import Fault, FaultPlan
    from pykro.emulator._server import EmulatorConfig
    from pykro.emulator._simulation import Rule, SimulationRules
    from pykro.emulator._status import StatusError

_LAZY = {
    "ClusterAPI": "pykro.emulator._controller",
    "Controller": "pykro.emulator._controller",
    "EmulatorConfig": "pykro.emulator._server",
    "Fault": "pykro.emulator._faults",
    "FaultPlan": "pykro.emulator._faults",
    "LocalCluster": "pykro.emulator._cluster",
    "Rule": "pykro.emulator._simulation",
    "SimulationRules": "pykro.emulator._simulation",
    "StatusError": "pykro.emulator._status",
    "WatchEvent": "pykro.emulator._controller",
}

__all__ = [
    "ClusterAPI",
    "Controller",
    "EmulatorConfig",
    "Fault",
    "FaultPlan",
    "LocalCluster",
    "Rule",
    "SimulationRules",
    "StatusError",
    "WatchEvent",
]


if not TYPE_CHECKING:  # to a type checker the names are the imports above
    __getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return list(__all__)
