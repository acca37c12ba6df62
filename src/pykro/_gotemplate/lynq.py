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
import json
import math
from collections.abc import Callable
from typing import Final
from urllib.parse import urlsplit

from .convert import go_parse_float, go_parse_int
from .sig import go
from .values import fmt_float

__all__ = ["LYNQ_FUNCS", "MARKER_BOOL", "MARKER_FLOAT", "MARKER_INT", "parse_typed_value"]

MARKER_INT: Final = "__LYNQ_TYPE_INT__"
MARKER_FLOAT: Final = "__LYNQ_TYPE_FLOAT__"
MARKER_BOOL: Final = "__LYNQ_TYPE_BOOL__"


@go("str")
def _to_host(raw: str) -> str:
    try:
        parts = urlsplit(raw)
        host = parts.netloc
    except ValueError:
        host = ""
    if not host or any(c in raw for c in " \t\n\x7f") or not raw.isascii():
        if any(c in raw for c in " \t\n\x7f") or not raw.isascii():
            from .values import FuncError

            raise FuncError(f"toHost of {raw!r} is not supported (Go's URL parsing of it may differ)")
        cut = raw.find(":")
        return raw[:cut] if cut >= 0 else raw
    hostport = host.rpartition("@")[2]
    if hostport.startswith("["):
        return hostport[1 : hostport.find("]")] if "]" in hostport else hostport[1:]
    return hostport.partition(":")[0]


@go("str")
def _trunc63(s: str) -> str:
    data = s.encode()
    if len(data) <= 63:
        return s
    try:
        return data[:63].decode()
    except UnicodeDecodeError:
        from .values import FuncError

        raise FuncError("trunc63 would cut a multi-byte character (Go would produce invalid UTF-8)") from None


@go("str")
def _sha1sum(s: str) -> str:
    return hashlib.sha1(s.encode(), usedforsecurity=False).hexdigest()


@go("str")
def _from_json(s: str) -> object:
    from .sprig_encoding import from_json

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
        return int(v) if math.isfinite(v) else 0
    if isinstance(v, str):
        try:
            return go_parse_int(v, base0=False)
        except ValueError:
            try:
                f = go_parse_float(v)
                return int(f) if math.isfinite(f) else 0
            except ValueError:
                return 0
    return 0


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

_ = json
