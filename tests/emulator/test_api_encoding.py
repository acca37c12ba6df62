"""Answers built from each stored object's kept JSON encoding: byte-identical to encoding the whole answer, and never
stale (a list or get after every kind of write shows the new object)."""

from __future__ import annotations

import json
import ssl
import urllib.request
from typing import Any

from lightkube import Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap
from lightkube.types import PatchType

from pykro.emulator.cluster import LocalCluster
from pykro.emulator.store import Store, Table


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


def test_table_encoding_follows_the_stored_object() -> None:
    table = Table()
    old = {"metadata": {"name": "a", "resourceVersion": "1"}, "data": {"k": "1"}}
    table.put("ns", "a", old)
    assert json.loads(table.encode("ns", "a", old)) == old
    new = {"metadata": {"name": "a", "resourceVersion": "2"}, "data": {"k": "2"}}
    table.put("ns", "a", new)
    assert json.loads(table.encode("ns", "a", new)) == new
    assert json.loads(table.encode("ns", "a", old)) == old  # a superseded object is encoded, never cached
    assert table.encoded[("ns", "a")][0] is new
    table.remove("ns", "a")
    assert not table.encoded


def test_stored_objects_share_keys_and_short_strings_and_keep_everything_else() -> None:
    store = Store()
    text = '{"metadata": {"name": "%s", "namespace": "space"}, "data": {"zeta": "1", "alpha": [{"k": "v"}]}}'
    first, second = json.loads(text % "a"), json.loads(text % "b")
    data = second["data"]
    assert next(iter(first["data"])) is not next(iter(second["data"]))
    assert first["metadata"]["namespace"] is not second["metadata"]["namespace"]
    store.write(("", "configmaps"), first, True)
    store.write(("", "configmaps"), second, True)
    assert second["data"] is data and list(data) == ["zeta", "alpha"] and data["alpha"] == [{"k": "v"}]
    assert next(iter(first["data"])) is next(iter(second["data"]))
    assert next(iter(first["data"]["alpha"][0])) is next(iter(second["data"]["alpha"][0]))
    assert first["metadata"]["namespace"] is second["metadata"]["namespace"]
    assert store.get(("", "configmaps"), "space", "b") is second
