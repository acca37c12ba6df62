"""Where in the user's code an authoring mistake happened: the innermost frame outside pykro, as file:line:col."""

from __future__ import annotations

import itertools
import sys
import sysconfig
from pathlib import Path
from types import FrameType

from pykro.errors import CompositionError

_PACKAGE = str(Path(__file__).resolve().parent.parent)
_STDLIB = sysconfig.get_paths()["stdlib"]
Loc = tuple[str, int, int]


def _is_user(frame: FrameType) -> bool:
    filename = frame.f_code.co_filename
    skipped = (_PACKAGE, _STDLIB, "<frozen")
    return not (filename.startswith(skipped) or "/pydantic/" in filename)


def frame_location(frame: FrameType) -> str:
    """``file:line:col`` of the instruction ``frame`` is executing (columns are 1-based)."""
    line, col = frame.f_lineno, 0
    index = frame.f_lasti // 2
    position = next(itertools.islice(frame.f_code.co_positions(), index, None), None) if index >= 0 else None
    if position is not None:
        start_line, _, start_col, _ = position
        line = start_line or line
        col = start_col or 0
    return f"{frame.f_code.co_filename}:{line}:{col + 1}"


def user_location() -> str | None:
    """The innermost caller outside pykro (the composition or script line), or None when there is none."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if _is_user(frame):
            return frame_location(frame)
        frame = frame.f_back
    return None


def fmt(loc: Loc | None) -> str | None:
    return f"{loc[0]}:{loc[1]}:{loc[2]}" if loc else None


def fail(what: str, fix: str | None = None, loc: Loc | None = None) -> CompositionError:
    """A CompositionError located at ``loc`` (a transformer location) or else at the user's current line."""
    return CompositionError(what, where=fmt(loc) or user_location(), fix=fix)
