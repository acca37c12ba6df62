"""Go's and Sprig's value conversions: strconv parsing, ``spf13/cast`` (what Sprig's numeric functions use),
Sprig's ``strval``/``strslice``/``empty``, and the conversion, default and reflection functions of Sprig."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Final

from .gofmt import sprintf
from .sig import go
from .values import I64, MISSING, FuncError, StrList, fmt_v, go_type

__all__ = [
    "CONVERT_FUNCS",
    "empty",
    "go_parse_float",
    "go_parse_int",
    "strslice",
    "strval",
    "to_float64",
    "to_int64",
    "wrap64",
]

_INT_RE: Final = re.compile(r"[+-]?(0[xX]_?[0-9a-fA-F]+(_[0-9a-fA-F]+)*|0[oO]_?[0-7]+(_[0-7]+)*|0[bB]_?[01]+(_[01]+)*"
                            r"|0(_?[0-7]+)*|[1-9](_?[0-9]+)*)")  # fmt: skip
_DEC_RE: Final = re.compile(r"[+-]?[0-9]+")
_FLOAT_RE: Final = re.compile(
    r"[+-]?(?:(?:[0-9](?:_?[0-9])*)?\.?(?:[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
    r"|0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*[pP][+-]?[0-9_]+|inf|infinity|nan)",
    re.IGNORECASE,
)
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1


def go_parse_int(text: str, base0: bool = True) -> int:
    """strconv.ParseInt(text, 0 or 10, 64); raises ValueError."""
    if not (_INT_RE if base0 else _DEC_RE).fullmatch(text):
        raise ValueError(f"strconv.ParseInt: parsing {text!r}: invalid syntax")
    body = text.lstrip("+-")
    sign = -1 if text.startswith("-") else 1
    if base0 and len(body) > 1 and body[0] == "0" and body[1] not in "xXoObB":
        value = int(body.replace("_", ""), 8)
    else:
        value = int(body, 0) if base0 else int(body, 10)
    value *= sign
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"strconv.ParseInt: parsing {text!r}: value out of range")
    return value


def go_parse_float(text: str) -> float:
    """strconv.ParseFloat(text, 64); raises ValueError."""
    if (
        not text
        or not text.isascii()
        or not _FLOAT_RE.fullmatch(text)
        or (not any(c.isdigit() for c in text) and (text.lstrip("+-").lower() not in ("inf", "infinity", "nan")))
    ):
        raise ValueError(f"strconv.ParseFloat: parsing {text!r}: invalid syntax")
    body = text.lstrip("+-").lower()
    value = float.fromhex(text.replace("_", "")) if body.startswith("0x") else float(text)
    if math.isinf(value) and "inf" not in body:
        raise ValueError(f"strconv.ParseFloat: parsing {text!r}: value out of range")
    return value


def _trim_zero_decimal(s: str) -> str:
    """cast's trimZeroDecimal: "10.00" -> "10"."""
    found_zero = False
    for i in range(len(s), 0, -1):
        ch = s[i - 1]
        if ch == ".":
            if found_zero:
                return s[: i - 1]
        elif ch == "0":
            found_zero = True
        else:
            return s
    return s


def wrap64(n: int) -> int:
    return (n + 2**63) % 2**64 - 2**63


def _float_to_int(f: float) -> int:
    if math.isnan(f) or math.isinf(f) or not INT64_MIN <= f <= INT64_MAX:
        raise FuncError(f"converting {fmt_v(f)} to an integer is not supported (Go's result is platform-defined)")
    return int(f)


def to_int64(v: object) -> int:
    """cast.ToInt64 (0 when it cannot convert)."""
    if v is None or v is MISSING:
        return 0
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return _float_to_int(v)
    if isinstance(v, str):
        try:
            return go_parse_int(_trim_zero_decimal(v))
        except ValueError:
            return 0
    return 0


def to_float64(v: object) -> float:
    """cast.ToFloat64 (0 when it cannot convert)."""
    if v is None or v is MISSING:
        return 0.0
    if isinstance(v, (bool, int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return go_parse_float(v)
        except ValueError:
            return 0.0
    return 0.0


def strval(v: object) -> str:
    """Sprig's strval: strings as they are, anything else as ``%v``."""
    return v if isinstance(v, str) else fmt_v(v)


def strslice(v: object) -> list[str]:
    """Sprig's strslice: a list's non-nil elements as strings; a scalar as a one-element list."""
    if isinstance(v, (list, tuple)):
        return [strval(x) for x in v if x is not None]
    if v is None or v is MISSING:
        return []
    return [strval(v)]


def empty(v: object) -> bool:
    """Sprig's empty: nil, false, 0, "", and empty lists and maps."""
    if v is None or v is MISSING:
        return True
    if isinstance(v, (bool, int, float, str, list, tuple, Mapping)):
        return not v
    return False


# --- conversion
@go("any")
def _to_string(v: object) -> str:
    return strval(v)


@go("str")
def _atoi(s: str) -> int:
    """strconv.Atoi with the error ignored: 0 for bad syntax, the nearest int64 when out of range."""
    try:
        return go_parse_int(s, base0=False)
    except ValueError:
        if _DEC_RE.fullmatch(s):
            return INT64_MIN if s.startswith("-") else INT64_MAX
        return 0


@go("any")
def _int64(v: object) -> I64:
    return I64(to_int64(v))


@go("any")
def _int(v: object) -> int:
    return to_int64(v)


@go("any")
def _float64(v: object) -> float:
    return to_float64(v)


@go("any")
def _to_decimal(v: object) -> I64:
    try:
        return I64(int(sprintf("%v", v), 8)) if re.fullmatch(r"[+-]?[0-7]+", sprintf("%v", v)) else I64(0)
    except ValueError:
        return I64(0)


@go("any")
def _to_strings(v: object) -> StrList:
    return StrList(strslice(v))


# --- defaults
@go("any", variadic="any")
def _default(d: object, *given: object) -> object:
    if not given or empty(given[0]):
        return d
    return given[0]


@go("any")
def _empty(v: object) -> bool:
    return empty(v)


@go(variadic="any")
def _coalesce(*values: object) -> object:
    for v in values:
        if not empty(v):
            return v
    return None


@go(variadic="any")
def _all(*values: object) -> bool:
    return all(not empty(v) for v in values)


@go(variadic="any")
def _any(*values: object) -> bool:
    return any(not empty(v) for v in values)


@go("any", "any", "bool")
def _ternary(vt: object, vf: object, cond: bool) -> object:
    return vt if cond else vf


# --- reflection
_KINDS: Final = {
    "bool": "bool", "int": "int", "int64": "int64", "float64": "float64", "string": "string",
    "[]interface {}": "slice", "[]string": "slice", "map[string]interface {}": "map", "map[string]string": "map",
    "<nil>": "invalid",
}  # fmt: skip


def _type_of(v: object) -> str:
    return go_type(v)


@go("any")
def _type_of_fn(v: object) -> str:
    return _type_of(v)


@go("str", "any")
def _type_is(target: str, v: object) -> bool:
    return target == _type_of(v)


@go("str", "any")
def _type_is_like(target: str, v: object) -> bool:
    t = _type_of(v)
    return target in (t, "*" + t)


@go("any")
def _kind_of(v: object) -> str:
    return _KINDS.get(go_type(v), "struct")


@go("str", "any")
def _kind_is(target: str, v: object) -> bool:
    return target == _KINDS.get(go_type(v), "struct")


def _go_kind(v: object) -> object:
    if isinstance(v, tuple):
        return list
    return type(v)


def _deep_equal(a: object, b: object) -> bool:
    """reflect.DeepEqual: same Go type ([]string is not []interface{}, int is not int64) and equal contents."""
    if _go_kind(a) is not _go_kind(b):
        return False
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple))
        return len(a) == len(b) and all(_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping):
        assert isinstance(b, Mapping)
        return a.keys() == b.keys() and all(_deep_equal(a[k], b[k]) for k in a)
    return a == b


@go("any", "any")
def _deep_equal_fn(a: object, b: object) -> bool:
    return _deep_equal(a, b)


deep_equal = _deep_equal

CONVERT_FUNCS: Final[dict[str, Callable[..., object]]] = {
    "toString": _to_string,
    "atoi": _atoi,
    "int64": _int64,
    "int": _int,
    "float64": _float64,
    "toDecimal": _to_decimal,
    "toStrings": _to_strings,
    "default": _default,
    "empty": _empty,
    "coalesce": _coalesce,
    "all": _all,
    "any": _any,
    "ternary": _ternary,
    "typeOf": _type_of_fn,
    "typeIs": _type_is,
    "typeIsLike": _type_is_like,
    "kindOf": _kind_of,
    "kindIs": _kind_is,
    "deepEqual": _deep_equal_fn,
}
