"""The in-process ClusterAPI (EngineAPI) that controllers use: same admission as HTTP, copies out, a watch that
starts at the call, StatusError on failures, and the controller lifecycle of create_app."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from lightkube.resources.core_v1 import ConfigMap
from tests.helpers import eventually

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._controller import ClusterAPI, WatchEvent
from pykro.emulator._status import StatusError


def test_clusterapi_round_trip(bare_cluster: LocalCluster, ns: str) -> None:
    async def scenario(api: ClusterAPI) -> list[WatchEvent]:
        stream = api.watch()  # subscribed now: sees everything below
        cm: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "in-proc", "namespace": ns, "labels": {"k": "v"}},
            "data": {"a": "1"},
        }
        created = await api.create(cm)
        created["data"]["a"] = "mutated-copy"  # callers get copies
        got = await api.get("v1", "ConfigMap", "in-proc", ns)
        assert got is not None and got["data"] == {"a": "1"}
        assert [o["metadata"]["name"] for o in await api.list("v1", "ConfigMap", ns, "k=v")] == ["in-proc"]
        got["data"] = {"a": "2"}
        del got["metadata"]["resourceVersion"]  # no resourceVersion: no conflict check
        await api.update(got)
        with pytest.raises(StatusError) as err:
            await api.create(cm)
        assert err.value.code == 409 and err.value.reason == "AlreadyExists"
        with pytest.raises(StatusError) as err:
            await api.update({**cm, "metadata": {**cm["metadata"], "resourceVersion": "1"}})
        assert err.value.code == 409 and err.value.reason == "Conflict"
        await api.delete("v1", "ConfigMap", "in-proc", ns)
        assert await api.get("v1", "ConfigMap", "in-proc", ns) is None
        events = []
        async for event in stream:
            events.append(event)
            if event.type == "DELETED":
                break
        return events

    events = bare_cluster.run(scenario)
    assert [(e.type, e.object["metadata"]["name"]) for e in events] == [
        ("ADDED", "in-proc"),
        ("MODIFIED", "in-proc"),
        ("DELETED", "in-proc"),
    ]
    assert events[1].object["data"] == {"a": "2"}


def test_update_status_only_touches_status(bare_cluster: LocalCluster, ns: str) -> None:
    async def scenario(api: ClusterAPI) -> dict[str, Any]:
        dep = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "s", "namespace": ns},
            "spec": {
                "selector": {"matchLabels": {"a": "b"}},
                "template": {
                    "metadata": {"labels": {"a": "b"}},
                    "spec": {"containers": [{"name": "c", "image": "x:1"}]},
                },
            },
        }
        created = await api.create(dep)
        created["spec"]["replicas"] = 9
        created["status"] = {"readyReplicas": 1}
        return await api.update_status(created)

    out = bare_cluster.run(scenario)
    assert out["status"] == {"readyReplicas": 1}
    assert out["spec"]["replicas"] == 1 and out["metadata"]["generation"] == 1


class _Recorder:
    """A controller that writes one ConfigMap, then waits to be cancelled."""

    name = "recorder"

    def __init__(self) -> None:
        self.cancelled = False

    async def run(self, api: ClusterAPI) -> None:
        await api.create(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "from-controller", "namespace": "default"}}
        )
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise


def test_controllers_start_with_the_app_and_are_cancelled_on_stop() -> None:
    recorder = _Recorder()
    with LocalCluster(simulate=False, controllers=[recorder]) as cluster:
        client = cluster.client()
        eventually(
            lambda: any(c.metadata.name == "from-controller" for c in client.list(ConfigMap, namespace="default")),
            "the controller created its ConfigMap",
        )
        assert client.get(ConfigMap, "from-controller", namespace="default").metadata.uid
        assert not recorder.cancelled
    assert recorder.cancelled


def test_pytest_plugin_fixture(local_cluster: LocalCluster) -> None:
    client = local_cluster.client()
    client.create(ConfigMap.from_dict({"metadata": {"name": "via-fixture"}}), namespace="default")
    assert local_cluster.request_log()[-1][1].verb == "create"
    assert client.get(ConfigMap, "via-fixture", namespace="default").metadata.name == "via-fixture"
