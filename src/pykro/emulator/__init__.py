"""pykro.emulator: a local Kubernetes API server (HTTPS, aiohttp) for lightkube, kubectl and kopf, with workload
simulation and fault injection. Start one with `LocalCluster` (or `pykro emulator start`)."""

from pykro.emulator.cluster import LocalCluster
from pykro.emulator.controller import ClusterAPI, Controller, WatchEvent
from pykro.emulator.requestinfo import RequestInfo, parse_request
from pykro.emulator.server import REQUEST_LOG, EmulatorConfig, create_app
from pykro.emulator.status import StatusError

__all__ = [
    "REQUEST_LOG",
    "ClusterAPI",
    "Controller",
    "EmulatorConfig",
    "LocalCluster",
    "RequestInfo",
    "StatusError",
    "WatchEvent",
    "create_app",
    "parse_request",
]
