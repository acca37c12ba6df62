"""The user's YAML files as the commands read them: every failure (missing, a directory, not UTF-8, bad YAML, too
large or too deep) is a PykroError naming the file (and the line), never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["load_doc", "load_docs"]


def load_docs(path: str | Path, *, what: str = "YAML file") -> list[Any]:
    """Every document of a YAML file (empty ones skipped)."""
    from pykro import _yamlio as yamlio  # PyYAML loads when a file is read, not when the CLI starts

    return yamlio.load_user_all(yamlio.read_user_file(path, what=what), str(path))


def load_doc(path: str | Path, *, what: str = "YAML file") -> Any:
    """The one document of a YAML file (None when it is empty)."""
    from pykro import _yamlio as yamlio

    return yamlio.load_user(yamlio.read_user_file(path, what=what), str(path))
