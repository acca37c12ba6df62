"""What a deploy would change, as text: `Diff` (one `DiffEntry` per object) and the YAML of an object to create
or the unified diff of one to update, secret values masked and server-managed fields left out."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from pykro import _yamlio as yamlio
from pykro.deploy import _inventory as inventory
from pykro.graph import Graph
from pykro.graph import _secrets as secrets

__all__ = ["Diff", "DiffEntry", "created_text", "unified"]

_VOLATILE_META = ("managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink")


@dataclass
class DiffEntry:
    """What a deploy would do to one object: create, update, unchanged, delete, or pending (inputs not ready)."""

    resource: str
    identity: str
    action: str
    text: str = ""


@dataclass
class Diff:
    entries: list[DiffEntry] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(e.action != "unchanged" for e in self.entries)

    def render(self) -> str:
        lines = []
        for e in self.entries:
            lines.append(f"{e.action:9} {e.resource:<16} {e.identity}")
            if e.text:
                lines.extend("    " + line for line in e.text.rstrip("\n").splitlines())
        return "\n".join(lines) + ("\n" if lines else "")


def created_text(obj: dict[str, Any], graph: Graph | None = None) -> str:
    """The YAML a diff shows for an object that would be created (secret values masked)."""
    return yamlio.dump(_clean(secrets.mask_object(obj, graph)))


def _clean(obj: dict[str, Any]) -> dict[str, Any]:
    """The object for a diff: keys sorted (servers order them differently), server-managed fields dropped."""
    out: dict[str, Any] = json.loads(json.dumps(obj, sort_keys=True))
    out = {**{k: out[k] for k in ("apiVersion", "kind", "metadata") if k in out}, **out}
    out.pop("status", None)
    meta = out.get("metadata") or {}
    for key in _VOLATILE_META:
        meta.pop(key, None)
    (meta.get("annotations") or {}).pop(inventory.APPLIED_HASH, None)
    if meta.get("annotations") == {}:
        meta.pop("annotations")
    return out


def unified(before: dict[str, Any] | None, after: dict[str, Any], name: str, graph: Graph | None = None) -> str:
    """A unified diff of two objects, secret values masked (a changed one shows as ``*** (before)/(after)``)."""
    masked_before, masked_after = secrets.mask_pair(before, after, graph)
    a = yamlio.dump(_clean(masked_before)).splitlines(keepends=True) if masked_before else []
    b = yamlio.dump(_clean(masked_after)).splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, f"live/{name}", f"desired/{name}", n=2))
