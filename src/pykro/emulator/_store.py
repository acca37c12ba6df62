"""The indexed in-memory object store: one table per resource (group, plural) holding each object once, as its
compact JSON encoding (the bytes every answer is built from), indexed by namespace, by label and by owner uid; a
small cache of decoded objects; a global resourceVersion counter; a ring buffer of recent changes for watches that
resume from a resourceVersion; and watch fan-out that only visits the watchers of the changed resource."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pykro.emulator._selectors import Requirement

__all__ = ["Change", "ObjKey", "Past", "Store", "Table", "TypeKey", "Watcher", "dumps"]

TypeKey = tuple[str, str]  # (group, plural)
ObjKey = tuple[str, str]  # (namespace or "", name)

CACHE = 256  # decoded objects kept (the most recently written or read)


_ENCODER = json.JSONEncoder(separators=(",", ":"))  # what json.dumps(obj, separators=...) makes on every call


def dumps(obj: Any) -> str:
    """The emulator's JSON encoding of an answer (compact, ASCII)."""
    return _ENCODER.encode(obj)


def _labels(obj: dict[str, Any]) -> dict[str, Any]:
    """The object's labels, keys and short values shared with every other object that has them (`sys.intern`)."""
    found = (obj.get("metadata") or {}).get("labels") or {}
    return {
        sys.intern(k): sys.intern(v) if type(v) is str and len(v) <= 63 else v
        for k, v in found.items()
        if type(k) is str
    }


@dataclass(frozen=True, slots=True)
class Change:
    """One change as delivered to watchers and listeners: the object after it (`raw` is its encoding) and before."""

    rv: int
    type: str  # ADDED | MODIFIED | DELETED
    tkey: TypeKey
    obj: dict[str, Any]
    old: dict[str, Any] | None
    raw: bytes = b""


@dataclass(frozen=True, slots=True)
class Past:
    """One change as kept in the history ring buffer: encodings only (decoded when a watch resumes over it)."""

    rv: int
    type: str
    tkey: TypeKey
    raw: bytes
    old_raw: bytes | None

    def change(self) -> Change:
        old = json.loads(self.old_raw) if self.old_raw is not None else None
        return Change(self.rv, self.type, self.tkey, json.loads(self.raw), old, self.raw)


@dataclass(eq=False)
class Watcher:
    """A subscriber: gets every change of one resource (or of all when tkey is None) in a queue."""

    tkey: TypeKey | None
    queue: asyncio.Queue[Change | None] = field(default_factory=asyncio.Queue)


class Table:
    """The objects of one resource as their JSON encodings, with a namespace index (names kept sorted on demand)
    and a label index (each labelled object's labels, so that selectors never decode an object)."""

    def __init__(self) -> None:
        self.by_ns: dict[str, dict[str, bytes]] = {}
        self.labels: dict[tuple[str, str], set[ObjKey]] = {}
        self.label_keys: dict[str, set[ObjKey]] = {}
        self.label_of: dict[ObjKey, dict[str, Any]] = {}
        self.count = 0
        self._sorted: dict[str, list[str]] = {}  # namespace -> its names in order, dropped when one comes or goes

    def raw(self, ns: str, name: str) -> bytes | None:
        names = self.by_ns.get(ns)
        return names.get(name) if names is not None else None

    def put(self, ns: str, name: str, raw: bytes, labels: dict[str, Any]) -> bytes | None:
        """Store `raw` (the encoding of an object with `labels`) at (ns, name); returns the encoding it replaced."""
        names = self.by_ns.get(ns)
        if names is None:
            names = self.by_ns[ns] = {}
        key = (ns, name)
        old = names.get(name)
        if old is not None:
            self._unindex(key)
        else:
            self.count += 1
            self._sorted.pop(ns, None)
        names[name] = raw
        if labels:
            self.label_of[key] = labels
            for k, v in labels.items():
                self.labels.setdefault((k, str(v)), set()).add(key)
                self.label_keys.setdefault(k, set()).add(key)
        return old

    def remove(self, ns: str, name: str) -> bytes | None:
        names = self.by_ns.get(ns)
        old = names.pop(name, None) if names else None
        if old is not None:
            self.count -= 1
            self._sorted.pop(ns, None)
            self._unindex((ns, name))
            if not names:
                del self.by_ns[ns]
        return old

    def _unindex(self, key: ObjKey) -> None:
        for k, v in (self.label_of.pop(key, None) or {}).items():
            _discard(self.labels, (k, str(v)), key)
            _discard(self.label_keys, k, key)

    def names(self, ns: str) -> list[str]:
        """The names in `ns`, sorted."""
        order = self._sorted.get(ns)
        if order is None:
            order = self._sorted[ns] = sorted(self.by_ns.get(ns, ()))
        return order

    def encodings(self, ns: str | None) -> list[bytes]:
        """The encodings of every object in `ns` (all when None), in (namespace, name) order."""
        out: list[bytes] = []
        for space in sorted(self.by_ns) if ns is None else [ns]:
            names = self.by_ns.get(space)
            if names:
                out += [names[name] for name in self.names(space)]
        return out

    def select(self, ns: str | None, reqs: list[Requirement]) -> Iterator[tuple[str, str, bytes]]:
        """(namespace, name, encoding) of the objects in `ns` (all when None) matching every requirement, in
        (namespace, name) order, using the label index when it narrows."""
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
        label_of = self.label_of
        if candidates is not None:
            for ons, name in sorted(candidates):
                if ns is None or ons == ns:
                    labels = label_of.get((ons, name)) or {}
                    if all(r.matches(labels) for r in reqs):
                        yield ons, name, self.by_ns[ons][name]
            return
        spaces = sorted(self.by_ns) if ns is None else [ns]
        for space in spaces:
            names = self.by_ns.get(space)
            if not names:
                continue
            if not reqs:
                for name in self.names(space):
                    yield space, name, names[name]
                continue
            for name in self.names(space):
                labels = label_of.get((space, name)) or {}
                if all(r.matches(labels) for r in reqs):
                    yield space, name, names[name]


def _discard(index: dict[Any, set[ObjKey]], ikey: Any, key: ObjKey) -> None:
    members = index.get(ikey)
    if members is not None:
        members.discard(key)
        if not members:
            del index[ikey]


class Store:
    """All objects of the emulated cluster plus change history and watchers.

    Each object is kept once, as the bytes of its JSON encoding; `get` decodes it (the last `CACHE` objects written
    or read stay decoded). Objects handed out are shared with the cache: treat them as read-only (write a copy)."""

    def __init__(self, history: int = 20000) -> None:
        self.tables: dict[TypeKey, Table] = {}
        self.rv = 1
        self.history: deque[Past] = deque(maxlen=history)
        self.watchers: dict[TypeKey | None, set[Watcher]] = {}
        self.owners: dict[str, set[tuple[TypeKey, str, str]]] = {}  # owner uid -> dependents
        self.ns_counts: dict[str, int] = {}  # namespaced objects per namespace (all resources)
        self.listeners: list[Callable[[Change], None]] = []
        # with persistence: waits until a resourceVersion is on disk (watch events never run ahead of the disk)
        self.durable: Callable[[int], Awaitable[None]] | None = None
        self._cache: dict[tuple[TypeKey, str, str], tuple[bytes, dict[str, Any]]] = {}

    def table(self, tkey: TypeKey) -> Table:
        t = self.tables.get(tkey)
        if t is None:
            t = self.tables[tkey] = Table()
        return t

    def _decoded(self, tkey: TypeKey, ns: str, name: str, raw: bytes) -> dict[str, Any]:
        """The object encoded as `raw` (stored at that key), from the cache or decoded into it."""
        key = (tkey, ns, name)
        entry = self._cache.get(key)
        if entry is None or entry[0] is not raw:
            entry = (raw, json.loads(raw))
            self._remember(key, entry)
        return entry[1]

    def _remember(self, key: tuple[TypeKey, str, str], entry: tuple[bytes, dict[str, Any]]) -> None:
        """Keep a decoded object (the oldest kept one goes when `CACHE` are)."""
        cache = self._cache
        cache.pop(key, None)
        while len(cache) >= CACHE:
            del cache[next(iter(cache))]
        cache[key] = entry

    def get(self, tkey: TypeKey, ns: str, name: str) -> dict[str, Any] | None:
        t = self.tables.get(tkey)
        raw = t.raw(ns, name) if t else None
        return None if raw is None else self._decoded(tkey, ns, name, raw)

    def raw(self, tkey: TypeKey, ns: str, name: str) -> bytes | None:
        """The stored encoding at (ns, name)."""
        t = self.tables.get(tkey)
        return t.raw(ns, name) if t else None

    def encoding(self, tkey: TypeKey, ns: str, name: str, obj: dict[str, Any]) -> bytes | None:
        """The stored encoding when `obj` is the stored object at (ns, name) as handed out by this store."""
        entry = self._cache.get((tkey, ns, name))
        if entry is not None and entry[1] is obj:
            t = self.tables.get(tkey)
            if t is not None and t.raw(ns, name) is entry[0]:
                return entry[0]
        return None

    def next_rv(self) -> int:
        self.rv += 1
        return self.rv

    def write(self, tkey: TypeKey, obj: dict[str, Any], namespaced: bool) -> dict[str, Any]:
        """Insert or replace `obj` (stamping a new resourceVersion) and notify watchers. `obj` is stored as its
        encoding and must not be changed afterwards."""
        meta = obj["metadata"]
        ns = meta.get("namespace", "") if namespaced else ""
        name = meta["name"]
        rv = self.next_rv()
        meta["resourceVersion"] = str(rv)
        raw = dumps(obj).encode()
        old_raw = self.table(tkey).put(ns, name, raw, _labels(obj))
        old = None if old_raw is None else self._previous(tkey, ns, name, old_raw)
        self._remember((tkey, ns, name), (raw, obj))
        if old_raw is None and ns:
            self.ns_counts[ns] = self.ns_counts.get(ns, 0) + 1
        self._index_owners(tkey, ns, name, old, obj)
        self._emit(Change(rv, "MODIFIED" if old is not None else "ADDED", tkey, obj, old, raw), old_raw)
        return obj

    def _previous(self, tkey: TypeKey, ns: str, name: str, old_raw: bytes) -> dict[str, Any]:
        entry = self._cache.get((tkey, ns, name))
        return entry[1] if entry is not None and entry[0] is old_raw else json.loads(old_raw)

    def load(self, tkey: TypeKey, obj: dict[str, Any]) -> None:
        """Insert an object as it was saved (no new resourceVersion, no watch event)."""
        meta = obj["metadata"]
        ns = meta.get("namespace", "")
        name = meta["name"]
        old_raw = self.table(tkey).put(ns, name, dumps(obj).encode(), _labels(obj))
        old = None if old_raw is None else self._previous(tkey, ns, name, old_raw)
        self._cache.pop((tkey, ns, name), None)
        if old_raw is None and ns:
            self.ns_counts[ns] = self.ns_counts.get(ns, 0) + 1
        self._index_owners(tkey, ns, name, old, obj)
        self.rv = max(self.rv, int(meta.get("resourceVersion") or 0))

    def remove(self, tkey: TypeKey, ns: str, name: str) -> dict[str, Any] | None:
        t = self.tables.get(tkey)
        old_raw = t.remove(ns, name) if t else None
        if old_raw is None:
            return None
        old = self._previous(tkey, ns, name, old_raw)
        self._cache.pop((tkey, ns, name), None)
        if ns:
            self.ns_counts[ns] -= 1
            if not self.ns_counts[ns]:
                del self.ns_counts[ns]
        self._index_owners(tkey, ns, name, old, None)
        rv = self.next_rv()
        gone = {**old, "metadata": {**old["metadata"], "resourceVersion": str(rv)}}
        self._emit(Change(rv, "DELETED", tkey, gone, old, dumps(gone).encode()), old_raw)
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

    def _emit(self, change: Change, old_raw: bytes | None) -> None:
        self.history.append(Past(change.rv, change.type, change.tkey, change.raw, old_raw))
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

    def watch_count(self) -> int:
        """How many watchers are subscribed (a gauge for tests and benchmarks)."""
        return sum(len(members) for members in self.watchers.values())

    def since(self, tkey: TypeKey, rv: int) -> list[Change] | None:
        """Changes of `tkey` after `rv`, or None when the history no longer reaches back that far (410 Gone)."""
        if rv >= self.rv:
            return []
        if not self.history or self.history[0].rv > rv + 1:
            return None
        return [p.change() for p in self.history if p.rv > rv and p.tkey == tkey]

    def all_objects(self) -> Iterable[tuple[TypeKey, dict[str, Any]]]:
        """Every stored object (decoded afresh: the caller may keep or change them)."""
        for tkey, t in list(self.tables.items()):
            for names in list(t.by_ns.values()):
                for raw in list(names.values()):
                    yield tkey, json.loads(raw)
