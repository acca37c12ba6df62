"""Kubernetes' quantity library (resource.Quantity parsing and arithmetic, k8s.io/apimachinery semantics).

A quantity is kept as its exact value (a Fraction, serialised as "num/den" inside the opaque map) so that equal
quantities written differently ("1Ki" and "1024") compare equal, as ``Quantity.Equal`` does.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

from pykro.cel._library import opaque
from pykro.cel._library.base import Fn, LibraryError, fn, glob, member
from pykro.cel._types import CelType

__all__ = [
    "FUNCTIONS",
    "add",
    "as_integer",
    "is_integer",
    "is_quantity",
    "make",
    "parse_quantity",
    "quantity",
    "sub",
    "value_of",
]

D, INT, S, BOOL, DOUBLE = CelType.DYN, CelType.INT, CelType.STRING, CelType.BOOL, CelType.DOUBLE
Q = CelType.map_of(S, D)
DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
NUMBER = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?")
SUFFIX = re.compile(r"[eEinumkKMGTP]*[+-]?\d*\Z")
FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
NANO = Fraction(1, 10**9)
INT64_MAX = 2**63 - 1


def parse_quantity(text: str) -> Fraction:
    """The exact value of a Kubernetes quantity string (rounded up to 1n, binary values capped at 2^63-1)."""
    if not text:
        raise LibraryError(FORMAT_WRONG)
    number = NUMBER.match(text)
    assert number is not None
    sign, whole, frac = number.group(1), number.group(2), number.group(3) or ""
    suffix = text[number.end() :]
    if not SUFFIX.match(suffix):
        raise LibraryError(FORMAT_WRONG)
    if suffix in DECIMAL:
        base, exponent = 10, DECIMAL[suffix]
    elif suffix in BINARY:
        base, exponent = 2, BINARY[suffix]
    elif len(suffix) > 1 and suffix[0] in "eE" and re.fullmatch(r"[+-]?\d+", suffix[1:]):
        base, exponent = 10, int(suffix[1:])
    else:
        raise LibraryError("unable to parse quantity's suffix")
    magnitude = Fraction(int(whole or "0") * 10 ** len(frac) + int(frac or "0"), 10 ** len(frac))
    magnitude *= Fraction(base) ** exponent
    if magnitude.denominator != 1 and (magnitude / NANO).denominator != 1:
        magnitude = math.ceil(magnitude / NANO) * NANO
    if base == 2 and magnitude > INT64_MAX:
        magnitude = Fraction(INT64_MAX)
    return -magnitude if sign == "-" else magnitude


def make(value: Fraction) -> dict[str, Any]:
    return opaque.make("quantity", v=f"{value.numerator}/{value.denominator}")


def value_of(q: Any, function: str) -> Fraction:
    return Fraction(opaque.unwrap(q, "quantity", function)["v"])


def quantity(text: str) -> dict[str, Any]:
    return make(parse_quantity(text))


def is_quantity(text: str) -> bool:
    try:
        parse_quantity(text)
    except LibraryError:
        return False
    return True


def _cmp(a: Any, b: Any, function: str) -> int:
    x, y = value_of(a, function), value_of(b, function)
    return (x > y) - (x < y)


def as_integer(q: Any) -> int:
    value = value_of(q, "asInteger")
    if value.denominator != 1 or not -(2**63) <= value <= INT64_MAX:
        raise LibraryError("cannot convert value to integer")
    return int(value)


def is_integer(q: Any) -> bool:
    value = value_of(q, "isInteger")
    return value.denominator == 1 and -(2**63) <= value <= INT64_MAX


def _operand(other: Any, function: str) -> Fraction:
    if isinstance(other, int) and not isinstance(other, bool):
        return Fraction(other)
    return value_of(other, function)


def add(q: Any, other: Any) -> dict[str, Any]:
    return make(value_of(q, "add") + _operand(other, "add"))


def sub(q: Any, other: Any) -> dict[str, Any]:
    return make(value_of(q, "sub") - _operand(other, "sub"))


def _sign(q: Any) -> int:
    value = value_of(q, "sign")
    return (value > 0) - (value < 0)


FUNCTIONS: list[Fn] = [
    fn("quantity", glob("string_to_quantity", (S,), Q, quantity)),
    fn("isQuantity", glob("is_quantity_string", (S,), BOOL, is_quantity)),
    fn("sign", member("quantity_sign", (Q,), INT, _sign)),
    fn("isGreaterThan", member("quantity_is_greater_than", (Q, Q), BOOL, lambda a, b: _cmp(a, b, "isGreaterThan") > 0)),
    fn("isLessThan", member("quantity_is_less_than", (Q, Q), BOOL, lambda a, b: _cmp(a, b, "isLessThan") < 0)),
    fn("compareTo", member("quantity_compare_to", (Q, Q), INT, lambda a, b: _cmp(a, b, "compareTo"))),
    fn("asApproximateFloat", member("quantity_get_float", (Q,), DOUBLE, lambda q: float(value_of(q, "float")))),
    fn("asInteger", member("quantity_get_int", (Q,), INT, as_integer)),
    fn("isInteger", member("quantity_is_integer", (Q,), BOOL, is_integer)),
    fn("add", member("quantity_add", (Q, D), Q, add)),
    fn("sub", member("quantity_sub", (Q, D), Q, sub)),
]
