"""Fault and latency injection for the emulator: a `FaultPlan` of `Fault`s selected by verb, kind/resource, path,
namespace and name, applied by `FaultInjector.middleware` (an aiohttp middleware running inside authentication).
Faults add fixed or random latency, answer with an error `Status` (500, 503, 429 with Retry-After, 409, ...), or
end watch streams early (cleanly after N events / T ms, or cut in the middle of an event). Every random choice
comes from a per-fault generator seeded from the injector's seed, so the same seed and the same sequence of
requests give the same faults. Loadable from YAML (`--faults`):

    faults:
      - {verbs: [create, apply], kinds: [Deployment], error: 503, rate: 0.2}
      - {verbs: [list], error: 429, retry_after: 2, limit: 3}
      - {kinds: [pods/status], latency_ms: [5, 50]}
      - {verbs: [watch], kinds: [configmaps], watch: drop, after_events: 10}
      - {verbs: [watch], watch: expire, after_ms: 5000, rate: 0.5}
      - {path: /version, latency_ms: 100}
      - {verbs: [create], kinds: [Secret], disconnect: after, limit: 1}
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, NoReturn, cast

from aiohttp import web
from aiohttp.typedefs import Middleware

from pykro import _yamlio as yamlio
from pykro.emulator import _handlers as handlers
from pykro.emulator._requestinfo import RequestInfo, parse_request
from pykro.emulator._status import StatusError, qualified, status_body
from pykro.errors import ValidationError

__all__ = ["Disconnect", "Fault", "FaultInjector", "FaultPlan", "Injection", "error_response"]

WatchMode = Literal["drop", "expire", "truncate"]
Disconnect = Literal["before", "after"]
_CLEAN_ENDS = ("drop", "expire")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_MESSAGES = {
    409: "the object has been modified; please apply your changes to the latest version and try again",
    429: "Too many requests, please try again later.",
    500: "Internal error occurred: injected by the pykro emulator",
    503: "The server is currently unable to handle the request (injected by the pykro emulator)",
    504: "The server was unable to return a response in the time allotted (injected by the pykro emulator)",
}
_REASONS = {504: "Timeout"}  # the others come from the server's table (pykro.emulator._status)


_VERBS = ("get", "list", "watch", "create", "update", "patch", "apply", "delete", "deletecollection")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid(name: str, value: object, expected: str) -> NoReturn:
    raise ValidationError(f"`{name}` is {value!r}", where=f"fault.{name}", fix=f"Use {expected}.")


@dataclass(frozen=True)
class Fault:
    """One fault. Selection (all given criteria must hold; globs): `verbs` (get list watch create update patch apply
    delete deletecollection), `kinds` (a kind, a resource, or resource/subresource: "Deployment", "deployments",
    "pods/status"), `path` (the URL path; the only way to select non-resource requests such as /api),
    `namespace`, `name`. Effects, applied with probability `rate` and at most `limit` times: `latency_ms` (fixed,
    or (min, max) uniformly at random), `error` (HTTP status answered instead of running the request;
    `retry_after` seconds for 429), `watch` ("drop": end the stream cleanly, "expire": send the ERROR event
    "410 Expired" of a too old resourceVersion then end, "truncate": cut it mid-event and close the connection)
    after `after_events` events or `after_ms` milliseconds (default: after 1 event), `disconnect` (close the
    connection without an answer, "before" running the request or "after" it: the client cannot tell whether
    its write happened)."""

    verbs: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    path: str | None = None
    namespace: str | None = None
    name: str | None = None
    latency_ms: float | tuple[float, float] | None = None
    error: int | None = None
    rate: float = 1.0
    retry_after: int = 1
    watch: WatchMode | None = None
    disconnect: Disconnect | None = None
    after_events: int | None = None
    after_ms: float | None = None
    limit: int | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        """Checks every field now, so a wrong value stops the plan when it is made, not at the first request."""
        for name in ("verbs", "kinds"):
            value = getattr(self, name)
            if isinstance(value, list):
                value = tuple(value)
                object.__setattr__(self, name, value)  # a list from Python is fine; the fault stays hashable
            if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
                _invalid(name, value, f'a list of strings, e.g. {name}=("{"create" if name == "verbs" else "Pod"}",)')
        for verb in self.verbs:
            if not any(fnmatch.fnmatchcase(known, verb) for known in _VERBS):
                _invalid("verbs", verb, f"one of {', '.join(_VERBS)} (or a glob matching some)")
        for name in ("path", "namespace", "name", "message"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                _invalid(name, getattr(self, name), "a string")
        if isinstance(self.latency_ms, list):
            object.__setattr__(self, "latency_ms", tuple(self.latency_ms))
        latency = self.latency_ms
        if isinstance(latency, tuple):
            if len(latency) != 2 or not all(_number(v) for v in latency) or not 0 <= latency[0] <= latency[1]:
                _invalid("latency_ms", latency, "a number of milliseconds or a (min, max) range with 0 <= min <= max")
        elif latency is not None and not (_number(latency) and latency >= 0):
            _invalid("latency_ms", latency, "a number of milliseconds >= 0 or a (min, max) range")
        if self.error is not None and not (_integer(self.error) and 400 <= self.error <= 599):
            _invalid("error", self.error, "an HTTP error status from 400 to 599, e.g. 503")
        if not (_number(self.rate) and 0.0 <= self.rate <= 1.0):
            _invalid("rate", self.rate, "a probability between 0 and 1")
        if not (_integer(self.retry_after) and self.retry_after >= 0):
            _invalid("retry_after", self.retry_after, "a whole number of seconds >= 0")
        if self.watch is not None and self.watch not in ("drop", "expire", "truncate"):
            _invalid("watch", self.watch, "drop, expire or truncate")
        if self.disconnect is not None and self.disconnect not in ("before", "after"):
            _invalid("disconnect", self.disconnect, "before or after")
        for name in ("after_events", "limit"):
            value = getattr(self, name)
            if value is not None and not (_integer(value) and value >= 0):
                _invalid(name, value, "a whole number >= 0")
        if self.after_ms is not None and not (_number(self.after_ms) and self.after_ms >= 0):
            _invalid("after_ms", self.after_ms, "a number of milliseconds >= 0")
        if self.watch is None and (self.after_events is not None or self.after_ms is not None):
            field_name = "after_events" if self.after_events is not None else "after_ms"
            raise ValidationError(
                f"`{field_name}` is {getattr(self, field_name)!r}, but it applies only to a watch fault",
                where=f"fault.{field_name}",
                fix="Add watch: drop, expire or truncate.",
            )

    def matches(self, info: RequestInfo, path: str) -> bool:
        if self.path is not None and not fnmatch.fnmatchcase(path, self.path):
            return False
        if not info.is_resource_request:
            return self.path is not None and not (self.verbs or self.kinds or self.namespace or self.name)
        if self.watch is not None and info.verb != "watch":
            return False
        if self.disconnect == "after" and info.verb == "watch":  # a watch has no single answer to lose
            return False
        if self.verbs and info.verb not in self.verbs:
            return False
        if self.kinds:
            names = [info.resource] + ([info.kind] if info.kind else [])
            if info.subresource:
                names = [f"{info.resource}/{info.subresource}"]
            if not any(fnmatch.fnmatchcase(n, pattern) for n in names for pattern in self.kinds):
                return False
        if self.namespace is not None and not fnmatch.fnmatchcase(info.namespace or "", self.namespace):
            return False
        return self.name is None or fnmatch.fnmatchcase(info.name or "", self.name)


@dataclass
class FaultPlan:
    """An ordered list of faults; every matching fault applies (latencies add up, the first error wins)."""

    faults: list[Fault] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "faults") -> FaultPlan:
        unknown = [k for k in data if k != "faults"]
        if unknown:
            raise ValidationError(f"unknown key `{unknown[0]}`", where=where, fix="A fault plan has one key: faults.")
        items = data.get("faults") or []
        if not isinstance(items, list):
            raise ValidationError("`faults` must be a list", where=f"{where}.faults")
        return cls([_fault(item, f"{where}.faults[{i}]") for i, item in enumerate(items)])

    @classmethod
    def from_yaml(cls, text: str, where: str = "faults") -> FaultPlan:
        """A plan from YAML read as kubectl reads it (``2024-01-01`` and ``1:30`` stay text), with the depth and
        alias limits of every user file."""
        data = yamlio.load_user(text, where) or {}
        if not isinstance(data, Mapping):
            raise ValidationError("a fault plan must be a mapping with a `faults` list", where=where)
        return cls.from_dict(data, where)

    @classmethod
    def load(cls, path: str | Path) -> FaultPlan:
        """The plan of a YAML file (at most ``yamlio.MAX_FILE_BYTES`` of UTF-8)."""
        return cls.from_yaml(yamlio.read_user_file(path, what="faults file"), where=str(path))


def _fault(item: Any, where: str) -> Fault:
    if not isinstance(item, Mapping):
        raise ValidationError("each fault must be a mapping", where=where)
    yamlio.check_keys(item, [f.name for f in fields(Fault)], where)
    args: dict[str, Any] = {}
    for key, value in item.items():
        if key in ("verbs", "kinds"):
            value = (value,) if isinstance(value, str) else () if value is None else value
        if isinstance(value, list):
            value = tuple(value)
        args[key] = value
    try:
        return Fault(**args)
    except ValidationError as exc:  # `fault.rate` becomes the YAML path of the field
        field_where = where + (exc.where or "").removeprefix("fault")
        raise ValidationError(exc.what, where=field_where, fix=exc.fix) from None
    except TypeError as exc:
        raise ValidationError(f"invalid fault: {exc}", where=where) from None


@dataclass(frozen=True)
class Injection:
    """One injected fault, in order: `fault` is the index in the plan, `action` latency, error:CODE or
    watch-MODE, `value` the latency (ms) or status code or event count."""

    fault: int
    action: str
    verb: str
    path: str
    value: float


class FaultInjector:
    """Applies a `FaultPlan` to the emulator's requests; `counters` and `injections` say what it did."""

    def __init__(self, plan: FaultPlan | None = None, seed: int = 0) -> None:
        self.plan = plan if plan is not None else FaultPlan()
        self.seed = seed
        self._rngs = [random.Random(f"{seed}|{i}") for i in range(len(self.plan.faults))]
        self._fired = [0] * len(self.plan.faults)
        self.counters: Counter[str] = Counter()
        self.injections: list[Injection] = []

    @property
    def middleware(self) -> Middleware:
        @web.middleware
        async def fault_injection(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self._handle(request, handler)

        return fault_injection

    def _record(self, index: int, action: str, info: RequestInfo, path: str, value: float) -> None:
        self.counters[action] += 1
        self.injections.append(Injection(index, action, info.verb, path, value))

    async def _handle(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.plan.faults:
            return await handler(request)
        info = request.get(handlers.REQUEST_INFO)  # classified by the server, which also knows the kinds of CRDs
        if not isinstance(info, RequestInfo):
            info = parse_request(request.method, request.path, request.query, request.content_type)
        latency = 0.0
        error: Fault | None = None
        watch: Fault | None = None
        disconnect: Fault | None = None
        for i, fault in enumerate(self.plan.faults):
            if not fault.matches(info, request.path) or (fault.limit is not None and self._fired[i] >= fault.limit):
                continue
            rng = self._rngs[i]
            if fault.rate < 1.0 and rng.random() >= fault.rate:
                continue
            self._fired[i] += 1
            if fault.latency_ms is not None:
                lo, hi = fault.latency_ms if isinstance(fault.latency_ms, tuple) else (fault.latency_ms,) * 2
                ms = rng.uniform(lo, hi) if hi > lo else lo
                latency += ms
                self._record(i, "latency", info, request.path, ms)
            if fault.error is not None and error is None:
                error = fault
                self._record(i, f"error:{fault.error}", info, request.path, fault.error)
            if fault.watch is not None and watch is None and error is None:
                watch = fault
                self._record(i, f"watch-{fault.watch}", info, request.path, fault.after_events or 0)
            if fault.disconnect is not None and disconnect is None and error is None:
                disconnect = fault
                self._record(i, f"disconnect-{fault.disconnect}", info, request.path, 0)
        if latency:
            await asyncio.sleep(latency / 1000.0)
        if error is not None:
            return error_response(error, info)
        if disconnect is not None:
            if disconnect.disconnect == "after":
                await handler(request)  # the request takes effect; its answer is lost
            if request.transport is not None:
                request.transport.close()
            return _Ended(clean=False)
        if watch is not None:
            return await _cut_watch(request, handler, watch)
        return await handler(request)


def error_response(fault: Fault, info: RequestInfo) -> web.Response:
    """The apiserver's answer for an injected error: a `Status` body (and Retry-After for 429)."""
    code = cast(int, fault.error)
    message = fault.message or _MESSAGES.get(code, f"injected error {code}")
    details: dict[str, Any] | None = None
    headers: dict[str, str] = {}
    if info.is_resource_request:
        details = {"name": info.name, "group": info.group, "kind": info.resource} if info.name else {}
        if code == 409 and fault.message is None:
            message = (
                f'Operation cannot be fulfilled on {qualified(info.resource, info.group)} "{info.name}": {message}'
            )
    if code == 429:
        details = {**(details or {}), "retryAfterSeconds": fault.retry_after}
        headers["Retry-After"] = str(fault.retry_after)
    return handlers.error_response(StatusError(code, message, _REASONS.get(code), details, headers))


_EXPIRED = (
    json.dumps(
        {
            "type": "ERROR",
            "object": status_body(410, "too old resource version (injected by the pykro emulator)", "Expired"),
        }
    ).encode()
    + b"\n"
)


class _Ended(web.StreamResponse):
    """Stands for a watch response the injector has already finished on the wire: cleanly (the connection stays
    open for the next request) or cut (the connection is closed)."""

    def __init__(self, clean: bool) -> None:
        super().__init__()
        self.clean = clean

    @property
    def keep_alive(self) -> bool:
        return self.clean

    async def prepare(self, request: web.BaseRequest) -> None:
        return None

    async def write_eof(self, data: bytes = b"") -> None:
        return None


class _WatchCut:
    """Intercepts the body writes of one watch response to end it (drop) or cut it mid-event (truncate)."""

    def __init__(self, request: web.Request, fault: Fault) -> None:
        self.fault = fault
        self.writer = request._payload_writer
        self.original_write = self.writer.write
        self.original_eof = self.writer.write_eof
        self.cut = asyncio.Event()
        self.remaining: int | None = fault.after_events
        if self.remaining is None and fault.after_ms is None:
            self.remaining = 1
        self.truncate_next = False
        setattr(self.writer, "write", self.write)  # noqa: B010 - shadows the method for this request only
        setattr(self.writer, "write_eof", self.write_eof)  # noqa: B010

    async def end(self) -> None:
        if self.fault.watch == "expire":
            await self.original_write(_EXPIRED)
        if self.fault.watch in _CLEAN_ENDS:
            await self.original_eof()
        elif self.writer.transport is not None:
            self.writer.transport.close()
        self.cut.set()

    async def write(self, chunk: bytes | bytearray | memoryview, *args: Any, **kwargs: Any) -> None:
        if self.cut.is_set():
            return
        data = bytes(chunk)
        if self.truncate_next:
            await self.original_write(data[: max(1, len(data) // 2)])
            await self.end()
            return
        if self.remaining is None:
            await self.original_write(data)
            return
        pos = 0
        while self.remaining > 0:
            newline = data.find(b"\n", pos)
            if newline < 0:
                break
            pos, self.remaining = newline + 1, self.remaining - 1
        if self.remaining > 0:
            await self.original_write(data)
            return
        if pos:
            await self.original_write(data[:pos])
        if self.fault.watch in _CLEAN_ENDS:
            await self.end()
        elif pos < len(data):
            await self.original_write(data[pos : pos + max(1, (len(data) - pos) // 2)])
            await self.end()
        else:
            self.truncate_next = True

    async def write_eof(self, chunk: bytes = b"") -> None:
        if not self.cut.is_set():
            await self.original_eof(chunk)

    async def deadline(self) -> None:
        """`after_ms` has passed: end now, or truncate the next event."""
        if self.fault.watch in _CLEAN_ENDS:
            await self.end()
        else:
            self.truncate_next = True


async def _cut_watch(request: web.Request, handler: Handler, fault: Fault) -> web.StreamResponse:
    cutter = _WatchCut(request, fault)
    task = asyncio.ensure_future(handler(request))
    stop = asyncio.ensure_future(cutter.cut.wait())
    try:
        timeout = fault.after_ms / 1000.0 if fault.after_ms is not None else None
        done, _ = await asyncio.wait({task, stop}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if not done:
            await cutter.deadline()
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        if task.done() and not cutter.cut.is_set():
            return task.result()
        return _Ended(clean=fault.watch in _CLEAN_ENDS)
    finally:
        for pending in (task, stop):
            if not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await pending
