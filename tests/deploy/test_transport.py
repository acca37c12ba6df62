"""pykro's HTTP transport (`pykro.deploy._transport`) over real sockets: a deploy against the emulator goes through it,
reuses its connections and makes no more requests than before; bodies framed by Content-Length, chunks or the
connection's end; an idle connection the server closed is replaced; failures are httpx2's exceptions with
httpx2's texts; a proxy in the environment keeps httpx2's own transport."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest

from pykro.cli._deploy import load_source
from pykro.deploy import Instance, NullReporter, factory
from pykro.deploy._api import Cluster
from pykro.deploy._transport import KubeTransport, fast_transport

FULLSTACK = Path(__file__).resolve().parents[2] / "examples" / "fullstack.py"

# What a deploy of examples/fullstack.py into a new namespace asked of the API server besides its 4 watches (the
# namespace read and written, the lock, 4 lists, the record's Secret read, 2 record writes, 3 objects written,
# the 2 Deployments read for ownership and written, the record and lock at the end): no more than before.
FULLSTACK_REQUESTS = 18
FULLSTACK_WATCHES = 4


def test_deploy_goes_through_pykro_transport_and_reuses_connections(kit: Any) -> None:
    composition, _ = load_source(str(FULLSTACK))
    fac = factory(
        composition, "direct", namespace=kit.unique("tr"), kubeconfig=kit.cluster.kubeconfig_path,
        reporter=NullReporter(),
    )  # fmt: skip
    mark = kit.mark()

    async def run() -> tuple[Instance, Cluster]:
        fac.shared = cluster = fac.cluster()
        try:
            return await fac.adeploy({"name": "web", "appImage": "node:20", "replicas": 2}), cluster
        finally:
            await cluster.close()

    instance, cluster = asyncio.run(run())
    assert instance.state == "ACTIVE"
    log = kit.cluster.request_log()[mark:]
    watches = [i for _, i, _ in log if i.verb == "watch"]
    assert len(watches) == FULLSTACK_WATCHES
    assert len(log) - len(watches) <= FULLSTACK_REQUESTS, [(i.verb, i.resource, i.name) for _, i, _ in log]
    assert cluster.transport is not None
    # every watch holds a connection of its own; the other requests share what is left idle
    assert cluster.transport.connects < len(log)


# ---------------------------------------------------------------------------------------------- a scripted server
Answer = Callable[[int], tuple[bytes, bool]]  # request number -> (raw response, close the connection after it)


@asynccontextmanager
async def serve(answer: Answer) -> AsyncIterator[tuple[str, list[bytes]]]:
    """A plain-HTTP server on a free port answering request n with ``answer(n)``; yields its URL and the request
    heads it received."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                body = await reader.readexactly(length)
                seen.append(head + body)
                raw, close = answer(len(seen))
                writer.write(raw)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        server.close()


def _fixed(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def test_bodies_by_length_chunks_and_connection_end() -> None:
    answers = {
        1: (_fixed(b"fixed"), False),
        2: (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n", False),
        3: (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", False),
        4: (b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", True),
    }

    async def run() -> tuple[list[tuple[int, bytes]], int, list[bytes]]:
        transport = KubeTransport(None)
        async with serve(lambda n: answers[n]) as (url, seen), httpx2.AsyncClient(transport=transport) as client:
            out = []
            for path in ("/a", "/b", "/c", "/d"):
                r = await client.post(url + path, content=b'{"k": 1}')
                out.append((r.status_code, r.content))
            return out, transport.connects, seen

    out, connects, seen = asyncio.run(run())
    assert out == [(200, b"fixed"), (200, b"abcdefg"), (204, b""), (200, b"until the end")]
    assert connects == 1  # one keep-alive connection for all four
    assert all(s.endswith(b'\r\n\r\n{"k": 1}') and b"\r\ncontent-length: 8\r\n" in s.lower() for s in seen)


def test_streamed_chunks_arrive_one_by_one() -> None:
    """A watch reads each event as its chunk arrives (the server here sends the second only after the first)."""
    gate = asyncio.Event()
    lines: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n")
        await writer.drain()
        await gate.wait()
        writer.write(b"7\r\nsecond\n\r\n0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def run() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/watch"
        async with httpx2.AsyncClient(transport=KubeTransport(None)) as client, client.stream("GET", url) as r:
            async for line in r.aiter_lines():
                lines.append(line.encode())
                gate.set()
        server.close()

    asyncio.run(run())
    assert lines == [b"first", b"second"]


def test_an_idle_connection_the_server_closed_is_replaced() -> None:
    async def run() -> tuple[list[bytes], int]:
        transport = KubeTransport(None)
        # each answer claims keep-alive, then the server drops the connection (as an idle timeout would)
        async with (
            serve(lambda n: (_fixed(b"n%d" % n), True)) as (url, _),
            httpx2.AsyncClient(transport=transport) as client,
        ):
            out = []
            for _ in range(3):
                out.append((await client.get(url + "/x")).content)
                await asyncio.sleep(0.05)  # lets the client see the close; without it the retry covers it too
            return out, transport.connects

    out, connects = asyncio.run(run())
    assert out == [b"n1", b"n2", b"n3"]
    assert connects == 3


def test_failures_are_httpx2_exceptions_with_httpx2_texts() -> None:
    async def refused() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        async with httpx2.AsyncClient(transport=KubeTransport(None)) as client:
            await client.get(f"http://127.0.0.1:{port}/")

    with pytest.raises(httpx2.ConnectError, match=r"^All connection attempts failed$"):
        asyncio.run(refused())

    async def get(answer: Answer, timeout: httpx2.Timeout | None = None) -> None:
        client = httpx2.AsyncClient(transport=KubeTransport(None), timeout=timeout or httpx2.Timeout(5))
        async with serve(answer) as (url, _), client:
            await client.get(url + "/")

    with pytest.raises(httpx2.ReadTimeout):  # the server never answers
        asyncio.run(get(lambda n: (b"", False), httpx2.Timeout(5, read=0.2)))
    with pytest.raises(httpx2.RemoteProtocolError, match="unsupported protocol"):
        asyncio.run(get(lambda n: (b"SPDY/3 200 OK\r\n\r\n", True)))
    with pytest.raises(httpx2.RemoteProtocolError, match="inside the body"):
        asyncio.run(get(lambda n: (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", True)))
    with pytest.raises(httpx2.RemoteProtocolError, match="without sending a response"):
        asyncio.run(get(lambda n: (b"", True)))


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "http_proxy"])
def test_a_proxy_in_the_environment_keeps_httpx2_transport(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    assert isinstance(fast_transport("https://127.0.0.1:6443", None), KubeTransport)
    monkeypatch.setenv(variable, "http://proxy.example:3128")
    assert fast_transport("https://127.0.0.1:6443", None) is None


def test_connection_parameters_copied_whole_keep_the_transport_itself() -> None:
    """lightkube 1.0.0 (the lowest version pyproject allows) builds httpx's client from `dataclasses.asdict` of its
    connection parameters, which deep-copies every field: the transport (connections, a TLS context) stays itself."""
    import copy
    import dataclasses
    import ssl

    from lightkube.config.client_adapter import ConnectionParams

    transport = KubeTransport(ssl.create_default_context())
    params = ConnectionParams(transport=transport)  # type: ignore[arg-type]  # typed sync, used for both clients
    assert dataclasses.asdict(params)["transport"] is transport
    assert copy.deepcopy(transport) is transport
