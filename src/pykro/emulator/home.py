"""Where the per-user emulator keeps its files: one directory shared by `pykro emulator start`, `pykro emulator get`
and the `--local` flag of every cluster command, so they all find the same emulator."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """``${XDG_STATE_HOME:-~/.local/state}/pykro/emulator``: kubeconfig, state.json, pid, emulator.log."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "pykro" / "emulator"


def default_kubeconfig() -> Path:
    """The kubeconfig the per-user emulator writes (and `--local` reads)."""
    return state_dir() / "kubeconfig"
