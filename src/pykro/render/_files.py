"""Writing a rendered tree of files (a chart, a Kustomize tree) under a directory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pykro.errors import PykroError

__all__ = ["write_tree"]


def write_tree(files: Mapping[str, str | bytes], directory: str | Path, what: str) -> list[Path]:
    """Write ``files`` ({relative path: text or bytes}) under ``directory`` (created if missing); the paths written,
    in order. A write that fails stops with one error naming ``what`` (``the chart``) and the directory."""
    out = Path(directory)
    written: list[Path] = []
    try:
        for name, content in files.items():
            path = out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise PykroError(
            f"cannot write {what}: {exc.strerror}" + (f" ({exc.filename})" if exc.filename else ""),
            where=str(directory),
            fix="Pass a directory you can write to (it is created if missing).",
        ) from None
    return written
