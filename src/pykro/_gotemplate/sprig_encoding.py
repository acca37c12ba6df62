"""Sprig v3's encoding and hashing functions: base64/base32 (decode errors returned as text, as Sprig does),
JSON as Go's encoding/json writes and reads it, sha1/sha256/sha512/adler32 sums."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import zlib
from collections.abc import Callable, Mapping
from typing import Final

from .sig import go
from .values import MISSING, FuncError, fmt_float, go_type, shortest_digits

__all__ = ["ENCODING_FUNCS", "from_json", "go_json"]

_B64: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_B32: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _decode_error(text: str, alphabet: frozenset[str], quantum: int) -> int | None:
    """The input offset Go's decoder reports for malformed ``text`` (None when it is well-formed)."""
    chars = [(i, c) for i, c in enumerate(text) if c not in "\r\n"]
    for n, (i, c) in enumerate(chars):
        if c == "=":
            if (n % quantum < 2 and quantum == 4) or (n % quantum not in (2, 4, 5, 7) and quantum == 8):
                return i
            rest = chars[n:]
            pad = len(rest)
            if (n + pad) % quantum or any(ch != "=" for _, ch in rest):
                bad = next((j for j, ch in rest if ch != "="), None)
                return bad if bad is not None else len(text)
            return None
        if c not in alphabet or not c.isascii():
            return i
    if len(chars) % quantum:
        return chars[len(chars) - len(chars) % quantum][0]
    return None


@go("str")
def _b64enc(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def _bytes_text(data: bytes) -> str:
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise FuncError("the decoded bytes are not UTF-8 text: not supported") from None


@go("str")
def _b64dec(s: str) -> str:
    bad = _decode_error(s, _B64, 4)
    if bad is not None:
        return f"illegal base64 data at input byte {bad}"
    try:
        return _bytes_text(base64.b64decode(s.replace("\r", "").replace("\n", ""), validate=True))
    except binascii.Error:
        raise FuncError("b64dec: this malformed input is not supported") from None


@go("str")
def _b32enc(s: str) -> str:
    return base64.b32encode(s.encode()).decode()


@go("str")
def _b32dec(s: str) -> str:
    bad = _decode_error(s, _B32, 8)
    if bad is not None:
        return f"illegal base32 data at input byte {bad}"
    try:
        return _bytes_text(base64.b32decode(s.replace("\r", "").replace("\n", "")))
    except binascii.Error:
        raise FuncError("b32dec: this malformed input is not supported") from None


# --- JSON
def _json_float(f: float) -> str:
    """encoding/json's float64: shortest digits, fixed notation unless < 1e-6 or >= 1e21."""
    if not math.isfinite(f):
        raise FuncError(f"json: unsupported value: {fmt_float(f)}")
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    digits, dp = shortest_digits(f)
    if not digits:
        return sign + "0"
    a = abs(f)
    if a < 1e-6 or a >= 1e21:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exp = dp - 1
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}".replace("e-0", "e-")
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def _json_str(s: str, html: bool) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ord(ch) < 0x20 or ch in "\u2028\u2029" or (html and ch in "<>&"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_json(v: object, *, indent: str | None = None, html: bool = True, level: int = 0) -> str:
    """encoding/json.Marshal (or MarshalIndent with ``indent``) of a template value."""
    if v is None or v is MISSING:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return _json_float(v)
    if isinstance(v, str):
        return _json_str(v, html)
    nl = "" if indent is None else "\n" + indent * (level + 1)
    end = "" if indent is None else "\n" + indent * level
    sep = ":" if indent is None else ": "
    if isinstance(v, (list, tuple)):
        if not v:
            return "[]"
        items = [go_json(x, indent=indent, html=html, level=level + 1) for x in v]
        return "[" + nl + ("," + nl).join(items) + end + "]"
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        keys = sorted(v, key=lambda k: str(k).encode())
        items = [_json_str(str(k), html) + sep + go_json(v[k], indent=indent, html=html, level=level + 1) for k in keys]
        return "{" + nl + ("," + nl).join(items) + end + "}"
    raise FuncError(f"json: unsupported type: {go_type(v)}")


def _no_constant(name: str) -> object:
    raise ValueError(f"invalid character {name[0]!r} looking for beginning of value")


def _json_number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"json: cannot unmarshal number {text} into Go value of type float64")
    return value


def from_json(s: str) -> object:
    """encoding/json.Unmarshal into interface{}: numbers become float64; raises ValueError."""
    return json.loads(s, parse_int=_json_number, parse_float=_json_number, parse_constant=_no_constant)


@go("str")
def _from_json(s: str) -> object:
    try:
        return from_json(s)
    except ValueError:
        return None


@go("str")
def _must_from_json(s: str) -> object:
    try:
        return from_json(s)
    except ValueError as err:
        raise FuncError(str(err)) from None


def _quiet(fn: Callable[[], str]) -> str:
    try:
        return fn()
    except FuncError:
        return ""


@go("any")
def _to_json(v: object) -> str:
    return _quiet(lambda: go_json(v))


@go("any")
def _must_to_json(v: object) -> str:
    return go_json(v)


@go("any")
def _to_pretty_json(v: object) -> str:
    return _quiet(lambda: go_json(v, indent="  "))


@go("any")
def _must_to_pretty_json(v: object) -> str:
    return go_json(v, indent="  ")


@go("any")
def _to_raw_json(v: object) -> str:
    return go_json(v, html=False)


@go("str")
def _sha1sum(s: str) -> str:
    return hashlib.sha1(s.encode(), usedforsecurity=False).hexdigest()


@go("str")
def _sha256sum(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()


@go("str")
def _sha512sum(s: str) -> str:
    return hashlib.sha512(s.encode()).hexdigest()


@go("str")
def _adler32sum(s: str) -> str:
    return str(zlib.adler32(s.encode()))


ENCODING_FUNCS: Final[dict[str, Callable[..., object]]] = {
    "b64enc": _b64enc,
    "b64dec": _b64dec,
    "b32enc": _b32enc,
    "b32dec": _b32dec,
    "fromJson": _from_json,
    "mustFromJson": _must_from_json,
    "toJson": _to_json,
    "mustToJson": _must_to_json,
    "toPrettyJson": _to_pretty_json,
    "mustToPrettyJson": _must_to_pretty_json,
    "toRawJson": _to_raw_json,
    "mustToRawJson": _to_raw_json,
    "sha1sum": _sha1sum,
    "sha256sum": _sha256sum,
    "sha512sum": _sha512sum,
    "adler32sum": _adler32sum,
}
