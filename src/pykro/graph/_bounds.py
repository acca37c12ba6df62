"""A CRD field's ``enum``, ``minimum`` and ``maximum`` (with ``exclusiveMinimum``/``exclusiveMaximum``), checked
for a literal value: the API server refuses an object outside them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["bound"]

_WORDS = {(1, False): "at least", (1, True): "above", (-1, False): "at most", (-1, True): "below"}


def bound(value: Any, schema: Mapping[str, Any], short: Callable[[Any], str]) -> tuple[str, str] | None:
    """``(what it must be, got ..., fix)`` for a ``value`` outside ``schema``'s bounds (``short`` shows a value)."""
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
