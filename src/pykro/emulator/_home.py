"""Where the per-user emulator keeps its files: one directory shared by `pykro emulator start`, `pykro emulator get`
and the `--local` flag of every cluster command, so they all find the same emulator; and how a kubeconfig for it is
written (0600, atomically, merged into an existing kubeconfig)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path
from typing import Any, cast

from pykro.errors import PykroError, ValidationError

__all__ = ["check_kubeconfig_target", "default_kubeconfig", "lock_holder", "lock_path", "state_dir", "write_kubeconfig"]


def state_dir() -> Path:
    """``${XDG_STATE_HOME:-~/.local/state}/pykro/emulator``: kubeconfig, state.json, pid, emulator.log."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "pykro" / "emulator"


def default_kubeconfig() -> Path:
    """The kubeconfig the per-user emulator writes (and `--local` reads)."""
    return state_dir() / "kubeconfig"


def write_kubeconfig(path: Path, config: dict[str, Any]) -> bool:
    """Write ``config`` (one cluster, user and context) to ``path`` as kind does: merged into a kubeconfig that is
    already there (entries of the same names replaced, the others kept, current-context set to ours), or a new
    file. The file is created 0600 and replaced atomically, so the token is never readable by others, not even
    for a moment. Returns True when it merged into an existing kubeconfig; refuses a file that is not one."""
    from pykro import _yamlio as yamlio  # PyYAML loads when a kubeconfig is written, not when the CLI starts

    merged = False
    if path.exists():
        existing = _existing_kubeconfig(path)
        if existing is not None:
            config = _merge(existing, config)
            merged = True
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp creates it 0600
    except OSError as exc:
        raise PykroError(
            f"cannot write the kubeconfig: {exc.strerror}", where=str(path), fix="Pass a --kubeconfig you can write."
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(yamlio.dump(config))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return merged


def check_kubeconfig_target(path: Path) -> None:
    """Refuse, before anything starts, a ``path`` that `write_kubeconfig` would refuse (a directory, a path under a
    file, a file that is not a kubeconfig)."""
    if path.is_dir():
        raise PykroError(
            "is a directory, not a kubeconfig file", where=str(path), fix="Pass a file path to --kubeconfig."
        )
    blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise PykroError(
            f"cannot write the kubeconfig: {blocker} is not a directory",
            where=str(path),
            fix="Pass a file path to --kubeconfig.",
        )
    if path.exists():
        _existing_kubeconfig(path)


def _existing_kubeconfig(path: Path) -> dict[str, Any] | None:
    """The kubeconfig already at ``path`` (None when the file is empty); a PykroError when it is something else."""
    from pykro import _yamlio as yamlio

    text = yamlio.read_user_file(path, what="kubeconfig")
    try:
        data = yamlio.load_user(text, str(path))
    except ValidationError as exc:
        raise PykroError(
            f"the file exists and is not valid YAML ({exc.what}), so it is not replaced",
            where=str(path),
            fix="Pass another --kubeconfig, or move the file away.",
        ) from exc
    if data is None:
        return None
    sections_ok = all(isinstance(data.get(k) or [], list) for k in _SECTIONS) if isinstance(data, dict) else False
    if not sections_ok or data.get("kind", "Config") != "Config":
        raise PykroError(
            "the file exists and is not a kubeconfig, so it is not replaced",
            where=str(path),
            fix="Pass another --kubeconfig, or move the file away.",
        )
    return cast(dict[str, Any], data)


_SECTIONS = ("clusters", "users", "contexts")


def _merge(existing: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    out = dict(existing)
    for section in _SECTIONS:
        names = {entry["name"] for entry in ours[section]}
        kept = [e for e in existing.get(section) or [] if not (isinstance(e, dict) and e.get("name") in names)]
        out[section] = [*kept, *ours[section]]
    out.setdefault("apiVersion", "v1")
    out.setdefault("kind", "Config")
    out["current-context"] = ours["current-context"]
    return out


def lock_path(path: Path) -> Path:
    """The lock file beside the state file ``path`` (held by the emulator using it)."""
    return path.with_name(path.name + ".lock")


def lock_holder(path: Path) -> int | None:
    """The pid of the emulator holding the state file `path` (None when no process holds it)."""
    lock = lock_path(path)
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            return int(text) if text.isdigit() else 0
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
