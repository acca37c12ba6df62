"""HTTP handlers of the emulated apiserver: discovery, OpenAPI, health, and every resource verb (with watch
streaming). Errors leave as `kind: Status` bodies with the apiserver's codes."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import payload, web
from aiohttp.abc import AbstractStreamWriter

from pykro import _yamlio as yamlio
from pykro._kube import ResourceType
from pykro.emulator import _discovery as discovery
from pykro.emulator import _protobuf as protobuf
from pykro.emulator import _tables as tables
from pykro.emulator._engine import Engine, ListResult, WriteOptions
from pykro.emulator._requestinfo import APPLY_CONTENT_TYPE, RequestInfo
from pykro.emulator._selectors import (
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
)
from pykro.emulator._status import StatusError, status_body
from pykro.emulator._store import Change, dumps

__all__ = [
    "BOOKMARK_INTERVAL",
    "ENGINE",
    "REQUEST_INFO",
    "core_versions",
    "dumps",
    "error_response",
    "group",
    "groups",
    "health",
    "openapi_v3",
    "openapi_v3_gv",
    "resource",
    "resource_list",
    "respond",
    "version",
]

log = logging.getLogger(__name__)
ENGINE: web.AppKey[Engine] = web.AppKey("engine", Engine)
BOOKMARK_INTERVAL: web.AppKey[float] = web.AppKey("bookmark_interval", float)
REQUEST_INFO: web.RequestKey[RequestInfo] = web.RequestKey("requestinfo", RequestInfo)
_JSON = "application/json"


def respond(obj: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(body=dumps(obj).encode(), status=status, content_type=_JSON, headers=headers)


def _respond_raw(body: bytes, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """`respond` for an object already encoded."""
    return web.Response(body=body, status=status, content_type=_JSON, headers=headers)


def _respond_object(
    engine: Engine, rt: ResourceType, obj: dict[str, Any], status: int, headers: Mapping[str, str]
) -> web.Response:
    """`respond(obj, ...)`, with the stored encoding when `obj` is the stored object (not, say, a Scale)."""
    if obj.get("apiVersion") != rt.api_version:
        return respond(obj, status, headers)
    return _respond_raw(engine.encode(rt, obj), status, headers)


def error_response(err: StatusError) -> web.Response:
    return respond(err.body(), err.code, err.headers)


# non-resource endpoints ---------------------------------------------------------------------------------------
async def health(request: web.Request) -> web.Response:
    return web.Response(text="ok", content_type="text/plain")


async def version(request: web.Request) -> web.Response:
    return respond(discovery.version_info())


async def core_versions(request: web.Request) -> web.Response:
    version = discovery.wants_aggregated(request.headers.get("Accept", ""))
    engine = request.app[ENGINE]
    if version:
        return _aggregated(discovery.aggregated(engine.registry, True, version), version)
    host = request.host or "127.0.0.1"
    return respond(discovery.api_versions(host))


async def groups(request: web.Request) -> web.Response:
    version = discovery.wants_aggregated(request.headers.get("Accept", ""))
    engine = request.app[ENGINE]
    if version:
        return _aggregated(discovery.aggregated(engine.registry, False, version), version)
    return respond(discovery.api_group_list(engine.registry))


def _aggregated(doc: dict[str, Any], version: str) -> web.Response:
    ctype = f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"
    return web.Response(body=dumps(doc).encode(), headers={"Content-Type": ctype})


async def group(request: web.Request) -> web.Response:
    doc = discovery.api_group(request.app[ENGINE].registry, request.match_info["group"])
    if doc is None:
        return error_response(StatusError(404, "the server could not find the requested resource"))
    return respond(doc)


async def resource_list(request: web.Request) -> web.Response:
    group_name = request.match_info.get("group", "")
    doc = request.app[ENGINE].registry.resource_list(group_name, request.match_info["version"])
    if doc is None:
        return error_response(StatusError(404, "the server could not find the requested resource"))
    return respond(doc)


async def openapi_v2(request: web.Request) -> web.Response:
    body, content_type = discovery.openapi_v2("protobuf" in request.headers.get("Accept", ""))
    return web.Response(body=body, content_type=content_type)


async def openapi_v3(request: web.Request) -> web.Response:
    return respond(discovery.openapi_v3_index(request.app[ENGINE].registry))


async def openapi_v3_gv(request: web.Request) -> web.Response:
    parts = request.match_info["path"].strip("/").split("/")
    if parts[0] == "api" and len(parts) == 2:
        group_name, ver = "", parts[1]
    elif parts[0] == "apis" and len(parts) == 3:
        group_name, ver = parts[1], parts[2]
    else:
        return error_response(StatusError(404, "the server could not find the requested resource"))
    doc = discovery.openapi_v3_doc(request.app[ENGINE].registry, group_name, ver)
    if doc is None:
        return error_response(StatusError(404, "the server could not find the requested resource"))
    return respond(doc)


# resources ----------------------------------------------------------------------------------------------------
def _options(request: web.Request) -> WriteOptions:
    q = request.query
    manager = q.get("fieldManager") or request.headers.get("User-Agent", "unknown").split("/", 1)[0] or "unknown"
    validation = q.get("fieldValidation", "Warn")
    if validation not in ("Strict", "Warn", "Ignore"):
        raise StatusError.bad_request(f"fieldValidation parameter unsupported: {validation}")
    dry = q.getall("dryRun", [])
    if any(d != "All" for d in dry):
        raise StatusError.bad_request(f"Invalid dry run value: {dry}")
    force = q.get("force", "").lower() == "true"
    return WriteOptions(manager=manager, dry_run=bool(dry), field_validation=validation, force=force)


def _warnings(opts: WriteOptions) -> dict[str, str]:
    if not opts.warnings:
        return {}
    return {"Warning": ", ".join('299 - "' + w.replace('"', '\\"') + '"' for w in opts.warnings)}


class JsonFloat(float):
    """A JSON number with a fraction or exponent that remembers how the body wrote it (Go's decoder quotes the
    literal in its errors and parses a quantity from it: `1e3` stays `1e3`, `0.50` is `500m`)."""

    __slots__ = ("literal",)
    literal: str

    def __new__(cls, literal: str) -> JsonFloat:
        self = super().__new__(cls, literal)
        self.literal = literal
        return self


def _not_json(word: str) -> Any:
    """NaN and Infinity are not JSON (Python's decoder would take them)."""
    raise ValueError(f"invalid character {word[0]!r} looking for beginning of value")


MAX_BODY = 3 * 1024 * 1024  # the apiserver's request body limit (bytes)


async def _body(request: web.Request) -> Any:
    if (request.content_length or 0) > MAX_BODY:
        raise StatusError(413, f"Request entity too large: limit is {MAX_BODY}", "RequestEntityTooLarge")
    raw = await request.read()
    if len(raw) > MAX_BODY:
        raise StatusError(413, f"Request entity too large: limit is {MAX_BODY}", "RequestEntityTooLarge")
    ctype = (request.content_type or "").lower()
    if not raw:
        return None
    if ctype == protobuf.PROTOBUF:
        return protobuf.decode(raw)
    try:
        if ctype in (APPLY_CONTENT_TYPE, "application/yaml"):
            return yamlio.load(raw.decode())
        return json.loads(raw, parse_float=JsonFloat, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StatusError.bad_request(f"error decoding the request body: {exc}") from None
    except Exception as exc:  # PyYAML errors
        raise StatusError.bad_request(f"error decoding YAML: {exc}") from None


def _list_doc(rt: ResourceType, found: ListResult, items: list[dict[str, Any]]) -> dict[str, Any]:
    meta: dict[str, Any] = {"resourceVersion": found.resource_version}
    if found.continue_token:
        meta["continue"] = found.continue_token
    if found.remaining is not None:
        meta["remainingItemCount"] = found.remaining
    return {"kind": f"{rt.kind}List", "apiVersion": rt.api_version, "metadata": meta, "items": items}


class _Joined(payload.Payload):
    """The body `head + sep.join(items) + tail`, joined about `BATCH` bytes at a time as it is written (a long list
    is never copied whole: not to build it, not to put the headers before it, not into the transport's buffer)."""

    BATCH = 512 * 1024

    def __init__(self, head: bytes, items: list[bytes], sep: bytes, tail: bytes) -> None:
        super().__init__(items, content_type=_JSON)
        self._head, self._items, self._sep, self._tail = head, items, sep, tail
        self._ends = list(itertools.accumulate(map(len, items)))  # bytes of items up to each one
        self._size = len(head) + (self._ends[-1] if items else 0) + len(sep) * max(len(items) - 1, 0) + len(tail)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return (self._head + self._sep.join(self._items) + self._tail).decode(encoding, errors)

    async def write(self, writer: AbstractStreamWriter) -> None:
        await writer.write(self._head)
        items, ends = self._items, self._ends
        i = 0
        while i < len(items):
            j = max(bisect.bisect_left(ends, ends[i] + self.BATCH), i + 1)
            batch = items[i:j]
            if i:
                batch.insert(0, b"")  # the separator before this batch
            await writer.write(self._sep.join(batch))
            i = j
        await writer.write(self._tail)


def _list_response(rt: ResourceType, found: ListResult) -> web.Response:
    """The answer `respond(_list_doc(rt, found, found.items))`, made of each item's stored encoding (the same
    bytes, without decoding them)."""
    head = dumps(_list_doc(rt, found, [])).encode()[:-2]  # ...,"items":[
    if len(found.encoded) <= 64:
        return _respond_raw(head + b",".join(found.encoded) + b"]}")
    return web.Response(body=_Joined(head, found.encoded, b",", b"]}"))


async def resource(request: web.Request) -> web.StreamResponse:
    """Every /api/... and /apis/... resource request."""
    engine = request.app[ENGINE]
    info = request[REQUEST_INFO]
    try:
        rt = engine.registry.by_resource(info.group, info.version, info.resource)
        if rt is None:
            raise StatusError(
                404,
                "the server could not find the requested resource",
                "NotFound",
                {"group": info.group, "kind": info.resource},
            )
        if info.subresource and not (
            (info.subresource == "status" and rt.status)
            or (info.subresource == "scale" and rt.scale)
            or (info.subresource == "finalize" and rt.kind == "Namespace" and not rt.group)
        ):
            raise StatusError(404, "the server could not find the requested resource", "NotFound")
        ns = info.namespace if rt.namespaced else None
        return await _dispatch(request, engine, rt, info, ns)
    except StatusError as err:
        return error_response(err)
    except (ConnectionError, asyncio.CancelledError):
        raise
    except Exception as exc:  # a bug in the emulator: answer like the apiserver's panic handler, and log it
        log.exception("internal error serving %s %s", request.method, request.path)
        return error_response(StatusError(500, f"Internal error occurred: {exc!r}", "InternalError"))


async def _dispatch(
    request: web.Request, engine: Engine, rt: ResourceType, info: RequestInfo, ns: str | None
) -> web.StreamResponse:
    q = request.query
    name, sub = info.name, info.subresource
    if sub == "finalize":
        sub = None
    if info.verb == "watch":
        return await _watch(request, engine, rt, ns)
    if info.verb == "list":
        limit = int(q["limit"]) if q.get("limit", "").isdigit() else None
        found = engine.list(rt, ns, q.get("labelSelector"), q.get("fieldSelector"), limit, q.get("continue"))
        if tables.wants_table(request.headers.get("Accept", "")):
            doc = tables.table(rt, found.items, found.resource_version, q.get("includeObject", "Metadata"))
            if found.continue_token:
                doc["metadata"]["continue"] = found.continue_token
            return respond(doc)
        return _list_response(rt, found)
    if info.verb == "get" and name:
        if sub == "scale":
            return respond(engine.get_scale(rt, ns, name))
        if sub or not tables.wants_table(request.headers.get("Accept", "")):
            return _respond_raw(engine.encoded(rt, ns, name))
        obj = engine.get(rt, ns, name)
        return respond(tables.table(rt, [obj], obj["metadata"]["resourceVersion"], q.get("includeObject", "Metadata")))
    if info.verb == "create":
        if name and not sub:
            raise StatusError(
                405, "the server does not allow this method on the requested resource", "MethodNotAllowed"
            )
        opts = _options(request)
        obj = engine.create(rt, ns, await _body(request) or {}, opts)
        return _respond_object(engine, rt, obj, 201, _warnings(opts))
    if info.verb == "update" and name:
        opts = _options(request)
        obj = engine.update(rt, ns, name, await _body(request) or {}, opts, sub)
        return _respond_object(engine, rt, obj, 200, _warnings(opts))
    if info.verb == "patch" and name:
        opts = _options(request)
        ctype = (request.content_type or "").lower()
        obj = engine.patch(rt, ns, name, ctype, await _body(request), opts, sub)
        return _respond_object(engine, rt, obj, 200, _warnings(opts))
    if info.verb == "apply" and name:
        opts = _options(request)
        if not q.get("fieldManager"):
            raise StatusError.bad_request(
                "PATCH, application/apply-patch+yaml requests must have a fieldManager parameter"
            )
        body = await _body(request)
        if not isinstance(body, dict):
            raise StatusError.bad_request("the apply body must be an object")
        if sub == "scale":
            raise StatusError(
                405, "server-side apply of the scale subresource is not supported by the emulator", "MethodNotAllowed"
            )
        obj, created = engine.apply(rt, ns, name, body, opts, sub)
        return _respond_object(engine, rt, obj, 201 if created else 200, _warnings(opts))
    if info.verb == "delete" and name:
        options = await _body(request) or {}
        propagation = q.get("propagationPolicy") or options.get("propagationPolicy")
        if propagation is None and (q.get("orphanDependents") == "true" or options.get("orphanDependents")):
            propagation = "Orphan"
        if propagation not in (None, "Orphan", "Background", "Foreground"):
            raise StatusError.bad_request(f"propagationPolicy: Unsupported value: {propagation!r}")
        dry = bool(q.getall("dryRun", []) or options.get("dryRun"))
        body, gone = engine.delete(rt, ns, name, propagation, options.get("preconditions"), dry)
        return respond(body, 200 if gone or dry else 202)
    if info.verb == "deletecollection":
        options = await _body(request) or {}
        propagation = q.get("propagationPolicy") or options.get("propagationPolicy")
        dry = bool(q.getall("dryRun", []) or options.get("dryRun"))
        found = engine.delete_collection(rt, ns, q.get("labelSelector"), q.get("fieldSelector"), propagation, dry)
        return respond(_list_doc(rt, found, found.items))
    raise StatusError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed")


# watch ----------------------------------------------------------------------------------------------------------
def _event(kind: str, obj: dict[str, Any]) -> bytes:
    return (dumps({"type": kind, "object": obj}) + "\n").encode()


async def _watch(request: web.Request, engine: Engine, rt: ResourceType, ns: str | None) -> web.StreamResponse:
    """Stream changes as newline-delimited JSON: the current objects first (ADDED) unless a resourceVersion is
    given, then every change after it; ERROR 410 when that version is older than the history kept; BOOKMARKs
    when asked for; ends after timeoutSeconds."""
    q = request.query
    reqs = parse_label_selector(q.get("labelSelector"))
    freqs = parse_field_selector(q.get("fieldSelector"))
    bookmarks = q.get("allowWatchBookmarks", "").lower() == "true"
    timeout = float(q["timeoutSeconds"]) if q.get("timeoutSeconds", "").isdigit() else None
    rv = q.get("resourceVersion", "")
    store = engine.store
    space = ns if rt.namespaced else None
    as_table = tables.wants_table(request.headers.get("Accept", ""))
    render = _table_renderer(rt, q.get("includeObject", "Metadata")) if as_table else _object_renderer(engine, rt)
    watcher = store.subscribe(rt.key)
    try:
        backlog: list[bytes] = []
        if rv in ("", "0"):
            found = engine.list(rt, space, q.get("labelSelector"), q.get("fieldSelector"))
            if as_table:
                backlog += [render("ADDED", obj, None) for obj in found.items]
            else:
                backlog += [_raw_event("ADDED", raw) for raw in found.encoded]
        else:
            try:
                start = int(rv)
            except ValueError:
                raise StatusError.bad_request(f"invalid resource version: {rv}") from None
            changes = store.since(rt.key, start)
            if changes is None:
                oldest = store.history[0].rv - 1 if store.history else store.rv
                gone = status_body(410, f"too old resource version: {start} ({oldest})", "Expired")
                backlog.append(_event("ERROR", gone))
                watcher.queue.put_nowait(None)
            else:
                for past in changes:
                    event = _filtered(engine, rt, space, reqs, freqs, past)
                    if event:
                        backlog.append(render(*event))
        response = web.StreamResponse(headers={"Content-Type": _JSON, "Cache-Control": "no-cache"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        if store.durable is not None:
            await store.durable(store.rv)
        for line in backlog:
            await response.write(line)
        interval = request.app[BOOKMARK_INTERVAL]
        deadline = time.monotonic() + timeout if timeout else None
        while True:
            wait = interval if bookmarks else None
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                wait = min(wait, left) if wait is not None else left
            try:
                async with asyncio.timeout(wait):  # not wait_for: on 3.11 it can swallow the handler's cancellation
                    change = await watcher.queue.get()
            except TimeoutError:
                if bookmarks and (deadline is None or time.monotonic() < deadline):
                    mark = {
                        "kind": rt.kind,
                        "apiVersion": rt.api_version,
                        "metadata": {"resourceVersion": str(store.rv)},
                    }
                    await response.write(_event("BOOKMARK", mark))
                continue
            if change is None:
                break
            event = _filtered(engine, rt, space, reqs, freqs, change)
            if event:
                if store.durable is not None:
                    await store.durable(change.rv)
                await response.write(render(*event))
        with contextlib.suppress(ConnectionError):
            await response.write_eof()
        return response
    except ConnectionError:
        return web.Response(status=499)
    finally:
        store.unsubscribe(watcher)


Renderer = Callable[[str, dict[str, Any], bytes | None], bytes]  # (type, object, its encoding if known) -> event


def _raw_event(kind: str, raw: bytes) -> bytes:
    """`_event(kind, obj)` from the encoding of `obj` (the same bytes)."""
    return b'{"type":' + dumps(kind).encode() + b',"object":' + raw + b"}\n"


def _object_renderer(engine: Engine, rt: ResourceType) -> Renderer:
    """Watch events carrying the object, built from its stored encoding (the same bytes as `_event`)."""

    def render(kind: str, obj: dict[str, Any], raw: bytes | None) -> bytes:
        return _raw_event(kind, raw if raw is not None else engine.encode(rt, obj))

    return render


def _table_renderer(rt: ResourceType, include: str) -> Renderer:
    """Watch events as one-row Tables (column definitions in the first only), for `kubectl get -w`."""
    first = [True]

    def render(kind: str, obj: dict[str, Any], raw: bytes | None) -> bytes:
        if kind in ("ERROR", "BOOKMARK"):
            return _event(kind, obj)
        doc = tables.table(rt, [obj], obj["metadata"].get("resourceVersion", ""), include)
        if not first[0]:
            doc["columnDefinitions"] = []
        first[0] = False
        return _event(kind, doc)

    return render


def _matches(obj: dict[str, Any] | None, space: str | None, reqs: Any, freqs: Any) -> bool:
    if obj is None:
        return False
    meta = obj.get("metadata") or {}
    if space is not None and meta.get("namespace", "") != space:
        return False
    return labels_match(reqs, meta.get("labels")) and (not freqs or fields_match(freqs, obj))


def _filtered(
    engine: Engine, rt: ResourceType, space: str | None, reqs: Any, freqs: Any, change: Change
) -> tuple[str, dict[str, Any], bytes | None] | None:
    """The event a selective watcher sees (type, object, its encoding when known): objects leaving the selection
    are DELETED, entering ones ADDED."""
    new_ok = _matches(change.obj, space, reqs, freqs)
    if change.type == "DELETED":
        kind = "DELETED" if new_ok else None
    else:
        old_ok = change.old is not None and _matches(change.old, space, reqs, freqs)
        kind = ("MODIFIED" if old_ok else "ADDED") if new_ok else "DELETED" if old_ok else None
    if kind is None:
        return None
    obj = engine.view(rt, change.obj)
    return kind, obj, change.raw if obj is change.obj and change.raw else None
