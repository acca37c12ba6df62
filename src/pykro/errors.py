"""The error types a user can cause, each rendered as one short paragraph: what, where, how to fix."""

from __future__ import annotations

import re
from pathlib import Path

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


def read_text(path: str | Path, *, what: str = "file") -> str:
    """A user's text file, or a PykroError naming it (missing, a directory, unreadable, not UTF-8)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PykroError(
            f"the {what} is not UTF-8 text (byte {exc.start}: {exc.reason})",
            where=str(path),
            fix="Give a text file (YAML, Python) saved as UTF-8.",
        ) from None
    except OSError as exc:
        raise PykroError(
            f"cannot read the {what}: {exc.strerror or exc}", where=str(path), fix="Check the path."
        ) from None


def yaml_error(exc: Exception, source: str | None) -> ValidationError:
    """A PyYAML parse error as ``source:line:col: invalid YAML: problem``."""
    mark = getattr(exc, "problem_mark", None)
    where = source or "(input)"
    if mark is not None:
        where = f"{where}:{mark.line + 1}:{mark.column + 1}"
    problem = getattr(exc, "problem", None) or str(exc)
    return ValidationError(f"invalid YAML: {problem}", where=where, fix="Fix the YAML syntax.")
