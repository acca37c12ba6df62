"""A small disk cache of JSON-shaped values stored with ``marshal``, in a folder named by the digest of the files
that make them (their paths, sizes and modification times, as Python's bytecode cache checks its sources) and of
the interpreter's version (the files are in its ``marshal`` format), so a changed input, pykro or Python never reads
old entries. Writes are atomic; a damaged entry is made again; without a writable cache the value is only made in
memory. Making a new folder prunes the folders of other digests left untouched for a day (see :func:`prune`)."""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["cached", "folder", "prune", "root"]

_DIGEST = re.compile(r"[0-9a-f]{40}")
_ENTRY = re.compile(r"[A-Za-z0-9_.-]+\.marshal|\.[A-Za-z0-9_.-]+\.tmp")
STALE = 24 * 3600  # seconds a folder of another digest is kept after its last write


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
        if not where.is_dir():
            where.mkdir(parents=True, exist_ok=True)
            prune(where)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(marshal.dumps(value))
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return value


def prune(keep: Path, stale: float = STALE) -> None:
    """Remove the folders beside ``keep`` that this module made for other digests (a 40-hex-digit name, holding
    only entry files) and that nobody wrote to for ``stale`` seconds. Symbolic links are never followed or removed;
    whatever cannot be removed (another process writing, no permission, gone already) is left without a word."""
    if not {os.open, os.stat, os.unlink, os.rmdir} <= os.supports_dir_fd or os.scandir not in os.supports_fd:
        return  # no safe way to remove without following links here
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        parent = os.open(keep.parent, flags)
    except OSError:
        return
    try:
        with os.scandir(parent) as entries:
            names = [e.name for e in entries if _DIGEST.fullmatch(e.name) and e.name != keep.name]
        for name in names:
            with contextlib.suppress(OSError):
                _remove_stale(parent, name, flags, time.time() - stale)
    finally:
        os.close(parent)


def _remove_stale(parent: int, name: str, flags: int, before: float) -> None:
    """Remove the folder ``name`` of ``parent`` if it is a real folder last written before ``before`` holding
    only regular entry files; raises OSError when it cannot (or must not) be removed."""
    info = os.stat(name, dir_fd=parent, follow_symlinks=False)
    if not stat.S_ISDIR(info.st_mode) or info.st_mtime > before:
        return
    fd = os.open(name, flags, dir_fd=parent)  # O_NOFOLLOW: a link put there since fails here
    try:
        with os.scandir(fd) as entries:
            found = [(e.name, e.stat(follow_symlinks=False)) for e in entries]
        if any(not _ENTRY.fullmatch(n) or not stat.S_ISREG(st.st_mode) or st.st_mtime > before for n, st in found):
            return  # not only ours, or written to lately
        for entry, _ in found:
            os.unlink(entry, dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=parent)
