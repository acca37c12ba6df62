"""pykro's HTTP transport (`pykro.deploy._transport`) over real sockets: a deploy against the emulator goes through it,
reuses its connections and makes no more requests than before; bodies framed by Content-Length, chunks or the
connection's end; an idle connection the server closed is replaced; failures carry httpx's names and texts. Which
contexts it serves (`pykro.deploy._client`): a token or client certificate with a known certificate authority, in a
process that imports neither lightkube nor httpx; token files, exec plugins and proxies go through lightkube's own
client, whose failures come out as the same exceptions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from pykro.cli._deploy import load_source
from pykro.deploy import ApiFailure, ClusterUnreachable, Instance, NullReporter, RetryPolicy, factory
from pykro.deploy import _transport as http
from pykro.deploy._api import NAMESPACE_TYPE, Cluster
from pykro.deploy._transport import KubeTransport, Request

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
        async with serve(lambda n: answers[n]) as (url, seen):
            out = []
            for path in ("/a", "/b", "/c", "/d"):
                r = await transport.handle(Request("POST", url + path, body=b'{"k": 1}'))
                out.append((r.status_code, await r.aread()))
            await transport.aclose()
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
        r = await KubeTransport(None).handle(Request("GET", url, read_timeout=None))
        async for line in r.aiter_lines():
            lines.append(line)
            gate.set()
        server.close()

    asyncio.run(run())
    assert lines == [b"first", b"second"]


def test_an_idle_connection_the_server_closed_is_replaced() -> None:
    async def run() -> tuple[list[bytes], int]:
        transport = KubeTransport(None)
        # each answer claims keep-alive, then the server drops the connection (as an idle timeout would)
        async with serve(lambda n: (_fixed(b"n%d" % n), True)) as (url, _):
            out = []
            for _ in range(3):
                out.append(await (await transport.handle(Request("GET", url + "/x"))).aread())
                await asyncio.sleep(0.05)  # lets the client see the close; without it the retry covers it too
            return out, transport.connects

    out, connects = asyncio.run(run())
    assert out == [b"n1", b"n2", b"n3"]
    assert connects == 3


def test_failures_carry_httpx_names_and_texts() -> None:
    async def refused() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        await KubeTransport(None).handle(Request("GET", f"http://127.0.0.1:{port}/"))

    with pytest.raises(http.ConnectError, match=r"^All connection attempts failed$"):
        asyncio.run(refused())

    async def get(answer: Answer, read_timeout: float = 5) -> None:
        async with serve(answer) as (url, _):
            r = await KubeTransport(None).handle(Request("GET", url + "/", read_timeout=read_timeout))
            await r.aread()

    with pytest.raises(http.ReadTimeout):  # the server never answers
        asyncio.run(get(lambda n: (b"", False), 0.2))
    with pytest.raises(http.RemoteProtocolError, match="unsupported protocol"):
        asyncio.run(get(lambda n: (b"SPDY/3 200 OK\r\n\r\n", True)))
    with pytest.raises(http.RemoteProtocolError, match="inside the body"):
        asyncio.run(get(lambda n: (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", True)))
    with pytest.raises(http.RemoteProtocolError, match="without sending a response"):
        asyncio.run(get(lambda n: (b"", True)))


# ---------------------------------------------------------------------------------------------- who sends
def _kubeconfig(cluster: Any, tmp_path: Path, user: dict[str, Any], server: str | None = None) -> Path:
    """The emulator's kubeconfig with another user entry (and server)."""
    from pykro import _yamlio as yamlio

    data: Any = yamlio.load_file(Path(cluster.kubeconfig_path))
    data["users"][0]["user"] = user
    if server is not None:
        data["clusters"][0]["cluster"]["server"] = server
    path = tmp_path / "kubeconfig"
    path.write_text(yamlio.dump(data))
    return path


def _token(cluster: Any) -> str:
    from pykro import _yamlio as yamlio

    data: Any = yamlio.load_file(Path(cluster.kubeconfig_path))
    return str(data["users"][0]["user"]["token"])


def _namespace_of(path: Path) -> tuple[dict[str, Any] | None, KubeTransport | None]:
    async def run() -> tuple[dict[str, Any] | None, KubeTransport | None]:
        async with Cluster(kubeconfig=path) as c:
            return await c.get(NAMESPACE_TYPE, "default"), c.transport

    return asyncio.run(run())


def test_a_token_context_needs_neither_lightkube_nor_httpx(cluster: Any) -> None:
    """A deploy's requests with the emulator's kubeconfig (a token, a certificate authority): pykro's transport, in a
    process that never imports lightkube or httpx2."""
    import subprocess
    import sys

    code = (
        "import asyncio, sys\n"
        "from pykro.deploy._api import Cluster, NAMESPACE_TYPE\n"
        "async def run():\n"
        f"    async with Cluster(kubeconfig={str(cluster.kubeconfig_path)!r}) as c:\n"
        "        return await c.get(NAMESPACE_TYPE, 'default'), c.transport is not None\n"
        "found, own = asyncio.run(run())\n"
        "print(found['metadata']['name'], own, sorted(m for m in sys.modules if m.split('.')[0] in "
        "('lightkube', 'httpx2', 'httpcore2')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip().split(maxsplit=2) == ["default", "True", "[]"], done.stderr


def _plugin(*code: str, version: str = "client.authentication.k8s.io/v1beta1") -> dict[str, Any]:
    """A credential plugin entry running Python ``code`` (one statement per item)."""
    import sys

    return {"apiVersion": version, "command": sys.executable, "args": ["-c", "; ".join(code)]}


def _printing(token: str) -> str:
    import json

    return f"print({json.dumps(json.dumps({'status': {'token': token}}))})"


def test_token_files_go_through_lightkube_and_exec_plugins_through_pykro(cluster: Any, tmp_path: Path) -> None:
    """A token file reaches the server through lightkube's client; a credential plugin through pykro's (as lightkube's
    ``ExecAuth`` runs it); a plugin version lightkube does not know stays lightkube's error."""
    token_file = tmp_path / "token"
    token_file.write_text(_token(cluster))
    found, transport = _namespace_of(_kubeconfig(cluster, tmp_path, {"tokenFile": str(token_file)}))
    assert found is not None and found["metadata"]["name"] == "default" and transport is None
    plugin = _plugin(_printing(_token(cluster)))
    found, transport = _namespace_of(_kubeconfig(cluster, tmp_path, {"exec": plugin}))
    assert found is not None and found["metadata"]["name"] == "default" and transport is not None
    # a credential plugin that fails, is missing or prints no token is the user's error: one paragraph, not retried
    failing = [
        _plugin("import sys", "sys.exit('expired')"),
        {**plugin, "command": "/nonexistent/credential-plugin"},
        _plugin("print('{}')"),
        _plugin(_printing("t"), version="client.authentication.k8s.io/v9"),  # lightkube's "not implemented"
    ]
    for entry, problem in zip(
        failing, ["expired", "No such file", "no ExecCredential", "not implemented"], strict=True
    ):
        with pytest.raises(ClusterUnreachable, match=f"no credentials for context .*{problem}"):
            _namespace_of(_kubeconfig(cluster, tmp_path, {"exec": entry}))
    # a wrong token is refused the same way on both paths
    for user in ({"token": "wrong"}, {"exec": _plugin(_printing("x"))}, {"tokenFile": str(token_file)}):
        token_file.write_text("wrong")
        with pytest.raises(ApiFailure, match="HTTP 401") as info:
            _namespace_of(_kubeconfig(cluster, tmp_path, user))
        assert info.value.code == 401


def test_a_rejected_plugin_token_is_renewed_once(tmp_path: Path) -> None:
    """As lightkube's ``ExecAuth``: the plugin runs before the first request (once for requests sent together), a
    401 to a token it gave earlier runs it again and repeats the request with the new token; a 401 to a token it
    has just given is the answer."""
    from pykro import _yamlio as yamlio

    source, runs = tmp_path / "current", tmp_path / "runs"
    source.write_text("t1")
    code = [f"open({str(runs)!r}, 'a').write('x')", f"token = open({str(source)!r}).read()"]
    code.append('print(\'{"status": {"token": "%s"}}\' % token)')

    def answer(head: bytes) -> bytes:
        ok = b"\r\nAuthorization: Bearer t2\r\n" in head
        body = b'{"metadata": {"name": "default"}}' if ok else b'{"kind": "Status", "code": 401, "message": "no"}'
        status = b"200 OK" if ok else b"401 Unauthorized"
        return b"HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
            status, len(body), body
        )  # fmt: skip

    async def run() -> list[str]:
        async with serve(lambda n: (answer(seen[n - 1]), False)) as (url, seen):
            config = {
                "current-context": "c",
                "clusters": [{"name": "c", "cluster": {"server": url}}],
                "users": [{"name": "u", "user": {"exec": _plugin(*code)}}],
                "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
            }
            path = tmp_path / "kubeconfig"
            path.write_text(yamlio.dump(config))
            out = []
            async with Cluster(kubeconfig=path, retry=RetryPolicy(attempts=1)) as c:
                for _ in range(2):
                    try:
                        found = await asyncio.gather(*(c.get(NAMESPACE_TYPE, "default") for _ in range(3)))
                        out.append(f"{[f['metadata']['name'] for f in found if f]} after {len(runs.read_text())}")
                    except ApiFailure as exc:
                        out.append(f"{exc.code} after {len(runs.read_text())}")
                    source.write_text("t2")
            return out

    assert asyncio.run(run()) == ["401 after 1", "['default', 'default', 'default'] after 2"]


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "http_proxy"])
def test_a_proxy_in_the_environment_sends_through_httpx(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """httpx honours the proxy variables (and NO_PROXY); its failures come out as pykro's exceptions."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    path = Path(cluster.kubeconfig_path)
    assert _namespace_of(path)[1] is not None
    monkeypatch.setenv(variable, "http://127.0.0.1:1")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    found, transport = _namespace_of(path)
    assert found is not None and transport is None
    if variable.lower() != "http_proxy":  # https URLs go through the other two
        monkeypatch.delenv("NO_PROXY")

        async def run() -> None:
            async with Cluster(kubeconfig=path, retry=RetryPolicy(attempts=1)) as c:
                await c.get(NAMESPACE_TYPE, "default")

        with pytest.raises(ClusterUnreachable, match=r"\((ConnectError|ProxyError|TransportError): "):
            asyncio.run(run())


def test_client_certificates_and_certificate_authorities_as_lightkube_reads_them(tmp_path: Path) -> None:
    """A TLS server that requires a client certificate: pykro's client presents the kubeconfig's (as data or as a
    file relative to the kubeconfig), checks the server against the kubeconfig's authority, sends the token, and
    trusts an unknown server only with insecure-skip-tls-verify."""
    import base64
    import ssl

    from pykro import _yamlio as yamlio
    from pykro.emulator._tls import self_signed

    server_cert, client_cert = self_signed(), self_signed()
    heads: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            heads.append(await reader.readuntil(b"\r\n\r\n"))
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        assert writer.get_extra_info("peercert") is not None  # the client presented its certificate
        body = b'{"kind": "Namespace", "metadata": {"name": "default"}}'
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()
        writer.close()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    (tmp_path / "client.crt").write_bytes(client_cert.cert_pem)
    (tmp_path / "client.key").write_bytes(client_cert.key_pem)
    users = {
        "data": {"client-certificate-data": b64(client_cert.cert_pem), "client-key-data": b64(client_cert.key_pem)},
        "files": {"client-certificate": "client.crt", "client-key": "client.key", "token": "t0ken"},
    }

    async def get(port: int, user: dict[str, Any], cluster: dict[str, Any]) -> tuple[Any, KubeTransport | None]:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "c",
            "clusters": [{"name": "c", "cluster": {"server": f"https://127.0.0.1:{port}", **cluster}}],
            "users": [{"name": "u", "user": user}],
            "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
        }
        path = tmp_path / "kubeconfig"
        path.write_text(yamlio.dump(config))
        async with Cluster(kubeconfig=path, retry=RetryPolicy(attempts=1)) as c:
            return await c.get(NAMESPACE_TYPE, "default"), c.transport

    async def run() -> None:
        context = server_cert.server_context()
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cadata=client_cert.cert_pem.decode())
        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
        port = server.sockets[0].getsockname()[1]
        trusted = {"certificate-authority-data": b64(server_cert.cert_pem)}
        for user in users.values():
            found, transport = await get(port, user, trusted)
            assert found["metadata"]["name"] == "default" and transport is not None
        assert b"\r\nAuthorization: Bearer t0ken\r\n" in heads[-1] and b"Authorization" not in heads[0]
        found, transport = await get(port, users["data"], {"insecure-skip-tls-verify": True})
        assert found["metadata"]["name"] == "default" and transport is not None
        with pytest.raises(ClusterUnreachable, match="certificate verify failed"):  # another authority
            await get(port, users["data"], {"certificate-authority-data": b64(client_cert.cert_pem)})
        server.close()

    asyncio.run(run())
