"""pykro.emulator: a local Kubernetes API server (HTTPS, aiohttp) for lightkube, kubectl and kopf, with workload
simulation and fault injection. Start one with `LocalCluster` (or `pykro emulator start`).

The names below load on first use, so that importing a light submodule (``pykro.emulator.home``) does not pull
in aiohttp and the whole server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pykro._lazy import lazy_getattr

if TYPE_CHECKING:
    from pykro.emulator.cluster import LocalCluster
    from pykro.emulator.controller import ClusterAPI, Controller, WatchEvent
    from pykro.emulator.faults import Fault, FaultPlan
    from pykro.emulator.server import EmulatorConfig
    from pykro.emulator.simulation import Rule, SimulationRules
    from pykro.emulator.status import StatusError

_LAZY = {
    "ClusterAPI": "pykro.emulator.controller",
    "Controller": "pykro.emulator.controller",
    "EmulatorConfig": "pykro.emulator.server",
    "Fault": "pykro.emulator.faults",
    "FaultPlan": "pykro.emulator.faults",
    "LocalCluster": "pykro.emulator.cluster",
    "Rule": "pykro.emulator.simulation",
    "SimulationRules": "pykro.emulator.simulation",
    "StatusError": "pykro.emulator.status",
    "WatchEvent": "pykro.emulator.controller",
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
