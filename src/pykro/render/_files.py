"""Writing a rendered tree of files (a chart, a Kustomize tree) under a directory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from pykro.errors import PykroError

__all__ = ["check_stale", "write_tree"]


def check_stale(directory: str | Path, names: Iterable[str], reader: str) -> None:
    """Refuse a ``directory`` holding manifest files (``.yaml``, ``.yml``, ``.json``) other than ``names``, the ones
    this render writes there: ``reader`` (``helm``, ``kubectl apply -f``) would read every one of them."""
    folder = Path(directory)
    if not folder.is_dir():
        return
    keep = set(names)
    extra = sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json") and p.name not in keep)
    if extra:
        shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
        raise PykroError(
            f"the directory already holds {shown}, which this render does not write; {reader} would read it too",
            where=str(directory),
            fix="Remove it (an earlier render's output?), or render into an empty directory.",
        )


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
