"""kro's own CEL libraries (pkg/cel/library in kro v0.9.3): random, hash, json, maps (merge), lists, omit."""

from __future__ import annotations

import hashlib
import json
import math
from decimal import Decimal
from typing import Any

from pykro.cel._library import opaque
from pykro.cel._library.base import Fn, LibraryError, fn, glob, member
from pykro.cel._types import CelType

__all__ = [
    "FUNCTIONS",
    "OMIT_KIND",
    "fnv64a",
    "go_float",
    "insert_at_index",
    "marshal",
    "merge",
    "omit_misused",
    "remove_at_index",
    "seeded_int",
    "seeded_string",
    "set_at_index",
    "unmarshal",
]

B, INT, S, D = CelType.BYTES, CelType.INT, CelType.STRING, CelType.DYN
L = CelType.list_of(D)
M = CelType.map_of(D, D)
ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyz"
INT64 = 2**64
OMIT_KIND = "omit"  # omit() travels through the engine as an opaque value and leaves it as pykro.cel.OMIT


def _wrap64(value: int) -> int:
    """Two's-complement int64 wrap-around, as Go arithmetic does."""
    value %= INT64
    return value - INT64 if value >= 2**63 else value


def seeded_string(length: int, seed: str) -> str:
    """random.seededString: characters picked from SHA-256(seed), 4 bytes per character, cycling through it.

    Exactly kro's output, which repeats every 8 characters: kro never reaches its re-hash branch, so a string of any
    length holds at most 8 distinct picks."""
    if length <= 0:
        raise LibraryError("random.seededString length must be positive")
    digest = hashlib.sha256(seed.encode()).digest()
    out = []
    for i in range(length):
        start = (i * 4) % len(digest)  # start + 4 never passes 32, so kro never re-hashes
        idx = int.from_bytes(digest[start : start + 4], "big") % len(ALPHANUMERIC)
        out.append(ALPHANUMERIC[idx])
    return "".join(out)


def seeded_int(low: int, high: int, seed: str) -> int:
    """random.seededInt: low + (first 8 bytes of SHA-256(seed), big endian) mod (high - low), in [low, high)."""
    if low >= high:
        raise LibraryError("random.seededInt min must be less than max")
    digest = hashlib.sha256(seed.encode()).digest()
    value = int.from_bytes(digest[:8], "big")
    span = (high - low) % INT64  # uint64(max - min) in Go
    return _wrap64(low + _wrap64(value % span))


def fnv64a(text: str) -> bytes:
    """hash.fnv64a: the 8-byte FNV-1a 64-bit hash of the UTF-8 bytes."""
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001B3) % INT64
    return h.to_bytes(8, "big")


def go_float(value: float) -> str:
    """Format a float the way Go's encoding/json does."""
    if math.isnan(value) or math.isinf(value):
        raise LibraryError(f"json.marshal failed to encode value: json: unsupported value: {value}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        mantissa, _, exponent = repr(value).partition("e")
        if not exponent:
            mantissa, _, exponent = f"{value:e}".partition("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}e{sign}{int(exponent.lstrip('+-'))}"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "-0" if text == "-0" else text


def _go_json(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return _go_string(value)
    if isinstance(value, bytes | bytearray):
        import base64

        return '"' + base64.b64encode(bytes(value)).decode() + '"'
    if isinstance(value, list):
        return "[" + ",".join(_go_json(item) for item in value) + "]"
    if isinstance(value, dict):
        if any(not isinstance(key, str) for key in value):
            raise LibraryError("json.marshal failed to convert value: map key must be string")
        return "{" + ",".join(f"{_go_string(k)}:{_go_json(value[k])}" for k in sorted(value)) + "}"
    raise LibraryError(f"json.marshal failed to convert value: unsupported type {type(value).__name__}")


def _go_string(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028")):
        out = out.replace(raw, escaped)
    return out.replace("\u2029", "\\u2029")


def marshal(value: Any) -> str:
    """json.marshal: compact JSON with sorted keys and Go's escaping and number formatting."""
    return _go_json(value)


def _reject_constant(name: str) -> Any:
    raise LibraryError(
        f"json.unmarshal failed to parse JSON: invalid character {name[0]!r} looking for beginning of value"
    )


def unmarshal(text: str) -> Any:
    """json.unmarshal: parse JSON; every number becomes a double, as Go decodes into interface{}."""
    try:
        return json.loads(text, parse_int=float, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise LibraryError(f"json.unmarshal failed to parse JSON: {exc.msg}") from None


def merge(left: dict[Any, Any], right: dict[Any, Any]) -> dict[Any, Any]:
    """map.merge(other): keys of ``other`` win."""
    return {**left, **right}


def _check_index(name: str, items: list[Any], index: int, *, inclusive: bool) -> None:
    limit = len(items) + (1 if inclusive else 0)
    if not 0 <= index < limit:
        bracket = "]" if inclusive else ")"
        raise LibraryError(f"{name}: index {index} out of bounds [0, {len(items)}{bracket}")


def set_at_index(items: list[Any], index: int, value: Any) -> list[Any]:
    _check_index("lists.setAtIndex", items, index, inclusive=False)
    return [*items[:index], value, *items[index + 1 :]]


def insert_at_index(items: list[Any], index: int, value: Any) -> list[Any]:
    _check_index("lists.insertAtIndex", items, index, inclusive=True)
    return [*items[:index], value, *items[index:]]


def remove_at_index(items: list[Any], index: int) -> list[Any]:
    _check_index("lists.removeAtIndex", items, index, inclusive=False)
    return [*items[:index], *items[index + 1 :]]


def omit_misused() -> Any:
    """omit() used anywhere but as the whole value of a field (pykro.cel._rewrite puts this call there)."""
    raise LibraryError(
        "omit() is a field-removal sentinel: it can only be a field's whole value, not compared, combined or converted"
    )


FUNCTIONS: list[Fn] = [
    fn("random.seededString", glob("random.seededString_int_string", (INT, S), S, seeded_string)),
    fn("random.seededInt", glob("random.seededInt_int_int_string", (INT, INT, S), INT, seeded_int)),
    fn("hash.fnv64a", glob("hash.fnv64a_string", (S,), B, fnv64a)),
    fn("hash.sha256", glob("hash.sha256_string", (S,), B, lambda s: hashlib.sha256(s.encode()).digest())),
    fn("hash.md5", glob("hash.md5_string", (S,), B, lambda s: hashlib.md5(s.encode()).digest())),
    fn("json.unmarshal", glob("json.unmarshal_string", (S,), D, unmarshal)),
    fn("json.marshal", glob("json.marshal_dyn", (D,), S, marshal)),
    fn("merge", member("map_merge", (M, M), M, merge)),
    fn("lists.setAtIndex", glob("lists.setAtIndex_list_int_T", (L, INT, D), L, set_at_index)),
    fn("lists.insertAtIndex", glob("lists.insertAtIndex_list_int_T", (L, INT, D), L, insert_at_index)),
    fn("lists.removeAtIndex", glob("lists.removeAtIndex_list_int", (L, INT), L, remove_at_index)),
    fn("omit", glob("omit_void", (), D, lambda: opaque.make(OMIT_KIND))),
    fn("__pykro_omit_misused", glob("__pykro_omit_misused_void", (), D, omit_misused)),
]
