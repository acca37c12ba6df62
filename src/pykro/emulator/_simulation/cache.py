"""The simulator's view of the objects it drives, fed by the emulator's change stream and by its own writes (an
informer's cache): reads need no copy from the store, and each object's controller children are indexed."""

from __future__ import annotations

from pykro.emulator._simulation.objects import Obj, controller_ref, deleting, meta, uid

__all__ = ["ObjectCache", "cache_key"]

CacheKey = tuple[str, str, str, str]
"""(group, kind, namespace or "", name): versions of one kind share an entry."""


def cache_key(api_version: str, kind: str, namespace: str | None, name: str) -> CacheKey:
    return (api_version.rpartition("/")[0], kind, namespace or "", name)


def _key(obj: Obj) -> CacheKey:
    return cache_key(
        str(obj.get("apiVersion", "")), str(obj.get("kind", "")), meta(obj).get("namespace"), meta(obj)["name"]
    )


def _version(obj: Obj) -> int:
    try:
        return int(meta(obj).get("resourceVersion", -1))
    except (TypeError, ValueError):
        return -1


class ObjectCache:
    """Latest known state per object (never older than what was already seen: resourceVersions only grow), plus
    controller uid -> children. Cached objects are shared: callers must not change them."""

    def __init__(self) -> None:
        self._objects: dict[CacheKey, Obj] = {}
        self._children: dict[str, set[CacheKey]] = {}
        self._by_namespace: dict[tuple[str, str], set[CacheKey]] = {}

    def remember(self, obj: Obj) -> None:
        key = _key(obj)
        old = self._objects.get(key)
        if old is not None:
            if _version(old) > _version(obj):
                return  # a late event: the cache already holds a newer state (e.g. from our own write)
            self._unlink(key, old)
        self._objects[key] = obj
        self._by_namespace.setdefault((key[1], key[2]), set()).add(key)
        ref = controller_ref(obj)
        if ref is not None:
            self._children.setdefault(str(ref.get("uid", "")), set()).add(key)

    def forget(self, obj: Obj) -> None:
        """Drop a deleted object (unless the name already belongs to a newer object)."""
        key = _key(obj)
        old = self._objects.get(key)
        if old is not None and uid(old) == uid(obj):
            del self._objects[key]
            self._unlink(key, old)
            self._by_namespace.get((key[1], key[2]), set()).discard(key)
        self._children.pop(uid(obj), None)

    def _unlink(self, key: CacheKey, obj: Obj) -> None:
        ref = controller_ref(obj)
        if ref is not None:
            owner = str(ref.get("uid", ""))
            children = self._children.get(owner)
            if children is not None:
                children.discard(key)
                if not children:
                    del self._children[owner]

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> Obj | None:
        return self._objects.get(cache_key(api_version, kind, namespace, name))

    def owned(self, owner: Obj, kind: str) -> list[Obj]:
        """The live objects of `kind` that `owner` controls, in name order."""
        keys = sorted(k for k in self._children.get(uid(owner), ()) if k[1] == kind)
        found = (self._objects.get(k) for k in keys)
        return [o for o in found if o is not None and not deleting(o)]

    def in_namespace(self, kind: str, namespace: str | None) -> list[Obj]:
        """The cached objects of `kind` in `namespace`."""
        keys = self._by_namespace.get((kind, namespace or ""), set())
        return [self._objects[k] for k in sorted(keys) if k in self._objects]

    def __len__(self) -> int:
        return len(self._objects)
