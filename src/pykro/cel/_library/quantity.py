"""Kubernetes' quantity library (resource.Quantity parsing and arithmetic, k8s.io/apimachinery semantics).

A quantity is kept as its exact value (a Fraction, serialised as "num/den" inside the opaque map) so that equal
quantities written differently ("1Ki" and "1024") compare equal, as ``Quantity.Equal`` does.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, NamedTuple

from pykro.cel._library import opaque
from pykro.cel._library.base import Fn, LibraryError, fn, glob, member
from pykro.cel._types import CelType

__all__ = [
    "FUNCTIONS",
    "add",
    "as_integer",
    "canonical",
    "canonical_text",
    "is_integer",
    "is_quantity",
    "make",
    "parse",
    "parse_quantity",
    "quantity",
    "sub",
    "unmarshal",
    "value_of",
]

D, INT, S, BOOL, DOUBLE = CelType.DYN, CelType.INT, CelType.STRING, CelType.BOOL, CelType.DOUBLE
Q = CelType.map_of(S, D)
DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX = {exponent: suffix for suffix, exponent in DECIMAL.items()}
_BINARY_SUFFIX = {exponent: suffix for suffix, exponent in BINARY.items()}
_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("eEinumkKMGTP")
_EXPONENT = re.compile(r"[+-]?[0-9]+")
FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
NUMERIC_WRONG = "unable to parse numeric part of quantity"
SUFFIX_WRONG = "unable to parse quantity's suffix"
# what Go's strings.TrimSpace trims (unicode.IsSpace)
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
NANO = Fraction(1, 10**9)
INT64_MAX = 2**63 - 1
DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT = "DecimalSI", "BinarySI", "DecimalExponent"


class Parsed(NamedTuple):
    """A parsed quantity: its exact value, its format (DecimalSI, BinarySI or DecimalExponent), and the text Go
    keeps as its string when its quick test finds the input canonical already (else None)."""

    value: Fraction
    format: str
    kept: str | None


def _scan(text: str) -> tuple[bool, str, str, str, str]:
    """parseQuantityString: (positive, value, num, denom, suffix), num without its leading zeros."""
    end, pos, positive = len(text), 0, True
    if text[:1] in ("+", "-"):
        positive, pos = text[0] == "+", 1
    while pos < end and text[pos] == "0":
        pos += 1
    if pos >= end:
        return positive, "0", "0", "", ""
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos >= end:
        return positive, text, text[start:], "", ""
    num, denom = text[start:pos] or "0", ""
    if text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        if pos >= end:
            return positive, text, num, text[start:], ""
        denom = text[start:pos]
    value, suffix_start = text[:pos], pos
    while pos < end and text[pos] in _LETTERS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise LibraryError(FORMAT_WRONG)
    return positive, value, num, denom, text[suffix_start:]


def _interpret(suffix: str) -> tuple[int, int, str]:
    """The suffix's (base, exponent, format); an exponent is an int64 cast to int32, as Go does."""
    if suffix in DECIMAL:
        return 10, DECIMAL[suffix], DECIMAL_SI
    if suffix in BINARY:
        return 2, BINARY[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE" and _EXPONENT.fullmatch(suffix[1:]):
        exponent = int(suffix[1:])
        if -(2**63) <= exponent <= INT64_MAX:
            return 10, (exponent + 2**31) % 2**32 - 2**31, DECIMAL_EXPONENT
    raise LibraryError(SUFFIX_WRONG)


def _digits_only(value: str) -> Fraction:
    """inf.Dec's SetString of the number part: an optional sign, digits and at most one point, a digit at least."""
    body = value[1:] if value[:1] in ("+", "-") else value
    if not any(ch in _DIGITS for ch in body):
        raise LibraryError(NUMERIC_WRONG)
    whole, _, frac = body.partition(".")
    magnitude = Fraction(int(whole or "0") * 10 ** len(frac) + int(frac or "0"), 10 ** len(frac))
    return -magnitude if value[:1] == "-" else magnitude


def parse(text: str) -> Parsed:
    """resource.ParseQuantity (k8s.io/apimachinery/pkg/api/resource/quantity.go): the value rounded up to 1n,
    BinarySI values capped at 2^63-1, or LibraryError with Go's message."""
    if not text:
        raise LibraryError(FORMAT_WRONG)
    if text == "0":
        return Parsed(Fraction(0), DECIMAL_SI, text)
    positive, value, num, denom, suffix = _scan(text)
    base, exponent, fmt = _interpret(suffix)
    scale, mantissa = 0, 1
    if fmt == BINARY_SI:
        fast = exponent >= 0 and not denom and 15 - len(num) - exponent * 3 // 10 - 1 >= 0
        mantissa = 1 << exponent
    else:
        scale = exponent
        fast = 18 - len(num) - len(denom) >= 0
    scale -= len(denom)
    if fast and scale >= -9:  # the int64 path
        shifted = num + denom
        result = int(shifted) * mantissa
        if result <= INT64_MAX:
            if fmt == BINARY_SI:
                canonical = exponent % 10 == 0 and int(shifted) & 7 != 0
            else:
                canonical = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
            amount = Fraction(result if positive else -result) * Fraction(10) ** scale
            return Parsed(amount, fmt, text if canonical else None)
    amount = abs(_digits_only(value)) * Fraction(base) ** exponent
    if amount.denominator != 1 and (amount / NANO).denominator != 1:
        amount = math.ceil(amount / NANO) * NANO
    if fmt == BINARY_SI and amount > INT64_MAX:
        amount = Fraction(INT64_MAX)
    if fmt == BINARY_SI and 0 < amount < 1:
        fmt = DECIMAL_SI
    return Parsed(amount if positive else -amount, fmt, None)


def parse_quantity(text: str) -> Fraction:
    """The exact value of a Kubernetes quantity string (see :func:`parse`)."""
    return parse(text).value


def canonical_text(value: Fraction, fmt: str) -> str:
    """Quantity.CanonicalizeBytes: no fractional digits, the largest suffix of the format that keeps the value.
    As in Kubernetes 1.35, a DecimalSI value past the E suffix (10^21 and up) loses its suffix."""
    if value == 0:
        return "0"
    if fmt == BINARY_SI and value.denominator == 1 and abs(value) >= 1024:
        number, steps = int(value), 0
        while number % 1024 == 0:
            number, steps = number // 1024, steps + 1
        return f"{number}{_BINARY_SUFFIX.get(steps * 10, '')}"
    exponent = 0
    while value.denominator != 1:
        value, exponent = value * 10, exponent - 1
    number = int(value)
    while number % 10 == 0:
        number, exponent = number // 10, exponent + 1
    shift = exponent % 3
    number, exponent = number * 10**shift, exponent - shift
    if fmt == DECIMAL_EXPONENT:
        return f"{number}e{exponent}" if exponent else str(number)
    return f"{number}{_DECIMAL_SUFFIX.get(exponent, '')}"


def canonical(text: str) -> str:
    """Quantity.String() of the quantity ``text`` parses to: what the API server stores and prints."""
    parsed = parse(text)
    return parsed.kept if parsed.kept is not None else canonical_text(parsed.value, parsed.format)


def unmarshal(raw: Any) -> Parsed:
    """Quantity.UnmarshalJSON of a decoded JSON value (a string, or a number given as its JSON text)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise LibraryError(FORMAT_WRONG)
    return parse(raw.strip(GO_SPACE) if isinstance(raw, str) else _json_number(raw))


def _json_number(number: int | float) -> str:
    """The JSON text of a number (Python keeps no literal: a float is written as repr writes it)."""
    return str(number) if isinstance(number, int) else repr(number).replace("inf", "1e999")


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
