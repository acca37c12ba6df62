"""How kubectl reads a plain YAML scalar: sigs.k8s.io/yaml over go-yaml v2, neither PyYAML's YAML 1.1 nor YAML 1.2.

``y``/``n``/``yes``/``on``... are booleans, ``0o17`` and ``017`` octal, ``0X1F`` hex, ``1_000`` 1000, ``08`` and
``1e3`` floats, ``1:30`` and dates text (no base 60; a timestamp decoded into an untyped value stays its text), and
an integer beyond 64 bits becomes a float (digits lost). Checked against go.yaml.in/yaml/v2 v2.4.3 (see
tests/yamlio/test_user_yaml.py)."""

from __future__ import annotations

import re
from typing import Any

STR, INT, FLOAT, BOOL, NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))
TOO_BIG = "tag:pykro.io,2026:integer-beyond-64-bits"
_WORDS: dict[str, tuple[str, Any]] = {
    **{w: (BOOL, True) for w in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]},
    **{w: (BOOL, False) for w in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]},
    **{w: (NULL, None) for w in ("", "~", "null", "Null", "NULL")},
    **{w: (FLOAT, float("nan")) for w in (".nan", ".NaN", ".NAN")},
    **{w: (FLOAT, float("inf")) for w in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{w: (FLOAT, float("-inf")) for w in ("-.inf", "-.Inf", "-.INF")},
    "<<": ("tag:yaml.org,2002:merge", "<<"),
}
_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# A scalar starting with "." goes to Go's ParseFloat as written: an underscore only between two digits.
_DOT_FLOAT = re.compile(r"\.[0-9]+(_[0-9]+)*([eE][-+]?[0-9]+(_[0-9]+)*)?")


def kube_scalar(text: str) -> tuple[str, Any]:
    """(YAML tag, value) kubectl gives the plain scalar ``text``; an integer beyond 64 bits comes back tagged
    ``TOO_BIG`` (pykro refuses it)."""
    if text in _WORDS:
        return _WORDS[text]
    if text[0] == ".":
        return (FLOAT, float(text.replace("_", ""))) if _DOT_FLOAT.fullmatch(text) else (STR, text)
    if text[0] not in "+-0123456789":
        return STR, text
    plain = text.replace("_", "")
    found = _INT.fullmatch(plain)
    if found:
        sign, digits = found.groups()
        prefixed = digits[1:2].isalpha()
        base = {"x": 16, "o": 8, "b": 2}[digits[1].lower()] if prefixed else 8 if digits[0] == "0" else 10
        number = (-1 if sign == "-" else 1) * int(digits[2:] if prefixed else digits, base)
        return (INT, number) if -(2**63) <= number < 2**64 else (TOO_BIG, text)
    if _FLOAT.fullmatch(plain):
        return FLOAT, float(plain)
    return STR, text


def is_text(text: str) -> bool:
    """True when kubectl reads ``text``, written as a plain scalar, as that very string."""
    return kube_scalar(text)[0] == STR
