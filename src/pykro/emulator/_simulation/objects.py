"""Small helpers over Kubernetes objects as plain dicts: keys, owner references, conditions, timestamps, hashes."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pykro._kube import SAFE_ALPHABET
from pykro._kube import now as now_rfc3339

__all__ = [
    "Key",
    "Obj",
    "controller_ref",
    "deep_merge",
    "deleting",
    "drop_zero",
    "key_of",
    "meta",
    "owner_reference",
    "set_condition",
    "stable_hash",
    "uid",
]

Obj = dict[str, Any]
Key = tuple[str, str, str, str]
"""(apiVersion, kind, namespace or "", name)."""


def key_of(obj: Mapping[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    return (str(obj.get("apiVersion", "")), str(obj.get("kind", "")), meta.get("namespace") or "", meta["name"])


def meta(obj: Mapping[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def uid(obj: Mapping[str, Any]) -> str:
    return str(meta(obj).get("uid", ""))


def deleting(obj: Mapping[str, Any]) -> bool:
    return bool(meta(obj).get("deletionTimestamp"))


def controller_ref(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ownerReference with controller=true, if any."""
    return next((r for r in meta(obj).get("ownerReferences") or [] if r.get("controller")), None)


def owner_reference(owner: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": meta(owner)["name"],
        "uid": uid(owner),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def stable_hash(data: Any, length: int = 10) -> str:
    """A short, deterministic hash of JSON-able data, spelled with Kubernetes' safe alphabet."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).digest()
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in digest[:length])


def set_condition(
    conditions: list[dict[str, Any]] | None,
    type_: str,
    status: str,
    reason: str,
    message: str,
    *,
    update_time: bool = False,
    observed_generation: int | None = None,
) -> list[dict[str, Any]]:
    """A new condition list with `type_` set; lastTransitionTime changes only when the status does."""
    out = [dict(c) for c in conditions or []]
    old = next((c for c in out if c.get("type") == type_), None)
    stamp = now_rfc3339()
    cond: dict[str, Any] = {"type": type_, "status": status}
    if observed_generation is not None:
        cond["observedGeneration"] = observed_generation
    if update_time:
        same = old is not None and old.get("reason") == reason and old.get("message") == message
        cond["lastUpdateTime"] = old.get("lastUpdateTime", stamp) if same and old is not None else stamp
    keep = old is not None and old.get("status") == status and "lastTransitionTime" in old
    cond["lastTransitionTime"] = old["lastTransitionTime"] if keep and old is not None else stamp
    cond["reason"] = reason
    cond["message"] = message
    if old is None:
        out.append(cond)
    else:
        out[out.index(old)] = cond
    return out


def deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`patch` merged into a copy of `base`, recursively for mappings."""
    out = copy.deepcopy(dict(base))
    for k, v in patch.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def drop_zero(status: dict[str, Any], *names: str) -> dict[str, Any]:
    """Remove zero-valued integer fields, as the API's `omitempty` does."""
    for n in names:
        if status.get(n) == 0:
            del status[n]
    return status
