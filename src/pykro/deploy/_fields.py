"""What one field manager last applied to an object, read back from the object's ``managedFields`` (the server's
FieldsV1 sets: ``f:name`` a field, ``k:{...}`` a list item by its keys, ``v:...`` a set item, ``.`` the item itself).
A rollback server-side applies this again to put back the fields pykro owned before a failed update; fields the
failed update added are dropped by the same apply (server-side apply removes what its manager stops sending)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["applied_state"]


def applied_state(obj: dict[str, Any], manager: str) -> dict[str, Any] | None:
    """The fields of ``obj`` that ``manager`` owns through Apply (identity included), or None when it owns none."""
    owned: dict[str, Any] = {}
    for entry in (obj.get("metadata") or {}).get("managedFields") or []:
        if entry.get("manager") == manager and entry.get("operation") == "Apply" and not entry.get("subresource"):
            _merge_sets(owned, entry.get("fieldsV1") or {})
    if not owned:
        return None
    body = _extract(obj, owned)
    out: dict[str, Any] = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind")}
    out.update({k: v for k, v in body.items() if k not in ("apiVersion", "kind")})
    meta = dict(out.get("metadata") or {})
    source = obj.get("metadata") or {}
    meta["name"] = source.get("name")
    if source.get("namespace"):
        meta["namespace"] = source["namespace"]
    out["metadata"] = meta
    return out


def _merge_sets(into: dict[str, Any], tree: dict[str, Any]) -> None:
    for key, sub in tree.items():
        _merge_sets(into.setdefault(key, {}), sub or {})


def _extract(value: Any, tree: dict[str, Any]) -> Any:
    """The parts of ``value`` the FieldsV1 ``tree`` names (a leaf names the whole value)."""
    children = {k: v for k, v in tree.items() if k != "."}
    if not children:
        return value
    if isinstance(value, dict):
        return {
            k[2:]: _extract(value[k[2:]], sub or {})
            for k, sub in children.items()
            if k.startswith("f:") and k[2:] in value
        }
    if isinstance(value, list):
        found: list[tuple[int, Any]] = []  # (position in the live list, extracted item): the live order is kept
        for key, sub in children.items():
            kind, _, text = key.partition(":")
            if kind == "k":
                wanted = json.loads(text)
                for i, item in enumerate(value):
                    if isinstance(item, dict) and all(item.get(k) == v for k, v in wanted.items()):
                        part = _extract(item, sub or {})
                        found.append((i, {**wanted, **part} if isinstance(part, dict) else part))
                        break
            elif kind == "v":
                item_value = json.loads(text)
                if item_value in value:
                    found.append((value.index(item_value), item_value))
            elif kind == "i" and int(text) < len(value):
                found.append((int(text), _extract(value[int(text)], sub or {})))
        return [item for _, item in sorted(found, key=lambda pair: pair[0])]
    return value
