"""Server-side apply and field ownership: field sets (FieldsV1), managedFields bookkeeping for Apply and Update
operations, apply conflicts (409 with the apiserver's causes and message) and the apply merge itself."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from pykro._kube import now
from pykro.emulator._patch import ListKeys, item_key
from pykro.emulator._status import StatusError

__all__ = [
    "apply",
    "display_path",
    "field_set",
    "from_fields_v1",
    "merge_applied",
    "record_update",
    "remove_path",
    "to_fields_v1",
    "value_at",
]

Path = tuple[str, ...]  # FieldsV1 path elements: "f:name", 'k:{"name":"x"}', 'v:"x"', "."

_IGNORED_META = frozenset(
    {
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "managedFields",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
        "generateName",
    }
)


def _key_element(item: dict[str, Any], keys: list[str]) -> str:
    return "k:" + json.dumps({k: item.get(k) for k in keys}, sort_keys=True, separators=(",", ":"))


def field_set(obj: dict[str, Any], list_keys: ListKeys, *, status: bool | None = None) -> set[Path]:
    """The leaf field paths of `obj` (apiVersion/kind and server-set metadata excluded); `status` True keeps only
    status, False drops it, None keeps everything."""
    out: set[Path] = set()
    for k, v in obj.items():
        if k in ("apiVersion", "kind"):
            continue
        if (status is True and k != "status") or (status is False and k == "status"):
            continue
        if k == "metadata" and isinstance(v, dict):
            for mk, mv in v.items():
                if mk not in _IGNORED_META:
                    out |= _fields(mv, ("metadata", mk), ("f:metadata", f"f:{mk}"), list_keys)
            continue
        out |= _fields(v, (k,), (f"f:{k}",), list_keys)
    return out


def _fields(value: Any, names: tuple[str, ...], prefix: Path, list_keys: ListKeys) -> set[Path]:
    if isinstance(value, dict):
        if not value:
            return {prefix}
        out: set[Path] = set()
        for k, v in value.items():
            out |= _fields(v, (*names, k), (*prefix, f"f:{k}"), list_keys)
        return out
    if isinstance(value, list) and value:
        sem = list_keys(names, value)
        if sem == "set":
            return {(*prefix, "v:" + json.dumps(x, separators=(",", ":"))) for x in value}
        if isinstance(sem, list) and sem:
            out = set()
            for item in value:
                kp = (*prefix, _key_element(item, sem))
                out.add((*kp, "."))
                for k, v in item.items():
                    out |= _fields(v, (*names, k), (*kp, f"f:{k}"), list_keys)
            return out
    return {prefix}


def to_fields_v1(paths: Iterable[Path]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for path in sorted(paths):
        node = root
        for el in path:
            node = node.setdefault(el, {})
    return root


def from_fields_v1(tree: dict[str, Any], prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for k, v in tree.items():
        if isinstance(v, dict) and v:
            out |= from_fields_v1(v, (*prefix, k))
        else:
            out.add((*prefix, k))
    return out


_MISSING = object()


def value_at(obj: Any, path: Path) -> Any:
    """The value at a field path, or a sentinel when absent ("." yields the list item itself)."""
    cur = obj
    for el in path:
        if el == ".":
            continue
        kind, _, rest = el.partition(":")
        if kind == "f":
            if not isinstance(cur, dict) or rest not in cur:
                return _MISSING
            cur = cur[rest]
        elif kind == "k":
            want = json.loads(rest)
            if not isinstance(cur, list):
                return _MISSING
            cur = next(
                (i for i in cur if isinstance(i, dict) and all(i.get(k) == v for k, v in want.items())), _MISSING
            )
            if cur is _MISSING:
                return _MISSING
        elif kind == "v":
            value = json.loads(rest)
            return value if isinstance(cur, list) and value in cur else _MISSING
    return cur


def remove_path(obj: Any, path: Path) -> None:
    """Delete the field (or list item, or set value) at `path` in place; absent paths are ignored."""
    if path and path[-1] == ".":
        path = path[:-1]
    if not path:
        return
    parent = value_at(obj, path[:-1])
    kind, _, rest = path[-1].partition(":")
    if kind == "f" and isinstance(parent, dict):
        parent.pop(rest, None)
    elif kind == "k" and isinstance(parent, list):
        want = json.loads(rest)
        parent[:] = [i for i in parent if not (isinstance(i, dict) and all(i.get(k) == v for k, v in want.items()))]
    elif kind == "v" and isinstance(parent, list):
        value = json.loads(rest)
        parent[:] = [i for i in parent if i != value]


def display_path(path: Path) -> str:
    """`.spec.containers[name="app"].image` — the way conflicts name a field."""
    out = ""
    for el in path:
        kind, _, rest = el.partition(":")
        if kind == "f":
            out += f".{rest}"
        elif kind == "k":
            out += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in json.loads(rest).items()) + "]"
        elif kind == "v":
            out += f"[={rest}]"
    return out


def merge_applied(live: Any, cfg: Any, names: tuple[str, ...], list_keys: ListKeys) -> Any:
    """Merge an applied configuration into the live object (maps recursively, associative lists by key)."""
    if isinstance(cfg, dict) and isinstance(live, dict):
        out = dict(live)
        for k, v in cfg.items():
            out[k] = merge_applied(live.get(k), v, (*names, k), list_keys) if k in live else copy.deepcopy(v)
        return out
    if isinstance(cfg, list) and isinstance(live, list):
        sem = list_keys(names, [*live, *cfg])
        if sem == "set":
            return live + [copy.deepcopy(x) for x in cfg if x not in live]
        if isinstance(sem, list) and sem:
            out_list = list(live)
            index = {item_key(i, sem): n for n, i in enumerate(out_list)}
            for item in cfg:
                key = item_key(item, sem)
                if key in index:
                    out_list[index[key]] = merge_applied(out_list[index[key]], item, names, list_keys)
                else:
                    index[key] = len(out_list)
                    out_list.append(copy.deepcopy(item))
            return out_list
    return copy.deepcopy(cfg)


# managedFields ----------------------------------------------------------------------------------------------
def _entries(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return list(obj.get("metadata", {}).get("managedFields") or [])


def _entry_fields(entry: dict[str, Any]) -> set[Path]:
    return from_fields_v1(entry.get("fieldsV1") or {})


def _set_entries(obj: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    kept = [e for e in entries if e.get("fieldsV1")]
    if kept:
        obj["metadata"]["managedFields"] = kept
    else:
        obj["metadata"].pop("managedFields", None)


def _upsert(
    entries: list[dict[str, Any]], manager: str, operation: str, api_version: str, sub: str | None, fields: set[Path]
) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now(),
        "fieldsType": "FieldsV1",
        "fieldsV1": to_fields_v1(fields),
    }
    if sub:
        entry["subresource"] = sub
    for n, e in enumerate(entries):
        if e.get("manager") == manager and e.get("operation") == operation and e.get("subresource") == sub:
            entries[n] = entry
            return entries
    entries.append(entry)
    return entries


def _with_fields(entry: dict[str, Any], fields: set[Path]) -> dict[str, Any]:
    return {**entry, "fieldsV1": to_fields_v1(fields)} if fields else {**entry, "fieldsV1": {}}


def record_update(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    manager: str,
    list_keys: ListKeys,
    subresource: str | None = None,
) -> None:
    """Give `manager` (operation Update) the fields it changed from `old` to `new`, taking them from others."""
    status = True if subresource == "status" else None
    new_fields = field_set(new, list_keys, status=status)
    if old is None:
        changed, removed = new_fields, set()
    else:
        old_fields = field_set(old, list_keys, status=status)
        changed = {p for p in new_fields if value_at(old, p) != value_at(new, p) or p not in old_fields}
        removed = old_fields - new_fields
    entries = [] if old is None else _entries(old)
    touched = changed | removed
    out: list[dict[str, Any]] = []
    mine: set[Path] = set()
    for e in entries:
        fields = _entry_fields(e)
        if e.get("manager") == manager and e.get("operation") == "Update" and e.get("subresource") == subresource:
            mine = fields - removed
            out.append(e)
            continue
        out.append(_with_fields(e, fields - touched) if fields & touched else e)
    if changed or mine:
        out = _upsert(out, manager, "Update", new["apiVersion"], subresource, mine | changed)
    _set_entries(new, out)


def apply(
    live: dict[str, Any] | None,
    cfg: dict[str, Any],
    manager: str,
    force: bool,
    list_keys: ListKeys,
    resource: str,
    group: str,
    subresource: str | None = None,
    status_subresource: bool = False,
) -> dict[str, Any]:
    """The object after `manager` applies `cfg` to `live` (None: create), with managedFields updated; raises a
    409 Conflict listing every field another manager owns with a different value, unless `force`."""
    if subresource == "status":
        status: bool | None = True
    else:
        status = False if status_subresource else None
    cfg = copy.deepcopy(cfg)
    if status is False:
        cfg.pop("status", None)
    applied = field_set(cfg, list_keys, status=status)
    base = copy.deepcopy(live) if live is not None else {"metadata": {}}
    entries = _entries(base)
    conflicts: list[tuple[str, str, Path]] = []
    previous: set[Path] = set()
    others: list[tuple[int, set[Path]]] = []
    for n, e in enumerate(entries):
        fields = _entry_fields(e)
        if e.get("manager") == manager and e.get("operation") == "Apply" and e.get("subresource") == subresource:
            previous = fields
            continue
        others.append((n, fields))
        for p in sorted(fields & applied):
            if p[-1] != "." and value_at(base, p) != value_at(cfg, p):
                conflicts.append((str(e.get("manager")), str(e.get("apiVersion", "")), p))
    if conflicts and not force:
        raise _conflict_error(conflicts, resource, group, cfg.get("metadata", {}).get("name", ""))
    conflicting = {p for _, _, p in conflicts}
    for n, fields in others:
        if fields & conflicting:
            entries[n] = _with_fields(entries[n], fields - conflicting)
    owned_by_others: set[Path] = set()
    for n, _ in others:
        owned_by_others |= _entry_fields(entries[n])

    body = {k: v for k, v in cfg.items() if k not in ("apiVersion", "kind", "metadata")}
    merged = merge_applied({k: v for k, v in base.items() if k != "metadata"}, body, (), list_keys)
    meta_cfg = {k: v for k, v in (cfg.get("metadata") or {}).items() if k not in _IGNORED_META}
    merged["metadata"] = merge_applied(base.get("metadata", {}), meta_cfg, ("metadata",), list_keys)
    for name in ("name", "namespace", "generateName"):
        if name in (cfg.get("metadata") or {}) and name not in merged["metadata"]:
            merged["metadata"][name] = cfg["metadata"][name]
    for p in sorted(previous - applied - owned_by_others, key=len, reverse=True):
        remove_path(merged, p)
    merged["apiVersion"] = cfg.get("apiVersion", base.get("apiVersion"))
    merged["kind"] = cfg.get("kind", base.get("kind"))
    entries = _upsert(entries, manager, "Apply", merged["apiVersion"], subresource, applied)
    _set_entries(merged, entries)
    ordered = {"apiVersion": merged.pop("apiVersion"), "kind": merged.pop("kind"), "metadata": merged.pop("metadata")}
    ordered.update(merged)
    return ordered


def _conflict_error(conflicts: list[tuple[str, str, Path]], resource: str, group: str, name: str) -> StatusError:
    by_manager: dict[tuple[str, str], list[str]] = {}
    for manager, api_version, p in conflicts:
        by_manager.setdefault((manager, api_version), []).append(display_path(p))
    n = len(conflicts)
    if n == 1:
        (manager, api_version), [field] = next(iter(by_manager.items()))
        text = f'Apply failed with 1 conflict: conflict with "{manager}" using {api_version}: {field}'
    else:
        parts = []
        for (manager, api_version), fields in by_manager.items():
            if len(fields) == 1:
                parts.append(f'conflict with "{manager}" using {api_version}: {fields[0]}')
            else:
                parts.append(f'conflicts with "{manager}" using {api_version}:\n' + "\n".join(f"- {f}" for f in fields))
        text = f"Apply failed with {n} conflicts: " + "\n".join(parts)
    causes = [
        {"reason": "FieldManagerConflict", "message": f'conflict with "{m}" using {v}', "field": display_path(p)}
        for m, v, p in conflicts
    ]
    details: dict[str, Any] = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = resource
    details["causes"] = causes
    return StatusError(409, text, "Conflict", details)
