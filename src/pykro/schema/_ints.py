"""The integers the API server and kro store: Go's int32 for ``format: int32`` fields, int64 for every other integer
(a JSON number beyond int64 becomes a float64 there, digits lost; one beyond int32 in an int32 field is refused)."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["INT_BOUNDS", "bounded", "int_misfit", "int_range"]

INT_BOUNDS: Final = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def int_misfit(value: object, fmt: object) -> str | None:
    """``does not fit in a 32-bit integer (-2147483648 to 2147483647)`` when the int ``value`` is out of the range
    of format ``fmt`` (int32's for ``int32``, else int64's); None when it fits or is not an int."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    low, high = INT_BOUNDS["int32" if fmt == "int32" else "int64"]
    if low <= value <= high:
        return None
    return f"does not fit in {int_range(fmt)}"


def int_range(fmt: object) -> str:
    """``a 32-bit integer (-2147483648 to 2147483647)`` for ``int32``, else the int64 range."""
    low, high = INT_BOUNDS["int32" if fmt == "int32" else "int64"]
    return f"a {32 if fmt == 'int32' else 64}-bit integer ({low} to {high})"


def bounded(schema: Any) -> Any:
    """``schema`` (a JSON schema) with the range of its format as ``minimum``/``maximum`` on every ``format: int32``
    or ``int64`` integer."""
    if isinstance(schema, dict):
        out = {key: bounded(value) for key, value in schema.items()}
        declared = out.get("type")
        integer = declared == "integer" or (isinstance(declared, list) and "integer" in declared)
        if integer and out.get("format") in INT_BOUNDS:
            low, high = INT_BOUNDS[out["format"]]
            return {**out, "minimum": max(low, out.get("minimum", low)), "maximum": min(high, out.get("maximum", high))}
        return out
    if isinstance(schema, list):
        return [bounded(value) for value in schema]
    return schema
