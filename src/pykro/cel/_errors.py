"""The errors raised by pykro's CEL layer: compile errors, evaluation errors, data not yet available."""

from __future__ import annotations

from pykro.errors import PykroError

__all__ = [
    "CelCompileError",
    "CelDataPending",
    "CelError",
    "CelEvalError",
    "CelUnsupportedLocally",
    "line_col_to_offset",
]


class CelError(PykroError):
    """A CEL expression that could not be compiled or evaluated.

    ``expression`` is the CEL source; ``position`` is a 0-based offset into it when known.
    """

    def __init__(
        self,
        what: str,
        *,
        expression: str,
        position: int | None = None,
        where: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.expression = expression
        self.position = position
        super().__init__(what, where=where, fix=fix)


class CelCompileError(CelError):
    """A syntax error or a type-check error."""


class CelEvalError(CelError):
    """An error value produced while evaluating an expression."""


class CelDataPending(CelEvalError):
    """The data an expression reads is not there yet (missing key, index out of bounds): kro waits and retries."""


class CelUnsupportedLocally(CelError):
    """A construct kro evaluates but pykro's local engine cannot (two-variable comprehensions, transformMap, ...)."""


def line_col_to_offset(text: str, line: int, column: int) -> int:
    """Convert a 1-based line and column into a 0-based offset in ``text`` (clamped to its length)."""
    lines = text.split("\n")
    offset = sum(len(item) + 1 for item in lines[: max(line - 1, 0)])
    return min(offset + max(column - 1, 0), len(text))
