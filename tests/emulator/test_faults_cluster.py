"""Fault and latency injection in the running emulator, seen by lightkube (sync and async) and raw HTTP: errors are
Status objects lightkube understands, 429 carries Retry-After, the same seed gives the same faults, latency orders
responses, a dropped watch ends (and lightkube resumes from the last resourceVersion), a truncated one fails."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpx2 as httpx
import pytest
from lightkube import ApiError
from lightkube.codecs import from_dict
from lightkube.generic_resource import create_namespaced_resource
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap
from tests.helpers import eventually

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._faults import Disconnect, Fault, FaultPlan


def http(cluster: LocalCluster, token: bool = True) -> httpx.Client:
    """Raw HTTP to the emulator, trusting its certificate."""
    verify: Any = ssl.create_default_context(cadata=cluster.ca_pem.decode()) if cluster.ca_pem else False
    headers = {"Authorization": f"Bearer {cluster.token}"} if token else {}
    return httpx.Client(base_url=cluster.server, verify=verify, headers=headers)


def configmap(name: str, ns: str = "default") -> Any:
    return from_dict({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}})


def codes(cluster: LocalCluster, verb: str) -> list[int]:
    return [code for _, info, code in cluster.request_log() if info.verb == verb]


def test_injected_error_is_an_api_error_and_the_request_is_not_executed() -> None:
    plan = FaultPlan([Fault(verbs=("create",), kinds=("ConfigMap",), error=503, limit=1)])
    with LocalCluster(faults=plan, simulate=False) as cluster:
        client: Any = cluster.client()
        with pytest.raises(ApiError) as info:
            client.create(configmap("a"))
        assert info.value.status.code == 503 and info.value.status.reason == "ServiceUnavailable"
        assert [c.metadata.name for c in client.list(ConfigMap, namespace="default")] == []
        client.create(configmap("a"))  # limit reached: the retry goes through
        assert codes(cluster, "create") == [503, 201]


def test_429_carries_retry_after_over_http() -> None:
    plan = FaultPlan([Fault(verbs=("list",), error=429, retry_after=3)])
    with LocalCluster(faults=plan, simulate=False) as cluster:
        resp = http(cluster).get("/api/v1/namespaces/default/configmaps")
        assert resp.status_code == 429 and resp.headers["Retry-After"] == "3"
        body = resp.json()
        assert (body["kind"], body["reason"], body["details"]["retryAfterSeconds"]) == ("Status", "TooManyRequests", 3)
        unauthenticated = http(cluster, token=False).get("/api/v1/namespaces/default/configmaps")
        assert unauthenticated.status_code == 401  # faults run inside authentication


def get_codes(seed: int) -> list[int]:
    plan = FaultPlan([Fault(verbs=("get",), kinds=("configmaps",), error=500, rate=0.4)])
    with LocalCluster(faults=plan, simulate=False, seed=seed) as cluster:
        client: Any = cluster.client()
        client.create(configmap("x"))
        for _ in range(30):
            try:
                client.get(ConfigMap, "x", namespace="default")
            except ApiError as exc:
                assert exc.status.code == 500
        return codes(cluster, "get")


def test_same_seed_same_faults() -> None:
    first = get_codes(seed=21)
    assert first == get_codes(seed=21)
    assert first != get_codes(seed=22)
    assert set(first) == {200, 500}


def test_a_409_looks_like_a_stale_write() -> None:
    plan = FaultPlan([Fault(verbs=("update",), error=409)])
    with LocalCluster(faults=plan, simulate=False) as cluster:
        client: Any = cluster.client()
        cm = client.create(configmap("c"))
        cm.data = {"k": "v"}
        with pytest.raises(ApiError) as info:
            client.replace(cm)
        assert info.value.status.reason == "Conflict"
        assert 'configmaps "c"' in str(info.value.status.message)


async def test_latency_orders_responses_for_the_async_client() -> None:
    plan = FaultPlan([Fault(verbs=("get",), name="slow", latency_ms=300)])
    with LocalCluster(faults=plan, simulate=False) as cluster:
        client: Any = cluster.async_client()
        await client.create(configmap("slow"))
        await client.create(configmap("fast"))
        done: list[str] = []

        async def get(name: str) -> None:
            await client.get(ConfigMap, name, namespace="default")
            done.append(name)

        await asyncio.gather(get("slow"), get("fast"))
        assert done == ["fast", "slow"]
        await client.close()


def test_dropped_watch_ends_and_lightkube_resumes() -> None:
    plan = FaultPlan([Fault(verbs=("watch",), kinds=("configmaps",), watch="drop", after_events=2, limit=1)])
    with LocalCluster(faults=plan, simulate=False) as cluster:
        client: Any = cluster.client()
        for i in range(4):
            client.create(configmap(f"cm{i}"))
        seen = []
        for kind, cm in client.watch(ConfigMap, namespace="default"):
            seen.append((kind, cm.metadata.name))
            if len(seen) == 4:
                break
        assert seen == [("ADDED", f"cm{i}") for i in range(4)]
        # a watch is logged when its answer starts: the first (dropped after two events) and lightkube's resumed one
        assert codes(cluster, "watch") == [200, 200]


def test_dropped_watch_ends_a_raw_stream() -> None:
    plan = FaultPlan([Fault(verbs=("watch",), watch="drop", after_events=1)])
    with LocalCluster(faults=plan, simulate=False) as cluster:
        client: Any = cluster.client()
        client.create(configmap("a"))
        client.create(configmap("b"))
        with http(cluster).stream("GET", "/api/v1/namespaces/default/configmaps?watch=true") as resp:
            lines = list(resp.iter_lines())
        assert len(lines) == 1 and '"ADDED"' in lines[0]


def test_expired_watch_is_a_410_for_lightkube() -> None:
    plan = FaultPlan([Fault(verbs=("watch",), watch="expire", after_events=1)])
    with LocalCluster(faults=plan, simulate=False) as cluster:
        client: Any = cluster.client()
        client.create(configmap("a"))
        seen = []
        with pytest.raises(ApiError) as info:
            for _, cm in client.watch(ConfigMap, namespace="default"):
                seen.append(cm.metadata.name)
        assert seen == ["a"] and info.value.status.code == 410 and info.value.status.reason == "Expired"


def test_truncated_watch_is_an_error_for_the_client() -> None:
    plan = FaultPlan([Fault(verbs=("watch",), watch="truncate", after_events=1)])
    with LocalCluster(faults=plan, simulate=False) as cluster:
        client: Any = cluster.client()
        client.create(configmap("a"))
        client.create(configmap("b"))
        seen = []
        with pytest.raises(httpx.HTTPError):
            for _, cm in client.watch(ConfigMap, namespace="default"):
                seen.append(cm.metadata.name)
        assert seen == ["a"]


Widget = create_namespaced_resource("faults.example", "v1", "Widget", "widgets")


def test_faults_select_custom_kinds_by_name() -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.faults.example"},
        "spec": {
            "group": "faults.example",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                }
            ],
        },
    }
    plan = FaultPlan([Fault(verbs=("create",), kinds=("Widget",), error=500)])
    with LocalCluster(faults=plan, simulate=False) as cluster:
        client: Any = cluster.client()
        client.create(from_dict(crd))
        client.create(configmap("fine"))
        with pytest.raises(ApiError) as info:
            client.create(Widget(metadata=ObjectMeta(name="w", namespace="default")))
        assert info.value.status.code == 500


@pytest.mark.parametrize(("when", "written"), [("before", False), ("after", True)])
def test_disconnect_loses_the_answer(when: Disconnect, written: bool) -> None:
    plan = FaultPlan([Fault(verbs=("create",), kinds=("configmaps",), disconnect=when, limit=1)])
    with LocalCluster(faults=plan, simulate=False) as cluster:
        client: Any = cluster.client()
        with pytest.raises(httpx.HTTPError):
            client.create(configmap("maybe"))
        names = [c.metadata.name for c in client.list(ConfigMap, namespace="default")]
        assert names == (["maybe"] if written else [])
        if not written:
            client.create(configmap("maybe"))  # nothing happened: the retry creates it
        else:  # it happened although the client saw an error: a blind retry conflicts
            with pytest.raises(ApiError) as info:
                client.create(configmap("maybe"))
            assert info.value.status.code == 409


def test_a_client_that_hangs_up_stops_its_request_which_is_logged_499() -> None:
    """A request whose client closes the connection while it is served (here: during a long injected latency) is
    stopped there — it never runs — and the request log says 499 (client closed request)."""
    plan = FaultPlan([Fault(verbs=("create",), kinds=("configmaps",), latency_ms=3_600_000, limit=1)])
    with LocalCluster(faults=plan, simulate=False) as cluster:
        with http(cluster) as client, pytest.raises(httpx.ReadTimeout):
            body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late"}}
            client.post("/api/v1/namespaces/default/configmaps", json=body, timeout=0.5)  # gives up, hangs up
        eventually(lambda: codes(cluster, "create") == [499], "the abandoned create logged as 499")
        with http(cluster) as client:
            assert client.get("/api/v1/namespaces/default/configmaps/late").status_code == 404


def test_a_watch_dropped_amid_a_burst_of_changes_ends_and_frees_its_connection() -> None:
    """The injector stops a dropped watch's handler; when more changes are already queued to it (a burst, one loop
    turn) the handler must still stop. Waiting with a deadline (timeoutSeconds, bookmarks) it used to swallow that
    cancellation on Python 3.11 and live on, still subscribed, holding the keep-alive connection so that the
    client's next request on it was never read (a resumed watch then waited forever)."""
    plan = FaultPlan([Fault(verbs=("watch",), watch="drop", after_events=1, limit=1)])

    def watchers() -> int:
        async def count(api: Any) -> int:
            return int(cluster.engine.store.watch_count())

        return cluster.run(count)

    async def burst(api: Any) -> None:  # no await yields in between: every change is queued at once
        for i in range(5):
            await api.create(
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"b{i}", "namespace": "default"}}
            )

    with LocalCluster(faults=plan, simulate=False) as cluster, http(cluster) as client:
        baseline = watchers()
        rv = client.get("/api/v1/namespaces/default/configmaps").json()["metadata"]["resourceVersion"]
        path = f"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=3600"
        with client.stream("GET", path) as resp:
            cluster.run(burst)
            lines = list(resp.iter_lines())
        assert len(lines) == 1 and '"b0"' in lines[0]
        eventually(lambda: watchers() == baseline, "the dropped watch unsubscribed")
        assert client.get("/api/v1/namespaces/default/configmaps/b4").status_code == 200
