"""The emulator's aiohttp application: `EmulatorConfig`, `create_app`, bearer-token authentication, the
in-memory request log, controller lifecycle and optional state persistence."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from pykro.emulator import _handlers as handlers
from pykro.emulator._clusterapi import EngineAPI
from pykro.emulator._controller import ClusterAPI, Controller
from pykro.emulator._engine import Engine
from pykro.emulator._handlers import BOOKMARK_INTERVAL, ENGINE, REQUEST_INFO
from pykro.emulator._persistence import Journal, StateLock, load
from pykro.emulator._requestinfo import RequestInfo, parse_request
from pykro.emulator._status import StatusError

if TYPE_CHECKING:
    from pykro.emulator._faults import FaultInjector, FaultPlan
    from pykro.emulator._simulation import SimulationRules

__all__ = [
    "CLUSTER_API",
    "CONTROLLERS",
    "FAULT_INJECTOR",
    "EmulatorConfig",
    "LogEntry",
    "create_app",
    "listen",
    "request_log_of",
]

LogEntry = tuple[float, RequestInfo, int]

REQUEST_LOG: web.AppKey[list[LogEntry]] = web.AppKey("request_log", list)
CLUSTER_API: web.AppKey[ClusterAPI] = web.AppKey("cluster_api", EngineAPI)
CONTROLLERS: web.AppKey[list[Controller]] = web.AppKey("controllers", list)
FAULT_INJECTOR: web.AppKey[FaultInjector | None] = web.AppKey("fault_injector")
_PUBLIC = frozenset({"/healthz", "/livez", "/readyz", "/version"})


@dataclass
class EmulatorConfig:
    """How to run the emulator. `simulate` adds the workload `Simulator(rules, seed)`; `faults` adds the
    `FaultInjector(faults, seed)` middleware; `controllers` and `middlewares` are extra ones (middlewares run
    inside authentication)."""

    host: str = "127.0.0.1"
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    seed: int = 0
    state_file: Path | None = None
    state_fsync: bool = False  # sync each write to disk before answering it (not only write it to the file)
    controllers: list[Controller] = field(default_factory=list)
    middlewares: list[Middleware] = field(default_factory=list)
    simulate: bool = True
    request_log: bool = True
    rules: SimulationRules | None = None
    faults: FaultPlan | None = None
    bookmark_interval: float = 5.0


def _auth_middleware(token: str) -> Middleware:
    expected = f"Bearer {token}"

    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path not in _PUBLIC and not secrets.compare_digest(
            request.headers.get("Authorization", ""), expected
        ):
            return handlers.error_response(StatusError(401, "Unauthorized"))
        return await handler(request)

    return authenticate


def _log_middleware(engine: Engine, log: list[LogEntry] | None) -> Middleware:
    @web.middleware
    async def classify(request: web.Request, handler: Handler) -> web.StreamResponse:
        info = parse_request(
            request.method,
            request.path,
            request.query,
            request.headers.get("Content-Type"),
            resolve_kind=engine.registry.resolve_kind,
        )
        request[REQUEST_INFO] = info
        code = 500
        try:
            response = await handler(request)
            code = response.status
            return response
        except web.HTTPException as exc:
            code = exc.status
            raise
        except asyncio.CancelledError:
            code = 499  # the client closed its connection before the answer (nginx's "client closed request")
            raise
        finally:
            if log is not None and not request.get(_LOGGED, False):
                log.append((time.monotonic(), info, code))

    return classify


_LOGGED: web.RequestKey[bool] = web.RequestKey("logged", bool)


def _log_streams(log: list[LogEntry]) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """A streamed answer (a watch) is logged when its headers go out, not when the stream ends: the log is in the
    order requests were answered, and a watch closed long after does not appear among later requests."""

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        info = request.get(REQUEST_INFO)
        if info is not None and info.verb == "watch" and not request.get(_LOGGED, False):
            request[_LOGGED] = True
            log.append((time.monotonic(), info, response.status))

    return on_prepare


def _durable_middleware(journal: list[Journal]) -> Middleware:
    """With persistence, a response leaves only once the writes made before it are on disk."""

    @web.middleware
    async def durable(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if journal and journal[0].behind() and not response.prepared:
            try:
                await journal[0].wait()
            except StatusError as err:
                return handlers.error_response(err)
        return response

    return durable


def _controllers(config: EmulatorConfig) -> list[Controller]:
    found = list(config.controllers)
    if config.simulate:
        from pykro.emulator._simulation import Simulator

        found.insert(0, Simulator(config.rules, config.seed))
    return found


def create_app(config: EmulatorConfig) -> web.Application:
    """Build the application; objects live in `app[ENGINE]`, requests are logged in `app[REQUEST_LOG]`, the running
    controllers are `app[CONTROLLERS]` and the fault injector (None without `faults`) is `app[FAULT_INJECTOR]`."""
    engine = Engine(seed=config.seed)
    log: list[LogEntry] | None = [] if config.request_log else None
    journal: list[Journal] = []
    middlewares: list[Middleware] = [
        _log_middleware(engine, log),
        _auth_middleware(config.token),
        _durable_middleware(journal),
    ]
    injector: FaultInjector | None = None
    if config.faults is not None:
        from pykro.emulator._faults import FaultInjector

        injector = FaultInjector(config.faults, config.seed)
        middlewares.append(injector.middleware)
    middlewares.extend(config.middlewares)
    app = web.Application(middlewares=middlewares, client_max_size=64 * 1024**2)
    app[ENGINE] = engine
    app[REQUEST_LOG] = log if log is not None else []
    if log is not None:
        app.on_response_prepare.append(_log_streams(log))
    app[BOOKMARK_INTERVAL] = config.bookmark_interval
    api = EngineAPI(engine)
    app[CLUSTER_API] = api
    controllers = _controllers(config)
    app[CONTROLLERS] = controllers
    app[FAULT_INJECTOR] = injector
    tasks: list[asyncio.Task[None]] = []
    lock: list[StateLock] = []

    async def startup(app: web.Application) -> None:
        if config.state_file is not None:
            held = StateLock(config.state_file)
            try:
                last = await asyncio.get_running_loop().run_in_executor(None, load, engine, config.state_file)
                journal.append(Journal(engine, config.state_file, last, fsync=config.state_fsync))
            except BaseException:
                held.release(remove=True)
                raise
            lock.append(held)
        engine.bootstrap()
        for c in controllers:
            tasks.append(asyncio.create_task(c.run(api), name=f"controller:{c.name}"))

    async def shutdown(app: web.Application) -> None:
        for watchers in engine.store.watchers.values():
            for w in watchers:
                w.queue.put_nowait(None)

    async def cleanup(app: web.Application) -> None:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        for j in journal:
            j.close()  # on the loop: nothing may append meanwhile (shutting down, so blocking is fine)
        for held in lock:
            held.release()

    app.on_startup.append(startup)
    app.on_shutdown.append(shutdown)
    app.on_cleanup.append(cleanup)
    _routes(app)
    return app


def _routes(app: web.Application) -> None:
    r = app.router
    for path in ("/healthz", "/livez", "/readyz"):
        r.add_get(path, handlers.health)
        r.add_get(path + "/{check:.*}", handlers.health)
    r.add_get("/version", handlers.version)
    r.add_get("/api", handlers.core_versions)
    r.add_get("/apis", handlers.groups)
    r.add_get("/api/{version}", handlers.resource_list)
    r.add_get("/apis/{group}", handlers.group)
    r.add_get("/apis/{group}/{version}", handlers.resource_list)
    r.add_get("/openapi/v2", handlers.openapi_v2)
    r.add_get("/openapi/v3", handlers.openapi_v3)
    r.add_get("/openapi/v3/{path:.+}", handlers.openapi_v3_gv)
    r.add_route("*", "/api/{version}/{rest:.+}", handlers.resource)
    r.add_route("*", "/apis/{group}/{version}/{rest:.+}", handlers.resource)


def request_log_of(app: web.Application) -> list[LogEntry]:
    return app[REQUEST_LOG]


async def listen(
    app: web.Application, host: str, port: int, ssl_context: ssl.SSLContext | None
) -> tuple[web.AppRunner, int]:
    """Start serving `app` (startup hooks run here); returns the runner and the bound port. A handler whose client
    closes its connection is cancelled (as the apiserver stops serving it): a hung-up watch unsubscribes at once
    instead of lingering until a write to it fails."""
    runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context)
    await site.start()
    return runner, int(runner.addresses[0][1])
