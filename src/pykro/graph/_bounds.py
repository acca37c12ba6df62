"""A CRD field's ``enum``, ``minimum`` and ``maximum`` (with ``exclusiveMinimum``/``exclusiveMaximum``), and the
range of an integer (int32 for ``format: int32``, else int64), checked for a literal value: the API server refuses
an object outside them (or, beyond int64, turns the number into a float)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pykro.schema._ints import int_misfit, int_range

__all__ = ["bound", "int_bound"]

_WORDS = {(1, False): "at least", (1, True): "above", (-1, False): "at most", (-1, True): "below"}


def bound(value: Any, schema: Mapping[str, Any], short: Callable[[Any], str]) -> tuple[str, str] | None:
    """``(what it must be, got ..., fix)`` for a ``value`` outside ``schema``'s bounds (``short`` shows a value)."""
    if schema.get("type") == "integer":
        out = int_bound(value, schema.get("format"), short)
        if out is not None:
            return out
    choices = schema.get("enum")
    if isinstance(choices, list) and value not in choices:
        listed = ", ".join(short(c) for c in choices)
        return f"one of {listed}, got {short(value)}", f"Use {listed}."
    for key, sign in (("minimum", 1), ("maximum", -1)):
        limit = schema.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not isinstance(limit, int | float):
            continue
        exclusive = schema.get(f"exclusive{key.capitalize()}") is True
        if sign * (value - limit) < 0 or (exclusive and value == limit):
            want = f"{_WORDS[sign, exclusive]} {limit}"
            return f"{want}, got {short(value)}", f"The API server rejects it; use a value {want}."
    return None


def int_bound(value: Any, fmt: Any, short: Callable[[Any], str]) -> tuple[str, str] | None:
    """Like :func:`bound`, for an int out of the range of an integer field of format ``fmt``."""
    if int_misfit(value, fmt) is None:
        return None
    return f"{int_range(fmt)}, got {short(value)}", "The API server cannot store it; use a value in that range."
