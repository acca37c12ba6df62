"""`KubeTransport`: the deploy client's HTTP/1.1 transport on asyncio streams, for lightkube's httpx2 client (which
keeps doing authentication, URLs, JSON and API errors). It replaces httpx2's default transport, whose import
(httpcore2, anyio, h11, h2) and per-request layers cost a command-line deploy more than its requests do; it
speaks what the Kubernetes API needs: keep-alive connections (one per concurrent request, reused), TLS with the
kubeconfig's context, Content-Length and chunked bodies, and streamed answers for watches. Failures raise httpx2's
own exceptions (ConnectError, ReadError, ReadTimeout, RemoteProtocolError...), so retries and error messages stay
the same. Clients behind an HTTP proxy keep httpx2's transport (see `fast_transport`)."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpx2

__all__ = ["KubeTransport", "fast_transport"]

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")
_NO_BODY = frozenset({204, 304})
_LIMIT = 2**20  # the longest status or header line read


def fast_transport(server: str, verify: ssl.SSLContext | None) -> KubeTransport | None:
    """A `KubeTransport` for ``server``, or None (use httpx2's) when the environment names a proxy (httpx2 honours
    it) or the scheme is neither http nor https."""
    if any(os.environ.get(v) or os.environ.get(v.upper()) for v in _PROXY_VARIABLES):
        return None
    if not server.startswith(("https://", "http://")):
        return None
    return KubeTransport(verify)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def usable(self) -> bool:
        """An idle connection the server has not (yet seen to have) closed."""
        return not self.writer.is_closing() and not self.reader.at_eof()

    def close(self) -> None:
        """Drop the connection at once (no TLS goodbye to wait for: the socket is closed on the loop's next turn)."""
        self.writer.transport.abort()


class KubeTransport(httpx2.AsyncBaseTransport):
    """HTTP/1.1 over asyncio streams with a pool of idle keep-alive connections per host (see the module)."""

    def __init__(self, verify: ssl.SSLContext | None) -> None:
        self.verify = verify
        self.idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self.closed = False
        self.connects = 0  # connections opened so far

    def __deepcopy__(self, memo: dict[int, Any]) -> KubeTransport:
        """The transport itself: it holds connections and a TLS context (lightkube 1.0.0 deep-copies its
        connection parameters, this among them)."""
        return self

    async def aclose(self) -> None:
        self.closed = True
        for conns in self.idle.values():
            for conn in conns:
                conn.close()
        self.idle.clear()

    async def _connect(self, key: tuple[str, str, int], timeout: float | None) -> _Connection:
        scheme, host, port = key
        context = (self.verify or ssl.create_default_context()) if scheme == "https" else None
        self.connects += 1
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(host, port, ssl=context, limit=_LIMIT)
        except TimeoutError:
            raise httpx2.ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except (socket.gaierror, ssl.SSLError) as exc:  # the same texts as httpx2's transport gives
            raise httpx2.ConnectError(str(exc) or type(exc).__name__) from exc
        except OSError as exc:
            raise httpx2.ConnectError("All connection attempts failed") from exc
        return _Connection(reader, writer)

    def _reuse(self, key: tuple[str, str, int]) -> _Connection | None:
        conns = self.idle.get(key)
        while conns:
            conn = conns.pop()
            if conn.usable():
                return conn
            conn.close()
        return None

    def release(self, key: tuple[str, str, int], conn: _Connection) -> None:
        if self.closed or not conn.usable():
            conn.close()
        else:
            self.idle.setdefault(key, []).append(conn)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        scheme = url.scheme
        key = (scheme, url.host, url.port or (443 if scheme == "https" else 80))
        timeouts: dict[str, float | None] = request.extensions.get("timeout") or {}
        body = await request.aread()
        head = _head(request, body)
        conn = self._reuse(key)
        if conn is not None:
            try:
                return await self._exchange(key, conn, request, head, body, timeouts, reused=True)
            except _StaleConnection:
                pass  # the server closed the idle connection before reading the request: try a new one
        conn = await self._connect(key, timeouts.get("connect"))
        try:
            return await self._exchange(key, conn, request, head, body, timeouts, reused=False)
        except _StaleConnection:
            raise httpx2.RemoteProtocolError("Server disconnected without sending a response.") from None

    async def _exchange(
        self,
        key: tuple[str, str, int],
        conn: _Connection,
        request: httpx2.Request,
        head: bytes,
        body: bytes,
        timeouts: dict[str, float | None],
        *,
        reused: bool,
    ) -> httpx2.Response:
        read_timeout = timeouts.get("read")
        try:
            try:
                conn.writer.write(head + body)
                async with asyncio.timeout(timeouts.get("write")):
                    await conn.writer.drain()
            except TimeoutError:
                raise httpx2.WriteTimeout("timed out sending the request") from None
            except OSError as exc:
                if reused:
                    raise _StaleConnection from exc
                raise httpx2.WriteError(str(exc) or type(exc).__name__) from exc
            try:
                line = await _read(conn.reader.readline(), read_timeout)
            except httpx2.ReadError:
                if reused:
                    raise _StaleConnection from None
                raise
            if not line:
                if reused:
                    raise _StaleConnection
                raise httpx2.RemoteProtocolError("Server disconnected without sending a response.")
            version, status, reason = _status_line(line)
            headers = await _headers(conn.reader, read_timeout)
            while 100 <= status < 200 and status != 101:  # interim answers (100 Continue, 103 Early Hints...)
                version, status, reason = _status_line(await _read(conn.reader.readline(), read_timeout))
                headers = await _headers(conn.reader, read_timeout)
        except BaseException:
            conn.close()
            raise
        values = {k.lower(): v for k, v in headers}
        keep = version == b"HTTP/1.1" and values.get(b"connection", b"").lower() != b"close"
        if request.method == "HEAD" or status in _NO_BODY or status == 101:
            length: int | None = 0
        elif b"chunked" in values.get(b"transfer-encoding", b"").lower():
            length = None
        elif b"content-length" in values:
            length = int(values[b"content-length"])
        else:
            length, keep = -1, False  # the body ends when the server closes the connection
        stream = _Body(self, key, conn, length, keep, read_timeout)
        extensions = {"http_version": version, "reason_phrase": reason}
        return httpx2.Response(status, headers=headers, stream=stream, extensions=extensions)


class _StaleConnection(Exception):
    """A reused connection was closed by the server before it answered."""


class _Body(httpx2.AsyncByteStream):
    """A response body: ``length`` bytes, chunked (None) or up to the connection's end (-1); the connection goes
    back to the pool once the body is read to its end (and may be kept), else it is closed."""

    def __init__(
        self,
        transport: KubeTransport,
        key: tuple[str, str, int],
        conn: _Connection,
        length: int | None,
        keep: bool,
        timeout: float | None,
    ) -> None:
        self.transport, self.key, self.conn = transport, key, conn
        self.length, self.keep, self.timeout = length, keep, timeout
        self.done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        reader, timeout = self.conn.reader, self.timeout
        try:
            if self.length is None:
                while True:
                    size_line = await _read(reader.readline(), timeout)
                    if not size_line.endswith(b"\n"):
                        raise httpx2.RemoteProtocolError("the server closed the connection inside a chunked body")
                    size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                    if size == 0:
                        while (await _read(reader.readline(), timeout)) not in (b"\r\n", b"\n", b""):
                            pass  # trailers
                        break
                    data = await _read(reader.readexactly(size + 2), timeout)
                    yield data[:-2]
            elif self.length > 0:
                left = self.length
                while left:
                    data = await _read(reader.read(min(left, 2**16)), timeout)
                    if not data:
                        raise httpx2.RemoteProtocolError("the server closed the connection inside the body")
                    left -= len(data)
                    yield data
            elif self.length < 0:
                while data := await _read(reader.read(2**16), timeout):
                    yield data
            self.done = True
        except asyncio.IncompleteReadError:
            raise httpx2.RemoteProtocolError("the server closed the connection inside a chunked body") from None
        except ValueError as exc:  # a malformed chunk size
            raise httpx2.RemoteProtocolError(f"malformed chunked body: {exc}") from None
        finally:
            if not self.done:
                self._finish()

    async def aclose(self) -> None:
        self._finish()

    def _finish(self) -> None:
        conn, self.conn = self.conn, None  # type: ignore[assignment]
        if conn is None:
            return
        if self.done and self.keep:
            self.transport.release(self.key, conn)
        else:
            conn.close()


async def _read(op: Any, timeout: float | None) -> Any:
    """Await a stream read with the request's read timeout; connection failures become httpx2 errors."""
    try:
        async with asyncio.timeout(timeout):
            return await op
    except TimeoutError:
        raise httpx2.ReadTimeout("timed out reading the response") from None
    except asyncio.LimitOverrunError:
        raise httpx2.RemoteProtocolError("a status or header line is too long") from None
    except (ConnectionError, ssl.SSLError) as exc:
        raise httpx2.ReadError(str(exc) or type(exc).__name__) from exc


def _head(request: httpx2.Request, body: bytes) -> bytes:
    lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), request.url.raw_path)]
    names = set()
    for name, value in request.headers.raw:
        lower = name.lower()
        if lower == b"transfer-encoding":
            continue  # the body was read whole: it goes with a Content-Length
        names.add(lower)
        lines.append(name + b": " + value)
    if b"host" not in names:
        lines.insert(1, b"Host: " + request.url.netloc)
    if body and b"content-length" not in names:
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _status_line(line: bytes) -> tuple[bytes, int, bytes]:
    parts = line.rstrip(b"\r\n").split(b" ", 2)
    try:
        version, status = parts[0], int(parts[1])
    except (IndexError, ValueError):
        raise httpx2.RemoteProtocolError(f"malformed status line {line[:80]!r}") from None
    if not version.startswith(b"HTTP/1."):
        raise httpx2.RemoteProtocolError(f"unsupported protocol {version[:20]!r}")
    return version, status, parts[2] if len(parts) > 2 else b""


async def _headers(reader: asyncio.StreamReader, timeout: float | None) -> list[tuple[bytes, bytes]]:
    out: list[tuple[bytes, bytes]] = []
    while True:
        line = await _read(reader.readline(), timeout)
        if line in (b"\r\n", b"\n"):
            return out
        if not line.endswith(b"\n"):
            raise httpx2.RemoteProtocolError("the server closed the connection inside the response headers")
        name, sep, value = line.partition(b":")
        if not sep:
            raise httpx2.RemoteProtocolError(f"malformed header line {line[:80]!r}")
        out.append((name.strip(), value.strip()))
