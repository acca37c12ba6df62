"""`LocalCluster`: the emulator in a background thread (its own event loop, an ephemeral loopback port), with a
kubeconfig file and ready-made lightkube clients — `with LocalCluster() as cluster: cluster.client()...`."""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import tempfile
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

from pykro.emulator._controller import ClusterAPI, Controller
from pykro.emulator._engine import Engine
from pykro.emulator._handlers import ENGINE
from pykro.emulator._server import (
    CLUSTER_API,
    CONTROLLERS,
    FAULT_INJECTOR,
    EmulatorConfig,
    LogEntry,
    create_app,
    listen,
    request_log_of,
)
from pykro.emulator._tls import ServingCert, self_signed

if TYPE_CHECKING:
    import lightkube

    from pykro.emulator._faults import FaultInjector, FaultPlan
    from pykro.emulator._simulation import SimulationRules, Simulator

__all__ = ["CONTEXT", "LocalCluster", "kubeconfig", "write_kubeconfig"]

T = TypeVar("T")
CONTEXT = "pykro-emulator"


def kubeconfig(server: str, token: str, ca_pem: bytes | None = None, namespace: str = "default") -> dict[str, Any]:
    """A kubeconfig for the emulator: one cluster (trusting its certificate), one token user, one context."""
    cluster: dict[str, Any] = {"server": server}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": cluster}],
        "users": [{"name": CONTEXT, "user": {"token": token}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": namespace}}],
        "current-context": CONTEXT,
        "preferences": {},
    }


def write_kubeconfig(path: Path, server: str, token: str, ca_pem: bytes | None = None) -> Path:
    """Write (or merge into ``path``) the emulator's kubeconfig: see `pykro.emulator._home.write_kubeconfig`."""
    from pykro.emulator._home import write_kubeconfig as write

    write(path, kubeconfig(server, token, ca_pem))
    return path


class LocalCluster:
    """A running emulator for tests and scripts; a context manager (start on enter, stop on exit)."""

    def __init__(
        self,
        *,
        simulate: bool = True,
        seed: int = 0,
        faults: FaultPlan | None = None,
        rules: SimulationRules | None = None,
        state_file: str | Path | None = None,
        state_fsync: bool = False,
        port: int = 0,
        kubeconfig_path: str | Path | None = None,
        controllers: list[Controller] | None = None,
        bookmark_interval: float = 5.0,
        tls: bool = True,
        kro: bool = False,
        operators: bool = False,
    ) -> None:
        if operators:  # the CRDs of the simulated operators (CloudNativePG, Flux, Valkey): see simulation.operators
            from pykro.emulator._simulation.operators import OperatorCRDs

            controllers = [*(controllers or []), OperatorCRDs()]
        if kro:  # the simulated KRO controller (a test double, see pykro.emulator._kro_double)
            from pykro.emulator._kro_double import SimulatedKro

            controllers = [*(controllers or []), SimulatedKro()]
        self.config = EmulatorConfig(
            port=port,
            seed=seed,
            state_file=Path(state_file) if state_file is not None else None,
            state_fsync=state_fsync,
            controllers=list(controllers or []),
            simulate=simulate,
            rules=rules,
            faults=faults,
            bookmark_interval=bookmark_interval,
        )
        self.token = self.config.token
        self.cert: ServingCert | None = self_signed(self.config.host) if tls else None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._kubeconfig_arg = Path(kubeconfig_path) if kubeconfig_path is not None else None
        self.kubeconfig_path = Path()
        self.server = ""
        self.app: web.Application | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def ca_pem(self) -> bytes | None:
        """The serving certificate (PEM) clients must trust, or None when serving plain HTTP."""
        return self.cert.cert_pem if self.cert is not None else None

    # lifecycle ------------------------------------------------------------------------------------------------
    def start(self) -> LocalCluster:
        if self._thread is not None:
            return self
        loop = asyncio.new_event_loop()
        ready: concurrent.futures.Future[int] = concurrent.futures.Future()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                port = loop.run_until_complete(self._serve())
            except BaseException as exc:
                ready.set_exception(exc)
                loop.close()
                return
            ready.set_result(port)
            loop.run_forever()
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=serve, name="pykro-emulator", daemon=True)
        self._thread.start()
        port = ready.result()
        scheme = "https" if self.cert is not None else "http"
        self.server = f"{scheme}://{self.config.host}:{port}"
        if self._kubeconfig_arg is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="pykro-emulator-")
            self.kubeconfig_path = Path(self._tmp.name) / "kubeconfig"
        else:
            self.kubeconfig_path = self._kubeconfig_arg
        write_kubeconfig(self.kubeconfig_path, self.server, self.token, self.ca_pem)
        return self

    async def _serve(self) -> int:
        self.app = create_app(self.config)
        ssl_context = self.cert.server_context() if self.cert is not None else None
        self._runner, port = await listen(self.app, self.config.host, self.config.port, ssl_context)
        return port

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        self._loop = self._thread = self._runner = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # access -------------------------------------------------------------------------------------------------------
    def _config(self) -> Any:
        from lightkube import KubeConfig

        return KubeConfig.from_dict(kubeconfig(self.server, self.token, self.ca_pem))

    def client(self, **kwargs: Any) -> lightkube.Client:
        """A synchronous lightkube client for this cluster (default namespace `default`)."""
        from lightkube import Client

        return Client(config=self._config(), **kwargs)

    def async_client(self, **kwargs: Any) -> lightkube.AsyncClient:
        from lightkube import AsyncClient

        return AsyncClient(config=self._config(), **kwargs)

    def request_log(self) -> list[LogEntry]:
        """Every request served so far: (monotonic time, RequestInfo, status code), in arrival order."""
        if self.app is None:
            return []
        return list(request_log_of(self.app))

    @property
    def engine(self) -> Engine:
        """The emulator's state (use from the emulator's thread only: see `run`)."""
        if self.app is None:
            raise RuntimeError("the LocalCluster is not started")
        return self.app[ENGINE]

    @property
    def simulator(self) -> Simulator | None:
        """The workload simulator (the one `simulate=True` adds, or one passed in `controllers`), or None."""
        from pykro.emulator._simulation import Simulator

        if self.app is None:
            raise RuntimeError("the LocalCluster is not started")
        return next((c for c in self.app[CONTROLLERS] if isinstance(c, Simulator)), None)

    @property
    def faults(self) -> FaultInjector | None:
        """The fault injector (None without a `faults` plan): `.counters` by action ("error:503", "latency",
        "watch-drop", ...) and `.injections`, every injected fault in order."""
        if self.app is None:
            raise RuntimeError("the LocalCluster is not started")
        return self.app[FAULT_INJECTOR]

    def settle(self, timeout: float = 600.0) -> None:
        """Block until the workload simulator has nothing left to do (`Simulator.settled`): every object has reached
        its outcome. `timeout` only guards against a hang (TimeoutError); it is not a readiness deadline."""
        simulator = self.simulator
        if simulator is None or self._loop is None:
            raise RuntimeError("this LocalCluster runs no workload simulator (simulate=False)")
        waiting = asyncio.run_coroutine_threadsafe(simulator.settled(), self._loop)
        try:
            waiting.result(timeout)
        except TimeoutError:
            waiting.cancel()
            raise

    def run(self, fn: Callable[[ClusterAPI], Awaitable[T]]) -> T:
        """Run `fn(api)` on the emulator's loop with the in-process ClusterAPI and return its result."""
        if self._loop is None or self.app is None:
            raise RuntimeError("the LocalCluster is not started")
        api = self.app[CLUSTER_API]

        async def call() -> T:
            return await fn(api)

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result()
