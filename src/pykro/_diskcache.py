"""A small disk cache of JSON-shaped values stored with ``marshal``, in a folder named by the digest of the files
that make them (their paths, sizes and modification times, as Python's bytecode cache checks its sources) and of
the interpreter's version (the files are in its ``marshal`` format), so a changed input, pykro or Python never reads
old entries. Writes are atomic; a damaged entry is made again; without a writable
cache the value is only made in memory."""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["cached", "folder", "root"]


def root(name: str) -> Path | None:
    """``$XDG_CACHE_HOME/pykro/NAME`` (``~/.cache`` when unset or relative, as the XDG spec says); None without a
    home directory."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "pykro" / name


def folder(under: Path | None, *sources: Path) -> Path | None:
    """The folder under ``under`` named by the SHA-256 of the interpreter's version and of each source's path, size
    and modification time (reading a 1.5 MB source to digest its content cost each command ~1.3 ms); None when a
    source cannot be read or there is no cache root."""
    digest = hashlib.sha256(f"{sys.hexversion} {marshal.version}\n".encode())
    try:
        for source in sources:
            found = os.stat(source)
            digest.update(f"{os.path.abspath(source)} {found.st_size} {found.st_mtime_ns}\n".encode())
    except OSError:
        return None
    return under / digest.hexdigest()[:40] if under is not None else None


def cached(where: Path | None, name: str, make: Callable[[], Any]) -> Any:
    """The value cached as ``name`` in ``where``; else ``make()``, written there (atomically) when it is writable."""
    if where is None:
        return make()
    path = where / f"{name}.marshal"
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    value = make()
    tmp = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(marshal.dumps(value))
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return value
