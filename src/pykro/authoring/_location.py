"""Where in the user's code an authoring mistake happened: the innermost frame outside pykro, as file:line:col."""

from __future__ import annotations

import functools
import itertools
import sys
import sysconfig
from pathlib import Path
from types import CodeType, FrameType

from pykro.errors import CompositionError

__all__ = ["Site", "fail", "fmt", "raised_at", "user_location", "user_site"]

Loc = tuple[str, int, int]


@functools.cache
def _not_user() -> tuple[str, ...]:
    """Path prefixes that are never the user's code: pykro, the standard library, installed packages (typer, click,
    lightkube...) and their launcher scripts (``.venv/bin/pykro``): a location there would be useless. Computed on
    first use (sysconfig is slow to ask)."""
    paths = sysconfig.get_paths()
    installed = {paths[key] for key in ("purelib", "platlib", "scripts")}
    return (str(Path(__file__).resolve().parent.parent), paths["stdlib"], *installed, "<frozen")


def _is_user(frame: FrameType) -> bool:
    filename = frame.f_code.co_filename
    return not (filename.startswith(_not_user()) or "/pydantic/" in filename)


class Site:
    """A place in the user's code, captured cheaply (code object and instruction) and formatted when shown."""

    __slots__ = ("code", "instruction", "line")

    def __init__(self, code: CodeType, instruction: int, line: int) -> None:
        self.code = code
        self.instruction = instruction
        self.line = line

    @property
    def text(self) -> str:
        line, col = self.line, 0
        index = self.instruction // 2
        position = next(itertools.islice(self.code.co_positions(), index, None), None) if index >= 0 else None
        if position is not None:
            start_line, _, start_col, _ = position
            line = start_line or line
            col = start_col or 0
        return f"{self.code.co_filename}:{line}:{col + 1}"


def user_site() -> Site | None:
    """The innermost caller outside pykro (the composition or script line), or None when there is none."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if _is_user(frame):
            return Site(frame.f_code, frame.f_lasti, frame.f_lineno)
        frame = frame.f_back
    return None


def user_location() -> str | None:
    """``file:line:col`` of the innermost caller outside pykro, or None when there is none."""
    site = user_site()
    return site.text if site is not None else None


def raised_at(exc: BaseException) -> str | None:
    """``file:line:col`` of the innermost frame of ``exc``'s traceback outside pykro, or None."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        if _is_user(tb.tb_frame):
            found = Site(tb.tb_frame.f_code, tb.tb_lasti, tb.tb_lineno)
        tb = tb.tb_next
    return found.text if found is not None else None


def fmt(loc: Loc | None) -> str | None:
    return f"{loc[0]}:{loc[1]}:{loc[2]}" if loc else None


def fail(what: str, fix: str | None = None, loc: Loc | None = None) -> CompositionError:
    """A CompositionError located at ``loc`` (a transformer location) or else at the user's current line."""
    return CompositionError(what, where=fmt(loc) or user_location(), fix=fix)
