"""Lynq's template functions (Lynq's ``internal/template`` engine, which adds these to Sprig's map) and its
typed markers.

``toHost``, ``trunc63``, ``sha1sum``, ``fromJson`` (an empty map when the text is not JSON), and ``int``/``float``/
``bool``, which replace Sprig's ``int`` and return the value as text behind a marker: ``int "42"`` renders
``__LYNQ_TYPE_INT__42``.

How the loader applies the markers (what Lynq does after rendering a resource): walk the rendered object and
for every *string* value call :func:`parse_typed_value`; a string that starts with a marker becomes an int
(int64), a float or a bool, anything else stays as it is. A marker that is not at the start, or is followed by
text that does not parse (``"{{ .n | int }}-x"``), stays in the string verbatim, as in Lynq. Lynq renders with
``missingkey=error``: parse LynqForm templates with ``missing_key="error"``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from typing import Final

from .convert import go_parse_float, go_parse_int
from .sig import go
from .sprig_encoding import from_json
from .values import FuncError, fmt_float

__all__ = ["LYNQ_FUNCS", "MARKER_BOOL", "MARKER_FLOAT", "MARKER_INT", "parse_typed_value"]

MARKER_INT: Final = "__LYNQ_TYPE_INT__"
MARKER_FLOAT: Final = "__LYNQ_TYPE_FLOAT__"
MARKER_BOOL: Final = "__LYNQ_TYPE_BOOL__"


_HOST_OK: Final = frozenset("!$&'()*+,;=:[]<>\"-_.~")


_PLAIN_HOST: Final = re.compile(r"[A-Za-z0-9.\-]*(:[0-9]*)?")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


def _go_unescape_host(host: str) -> str | None:
    """net/url's unescape in host mode; None where Go reports an error."""
    if _PLAIN_HOST.fullmatch(host):
        return host
    out: list[str] = []
    i = 0
    while i < len(host):
        c = host[i]
        if c == "%":
            digits = host[i + 1 : i + 3]
            if len(digits) != 2 or not all(d in "0123456789abcdefABCDEF" for d in digits):
                return None
            if int(digits, 16) < 0x80 and digits.lower() != "25" and not host.startswith("[", 0):
                return None
            out.append(chr(int(digits, 16)))
            i += 3
            continue
        if c.isascii() and not c.isalnum() and c not in _HOST_OK:
            return None
        out.append(c)
        i += 1
    text = "".join(out)
    try:
        return text.encode("latin-1").decode() if any(0x80 <= ord(ch) < 0x100 for ch in text) else text
    except (UnicodeDecodeError, UnicodeEncodeError):
        return text


def _valid_port(port: str) -> bool:
    return port == "" or (port.startswith(":") and port[1:].isdigit() and port[1:].isascii()) or port == ":"


def go_url_hostname(raw: str) -> str | None:
    """The Hostname() of Go's url.Parse(raw): None when Go fails to parse it, "" when it has no host."""
    if _CONTROL.search(raw):
        return None
    rest = raw.partition("#")[0]
    scheme = ""
    for i, c in enumerate(rest):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-.") and i > 0:
            continue
        if c == ":":
            if i == 0:
                return None
            scheme, rest = rest[:i], rest[i + 1 :]
        break
    rest = rest.partition("?")[0]
    if not rest.startswith("/"):
        if not scheme and ":" in rest.partition("/")[0]:
            return None
        return ""
    if not rest.startswith("//"):
        return ""
    authority = rest[2:].partition("/")[0]
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        close = host.find("]")
        if close < 0 or not _valid_port(host[close + 1 :]):
            return None
        inner = _go_unescape_host(host[1:close])
        return inner
    colon = host.rfind(":")
    if colon >= 0 and not _valid_port(host[colon:]):
        return None
    unescaped = _go_unescape_host(host)
    if unescaped is None:
        return None
    colon = unescaped.rfind(":")
    if colon >= 0 and _valid_port(unescaped[colon:]):
        unescaped = unescaped[:colon]
    return unescaped


@go("str")
def _to_host(raw: str) -> str:
    host = go_url_hostname(raw)
    if not host:
        cut = raw.find(":")
        return raw[:cut] if cut >= 0 else raw
    return host


@go("str")
def _trunc63(s: str) -> str:
    data = s.encode()
    if len(data) <= 63:
        return s
    try:
        return data[:63].decode()
    except UnicodeDecodeError:
        raise FuncError("trunc63 would cut a multi-byte character (Go would produce invalid UTF-8)") from None


@go("str")
def _sha1sum(s: str) -> str:
    return hashlib.sha1(s.encode(), usedforsecurity=False).hexdigest()


@go("str")
def _from_json(s: str) -> object:
    try:
        return from_json(s)
    except ValueError:
        return {}


def _lynq_int(v: object) -> int:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return _float_int(v)
    if isinstance(v, str):
        try:
            return go_parse_int(v, base0=False)
        except ValueError:
            try:
                return _float_int(go_parse_float(v))
            except ValueError:
                return 0
    return 0


def _float_int(f: float) -> int:
    if not math.isfinite(f) or not -(2**63) <= f < 2**63:
        raise FuncError(f"int of {fmt_float(f)} is not supported (Go's result is platform-defined)")
    return int(f)


@go("any")
def _int(v: object) -> str:
    return f"{MARKER_INT}{_lynq_int(v)}"


@go("any")
def _float(v: object) -> str:
    f = 0.0
    if isinstance(v, (bool, int, float)):
        f = float(v)
    elif isinstance(v, str):
        try:
            f = go_parse_float(v)
        except ValueError:
            f = 0.0
    return f"{MARKER_FLOAT}{fmt_float(f)}"


@go("any")
def _bool(v: object) -> str:
    if isinstance(v, bool):
        b = v
    elif isinstance(v, str):
        b = v.lower() in ("true", "1", "yes", "on", "t", "y")
    elif isinstance(v, (int, float)):
        b = v != 0
    else:
        b = False
    return f"{MARKER_BOOL}{'true' if b else 'false'}"


def parse_typed_value(s: str) -> object:
    """Lynq's ParseTypedValue: a rendered string with a leading type marker as int, float or bool."""
    if s.startswith(MARKER_INT):
        try:
            return go_parse_int(s[len(MARKER_INT) :], base0=False)
        except ValueError:
            return s
    if s.startswith(MARKER_FLOAT):
        try:
            return go_parse_float(s[len(MARKER_FLOAT) :])
        except ValueError:
            return s
    if s.startswith(MARKER_BOOL):
        return s[len(MARKER_BOOL) :] == "true"
    return s


LYNQ_FUNCS: Final[dict[str, Callable[..., object]]] = {
    "toHost": _to_host,
    "trunc63": _trunc63,
    "sha1sum": _sha1sum,
    "fromJson": _from_json,
    "int": _int,
    "float": _float,
    "bool": _bool,
}
