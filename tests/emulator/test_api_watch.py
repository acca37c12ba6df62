"""Watch over HTTP: initial ADDED events, resuming from a resourceVersion, MODIFIED/DELETED, selector
transitions, BOOKMARKs, 410 Expired for a version older than the history, timeoutSeconds."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from lightkube import ApiError, Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap
from tests.emulator.conftest import raw_request
from tests.helpers import eventually

from pykro.emulator._cluster import LocalCluster


def _events(raw: Any, path: str) -> list[dict[str, Any]]:
    code, _, text = raw("GET", path)
    assert code == 200
    lines = text.splitlines() if isinstance(text, str) else [text]
    import json

    return [json.loads(line) if isinstance(line, str) else line for line in lines if line]


def test_watch_from_resource_version_sees_changes_in_order(client: Client, ns: str, raw: Any) -> None:
    start = client.create(ConfigMap(metadata=ObjectMeta(name="w0")), namespace=ns).metadata.resourceVersion
    client.create(ConfigMap(metadata=ObjectMeta(name="w1"), data={"a": "1"}), namespace=ns)
    client.patch(ConfigMap, "w1", {"data": {"a": "2"}}, namespace=ns)
    client.delete(ConfigMap, "w1", namespace=ns)
    events = _events(raw, f"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={start}&timeoutSeconds=1")
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "w1"),
        ("MODIFIED", "w1"),
        ("DELETED", "w1"),
    ]
    assert events[1]["object"]["data"] == {"a": "2"}
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs) and rvs[0] > int(start)


def test_watch_without_version_lists_current_objects_first(client: Client, ns: str, raw: Any) -> None:
    client.create(ConfigMap(metadata=ObjectMeta(name="e1")), namespace=ns)
    client.create(ConfigMap(metadata=ObjectMeta(name="e2")), namespace=ns)
    events = _events(raw, f"/api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds=1")
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "e1"), ("ADDED", "e2")]


def test_label_selector_transitions(client: Client, ns: str, raw: Any) -> None:
    start = client.create(ConfigMap(metadata=ObjectMeta(name="s1")), namespace=ns).metadata.resourceVersion
    client.patch(ConfigMap, "s1", {"metadata": {"labels": {"pick": "yes"}}}, namespace=ns)  # enters: ADDED
    client.patch(ConfigMap, "s1", {"data": {"x": "y"}}, namespace=ns)  # stays: MODIFIED
    client.patch(ConfigMap, "s1", {"metadata": {"labels": {"pick": "no"}}}, namespace=ns)  # leaves: DELETED
    client.create(ConfigMap(metadata=ObjectMeta(name="other")), namespace=ns)  # never matches
    path = f"/api/v1/namespaces/{ns}/configmaps?watch=true&labelSelector=pick%3Dyes&resourceVersion={start}"
    events = _events(raw, path + "&timeoutSeconds=1")
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]


def test_too_old_resource_version_is_410_expired() -> None:
    with LocalCluster(simulate=False) as cluster:
        store = cluster.engine.store
        client = cluster.client()
        first = client.create(ConfigMap(metadata=ObjectMeta(name="old"))).metadata.resourceVersion
        store.history = type(store.history)(store.history, maxlen=5)  # keep only the last 5 changes
        for i in range(10):
            client.create(ConfigMap(metadata=ObjectMeta(name=f"n{i}")))
        with pytest.raises(ApiError) as err:
            for _ in client.watch(ConfigMap, namespace="default", resource_version=first):
                pass
        assert err.value.status.code == 410
        assert err.value.status.reason == "Expired"
        assert err.value.status.message.startswith(f"too old resource version: {first} (")


def test_bookmarks_when_allowed(client: Client, ns: str, raw: Any) -> None:
    rv = client.create(ConfigMap(metadata=ObjectMeta(name="b")), namespace=ns).metadata.resourceVersion
    path = f"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}&allowWatchBookmarks=true"
    events = _events(raw, path + "&timeoutSeconds=1")  # the module's cluster sends one every 0.2 s
    assert events and all(e["type"] == "BOOKMARK" for e in events)
    assert events[0]["object"]["kind"] == "ConfigMap"
    assert int(events[0]["object"]["metadata"]["resourceVersion"]) >= int(rv)
    plain = _events(raw, path.replace("&allowWatchBookmarks=true", "") + "&timeoutSeconds=1")
    assert plain == []


def test_lightkube_sync_watch_streams_live_changes(bare_cluster: LocalCluster, client: Client, ns: str) -> None:
    rv = client.create(ConfigMap(metadata=ObjectMeta(name="live0")), namespace=ns).metadata.resourceVersion
    import threading

    def writer() -> None:
        c = bare_cluster.client()
        c.create(ConfigMap(metadata=ObjectMeta(name="live1")), namespace=ns)
        c.delete(ConfigMap, "live1", namespace=ns)

    seen: list[tuple[str, str]] = []
    thread = threading.Thread(target=writer)
    stream = client.watch(ConfigMap, namespace=ns, resource_version=rv)
    thread.start()
    for kind, obj in stream:
        seen.append((kind, obj.metadata.name))
        if kind == "DELETED":
            break
    thread.join()
    assert seen == [("ADDED", "live1"), ("DELETED", "live1")]


async def test_lightkube_async_watch(bare_cluster: LocalCluster, ns: str) -> None:
    client = bare_cluster.async_client()
    await client.create(ConfigMap(metadata=ObjectMeta(name="a0", labels={"w": "1"})), namespace=ns)
    stream = client.watch(ConfigMap, namespace=ns, labels={"w": "1"})
    seen = []
    async for kind, obj in stream:
        seen.append((kind, obj.metadata.name))
        if obj.metadata.name == "a0" and kind == "ADDED":
            await client.patch(ConfigMap, "a0", {"data": {"k": "v"}}, namespace=ns)
        if kind == "MODIFIED":
            break
    assert seen == [("ADDED", "a0"), ("MODIFIED", "a0")]
    await client.close()


def test_table_watch_for_kubectl_get_w(client: Client, ns: str, raw: Any) -> None:
    import json

    client.create(ConfigMap(metadata=ObjectMeta(name="t1"), data={"a": "1", "b": "2"}), namespace=ns)
    client.create(ConfigMap(metadata=ObjectMeta(name="t2")), namespace=ns)
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    code, _, text = raw(
        "GET", f"/api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds=1", headers={"Accept": accept}
    )
    assert code == 200
    events = [json.loads(line) for line in text.splitlines()]
    assert [e["object"]["kind"] for e in events] == ["Table", "Table"]
    assert [c["name"] for c in events[0]["object"]["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert events[1]["object"]["columnDefinitions"] == []
    assert [e["object"]["rows"][0]["cells"][:2] for e in events] == [["t1", 2], ["t2", 0]]


def _watcher_count(cluster: LocalCluster) -> int:
    """How many watches the emulator has subscribed (counted on its loop, where the store changes)."""

    async def count(api: Any) -> int:
        return int(api.engine.store.watch_count())

    return cluster.run(count)


def test_watches_whose_client_hung_up_are_unsubscribed_without_any_event() -> None:
    """A watch whose client closed its connection leaves no subscriber behind, even if no change is ever published
    (it used to stay until a matching write failed on the dead connection: O(watches) per write)."""
    import ssl
    import urllib.request

    with LocalCluster(simulate=False) as cluster:
        client = cluster.client()
        client.create(ConfigMap(metadata=ObjectMeta(name="before")))
        baseline = _watcher_count(cluster)
        ctx = ssl.create_default_context(cadata=cluster.ca_pem.decode()) if cluster.ca_pem else None
        paths = [
            "/api/v1/namespaces/default/configmaps?watch=true",
            "/api/v1/configmaps?watch=1",  # every namespace
            "/api/v1/namespaces?watch=1",  # a cluster-scoped resource
            "/api/v1/namespaces/default/configmaps?watch=1&labelSelector=a%3Db&allowWatchBookmarks=true",
            "/api/v1/namespaces/default/configmaps?watch=1&fieldSelector=metadata.name%3Dx&timeoutSeconds=3600",
        ] * 4
        opened = []
        for path in paths:
            req = urllib.request.Request(cluster.server + path, headers={"Authorization": f"Bearer {cluster.token}"})
            resp = urllib.request.urlopen(req, context=ctx)  # headers arrived: the emulator has subscribed it
            assert resp.status == 200
            opened.append(resp)
        assert _watcher_count(cluster) == baseline + len(paths)
        for resp in opened:
            resp.close()
        eventually(lambda: _watcher_count(cluster) == baseline, "every hung-up watch unsubscribed")
        # the emulator still serves watches afterwards
        events = _events(
            functools.partial(raw_request, cluster),
            "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1",
        )
        assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "before")]
        assert _watcher_count(cluster) == baseline


async def test_an_abandoned_lightkube_watch_is_unsubscribed(bare_cluster: LocalCluster, ns: str) -> None:
    """The way a deploy ends its watches (leaves the async iterator, closes the client) unsubscribes them."""
    import asyncio

    client = bare_cluster.async_client()
    await client.create(ConfigMap(metadata=ObjectMeta(name="x")), namespace=ns)
    baseline = await asyncio.to_thread(_watcher_count, bare_cluster)
    stream = client.watch(ConfigMap, namespace=ns)
    async for kind, obj in stream:
        assert (kind, obj.metadata.name) == ("ADDED", "x")
        assert await asyncio.to_thread(_watcher_count, bare_cluster) == baseline + 1
        break
    await stream.aclose()  # type: ignore[attr-defined]
    await client.close()
    await asyncio.to_thread(eventually, lambda: _watcher_count(bare_cluster) == baseline, "the watch unsubscribed")
