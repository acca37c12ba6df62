"""The user's YAML files as the commands read them: every failure (missing, a directory, not UTF-8, bad YAML) is a
PykroError naming the file (and the line), never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pykro import yamlio
from pykro.errors import read_text, yaml_error


def load_docs(path: str | Path, *, what: str = "YAML file") -> list[Any]:
    """Every document of a YAML file (empty ones skipped)."""
    text = read_text(path, what=what)
    try:
        return list(yamlio.load_all(text))
    except Exception as exc:  # PyYAML's error types, raised through yamlio
        raise yaml_error(exc, str(path)) from None


def load_doc(path: str | Path, *, what: str = "YAML file") -> Any:
    """The one document of a YAML file (None when it is empty)."""
    text = read_text(path, what=what)
    try:
        return yamlio.load(text)
    except Exception as exc:  # PyYAML's error types, raised through yamlio
        raise yaml_error(exc, str(path)) from None
