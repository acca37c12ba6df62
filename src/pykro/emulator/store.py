"""The indexed in-memory object store: one table per resource (group, plural), indexed by namespace, by label
and by owner uid; a global resourceVersion counter; a ring buffer of recent changes for watches that resume from
a resourceVersion; and watch fan-out that only visits the watchers of the changed resource."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pykro.emulator.selectors import Requirement

__all__ = ["Change", "ObjKey", "Store", "Table", "TypeKey", "Watcher", "dumps"]

TypeKey = tuple[str, str]  # (group, plural)
ObjKey = tuple[str, str]  # (namespace or "", name)


def dumps(obj: Any) -> str:
    """The emulator's JSON encoding of an answer (compact, ASCII)."""
    return json.dumps(obj, separators=(",", ":"))


_SHORT = 32  # string values up to this length are shared too (apiVersion, kind, namespace, manager, timestamps)


def _share_strings(value: Any) -> None:
    """Replace every mapping key and every short string value in `value` by the interpreter's one shared copy of
    that string (`sys.intern`), in place: the same dicts, lists, order and (equal) values, but thousands of stored
    objects no longer each hold their own "apiVersion", "metadata", "f:data", "v1", ... (interned strings are freed
    with their last user)."""
    if isinstance(value, dict):
        items = list(value.items())
        value.clear()
        for k, v in items:
            if type(v) is str:
                if len(v) <= _SHORT:
                    v = sys.intern(v)
            else:
                _share_strings(v)
            value[sys.intern(k) if type(k) is str else k] = v
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if type(v) is str:
                if len(v) <= _SHORT:
                    value[i] = sys.intern(v)
            else:
                _share_strings(v)


@dataclass(frozen=True, slots=True)
class Change:
    """One stored change, as kept in the history ring buffer and delivered to watchers."""

    rv: int
    type: str  # ADDED | MODIFIED | DELETED
    tkey: TypeKey
    obj: dict[str, Any]
    old: dict[str, Any] | None


@dataclass(eq=False)
class Watcher:
    """A subscriber: gets every change of one resource (or of all when tkey is None) in a queue."""

    tkey: TypeKey | None
    queue: asyncio.Queue[Change | None] = field(default_factory=asyncio.Queue)


class Table:
    """The objects of one resource, with a namespace index, a label index and each stored object's JSON encoding
    (made when first asked for, dropped when the object is replaced or removed)."""

    def __init__(self) -> None:
        self.by_ns: dict[str, dict[str, dict[str, Any]]] = {}
        self.labels: dict[tuple[str, str], set[ObjKey]] = {}
        self.label_keys: dict[str, set[ObjKey]] = {}
        self.count = 0
        self.encoded: dict[ObjKey, tuple[dict[str, Any], bytes]] = {}

    def get(self, ns: str, name: str) -> dict[str, Any] | None:
        return self.by_ns.get(ns, {}).get(name)

    def put(self, ns: str, name: str, obj: dict[str, Any]) -> dict[str, Any] | None:
        names = self.by_ns.setdefault(ns, {})
        old = names.get(name)
        if old is not None:
            self._unindex((ns, name), old)
            self.encoded.pop((ns, name), None)
        else:
            self.count += 1
        names[name] = obj
        self._index((ns, name), obj)
        return old

    def remove(self, ns: str, name: str) -> dict[str, Any] | None:
        names = self.by_ns.get(ns)
        old = names.pop(name, None) if names else None
        if old is not None:
            self.count -= 1
            self._unindex((ns, name), old)
            self.encoded.pop((ns, name), None)
            if not names:
                del self.by_ns[ns]
        return old

    def encode(self, ns: str, name: str, obj: dict[str, Any]) -> bytes:
        """`dumps(obj)` as bytes, kept while `obj` is the stored object at (ns, name): the entry is dropped on every
        write of that key and is only used for the very object it was made from."""
        key = (ns, name)
        entry = self.encoded.get(key)
        if entry is not None and entry[0] is obj:
            return entry[1]
        raw = dumps(obj).encode()
        if self.get(ns, name) is obj:
            self.encoded[key] = (obj, raw)
        return raw

    def _index(self, key: ObjKey, obj: dict[str, Any]) -> None:
        for k, v in (obj.get("metadata", {}).get("labels") or {}).items():
            self.labels.setdefault((k, str(v)), set()).add(key)
            self.label_keys.setdefault(k, set()).add(key)

    def _unindex(self, key: ObjKey, obj: dict[str, Any]) -> None:
        for k, v in (obj.get("metadata", {}).get("labels") or {}).items():
            _discard(self.labels, (k, str(v)), key)
            _discard(self.label_keys, k, key)

    def select(self, ns: str | None, reqs: list[Requirement]) -> Iterator[dict[str, Any]]:
        """Objects in `ns` (all when None) matching every requirement, using the label index when it narrows."""
        candidates: set[ObjKey] | None = None
        for r in reqs:
            if r.op in ("=", "in"):
                keys: set[ObjKey] = set()
                for v in r.values:
                    keys |= self.labels.get((r.key, v), set())
            elif r.op == "exists":
                keys = self.label_keys.get(r.key, set())
            else:
                continue
            candidates = keys if candidates is None or len(keys) < len(candidates) else candidates
        if candidates is not None:
            for ons, name in sorted(candidates):
                if ns is None or ons == ns:
                    obj = self.by_ns[ons][name]
                    labels = obj.get("metadata", {}).get("labels") or {}
                    if all(r.matches(labels) for r in reqs):
                        yield obj
            return
        spaces = sorted(self.by_ns) if ns is None else [ns]
        for space in spaces:
            names = self.by_ns.get(space, {})
            for name in sorted(names):
                obj = names[name]
                if reqs:
                    labels = obj.get("metadata", {}).get("labels") or {}
                    if not all(r.matches(labels) for r in reqs):
                        continue
                yield obj


def _discard(index: dict[Any, set[ObjKey]], ikey: Any, key: ObjKey) -> None:
    members = index.get(ikey)
    if members is not None:
        members.discard(key)
        if not members:
            del index[ikey]


class Store:
    """All objects of the emulated cluster plus change history and watchers."""

    def __init__(self, history: int = 20000) -> None:
        self.tables: dict[TypeKey, Table] = {}
        self.rv = 1
        self.history: deque[Change] = deque(maxlen=history)
        self.watchers: dict[TypeKey | None, set[Watcher]] = {}
        self.owners: dict[str, set[tuple[TypeKey, str, str]]] = {}  # owner uid -> dependents
        self.ns_counts: dict[str, int] = {}  # namespaced objects per namespace (all resources)
        self.listeners: list[Callable[[Change], None]] = []
        # with persistence: waits until a resourceVersion is on disk (watch events never run ahead of the disk)
        self.durable: Callable[[int], Awaitable[None]] | None = None

    def table(self, tkey: TypeKey) -> Table:
        t = self.tables.get(tkey)
        if t is None:
            t = self.tables[tkey] = Table()
        return t

    def get(self, tkey: TypeKey, ns: str, name: str) -> dict[str, Any] | None:
        t = self.tables.get(tkey)
        return t.get(ns, name) if t else None

    def next_rv(self) -> int:
        self.rv += 1
        return self.rv

    def write(self, tkey: TypeKey, obj: dict[str, Any], namespaced: bool) -> dict[str, Any]:
        """Insert or replace `obj` (stamping a new resourceVersion) and notify watchers."""
        _share_strings(obj)
        meta = obj["metadata"]
        ns = meta.get("namespace", "") if namespaced else ""
        rv = self.next_rv()
        meta["resourceVersion"] = str(rv)
        old = self.table(tkey).put(ns, meta["name"], obj)
        if old is None and ns:
            self.ns_counts[ns] = self.ns_counts.get(ns, 0) + 1
        self._index_owners(tkey, ns, meta["name"], old, obj)
        self._emit(Change(rv, "MODIFIED" if old is not None else "ADDED", tkey, obj, old))
        return obj

    def load(self, tkey: TypeKey, obj: dict[str, Any]) -> None:
        """Insert an object as it was saved (no new resourceVersion, no watch event)."""
        _share_strings(obj)
        meta = obj["metadata"]
        ns = meta.get("namespace", "")
        old = self.table(tkey).put(ns, meta["name"], obj)
        if old is None and ns:
            self.ns_counts[ns] = self.ns_counts.get(ns, 0) + 1
        self._index_owners(tkey, ns, meta["name"], old, obj)
        self.rv = max(self.rv, int(meta.get("resourceVersion") or 0))

    def remove(self, tkey: TypeKey, ns: str, name: str) -> dict[str, Any] | None:
        t = self.tables.get(tkey)
        old = t.remove(ns, name) if t else None
        if old is None:
            return None
        if ns:
            self.ns_counts[ns] -= 1
            if not self.ns_counts[ns]:
                del self.ns_counts[ns]
        self._index_owners(tkey, ns, name, old, None)
        rv = self.next_rv()
        gone = {**old, "metadata": {**old["metadata"], "resourceVersion": str(rv)}}
        self._emit(Change(rv, "DELETED", tkey, gone, old))
        return gone

    def _index_owners(
        self, tkey: TypeKey, ns: str, name: str, old: dict[str, Any] | None, new: dict[str, Any] | None
    ) -> None:
        me = (tkey, ns, name)
        for obj, add in ((old, False), (new, True)):
            for ref in (obj or {}).get("metadata", {}).get("ownerReferences") or []:
                uid = ref.get("uid", "")
                if add:
                    self.owners.setdefault(uid, set()).add(me)
                elif uid in self.owners:
                    self.owners[uid].discard(me)
                    if not self.owners[uid]:
                        del self.owners[uid]

    def dependents(self, uid: str) -> list[tuple[TypeKey, str, str]]:
        return sorted(self.owners.get(uid, ()))

    def _emit(self, change: Change) -> None:
        self.history.append(change)
        for key in (change.tkey, None):
            for w in self.watchers.get(key, ()):
                w.queue.put_nowait(change)
        for listener in self.listeners:
            listener(change)

    # watches ------------------------------------------------------------------------------------------------
    def subscribe(self, tkey: TypeKey | None) -> Watcher:
        w = Watcher(tkey)
        self.watchers.setdefault(tkey, set()).add(w)
        return w

    def unsubscribe(self, w: Watcher) -> None:
        members = self.watchers.get(w.tkey)
        if members is not None:
            members.discard(w)

    def since(self, tkey: TypeKey, rv: int) -> list[Change] | None:
        """Changes of `tkey` after `rv`, or None when the history no longer reaches back that far (410 Gone)."""
        if rv >= self.rv:
            return []
        if not self.history or self.history[0].rv > rv + 1:
            return None
        return [c for c in self.history if c.rv > rv and c.tkey == tkey]

    def all_objects(self) -> Iterable[tuple[TypeKey, dict[str, Any]]]:
        for tkey, t in self.tables.items():
            for names in t.by_ns.values():
                for obj in names.values():
                    yield tkey, obj
