"""Where in the user's code an authoring mistake happened: the innermost frame outside pykro, as file:line:col."""

from __future__ import annotations

import itertools
import sys
import sysconfig
from pathlib import Path
from types import CodeType, FrameType

from pykro.errors import CompositionError

__all__ = ["Site", "fail", "fmt", "user_location", "user_site"]

_PACKAGE = str(Path(__file__).resolve().parent.parent)
_STDLIB = sysconfig.get_paths()["stdlib"]
# Installed packages (typer, click, lightkube...) and their launcher scripts (``.venv/bin/pykro``) are never the
# user's code: a location there would be useless.
_INSTALLED = tuple({sysconfig.get_paths()[key] for key in ("purelib", "platlib", "scripts")})
Loc = tuple[str, int, int]


def _is_user(frame: FrameType) -> bool:
    filename = frame.f_code.co_filename
    skipped = (_PACKAGE, _STDLIB, *_INSTALLED, "<frozen")
    return not (filename.startswith(skipped) or "/pydantic/" in filename)


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


def fmt(loc: Loc | None) -> str | None:
    return f"{loc[0]}:{loc[1]}:{loc[2]}" if loc else None


def fail(what: str, fix: str | None = None, loc: Loc | None = None) -> CompositionError:
    """A CompositionError located at ``loc`` (a transformer location) or else at the user's current line."""
    return CompositionError(what, where=fmt(loc) or user_location(), fix=fix)
