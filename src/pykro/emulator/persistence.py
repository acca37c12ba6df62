"""Optional persistence (`--state FILE`): the store as one JSON file, written atomically (temp file + rename) and
debounced, read back on start so a restarted emulator keeps its objects."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pykro.emulator.engine import Engine
from pykro.emulator.store import Change
from pykro.errors import PykroError

FORMAT = "pykro-emulator-state/v1"


def snapshot(engine: Engine) -> dict[str, Any]:
    objects = [{"group": g, "plural": p, "object": obj} for (g, p), obj in engine.store.all_objects()]
    return {"format": FORMAT, "resourceVersion": engine.store.rv, "objects": objects}


def save(engine: Engine, path: Path) -> None:
    """Write the state atomically: readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(snapshot(engine), fh, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load(engine: Engine, path: Path) -> bool:
    """Load a state file into an empty engine; False when the file does not exist."""
    if not path.exists():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PykroError(
            f"cannot read the emulator state file: {exc}",
            where=str(path),
            fix="Delete the file to start from an empty cluster, or pass another --state path.",
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PykroError(
            "the file is not a pykro emulator state file",
            where=str(path),
            fix="Pass a path the emulator wrote (or a new one).",
        )
    crds = [
        e["object"]
        for e in data["objects"]
        if (e["group"], e["plural"]) == ("apiextensions.k8s.io", "customresourcedefinitions")
    ]
    for crd in crds:
        engine.registry.serve_crd(crd)
    for entry in data["objects"]:
        engine.store.load((entry["group"], entry["plural"]), entry["object"])
    engine.store.rv = max(engine.store.rv, int(data.get("resourceVersion", 1)))
    engine.restore()
    return True


class StateWriter:
    """Saves the engine's state `delay` seconds after a burst of changes (and once more on close)."""

    def __init__(self, engine: Engine, path: Path, delay: float = 0.2) -> None:
        self.engine = engine
        self.path = path
        self.delay = delay
        self._handle: asyncio.TimerHandle | None = None
        engine.store.listeners.append(self.changed)

    def changed(self, change: Change) -> None:
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_later(self.delay, self.flush)

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        save(self.engine, self.path)
