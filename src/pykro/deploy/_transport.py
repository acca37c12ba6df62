"""The deploy client's HTTP/1.1 layer: its request and response types, its exceptions, and `KubeTransport`, the
transport on asyncio streams that carries them. It speaks what the Kubernetes API needs: keep-alive connections (one
per concurrent request, reused), TLS with the kubeconfig's context, Content-Length and chunked bodies, and streamed
answers for watches. Nothing here imports httpx: a command-line deploy would pay for its import (and httpcore's,
anyio's, h11's) more than for its requests. The exceptions carry httpx's names and texts (ConnectError: All connection
attempts failed, ReadTimeout, RemoteProtocolError...), so error messages read as before; clients behind an HTTP proxy
send through httpx instead (see `pykro.deploy._client`), whose failures are turned into these."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

__all__ = [
    "ApiError",
    "ConnectError",
    "ConnectTimeout",
    "HTTPError",
    "HTTPStatusError",
    "KubeTransport",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "Request",
    "Response",
    "Sender",
    "Status",
    "TimeoutException",
    "TransportError",
    "WriteError",
    "WriteTimeout",
]

_NO_BODY = frozenset({204, 304})
_LIMIT = 2**20  # the longest status or header line read
TIMEOUT = 10.0  # seconds to connect, send, and read each answer (lightkube's default); watches read without a limit


# ---------------------------------------------------------------------------------------------- exceptions
class HTTPError(Exception):
    """A request failed (httpx's names: the texts of errors users see keep them)."""


class TransportError(HTTPError):
    """The request or its answer did not get through."""


class TimeoutException(TransportError):
    pass


class ConnectTimeout(TimeoutException):
    pass


class PoolTimeout(TimeoutException):
    pass


class ReadTimeout(TimeoutException):
    pass


class WriteTimeout(TimeoutException):
    pass


class NetworkError(TransportError):
    pass


class ConnectError(NetworkError):
    pass


class ReadError(NetworkError):
    pass


class WriteError(NetworkError):
    pass


class ProtocolError(TransportError):
    pass


class RemoteProtocolError(ProtocolError):
    pass


class LocalProtocolError(ProtocolError):
    pass


class ProxyError(TransportError):
    pass


class UnsupportedProtocol(TransportError):
    pass


@dataclass
class Status:
    """The API server's `Status` object of a refused request (the fields errors show)."""

    code: int | None = None
    message: str | None = None
    reason: str | None = None
    details: dict[str, Any] | None = None

    @classmethod
    def of(cls, data: Any) -> Status:
        data = data if isinstance(data, dict) else {}
        code = data.get("code")
        message, reason = data.get("message"), data.get("reason")
        details = data.get("details")
        return cls(
            code if isinstance(code, int) else None,
            message if isinstance(message, str) else None,
            reason if isinstance(reason, str) else None,
            details if isinstance(details, dict) else None,
        )


class HTTPStatusError(HTTPError):
    """An answer with a 4xx or 5xx status (``response`` is the answer, its body read)."""

    def __init__(self, message: str, response: Response) -> None:
        super().__init__(message)
        self.response = response


class ApiError(HTTPStatusError):
    """A 4xx or 5xx answer carrying the API server's `Status` (its message is the exception's text)."""

    def __init__(self, status: Status, response: Response) -> None:
        super().__init__(status.message or "", response)
        self.status = status


# ---------------------------------------------------------------------------------------------- request, response
@dataclass
class Request:
    """One request: ``url`` absolute, ``headers`` as sent (Host and Content-Length are added)."""

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    read_timeout: float | None = TIMEOUT


class Response:
    """An answer whose body is read on demand (`aread`, `aiter_lines`) from ``stream``; ``headers`` by lower-case
    name."""

    def __init__(
        self, status_code: int, reason: str, headers: dict[str, str], stream: AsyncIterable[bytes], url: str = ""
    ) -> None:
        self.status_code = status_code
        self.reason_phrase = reason
        self.headers = headers
        self.stream = stream
        self.url = url
        self.content = b""

    async def aread(self) -> bytes:
        self.content = b"".join([chunk async for chunk in self.stream])
        return self.content

    async def aiter_lines(self) -> AsyncIterator[bytes]:
        """The body's lines (without their line ends; empty lines are skipped), each as soon as it has arrived."""
        pending = b""
        async for chunk in self.stream:
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line := line.rstrip(b"\r"):
                    yield line
        if pending := pending.rstrip(b"\r"):
            yield pending

    async def aclose(self) -> None:
        close = getattr(self.stream, "aclose", None)
        if close is not None:
            await close()


class Sender(Protocol):
    """What sends a request: `KubeTransport`, or httpx behind a proxy (see `pykro.deploy._client`)."""

    async def handle(self, request: Request) -> Response: ...

    async def aclose(self) -> None: ...


# ---------------------------------------------------------------------------------------------- the transport
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


class KubeTransport:
    """HTTP/1.1 over asyncio streams with a pool of idle keep-alive connections per host (see the module); ``verify``
    is the TLS context of https URLs (None: the system's default)."""

    def __init__(self, verify: ssl.SSLContext | None) -> None:
        self.verify = verify
        self.idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self.closed = False
        self.connects = 0  # connections opened so far

    async def aclose(self) -> None:
        self.closed = True
        for conns in self.idle.values():
            for conn in conns:
                conn.close()
        self.idle.clear()

    async def _connect(self, key: tuple[str, str, int]) -> _Connection:
        scheme, host, port = key
        context = (self.verify or ssl.create_default_context()) if scheme == "https" else None
        self.connects += 1
        try:
            async with asyncio.timeout(TIMEOUT):
                reader, writer = await asyncio.open_connection(host, port, ssl=context, limit=_LIMIT)
        except TimeoutError:
            raise ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except (socket.gaierror, ssl.SSLError) as exc:  # the same texts as httpx's transport gives
            raise ConnectError(str(exc) or type(exc).__name__) from exc
        except OSError as exc:
            raise ConnectError("All connection attempts failed") from exc
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

    async def handle(self, request: Request) -> Response:
        url = urlsplit(request.url)
        scheme = url.scheme
        if scheme not in ("http", "https") or not url.hostname:
            raise ConnectError(f"cannot send to {request.url!r}: only http:// and https:// URLs are supported")
        key = (scheme, url.hostname, url.port or (443 if scheme == "https" else 80))
        head = _head(request, url.netloc, (url.path or "/") + (f"?{url.query}" if url.query else ""))
        conn = self._reuse(key)
        if conn is not None:
            try:
                return await self._exchange(key, conn, request, head, reused=True)
            except _StaleConnection:
                pass  # the server closed the idle connection before reading the request: try a new one
        conn = await self._connect(key)
        try:
            return await self._exchange(key, conn, request, head, reused=False)
        except _StaleConnection:
            raise RemoteProtocolError("Server disconnected without sending a response.") from None

    async def _exchange(
        self, key: tuple[str, str, int], conn: _Connection, request: Request, head: bytes, *, reused: bool
    ) -> Response:
        read_timeout = request.read_timeout
        try:
            try:
                conn.writer.write(head + request.body)
                async with asyncio.timeout(TIMEOUT):
                    await conn.writer.drain()
            except TimeoutError:
                raise WriteTimeout("timed out sending the request") from None
            except OSError as exc:
                if reused:
                    raise _StaleConnection from exc
                raise WriteError(str(exc) or type(exc).__name__) from exc
            try:
                line = await _read(conn.reader.readline(), read_timeout)
            except ReadError:
                if reused:
                    raise _StaleConnection from None
                raise
            if not line:
                if reused:
                    raise _StaleConnection
                raise RemoteProtocolError("Server disconnected without sending a response.")
            version, status, reason = _status_line(line)
            headers = await _headers(conn.reader, read_timeout)
            while 100 <= status < 200 and status != 101:  # interim answers (100 Continue, 103 Early Hints...)
                version, status, reason = _status_line(await _read(conn.reader.readline(), read_timeout))
                headers = await _headers(conn.reader, read_timeout)
        except BaseException:
            conn.close()
            raise
        values = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in headers}
        keep = version == b"HTTP/1.1" and values.get("connection", "").lower() != "close"
        if request.method == "HEAD" or status in _NO_BODY or status == 101:
            length: int | None = 0
        elif "chunked" in values.get("transfer-encoding", "").lower():
            length = None
        elif "content-length" in values:
            try:
                length = int(values["content-length"])
            except ValueError:
                conn.close()
                raise RemoteProtocolError(f"malformed Content-Length {values['content-length'][:40]!r}") from None
        else:
            length, keep = -1, False  # the body ends when the server closes the connection
        stream = _Body(self, key, conn, length, keep, read_timeout)
        return Response(status, reason.decode("latin-1"), values, stream, request.url)


class _StaleConnection(Exception):
    """A reused connection was closed by the server before it answered."""


class _Body:
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
                        raise RemoteProtocolError("the server closed the connection inside a chunked body")
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
                        raise RemoteProtocolError("the server closed the connection inside the body")
                    left -= len(data)
                    yield data
            elif self.length < 0:
                while data := await _read(reader.read(2**16), timeout):
                    yield data
            self.done = True
        except asyncio.IncompleteReadError:
            raise RemoteProtocolError("the server closed the connection inside a chunked body") from None
        except ValueError as exc:  # a malformed chunk size
            raise RemoteProtocolError(f"malformed chunked body: {exc}") from None
        finally:
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
    """Await a stream read with the request's read timeout; connection failures become `ReadError`s."""
    try:
        async with asyncio.timeout(timeout):
            return await op
    except TimeoutError:
        raise ReadTimeout("timed out reading the response") from None
    except asyncio.LimitOverrunError:
        raise RemoteProtocolError("a status or header line is too long") from None
    except (ConnectionError, ssl.SSLError) as exc:
        raise ReadError(str(exc) or type(exc).__name__) from exc


def _head(request: Request, netloc: str, target: str) -> bytes:
    lines = [f"{request.method} {target} HTTP/1.1", f"Host: {netloc}"]
    lines += [f"{name}: {value}" for name, value in request.headers]
    if request.body or request.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(request.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _status_line(line: bytes) -> tuple[bytes, int, bytes]:
    parts = line.rstrip(b"\r\n").split(b" ", 2)
    try:
        version, status = parts[0], int(parts[1])
    except (IndexError, ValueError):
        raise RemoteProtocolError(f"malformed status line {line[:80]!r}") from None
    if not version.startswith(b"HTTP/1."):
        raise RemoteProtocolError(f"unsupported protocol {version[:20]!r}")
    return version, status, parts[2] if len(parts) > 2 else b""


async def _headers(reader: asyncio.StreamReader, timeout: float | None) -> list[tuple[bytes, bytes]]:
    out: list[tuple[bytes, bytes]] = []
    while True:
        line = await _read(reader.readline(), timeout)
        if line in (b"\r\n", b"\n"):
            return out
        if not line.endswith(b"\n"):
            raise RemoteProtocolError("the server closed the connection inside the response headers")
        name, sep, value = line.partition(b":")
        if not sep:
            raise RemoteProtocolError(f"malformed header line {line[:80]!r}")
        out.append((name.strip(), value.strip()))
