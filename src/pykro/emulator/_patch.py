"""Patches: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch with the merge keys of
the built-in kinds (or the x-kubernetes-list-type/map-keys of a CRD schema)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from typing import Any

from pykro.emulator._status import StatusError

__all__ = [
    "ListKeys",
    "builtin_list_keys",
    "item_key",
    "json_patch",
    "merge_patch",
    "schema_list_keys",
    "strategic_merge",
]

# field name -> merge key of the list, as in the Kubernetes API's patchMergeKey tags
MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "conditions": "type",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "ownerReferences": "uid",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
    "subsets": "",  # atomic in practice
}
SET_LISTS = frozenset({"finalizers"})  # lists of primitives merged as sets

ListKeys = Callable[[tuple[str, ...], list[Any]], "list[str] | str | None"]
"""(field path, list value) -> merge key names (associative list), "set", or None (atomic)."""


def builtin_list_keys(path: tuple[str, ...], items: list[Any]) -> list[str] | str | None:
    """List semantics of built-in kinds by field name (ports are keyed by containerPort in pods, port in services)."""
    name = path[-1] if path else ""
    if name in SET_LISTS:
        return "set"
    if name == "ports":
        if items and all(isinstance(i, dict) and "containerPort" in i for i in items):
            return ["containerPort"]
        if items and all(isinstance(i, dict) and "port" in i for i in items):
            return ["port"]
        return None
    key = MERGE_KEYS.get(name)
    if key and all(isinstance(i, dict) and key in i for i in items):
        return [key]
    return None


def schema_list_keys(schema: Mapping[str, Any] | None) -> ListKeys:
    """List semantics from a CRD's structural schema (x-kubernetes-list-type map/set), else atomic; metadata
    lists (finalizers, ownerReferences) keep their built-in semantics."""

    def keys(path: tuple[str, ...], items: list[Any]) -> list[str] | str | None:
        if path and path[0] == "metadata":
            return builtin_list_keys(path, items)
        node: Mapping[str, Any] | None = schema
        for seg in path:
            if node is None:
                return None
            if node.get("type") == "array" or "items" in node:
                node = node.get("items")
            if node is None:
                return None
            props = node.get("properties") or {}
            node = props.get(seg) if seg in props else node.get("additionalProperties")
            if not isinstance(node, Mapping):
                return None
        if node is None:
            return None
        list_type = node.get("x-kubernetes-list-type")
        if list_type == "map":
            return list(node.get("x-kubernetes-list-map-keys") or [])
        if list_type == "set":
            return "set"
        return None

    return keys


def item_key(item: Any, keys: list[str]) -> tuple[Any, ...]:
    return tuple(item.get(k) if isinstance(item, dict) else None for k in keys)


# JSON merge patch -------------------------------------------------------------------------------------------
def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# JSON patch -------------------------------------------------------------------------------------------------
def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise StatusError(422, f"invalid JSON pointer: {path!r}", "Invalid")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str]) -> Any:
    for p in parts:
        if isinstance(doc, list):
            doc = doc[int(p)]
        elif isinstance(doc, dict):
            doc = doc[p]
        else:
            raise KeyError(p)
    return doc


def json_patch(doc: Any, ops: Any) -> Any:
    """RFC 6902 add/remove/replace/move/copy/test; a failed operation is a 422 like the apiserver's."""
    if not isinstance(ops, list):
        raise StatusError.bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(doc)
    for op in ops:
        kind, path = op.get("op"), op.get("path", "")
        try:
            parts = _pointer(path)
            if kind == "test":
                if _walk(doc, parts) != op.get("value"):
                    raise StatusError(
                        422,
                        f"the server rejected our request due to an error in our request: testing value {path} failed",
                        "Invalid",
                    )
                continue
            if kind in ("move", "copy"):
                value = copy.deepcopy(_walk(doc, _pointer(op.get("from", ""))))
                if kind == "move":
                    doc = _remove(doc, _pointer(op.get("from", "")))
                doc = _add(doc, parts, value)
            elif kind == "add":
                doc = _add(doc, parts, copy.deepcopy(op.get("value")))
            elif kind == "remove":
                doc = _remove(doc, parts)
            elif kind == "replace":
                _walk(doc, parts)  # must exist
                doc = _add(_remove(doc, parts), parts, copy.deepcopy(op.get("value")))
            else:
                raise StatusError(422, f"Unexpected kind: {kind}", "Invalid")
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise StatusError(
                422,
                f"the server rejected our request due to an error in our request: {kind} operation does not apply: "
                f"doc is missing path: {path!r}: {exc}",
                "Invalid",
            ) from None
    return doc


def _add(doc: Any, parts: list[str], value: Any) -> Any:
    if not parts:
        return value
    parent = _walk(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if index < 0 or index > len(parent):
            raise IndexError(index)
        parent.insert(index, value)
    elif isinstance(parent, dict):
        parent[last] = value
    else:
        raise KeyError(last)
    return doc


def _remove(doc: Any, parts: list[str]) -> Any:
    if not parts:
        raise KeyError("")
    parent = _walk(doc, parts[:-1])
    if isinstance(parent, list):
        del parent[int(parts[-1])]
    else:
        del parent[parts[-1]]
    return doc


# strategic merge patch --------------------------------------------------------------------------------------
def strategic_merge(target: Any, patch: Any, list_keys: ListKeys = builtin_list_keys) -> Any:
    """Strategic merge patch: maps merge, keyed lists merge by their merge key, `$patch: delete|replace`,
    `$deleteFromPrimitiveList/<field>`; `$setElementOrder` and `$retainKeys` directives are accepted."""
    return _smp(target, patch, (), list_keys)


def _smp(target: Any, patch: Any, path: tuple[str, ...], list_keys: ListKeys) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys") or k.startswith("$setElementOrder/"):
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.split("/", 1)[1]
            drop = set(json.dumps(x) for x in v or [])
            out[field] = [x for x in out.get(field) or [] if json.dumps(x) not in drop]
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, list):
            out[k] = _smp_list(out.get(k), v, (*path, k), list_keys)
        else:
            merged = _smp(out.get(k), v, (*path, k), list_keys)
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
    return out


def _smp_list(target: Any, patch: list[Any], path: tuple[str, ...], list_keys: ListKeys) -> list[Any]:
    current = list(target) if isinstance(target, list) else []
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return [copy.deepcopy(i) for i in patch if not (isinstance(i, dict) and "$patch" in i)]
    semantics = list_keys(path, [i for i in [*current, *patch] if not (isinstance(i, dict) and "$patch" in i)])
    if semantics == "set":
        seen = {json.dumps(x, sort_keys=True) for x in current}
        return current + [copy.deepcopy(x) for x in patch if json.dumps(x, sort_keys=True) not in seen]
    if not semantics:
        return [copy.deepcopy(i) for i in patch]
    keys = semantics if isinstance(semantics, list) else [semantics]
    index = {item_key(i, keys): n for n, i in enumerate(current)}
    out: list[Any] = list(current)
    deleted: set[tuple[Any, ...]] = set()
    for item in patch:
        key = item_key(item, keys)
        if isinstance(item, dict) and item.get("$patch") == "delete":
            deleted.add(key)
            continue
        if key in index:
            out[index[key]] = _smp(out[index[key]], item, path, list_keys)
        else:
            index[key] = len(out)
            out.append(copy.deepcopy(item))
    return [i for i in out if item_key(i, keys) not in deleted]
