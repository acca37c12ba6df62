"""The error types a user can cause, each rendered as one short paragraph: what, where, how to fix."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["CompositionError", "PykroError", "ValidationError", "go_quote", "terminal_safe"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with control characters (ANSI escapes, carriage returns...) shown escaped, as ``repr`` would show
    them, so user or server text printed to a terminal cannot move the cursor or change colours."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class PykroError(Exception):
    """Base for every error caused by user input (a spec, an RGD, a composition, a flag).

    ``where`` is a location a user can find: ``file:line``, ``file:line:col`` or a YAML path such as
    ``spec.resources[2].template.metadata.name``. ``fix`` says what to do about it.
    """

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.fix:
            text = f"{text.rstrip('.')}. {self.fix}"
        return text


class ValidationError(PykroError):
    """An RGD, schema or spec that kro would reject."""


class CompositionError(PykroError):
    """A composition function that cannot be compiled to a graph (authoring mistakes)."""


# Go's string quoting (``%q`` / ``strconv.Quote``), as kro prints strings in expressions and messages.
_ESCAPES: Final = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(text: str) -> str:
    """Go's ``%q`` / ``strconv.Quote`` for the strings that occur in manifests."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif not ch.isprintable() and code > 0x7F:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
