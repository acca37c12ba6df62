"""Answers built from each stored object's kept JSON encoding: byte-identical to encoding the whole answer, and never
stale (a list or get after every kind of write shows the new object)."""

from __future__ import annotations

import json
import ssl
import urllib.request
from typing import Any

import pytest
from lightkube import Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap
from lightkube.types import PatchType

from pykro.emulator import _handlers as handlers
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._store import CACHE, Store


def _body(cluster: LocalCluster, path: str) -> bytes:
    req = urllib.request.Request(cluster.server + path, headers={"Authorization": f"Bearer {cluster.token}"})
    ctx = ssl.create_default_context(cadata=cluster.ca_pem.decode()) if cluster.ca_pem else None
    with urllib.request.urlopen(req, context=ctx) as resp:
        body: bytes = resp.read()
    return body


def _compact(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def _data(cluster: LocalCluster, ns: str) -> dict[str, Any]:
    """name -> (data, resourceVersion) of every ConfigMap in `ns`, read from the raw list answer."""
    body = _body(cluster, f"/api/v1/namespaces/{ns}/configmaps")
    doc = json.loads(body)
    assert body == _compact(doc)  # the joined answer is exactly the encoding of the whole list
    assert doc["kind"] == "ConfigMapList" and doc["metadata"]["resourceVersion"]
    return {o["metadata"]["name"]: (o.get("data"), o["metadata"]["resourceVersion"]) for o in doc["items"]}


def test_list_and_get_after_every_write_show_the_new_object(
    bare_cluster: LocalCluster, client: Client, ns: str
) -> None:
    client.create(ConfigMap(metadata=ObjectMeta(name="a"), data={"k": "1"}), namespace=ns)
    client.create(ConfigMap(metadata=ObjectMeta(name="b"), data={"k": "b"}), namespace=ns)
    first = _data(bare_cluster, ns)
    assert first["a"][0] == {"k": "1"} and first == _data(bare_cluster, ns)  # the second list reuses the encoding

    cm = client.get(ConfigMap, "a", namespace=ns)
    cm.data = {"k": "2"}
    client.replace(cm)
    after_update = _data(bare_cluster, ns)
    assert after_update["a"][0] == {"k": "2"} and after_update["a"][1] != first["a"][1]
    assert after_update["b"] == first["b"]
    got = json.loads(_body(bare_cluster, f"/api/v1/namespaces/{ns}/configmaps/a"))
    assert got["data"] == {"k": "2"} and got["metadata"]["resourceVersion"] == after_update["a"][1]

    client.patch(ConfigMap, "a", {"data": {"k": "3"}}, namespace=ns, patch_type=PatchType.MERGE)
    assert _data(bare_cluster, ns)["a"][0] == {"k": "3"}
    got = json.loads(_body(bare_cluster, f"/api/v1/namespaces/{ns}/configmaps/a"))
    assert got["data"] == {"k": "3"}

    client.delete(ConfigMap, "a", namespace=ns)
    assert sorted(_data(bare_cluster, ns)) == ["b"]
    client.create(ConfigMap(metadata=ObjectMeta(name="a"), data={"k": "again"}), namespace=ns)
    assert _data(bare_cluster, ns)["a"][0] == {"k": "again"}


def test_get_answer_is_the_compact_encoding(bare_cluster: LocalCluster, client: Client, ns: str) -> None:
    client.create(ConfigMap(metadata=ObjectMeta(name="u", labels={"x": "y"}), data={"k": "ü\n"}), namespace=ns)
    body = _body(bare_cluster, f"/api/v1/namespaces/{ns}/configmaps/u")
    assert body == _compact(json.loads(body)) and b"\\u00fc" in body


def test_long_list_answer_is_the_compact_encoding_of_every_item(
    bare_cluster: LocalCluster, ns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list longer than one written batch (sent a batch at a time) is the same bytes as encoding it whole, with
    the right Content-Length, the items in name order, and a selective list of them too."""
    monkeypatch.setattr(handlers._Joined, "BATCH", 5000)  # about 20 objects a batch

    async def fill(api: Any) -> None:
        for i in range(700):
            labels = {"half": str(i % 2)}
            meta = {"name": f"cm-{i:04d}", "namespace": ns, "labels": labels}
            await api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"i": str(i)}})

    bare_cluster.run(fill)
    body = _body(bare_cluster, f"/api/v1/namespaces/{ns}/configmaps")
    doc = json.loads(body)
    assert body == _compact(doc)
    assert [o["data"]["i"] for o in doc["items"]] == [str(i) for i in range(700)]
    odd = json.loads(_body(bare_cluster, f"/api/v1/namespaces/{ns}/configmaps?labelSelector=half%3D1"))
    assert [o["data"]["i"] for o in odd["items"]] == [str(i) for i in range(1, 700, 2)]


def test_store_keeps_each_object_once_as_its_encoding() -> None:
    """The store holds bytes; what it hands out decodes to the very object written (key order included), also
    once the object has left the cache of decoded objects; a superseded object is never given the new bytes."""
    store = Store()
    tkey = ("", "configmaps")
    first = {"metadata": {"name": "a", "namespace": "space"}, "data": {"zeta": "1", "alpha": [{"k": "v"}]}}
    store.write(tkey, first, True)
    raw = store.tables[tkey].by_ns["space"]["a"]
    assert isinstance(raw, bytes) and raw == _compact(first)
    assert store.get(tkey, "space", "a") is first and store.encoding(tkey, "space", "a", first) == raw
    for i in range(CACHE + 1):
        store.write(tkey, {"metadata": {"name": f"x{i}", "namespace": "space"}}, True)
    again = store.get(tkey, "space", "a")
    assert again == first and again is not first and list(again["data"]) == ["zeta", "alpha"]
    assert store.encoding(tkey, "space", "a", again) is raw and store.encoding(tkey, "space", "a", first) is None
    second = {"metadata": {"name": "a", "namespace": "space"}, "data": {"k": "2"}}
    store.write(tkey, second, True)
    assert store.encoding(tkey, "space", "a", again) is None  # the old object is superseded
    assert json.loads(store.tables[tkey].by_ns["space"]["a"]) == second


def test_history_keeps_encodings_and_resumes_with_the_objects() -> None:
    store = Store()
    tkey = ("", "configmaps")
    store.write(tkey, {"metadata": {"name": "a", "namespace": "s", "labels": {"x": "1"}}, "data": {"k": "1"}}, True)
    start = store.rv
    store.write(tkey, {"metadata": {"name": "a", "namespace": "s", "labels": {"x": "2"}}, "data": {"k": "2"}}, True)
    gone = store.remove(tkey, "s", "a")
    assert gone is not None and gone["data"] == {"k": "2"}
    assert all(isinstance(p.raw, bytes) for p in store.history)
    changes = store.since(tkey, start)
    assert changes is not None
    assert [(c.type, c.obj["data"]["k"], (c.old or {}).get("data")) for c in changes] == [
        ("MODIFIED", "2", {"k": "1"}),
        ("DELETED", "2", {"k": "2"}),
    ]
    assert changes[1].obj["metadata"]["resourceVersion"] == str(store.rv)
    assert [c.raw for c in changes] == [_compact(c.obj) for c in changes]
    assert store.tables[tkey].labels == {} and store.tables[tkey].label_of == {}
