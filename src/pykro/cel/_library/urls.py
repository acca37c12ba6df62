"""Kubernetes' URL library: ``url(s)``, its getters and ``isURL`` (Go net/url ``ParseRequestURI`` rules)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

from pykro.cel._library import opaque
from pykro.cel._library.base import Fn, LibraryError, fn, glob, member
from pykro.cel._types import CelType

__all__ = ["FUNCTIONS", "escaped_path", "hostname", "is_url", "parse_request_uri", "port", "query", "url"]

S, BOOL, D = CelType.STRING, CelType.BOOL, CelType.DYN
OPAQUE = CelType.map_of(S, D)
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
HOST_FORBIDDEN = frozenset(' "{}|\\^`<>') | {chr(c) for c in range(0x20)}
PATH_SAFE = "/!$&'()*+,;=:@[]~-._"


def _error(raw: str, why: str) -> LibraryError:
    return LibraryError(f"URL parse error during conversion from string: parse {raw!r}: {why}")


def parse_request_uri(raw: str) -> dict[str, str]:
    """Split ``raw`` like Go's url.ParseRequestURI; raise LibraryError where Go returns an error."""
    if not raw:
        raise _error(raw, "empty url")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise _error(raw, "net/url: invalid control character in URL")
    if raw == "*":
        return {"scheme": "", "host": "", "path": "*", "query": ""}
    match = SCHEME.match(raw)
    if raw.startswith(":"):
        raise _error(raw, "missing protocol scheme")
    scheme = match.group(1).lower() if match else ""
    rest = raw[match.end() :] if match else raw
    rest, _, query = rest.partition("?")
    if not rest.startswith("/"):
        if scheme:  # an opaque URL such as mailto:x
            return {"scheme": scheme, "host": "", "path": "", "query": query, "opaque": rest}
        raise _error(raw, "invalid URI for request")
    host = ""
    if scheme and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        rest = slash + path
        _, _, host = authority.rpartition("@")
        _check_host(raw, host)
    if BAD_ESCAPE.search(rest) or BAD_ESCAPE.search(host):
        raise _error(raw, "invalid URL escape")
    return {"scheme": scheme, "host": host, "path": rest, "query": query}


def _check_host(raw: str, host: str) -> None:
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            raise _error(raw, "missing ']' in host")
        port = host[end + 1 :]
    else:
        if any(c in HOST_FORBIDDEN for c in host):
            raise _error(raw, f"invalid character {host!r} in host name")
        port = host[host.rfind(":") :] if ":" in host else ""
    if port and not re.fullmatch(r":\d*", port):
        raise _error(raw, f"invalid port {port!r} after host")


def url(raw: str) -> dict[str, Any]:
    parts = parse_request_uri(raw)
    return opaque.make("url", **parts)


def is_url(raw: str) -> bool:
    try:
        parse_request_uri(raw)
    except LibraryError:
        return False
    return True


def _fields(value: Any, function: str) -> dict[str, Any]:
    return opaque.unwrap(value, "url", function)


def hostname(value: Any) -> str:
    host = str(_fields(value, "getHostname")["host"])
    if host.startswith("["):
        return host[1 : host.find("]")]
    return host.rpartition(":")[0] if ":" in host else host


def port(value: Any) -> str:
    host = str(_fields(value, "getPort")["host"])
    tail = host[host.find("]") + 1 :] if host.startswith("[") else host
    return tail.rpartition(":")[2] if ":" in tail else ""


def escaped_path(value: Any) -> str:
    """Go's EscapedPath: the path as written when it is a valid encoding, else a re-escaped path."""
    path = str(_fields(value, "getEscapedPath")["path"])
    if all(c.isascii() and (c.isalnum() or c in PATH_SAFE or c == "%") for c in path):
        return path
    return quote(unquote(path), safe=PATH_SAFE)


def query(value: Any) -> dict[str, list[str]]:
    """Go's url.Values from the raw query: ``a=1&a=2&b`` -> {"a": ["1", "2"], "b": [""]}."""
    out: dict[str, list[str]] = {}
    for item in str(_fields(value, "getQuery")["query"]).split("&"):
        if not item or ";" in item:
            continue
        key, _, val = item.partition("=")
        if BAD_ESCAPE.search(key) or BAD_ESCAPE.search(val):
            continue
        out.setdefault(unquote_plus(key), []).append(unquote_plus(val))
    return out


FUNCTIONS: list[Fn] = [
    fn("url", glob("string_to_url", (S,), OPAQUE, url)),
    fn("getScheme", member("url_get_scheme", (OPAQUE,), S, lambda v: _fields(v, "getScheme")["scheme"])),
    fn("getHost", member("url_get_host", (OPAQUE,), S, lambda v: _fields(v, "getHost")["host"])),
    fn("getHostname", member("url_get_hostname", (OPAQUE,), S, hostname)),
    fn("getPort", member("url_get_port", (OPAQUE,), S, port)),
    fn("getEscapedPath", member("url_get_escaped_path", (OPAQUE,), S, escaped_path)),
    fn("getQuery", member("url_get_query", (OPAQUE,), CelType.map_of(S, CelType.list_of(S)), query)),
    fn("isURL", glob("is_url_string", (S,), BOOL, is_url)),
]
