"""`Connection`: JSON over HTTP/1.1 to the API server of a kubeconfig context, and watch streams; `connect` picks
what sends. When the context authenticates with a bearer token, a client certificate or a credential plugin
(``exec``, run as lightkube's ``ExecAuth`` runs it), its cluster names a certificate authority (or skips
verification, or is plain http) and no proxy is set in the environment, requests go through pykro's
`KubeTransport` with the TLS context and Authorization header lightkube would build from the same entries
(``verify_cluster``/``user_auth``), and neither lightkube nor httpx is imported. Any other context (token files,
basic auth, the system's certificate store, the in-cluster service account, a proxy in the environment) is sent by
lightkube's own httpx client, so those keep exactly lightkube's behaviour; its failures become the exceptions of
`pykro.deploy._transport` (the same names and texts)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import ssl
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pykro._kube import ResourceType
from pykro.deploy import _transport as http
from pykro.deploy._errors import ClusterUnreachable
from pykro.deploy._kubeconfig import KubeSettings
from pykro.deploy._retry import RetryPolicy, retry_after, retryable, status_code

__all__ = ["PROXY_VARIABLES", "Connection", "connect", "fast_path"]

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")
_USER_FIELDS = frozenset(
    {"token", "client-certificate", "client-certificate-data", "client-key", "client-key-data"}
)  # what a context's user may hold for pykro's own client (anything else but `exec`: lightkube's)
_EXEC_VERSIONS = ("client.authentication.k8s.io/v1alpha1", "client.authentication.k8s.io/v1beta1")


def fast_path(settings: KubeSettings) -> bool:
    """True when pykro's own client sends this context's requests (see the module)."""
    if any(os.environ.get(v) or os.environ.get(v.upper()) for v in PROXY_VARIABLES):
        return False  # httpx honours HTTP(S)_PROXY, ALL_PROXY and NO_PROXY
    server, cluster, user = settings.server, settings.cluster, settings.user
    if settings.single is not None or user is None or not server.startswith(("https://", "http://")):
        return False
    plugin = user.get("exec") if "token" not in user else None  # a token wins over a plugin (lightkube's order)
    if plugin is not None and not _plain_exec(plugin):
        return False
    fields = {k: v for k, v in user.items() if k != "exec"}
    if not set(fields) <= _USER_FIELDS or not all(isinstance(v, str) for v in fields.values()):
        return False
    if ("client-certificate" in user or "client-certificate-data" in user) != (
        "client-key" in user or "client-key-data" in user
    ):
        return False  # half a key pair: lightkube's error
    if server.startswith("http://"):
        return True
    ca = cluster.get("certificate-authority") or cluster.get("certificate-authority-data")
    return isinstance(ca, str) or cluster.get("insecure-skip-tls-verify") is True


def _plain_exec(plugin: Any) -> bool:
    """A credential plugin entry pykro runs as lightkube's ``ExecAuth`` does: a command, string arguments, name/value
    environment entries, a client.authentication.k8s.io version lightkube knows."""
    if not isinstance(plugin, dict) or not isinstance(plugin.get("command"), str) or not plugin["command"]:
        return False
    args, env = plugin.get("args") or [], plugin.get("env") or []
    return (
        plugin.get("apiVersion") in _EXEC_VERSIONS
        and isinstance(args, list)
        and all(isinstance(a, str) for a in args)
        and isinstance(env, list)
        and all(isinstance(e, dict) and isinstance(e.get("name"), str) and isinstance(e.get("value"), str) for e in env)
    )


def _tls(settings: KubeSettings) -> ssl.SSLContext:
    """The TLS context lightkube's ``verify_cluster`` makes of the same entries: the cluster's certificate authority
    (file first, then data) else no verification, plus the user's client certificate."""
    cluster, user = settings.cluster, settings.user or {}
    if cluster.get("certificate-authority"):
        context = ssl.create_default_context(cafile=settings.abs_file(str(cluster["certificate-authority"])))
    elif cluster.get("certificate-authority-data"):
        pem = base64.b64decode(str(cluster["certificate-authority-data"])).decode("ascii", "replace")
        context = ssl.create_default_context(cadata=pem)
    else:  # insecure-skip-tls-verify
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if "client-certificate" in user or "client-certificate-data" in user:
        with tempfile.TemporaryDirectory() as tmp:
            cert = _file(settings, user, "client-certificate", Path(tmp) / "cert")
            key = _file(settings, user, "client-key", Path(tmp) / "key")
            context.load_cert_chain(cert, key)
    return context


def _file(settings: KubeSettings, user: dict[str, Any], name: str, spare: Path) -> str:
    """The path of a certificate or key: its ``-data`` written to ``spare`` (read once, then removed), else the
    file named."""
    data = user.get(f"{name}-data")
    if data:
        spare.write_bytes(base64.b64decode(data))
        spare.chmod(0o600)
        return str(spare)
    return settings.abs_file(str(user[name]))


class _Own:
    """pykro's transport with the context's Authorization header: its token, else the token its credential plugin
    prints (run before the first request, and again when the server answers 401 to the one it gave, as lightkube's
    ``ExecAuth`` does)."""

    def __init__(self, settings: KubeSettings) -> None:
        verify = _tls(settings) if settings.server.startswith("https:") else None
        self.settings = settings
        self.transport = http.KubeTransport(verify)
        user = settings.user or {}
        self.plugin: dict[str, Any] | None = user.get("exec") if "token" not in user else None
        self.bearer: str | None = None
        self.lock = asyncio.Lock()
        token = user.get("token")
        if token is not None:
            self.bearer = _bearer(token)

    async def handle(self, request: http.Request) -> http.Response:
        headers = list(request.headers)
        bearer = cached = self.bearer
        if bearer is None and self.plugin is not None:
            bearer = await self._credential(None)
        if bearer is not None:
            request.headers = [("Authorization", bearer), *headers]
        response = await self.transport.handle(request)
        if response.status_code == 401 and self.plugin is not None and cached is not None:
            await response.aread()
            request.headers = [("Authorization", await self._credential(bearer)), *headers]
            response = await self.transport.handle(request)
        return response

    async def _credential(self, rejected: str | None) -> str:
        """The plugin's token (run once for requests waiting together; again when ``rejected`` is the current one)."""
        async with self.lock:
            if self.bearer is None or self.bearer == rejected:
                self.bearer = await self._run()
            return self.bearer

    async def _run(self) -> str:
        plugin = self.plugin or {}
        env = {**os.environ, **{e["name"]: e["value"] for e in plugin.get("env") or []}}
        command = [plugin["command"], *(plugin.get("args") or [])]
        pipe = asyncio.subprocess.PIPE
        try:
            proc = await asyncio.create_subprocess_exec(*command, env=env, stdout=pipe, stderr=pipe)
            out, err = await proc.communicate()
        except OSError as exc:
            raise self._failed(str(exc)) from None
        if proc.returncode != 0:
            raise self._failed(f"Exec {command[0]} returned {proc.returncode}: {err.decode(errors='replace')}")
        try:
            token = json.loads(out)["status"]["token"]
            return _bearer(str(token))
        except (ValueError, KeyError, TypeError):
            raise self._failed(f"Exec {command[0]} printed no ExecCredential with a status.token") from None

    def _failed(self, problem: str) -> ClusterUnreachable:
        return _no_credentials(self.settings, problem)

    async def aclose(self) -> None:
        await self.transport.aclose()


def _bearer(token: str) -> str:
    if any(c in token for c in "\r\n\0"):
        raise ValueError("the user's token holds a line break or NUL character")
    return f"Bearer {token}"


def _no_credentials(settings: KubeSettings, problem: str) -> ClusterUnreachable:
    return ClusterUnreachable(
        f"no credentials for context {settings.context_name!r}: {problem.strip()}",
        where=str(settings.fname or "the in-cluster service account"),
        fix="Run the kubeconfig user's exec command yourself to see why it fails (e.g. log in to your cloud "
        "provider again), or fix its token file.",
    )


class _Lightkube:
    """lightkube's httpx client for this context (its authentication, TLS, proxies from the environment)."""

    def __init__(self, settings: KubeSettings) -> None:
        from lightkube.config.client_adapter import AsyncClient, ConnectionParams
        from lightkube.core.exceptions import ConfigError

        self.settings = settings

        try:
            self.client = AsyncClient(settings.lightkube(), ConnectionParams())
        except AssertionError as exc:  # lightkube asserts the context names a user
            raise ValueError(str(exc) or "the context names no user") from None
        except (ConfigError, KeyError, TypeError, AttributeError) as exc:  # what lightkube cannot read in it
            raise ValueError(str(exc)) from None

    async def handle(self, request: http.Request) -> http.Response:
        import httpx2
        from lightkube.core.exceptions import ConfigError

        timeout = httpx2.Timeout(http.TIMEOUT, read=request.read_timeout)
        try:
            built = self.client.build_request(
                request.method, request.url, headers=request.headers, content=request.body or None, timeout=timeout
            )
            answer = await self.client.send(built, stream=True)
        except httpx2.HTTPError as exc:
            raise _converted(exc) from exc
        except (ConfigError, OSError) as exc:  # the user's credential plugin or token file (not worth a retry)
            raise _no_credentials(self.settings, str(exc)) from None
        headers = {k.lower(): v for k, v in answer.headers.items()}
        return http.Response(answer.status_code, answer.reason_phrase, headers, _body(answer), request.url)

    async def aclose(self) -> None:
        await self.client.aclose()


async def _body(answer: Any) -> AsyncIterator[bytes]:
    import httpx2

    try:
        async for chunk in answer.aiter_bytes():
            yield chunk
    except httpx2.HTTPError as exc:
        raise _converted(exc) from exc
    finally:
        await answer.aclose()


def _converted(exc: Exception) -> http.HTTPError:
    """An httpx failure as the exception of the same name in `pykro.deploy._transport` (the same text)."""
    kind = getattr(http, type(exc).__name__, None)
    if not (isinstance(kind, type) and issubclass(kind, http.TransportError)):
        kind = http.TransportError
    return kind(str(exc))


def connect(settings: KubeSettings) -> tuple[http.Sender, http.KubeTransport | None]:
    """What sends this context's requests, and pykro's transport when it is the one (None: lightkube's client)."""
    if fast_path(settings):
        own = _Own(settings)
        return own, own.transport
    return _Lightkube(settings), None


def _encode(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def _refusal(response: http.Response) -> http.HTTPStatusError:
    """The error of a 4xx/5xx answer (its body read): an `ApiError` with the server's Status when the answer is
    JSON, else the status line and the URL."""
    if response.headers.get("content-type") == "application/json":
        try:
            status = http.Status.of(json.loads(response.content))
        except ValueError:
            pass
        else:
            if status.code is None:
                status.code = response.status_code
            return http.ApiError(status, response)
    side = "Client" if response.status_code < 500 else "Server"
    text = f"{side} error '{response.status_code} {response.reason_phrase}' for url '{response.url}'"
    return http.HTTPStatusError(text, response)


class Connection:
    """JSON requests to one context's API server (writes carry ``field_manager``), and watch streams."""

    def __init__(self, settings: KubeSettings, field_manager: str) -> None:
        self.base = settings.server.rstrip("/")
        self.field_manager = field_manager
        self.sender, self.transport = connect(settings)

    async def aclose(self) -> None:
        await self.sender.aclose()

    @staticmethod
    def path(rt: ResourceType, namespace: str | None, name: str | None = None) -> str:
        """The URL path of ``rt``'s collection (all namespaces when ``namespace`` is None) or of object ``name``."""
        parts = ["api", rt.version] if not rt.group else ["apis", rt.group, rt.version]
        if rt.namespaced and namespace is not None:
            parts += ["namespaces", namespace]
        parts.append(rt.plural)
        if name is not None:
            parts.append(name)
        return "/".join(parts)

    def write_params(self, **extra: str | None) -> dict[str, str | None]:
        return {"fieldManager": self.field_manager, **extra}

    async def send(
        self,
        method: str,
        path: str,
        params: dict[str, str | None] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        read_timeout: float | None = http.TIMEOUT,
    ) -> http.Response:
        """Send a request; a 4xx/5xx answer raises (`ApiError` when it carries the server's Status)."""
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
        headers = [("Accept", "application/json"), ("User-Agent", "pykro")]
        data = b""
        if body is not None:
            data = _encode(body)
            headers.append(("Content-Type", content_type))
        url = f"{self.base}/{path}" + (f"?{query}" if query else "")
        response = await self.sender.handle(http.Request(method, url, headers, data, read_timeout))
        if response.status_code >= 400:
            await response.aread()
            raise _refusal(response)
        return response

    async def json(self, method: str, path: str, params: dict[str, str | None] | None = None, **kw: Any) -> Any:
        """The JSON answer of a request (None for an empty body)."""
        response = await self.send(method, path, params, **kw)
        content = await response.aread()
        try:
            return json.loads(content) if content else None
        except ValueError:
            raise http.RemoteProtocolError(f"the answer to {method} /{path} is not JSON") from None

    async def stream(
        self,
        path: str,
        params: dict[str, str | None],
        resource_version: str | None,
        retry: RetryPolicy,
        rng: random.Random,
    ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Watch events of ``path`` from ``resource_version`` on; a stream the server ends is resumed from the last
        event seen, retryable errors back off per ``retry`` (410 Gone starts over from the current state)."""
        version, failures = resource_version, 0
        while True:
            response = None
            try:
                response = await self.send("GET", path, {**params, "resourceVersion": version}, read_timeout=None)
                failures = 0
                async for line in response.aiter_lines():
                    event = json.loads(line)
                    obj = event.get("object") or {}
                    if event.get("type") == "ERROR":
                        raise http.ApiError(http.Status.of(obj), response)
                    version = (obj.get("metadata") or {}).get("resourceVersion") or version
                    yield str(event.get("type")), obj
            except http.HTTPError as exc:
                failures += 1
                gone = status_code(exc) == 410
                if not (gone or retryable(exc)) or failures > retry.attempts:
                    raise
                if gone:
                    version = None  # too old: start over (the server sends the current objects first)
                await asyncio.sleep(retry.delay(failures, retry_after(exc), rng))
            finally:
                if response is not None:
                    await response.aclose()
