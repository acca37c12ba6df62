"""kro SimpleSchema field strings: ``"<type> | marker=value marker=\\"quoted value\\" ..."``.

Parsing follows kro v0.9.3 (``pkg/simpleschema/parse.go`` and ``markers.go``): the type is what precedes the first
``|``; markers are space-separated ``key=value`` pairs, where double quotes (with ``\\"`` and ``\\\\`` escapes)
and ``{...}``/``[...]`` brackets may contain spaces. Error texts are kro's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "Atomic",
    "Custom",
    "Map",
    "Marker",
    "Object",
    "SimpleSchemaError",
    "SimpleType",
    "Slice",
    "deps",
    "format_marker",
    "parse_bool",
    "parse_field",
    "parse_float",
    "parse_int",
    "parse_markers",
    "parse_type_string",
]

MARKERS: Final = (
    "required",
    "default",
    "description",
    "minimum",
    "maximum",
    "validation",
    "enum",
    "immutable",
    "pattern",
    "uniqueItems",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "listType",
    "listMapKey",
)
ATOMIC: Final = ("string", "integer", "boolean", "float")
MAX_NESTING: Final = 16


class SimpleSchemaError(ValueError):
    """A SimpleSchema string kro would reject; the text is kro's, ``hint`` pykro's "did you mean" (or None)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Marker:
    key: str
    value: str


# ---------------------------------------------------------------- types


@dataclass(frozen=True)
class Atomic:
    name: str


@dataclass(frozen=True)
class Object:
    """``object``: a schemaless object whose unknown fields are preserved."""


@dataclass(frozen=True)
class Slice:
    elem: SimpleType


@dataclass(frozen=True)
class Map:
    value: SimpleType


@dataclass(frozen=True)
class Custom:
    name: str


SimpleType = Atomic | Object | Slice | Map | Custom


def deps(t: SimpleType) -> list[str]:
    """Custom type names a type refers to."""
    if isinstance(t, Slice):
        return deps(t.elem)
    if isinstance(t, Map):
        return deps(t.value)
    return [t.name] if isinstance(t, Custom) else []


def parse_type_string(text: str) -> SimpleType:
    """The type before the first ``|``."""
    type_text = text.split("|", 1)[0].strip()
    if not type_text:
        raise SimpleSchemaError("empty type")
    return _parse_type(type_text, 0)


def _parse_type(text: str, depth: int) -> SimpleType:
    if depth > MAX_NESTING:
        raise SimpleSchemaError(f"type nesting too deep (max {MAX_NESTING}): {_go_quote(text)}")
    text = text.strip()
    if text in ATOMIC:
        return Atomic(text)
    if text == "object":
        return Object()
    if text.startswith("[]"):
        elem = text[2:]
        if elem == "":
            raise SimpleSchemaError("empty slice element type")
        return Slice(_parse_type(elem, depth + 1))
    if text.startswith("map["):
        if not text.startswith("map[string]"):
            raise SimpleSchemaError("map key must be string")
        rest = text[len("map[string]") :].strip()
        if not rest:
            raise SimpleSchemaError("map value type is required")
        return Map(_parse_type(rest, depth + 1))
    return Custom(text)


def parse_field(text: str) -> tuple[SimpleType, list[Marker]]:
    """Split ``"[]string | required=true"`` into its type and markers."""
    typ = parse_type_string(text)
    parts = text.split("|", 1)
    return typ, parse_markers(parts[1]) if len(parts) > 1 else []


# ---------------------------------------------------------------- markers


def parse_markers(text: str) -> list[Marker]:
    """Parse the marker part of a field string exactly as kro's character scanner does."""
    result: list[Marker] = []
    key: str | None = None
    in_quotes = escaped = False
    brackets = 0
    buf: list[str] = []
    for ch in text:
        if ch == "=" and key is None and not in_quotes and brackets == 0:
            name = "".join(buf).strip()
            if not name:
                raise SimpleSchemaError("empty marker key")
            if name not in MARKERS:
                import difflib  # only a mistake needs it

                close = difflib.get_close_matches(name, MARKERS, n=1, cutoff=0.6)
                raise SimpleSchemaError(
                    f"invalid marker key {_go_quote(name)}: unknown marker: {name}",
                    f"Did you mean {close[0]}?" if close else f"Markers: {', '.join(MARKERS)}.",
                )
            key, buf = name, []
        elif ch == '"' and not escaped:
            in_quotes = not in_quotes
            buf.append(ch)
        elif ch == "\\" and in_quotes and not escaped:
            escaped = True
            buf.append(ch)
        elif ch in "{[" and not in_quotes:
            brackets += 1
            buf.append(ch)
        elif ch in "}]" and not in_quotes:
            brackets -= 1
            buf.append(ch)
            if brackets < 0:
                raise SimpleSchemaError("unmatched closing bracket/brace")
        elif ch.isspace() and not in_quotes and brackets == 0:
            if key is not None:
                result.append(Marker(key, _process_value("".join(buf))))
                key, buf = None, []
        else:
            if escaped and in_quotes:
                escaped = False
            buf.append(ch)
    if key is None:
        raise SimpleSchemaError(f"marker key '{''.join(buf)}' without a value")
    result.append(Marker(key, _process_value("".join(buf))))
    if in_quotes:
        raise SimpleSchemaError("unclosed quote")
    if brackets > 0:
        raise SimpleSchemaError("unclosed bracket/brace")
    return result


def _process_value(value: str) -> str:
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return _unescape(value[1:-1])
    return value.strip()


def _unescape(text: str) -> str:
    out: list[str] = []
    escaped = False
    for ch in text:
        if escaped:
            if ch not in '"\\':
                out.append("\\")
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            out.append(ch)
    return "".join(out)


_BARE: Final = re.compile(r"[A-Za-z0-9_.,:/+\-]+")


def format_marker(key: str, value: str) -> str:
    """Render one marker so ``parse_markers`` reads ``value`` back unchanged (quoted unless plainly safe)."""
    if _BARE.fullmatch(value) and not value.startswith('"'):
        return f"{key}={value}"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}="{escaped}"'


# ---------------------------------------------------------------- Go's strconv, for kro's exact error texts


def _go_quote(text: str) -> str:
    from pykro.schema._causes import go_quote

    return go_quote(text)


_INT: Final = re.compile(r"^[+-]?[0-9]+\Z")
_FLOAT: Final = re.compile(
    r"^[+-]?(?:(?:[0-9](?:_?[0-9])*)?\.?[0-9]*(?:[eE][+-]?[0-9]+)?|inf|infinity|nan"
    r"|0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][+-]?[0-9]+)$",
    re.IGNORECASE,
)
_BOOLS: Final = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True}
_BOOLS_FALSE: Final = {"0", "f", "F", "FALSE", "false", "False"}


def parse_int(text: str) -> int:
    """Go's ``strconv.ParseInt(text, 10, 64)``."""
    if not _INT.match(text):
        raise SimpleSchemaError(f"strconv.ParseInt: parsing {_go_quote(text)}: invalid syntax")
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise SimpleSchemaError(f"strconv.ParseInt: parsing {_go_quote(text)}: value out of range")
    return value


def parse_float(text: str) -> float:
    """Go's ``strconv.ParseFloat(text, 64)``."""
    if not text or not _FLOAT.match(text) or text in ("+", "-", ".", "+.", "-."):
        raise SimpleSchemaError(f"strconv.ParseFloat: parsing {_go_quote(text)}: invalid syntax")
    try:
        return float.fromhex(text) if "x" in text.lower() else float(text.replace("_", ""))
    except ValueError as err:
        raise SimpleSchemaError(f"strconv.ParseFloat: parsing {_go_quote(text)}: invalid syntax") from err


def parse_bool(text: str) -> bool:
    """Go's ``strconv.ParseBool``."""
    if text in _BOOLS:
        return True
    if text in _BOOLS_FALSE:
        return False
    raise SimpleSchemaError(f"strconv.ParseBool: parsing {_go_quote(text)}: invalid syntax")
