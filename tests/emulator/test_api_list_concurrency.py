"""Lists over HTTP interleaved with writes over HTTP: every answer is one consistent state of the store (no torn
bytes, no torn objects, nothing newer than the list's own resourceVersion, and never going back in time)."""

from __future__ import annotations

import json
import ssl
import threading
import urllib.request
from typing import Any

import pytest
from lightkube import Client
from lightkube.resources.core_v1 import ConfigMap
from lightkube.types import PatchType

from pykro.emulator import _handlers as handlers
from pykro.emulator._cluster import LocalCluster

START = 300  # objects before the writers start (more than one written batch of a list answer)
WRITES = 120  # patches per writer
CREATES = 30  # creates per writer
EVERY = 20  # a writer waits for one more finished list after this many writes


def _index(part: int, n: int) -> int:
    """The object a writer's n-th patch changes: writers never share one; each changes some several times."""
    return (n % 50) * 2 + part


def _list(cluster: LocalCluster, ns: str) -> bytes:
    req = urllib.request.Request(
        f"{cluster.server}/api/v1/namespaces/{ns}/configmaps", headers={"Authorization": f"Bearer {cluster.token}"}
    )
    ctx = ssl.create_default_context(cadata=cluster.ca_pem.decode()) if cluster.ca_pem else None
    with urllib.request.urlopen(req, context=ctx) as resp:
        body: bytes = resp.read()
    return body


def test_lists_while_writing_are_consistent(
    bare_cluster: LocalCluster, ns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handlers._Joined, "BATCH", 5000)  # lists sent in many writes, writes served in between

    async def fill(api: Any) -> None:
        for i in range(START):
            meta = {"name": f"cm-{i:04d}", "namespace": ns}
            await api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"a": "0", "b": "0"}})

    bare_cluster.run(fill)
    lists_done = threading.Condition()
    finished = [0]
    writers_left = [2]
    errors: list[BaseException] = []

    def wait_for_a_list() -> None:
        with lists_done:
            seen = finished[0]
            lists_done.wait_for(lambda: finished[0] > seen or bool(errors))

    def writer(part: int) -> None:
        client: Client = bare_cluster.client()
        try:
            for n in range(1, WRITES + 1):
                name = f"cm-{_index(part, n):04d}"
                value = str(part * 100_000 + n)
                client.patch(
                    ConfigMap, name, {"data": {"a": value, "b": value}}, namespace=ns, patch_type=PatchType.MERGE
                )
                if n <= CREATES:
                    client.create(
                        ConfigMap.from_dict(
                            {"metadata": {"name": f"new-{part}-{n:03d}"}, "data": {"a": "x", "b": "x"}}
                        ),
                        namespace=ns,
                    )
                if n % EVERY == 0:
                    wait_for_a_list()
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            with lists_done:
                writers_left[0] -= 1
                lists_done.notify_all()

    threads = [threading.Thread(target=writer, args=(part,)) for part in (1, 2)]
    for t in threads:
        t.start()
    answers: list[bytes] = []
    while True:
        with lists_done:
            if not writers_left[0] or errors:
                break
        answers.append(_list(bare_cluster, ns))
        with lists_done:
            finished[0] += 1
            lists_done.notify_all()
    for t in threads:
        t.join()
    assert not errors, errors
    answers.append(_list(bare_cluster, ns))
    assert len(answers) >= 2 * WRITES // EVERY

    last_rv = 0
    last_names: set[str] = set()
    seen: dict[str, int] = {}
    for body in answers:
        doc = json.loads(body)
        assert body == json.dumps(doc, separators=(",", ":")).encode()  # whole, compact, not torn
        list_rv = int(doc["metadata"]["resourceVersion"])
        assert list_rv >= last_rv
        names = [o["metadata"]["name"] for o in doc["items"]]
        assert names == sorted(set(names)) and last_names <= set(names)
        for obj in doc["items"]:
            rv = int(obj["metadata"]["resourceVersion"])
            assert rv <= list_rv
            assert obj["data"]["a"] == obj["data"]["b"]  # no object half written
            assert rv >= seen.get(obj["metadata"]["name"], 0)
            seen[obj["metadata"]["name"]] = rv
        last_rv, last_names = list_rv, set(names)

    final = {o["metadata"]["name"]: o["data"]["a"] for o in json.loads(answers[-1])["items"]}
    assert len(final) == START + 2 * CREATES
    last_write = {_index(part, n): str(part * 100_000 + n) for part in (1, 2) for n in range(1, WRITES + 1)}
    for index, value in last_write.items():
        assert final[f"cm-{index:04d}"] == value
