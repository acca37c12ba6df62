"""Field-level validation causes, worded exactly as the Kubernetes apiserver words them.

The apiserver turns each `field.Error` into a `StatusCause{reason, message, field}`; ``FieldCause.message`` is the
full ``field: body`` text (what ``kubectl`` prints) and ``FieldCause.body`` the part after the field, which is what
the apiserver puts in ``status.details.causes[].message``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from pykro.errors import go_quote as go_quote  # re-exported

__all__ = [
    "DUPLICATE",
    "FORBIDDEN",
    "INVALID",
    "NOT_SUPPORTED",
    "OMIT",
    "REQUIRED",
    "TOO_LONG",
    "TOO_MANY",
    "TYPE_INVALID",
    "FieldCause",
    "cause",
    "duplicate",
    "forbidden",
    "go_json",
    "go_number",
    "go_quote",
    "go_value",
    "invalid",
    "json_type",
    "not_supported",
    "required",
    "too_long",
    "too_many",
]

REQUIRED: Final = "FieldValueRequired"
INVALID: Final = "FieldValueInvalid"
TYPE_INVALID: Final = "FieldValueTypeInvalid"
NOT_SUPPORTED: Final = "FieldValueNotSupported"
DUPLICATE: Final = "FieldValueDuplicate"
FORBIDDEN: Final = "FieldValueForbidden"
TOO_LONG: Final = "FieldValueTooLong"
TOO_MANY: Final = "FieldValueTooMany"

_TITLES: Final = {
    REQUIRED: "Required value",
    INVALID: "Invalid value",
    TYPE_INVALID: "Invalid value",
    NOT_SUPPORTED: "Unsupported value",
    DUPLICATE: "Duplicate value",
    FORBIDDEN: "Forbidden",
    TOO_LONG: "Too long",
    TOO_MANY: "Too many",
}
_NO_VALUE: Final = {REQUIRED, FORBIDDEN, TOO_LONG}
OMIT: Final = object()
"""A bad value the apiserver leaves out of the message (objects and arrays failing a CEL rule)."""


@dataclass(frozen=True)
class FieldCause:
    """One validation failure, shaped like a Kubernetes ``StatusCause``."""

    field: str
    reason: str
    message: str

    @property
    def body(self) -> str:
        """The message without its ``field: `` prefix (the apiserver's ``StatusCause.message``)."""
        prefix = f"{self.field}: "
        return self.message[len(prefix) :] if self.message.startswith(prefix) else self.message

    def to_status_cause(self) -> dict[str, str]:
        """The cause as the apiserver serialises it in ``Status.details.causes``."""
        return {"reason": self.reason, "message": self.body, "field": self.field}


def cause(reason: str, field: str, value: Any = OMIT, detail: str = "") -> FieldCause:
    """Build a cause the way apimachinery's ``field.Error.Error()`` renders it."""
    body = _TITLES[reason]
    if reason not in _NO_VALUE and value is not OMIT:
        body = f"{body}: {go_value(value)}"
    if detail:
        body = f"{body}: {detail}"
    return FieldCause(field=field or "<nil>", reason=reason, message=f"{field or '<nil>'}: {body}")


def required(field: str, detail: str = "") -> FieldCause:
    return cause(REQUIRED, field, detail=detail)


def invalid(field: str, value: Any, detail: str) -> FieldCause:
    return cause(INVALID, field, value, detail)


def not_supported(field: str, value: Any, allowed: list[Any]) -> FieldCause:
    names = [v if isinstance(v, str) else go_json(v) for v in allowed]
    detail = "supported values: " + ", ".join(go_quote(n) for n in names) if names else ""
    return cause(NOT_SUPPORTED, field, value, detail)


def too_long(field: str, max_length: int) -> FieldCause:
    unit = "byte" if max_length == 1 else "bytes"
    return cause(TOO_LONG, field, detail=f"may not be more than {max_length} {unit}")


def too_many(field: str, actual: int, max_items: int) -> FieldCause:
    unit = "item" if max_items == 1 else "items"
    return cause(TOO_MANY, field, actual, f"must have at most {max_items} {unit}")


def duplicate(field: str, value: Any) -> FieldCause:
    return cause(DUPLICATE, field, value)


def forbidden(field: str, detail: str) -> FieldCause:
    return cause(FORBIDDEN, field, detail=detail)


def go_number(value: int | float) -> str:
    """Go's ``%v`` for an int64 or float64: ``10``, ``0.5``, ``1e+06``, ``1.5e-05``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    _, digit_tuple, exp = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    exponent = len(digits) + int(exp) - 1  # position of the first digit
    minus = "-" if value < 0 else ""
    if exponent < -4 or exponent >= 6:  # shortest %g switches to %e at precision 6
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{minus}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    return minus + format(Decimal(repr(abs(value))).normalize(), "f")


def go_json(value: Any) -> str:
    """Go's ``json.Marshal``: compact, map keys sorted, ``<>&`` escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def go_value(value: Any) -> str:
    """How ``field.Error`` prints a bad value (simple types with ``%v``/``%q``, the rest as JSON)."""
    if value is None:
        return "null"
    if isinstance(value, bool | int | float):
        return go_number(value)
    if isinstance(value, str):
        return go_quote(value)
    return go_json(value)


JSON_TYPES: Final = {bool: "boolean", int: "integer", float: "number", str: "string", dict: "object", list: "array"}


def json_type(value: Any) -> str:
    """The JSON Schema type name of a decoded JSON value, as the apiserver reports it in type errors."""
    known = JSON_TYPES.get(type(value))
    if known is not None:
        return known
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return "null" if value is None else type(value).__name__
