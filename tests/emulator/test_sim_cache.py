"""The simulator's object cache: newer states win over late events, a re-created name is not forgotten by the old
object's deletion, and controller children are indexed."""

from __future__ import annotations

from typing import Any

from pykro.emulator._simulation.cache import ObjectCache


def pod(name: str, uid: str, rv: int, owner: str | None = None, deleting: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "ns", "uid": uid, "resourceVersion": str(rv)}
    if owner:
        meta["ownerReferences"] = [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": owner, "controller": True}
        ]
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta}


def test_a_late_event_does_not_replace_a_newer_state() -> None:
    cache = ObjectCache()
    cache.remember(pod("a", "u1", 7))
    cache.remember(pod("a", "u1", 5))
    got = cache.get("v1", "Pod", "a", "ns")
    assert got is not None and got["metadata"]["resourceVersion"] == "7"


def test_deleting_an_old_object_keeps_the_new_one_of_the_same_name() -> None:
    cache = ObjectCache()
    old, new = pod("db-0", "u1", 3), pod("db-0", "u2", 9)
    cache.remember(old)
    cache.remember(new)
    cache.forget(old)
    got = cache.get("v1", "Pod", "db-0", "ns")
    assert got is not None and got["metadata"]["uid"] == "u2"
    cache.forget(new)
    assert cache.get("v1", "Pod", "db-0", "ns") is None and len(cache) == 0


def test_children_are_indexed_by_controller() -> None:
    cache = ObjectCache()
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs", "uid": "rs1"}}
    cache.remember(pod("p2", "u2", 2, owner="rs1"))
    cache.remember(pod("p1", "u1", 1, owner="rs1"))
    cache.remember(pod("p3", "u3", 3, owner="rs1", deleting=True))
    cache.remember(pod("q", "u4", 4, owner="other"))
    assert [p["metadata"]["name"] for p in cache.owned(owner, "Pod")] == ["p1", "p2"]
    assert cache.owned(owner, "ReplicaSet") == []
    cache.forget(pod("p1", "u1", 5, owner="rs1"))
    assert [p["metadata"]["name"] for p in cache.owned(owner, "Pod")] == ["p2"]
