"""Go values in Python, and how Go prints them.

The data a template sees is JSON-like: ``str`` (Go string), ``bool``, ``int`` (Go int), ``I64`` (Go int64, what
Sprig's arithmetic returns), ``float`` (float64), ``list``/``tuple`` ([]interface{}), ``dict`` with string keys
(map[string]interface{}) and ``None`` (a nil interface{}). ``MISSING`` is Go's invalid ``reflect.Value``: a map key
that is not there, printed ``<no value>``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

__all__ = [
    "I64",
    "MISSING",
    "FuncError",
    "StrList",
    "StrMap",
    "fmt_float",
    "fmt_v",
    "go_type",
    "is_int",
    "print_value",
    "shortest_digits",
    "truth",
]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<no value>"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


class I64(int):
    """A Go ``int64`` (Sprig's arithmetic results); a plain ``int`` is Go's ``int``."""

    __slots__ = ()


class StrList(list[object]):
    """A Go ``[]string`` (what splitList, sortAlpha, keys... return); a plain list is ``[]interface{}``."""

    __slots__ = ()


class StrMap(dict[str, object]):
    """A Go ``map[string]string`` (what split and splitn return)."""

    __slots__ = ()


class FuncError(Exception):
    """A template function's error; execution reports it as ``error calling NAME: MESSAGE``."""


def is_int(v: object) -> bool:
    """A Go signed integer (int or int64), not a bool."""
    return isinstance(v, int) and not isinstance(v, bool)


def go_type(v: object) -> str:
    """Go's name for the dynamic type of ``v`` (as ``%T`` prints it)."""
    if v is None or v is MISSING:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, I64):
        return "int64"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, StrList):
        return "[]string"
    if isinstance(v, (list, tuple)):
        return "[]interface {}"
    if isinstance(v, StrMap):
        return "map[string]string"
    if isinstance(v, Mapping):
        return "map[string]interface {}"
    return type(v).__name__


def shortest_digits(f: float) -> tuple[str, int]:
    """The shortest decimal digits of abs(f) and the decimal point position (value = 0.DIGITS * 10**dp)."""
    tup = Decimal(repr(abs(f))).as_tuple()
    digits = "".join(map(str, tup.digits)).lstrip("0")
    exp = int(tup.exponent)
    if not digits:
        return "", 0
    stripped = digits.rstrip("0")
    exp += len(digits) - len(stripped)
    return stripped, len(stripped) + exp


def fmt_float(f: float) -> str:
    """Go's ``%v`` of a float64 (``strconv.FormatFloat(f, 'g', -1, 64)``)."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    digits, dp = shortest_digits(f)
    if not digits:
        return sign + "0"
    exp = dp - 1
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def fmt_v(v: object) -> str:
    """Go's ``%v`` of ``v`` inside a value (nil prints ``<nil>``)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return fmt_float(v)
    if v is None or v is MISSING:
        return "<nil>"
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(fmt_v(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "map[" + " ".join(f"{fmt_v(k)}:{fmt_v(v[k])}" for k in sort_keys(v)) + "]"
    go_string = getattr(v, "go_string", None)
    if go_string is not None:
        return str(go_string())
    raise FuncError(
        f"a value of Python type {type(v).__name__} has no Go equivalent: pass str, int, float, bool, None, "
        "lists and dicts with string keys"
    )


def print_value(v: object) -> str:
    """What ``{{ pipeline }}`` prints: ``<no value>`` for a missing value, else ``%v``."""
    if v.__class__ is str:
        return v
    if v is MISSING or v is None:
        return "<no value>"
    return fmt_v(v)


def sort_keys(m: Mapping[object, object]) -> list[object]:
    """Map keys in Go's order (fmtsort): numbers numerically, strings bytewise."""
    return sorted(m, key=lambda k: (0, k, "") if isinstance(k, (int, float)) else (1, 0, str(k)))


_TRUTH_LEN: Final = (str, list, tuple, dict)


def truth(v: object) -> bool:
    """Go's truth (``isTrue``): false for missing/nil, zero numbers, false, empty strings/lists/maps."""
    if v is MISSING or v is None:
        return False
    if isinstance(v, (bool, int, float, str, list, tuple, Mapping)):
        return bool(v)
    return True
