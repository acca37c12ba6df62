"""FaultInjector as an aiohttp middleware over real HTTP, in front of a small stand-in API (the emulator's own
server is exercised in test_faults_cluster.py): errors as Status bodies, Retry-After, seeded rates, limits,
latency ordering, and watch streams ended cleanly or cut mid-event."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from pykro.emulator._faults import Fault, FaultInjector, FaultPlan
from pykro.emulator._requestinfo import parse_request
from pykro.errors import ValidationError

PODS = "/api/v1/namespaces/default/pods"


async def list_pods(request: web.Request) -> web.Response:
    return web.json_response({"kind": "PodList", "apiVersion": "v1", "items": []})


async def get_pod(request: web.Request) -> web.Response:
    return web.json_response({"kind": "Pod", "metadata": {"name": request.match_info["name"]}})


async def version(request: web.Request) -> web.Response:
    return web.json_response({"major": "1"})


async def watch_pods(request: web.Request) -> web.StreamResponse:
    """Ten ADDED events, one write each, as the emulator's watch does; answers lists without ?watch."""
    if request.query.get("watch") != "true":
        return await list_pods(request)
    resp = web.StreamResponse(headers={"Content-Type": "application/json"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    for i in range(10):
        event = {"type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": f"p{i}", "padding": "x" * 40}}}
        await resp.write(json.dumps(event).encode() + b"\n")
        await asyncio.sleep(0.02)
    await resp.write_eof()
    return resp


async def serve(plan: FaultPlan, seed: int = 0) -> tuple[TestServer, FaultInjector]:
    injector = FaultInjector(plan, seed)
    app = web.Application(middlewares=[injector.middleware])
    app.router.add_get(PODS, watch_pods)
    app.router.add_get(PODS + "/{name}", get_pod)
    app.router.add_get("/version", version)
    server = TestServer(app)
    await server.start_server()
    return server, injector


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def status_of(session: aiohttp.ClientSession, server: TestServer, path: str) -> int:
    async with session.get(server.make_url(path)) as resp:
        await resp.read()
        return resp.status


async def test_error_is_a_kubernetes_status(session: aiohttp.ClientSession) -> None:
    server, injector = await serve(FaultPlan([Fault(verbs=("get",), kinds=("Pod",), error=503)]))
    async with session.get(server.make_url(PODS + "/web")) as resp:
        body = await resp.json()
        assert resp.status == 503
    assert body["kind"] == "Status" and body["status"] == "Failure"
    assert (body["code"], body["reason"]) == (503, "ServiceUnavailable")
    assert body["details"] == {"name": "web", "group": "", "kind": "pods"}
    assert await status_of(session, server, PODS) == 200  # a list is not a get
    assert injector.counters["error:503"] == 1
    await server.close()


async def test_429_carries_retry_after(session: aiohttp.ClientSession) -> None:
    server, _ = await serve(FaultPlan([Fault(error=429, retry_after=7)]))
    async with session.get(server.make_url(PODS)) as resp:
        body = await resp.json()
        assert resp.status == 429
        assert resp.headers["Retry-After"] == "7"
    assert body["reason"] == "TooManyRequests" and body["details"]["retryAfterSeconds"] == 7
    await server.close()


async def test_409_names_the_object(session: aiohttp.ClientSession) -> None:
    server, _ = await serve(FaultPlan([Fault(error=409, name="web")]))
    async with session.get(server.make_url(PODS + "/web")) as resp:
        body = await resp.json()
    assert body["reason"] == "Conflict"
    assert body["message"].startswith('Operation cannot be fulfilled on pods "web"')
    assert await status_of(session, server, PODS + "/other") == 200
    await server.close()


async def error_sequence(session: aiohttp.ClientSession, seed: int, n: int = 40) -> list[int]:
    server, injector = await serve(FaultPlan([Fault(error=500, rate=0.5)]), seed)
    codes = [await status_of(session, server, PODS) for _ in range(n)]
    await server.close()
    assert injector.counters["error:500"] == codes.count(500)
    return codes


async def test_rates_are_deterministic_under_a_seed(session: aiohttp.ClientSession) -> None:
    first = await error_sequence(session, seed=11)
    assert first == await error_sequence(session, seed=11)
    assert first != await error_sequence(session, seed=12)
    assert 5 < first.count(500) < 35  # about half


async def test_limit_bounds_the_injections(session: aiohttp.ClientSession) -> None:
    server, injector = await serve(FaultPlan([Fault(error=503, limit=2)]))
    codes = [await status_of(session, server, PODS) for _ in range(5)]
    assert codes == [503, 503, 200, 200, 200]
    assert [i.action for i in injector.injections] == ["error:503", "error:503"]
    await server.close()


async def test_non_resource_requests_are_only_hit_by_path(session: aiohttp.ClientSession) -> None:
    server, _ = await serve(FaultPlan([Fault(error=500)]))
    assert await status_of(session, server, "/version") == 200
    await server.close()
    server, _ = await serve(FaultPlan([Fault(path="/vers*", error=500)]))
    assert await status_of(session, server, "/version") == 500
    assert await status_of(session, server, PODS) == 200
    await server.close()


async def test_latency_delays_only_the_matching_requests(session: aiohttp.ClientSession) -> None:
    server, injector = await serve(FaultPlan([Fault(name="slow", latency_ms=(300, 400))]), seed=3)
    finished: list[str] = []

    async def fetch(name: str) -> None:
        assert await status_of(session, server, f"{PODS}/{name}") == 200
        finished.append(name)

    await asyncio.gather(fetch("slow"), fetch("fast"))
    assert finished == ["fast", "slow"]
    (injection,) = injector.injections
    assert injection.action == "latency" and 300 <= injection.value <= 400
    await server.close()


async def read_watch(session: aiohttp.ClientSession, server: TestServer) -> tuple[list[bytes], str | None]:
    """The lines a watch delivered (the last one possibly partial), and the error that ended it (None for a clean
    end)."""
    data = b""
    error = None
    try:
        async with session.get(server.make_url(PODS), params={"watch": "true"}) as resp:
            async for chunk in resp.content.iter_any():
                data += chunk
    except aiohttp.ClientPayloadError as exc:
        error = type(exc).__name__
    return data.splitlines(keepends=True), error


async def test_dropped_watch_ends_cleanly_after_n_events(session: aiohttp.ClientSession) -> None:
    server, injector = await serve(FaultPlan([Fault(watch="drop", after_events=3)]))
    lines, error = await read_watch(session, server)
    assert error is None
    assert [json.loads(line)["object"]["metadata"]["name"] for line in lines] == ["p0", "p1", "p2"]
    assert injector.counters["watch-drop"] == 1
    assert await status_of(session, server, PODS + "/p") == 200  # the server carries on
    await server.close()


async def test_dropped_watch_after_a_time(session: aiohttp.ClientSession) -> None:
    server, _ = await serve(FaultPlan([Fault(watch="drop", after_ms=70)]))
    lines, error = await read_watch(session, server)
    assert error is None
    assert 0 < len(lines) < 10 and all(json.loads(line)["type"] == "ADDED" for line in lines)
    await server.close()


async def test_expired_watch_sends_410_then_ends(session: aiohttp.ClientSession) -> None:
    server, injector = await serve(FaultPlan([Fault(watch="expire", after_events=2)]))
    lines, error = await read_watch(session, server)
    assert error is None
    events = [json.loads(line) for line in lines]
    assert [e["type"] for e in events] == ["ADDED", "ADDED", "ERROR"]
    status = events[2]["object"]
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired")
    assert injector.counters["watch-expire"] == 1
    await server.close()


async def test_truncated_watch_cuts_an_event_in_half(session: aiohttp.ClientSession) -> None:
    server, _ = await serve(FaultPlan([Fault(watch="truncate", after_events=2)]))
    lines, error = await read_watch(session, server)
    assert error is not None
    assert len(lines) == 3
    assert [json.loads(line)["object"]["metadata"]["name"] for line in lines[:2]] == ["p0", "p1"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[2])
    await server.close()


async def test_watch_faults_leave_other_requests_alone(session: aiohttp.ClientSession) -> None:
    server, injector = await serve(FaultPlan([Fault(watch="drop", after_events=1)]))
    assert await status_of(session, server, PODS) == 200  # a list, not a watch
    assert injector.counters == {}
    await server.close()


def test_plan_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(
        "faults:\n"
        "  - {verbs: [create, apply], kinds: Deployment, error: 503, rate: 0.25}\n"
        "  - {kinds: [pods/status], latency_ms: [5, 50]}\n"
        "  - {verbs: watch, watch: truncate, after_ms: 200, limit: 1}\n"
    )
    plan = FaultPlan.load(path)
    assert plan.faults[0] == Fault(verbs=("create", "apply"), kinds=("Deployment",), error=503, rate=0.25)
    assert plan.faults[1].latency_ms == (5.0, 50.0)
    assert plan.faults[2].watch == "truncate" and plan.faults[2].limit == 1


async def test_plan_file_is_read_as_kubectl_reads_yaml(session: aiohttp.ClientSession, tmp_path: Path) -> None:
    """`name: 2024-01-01` is the pod name as text (YAML 1.1 made it a date, which matched nothing and broke the
    request); `1:30` is not the sexagesimal 90."""
    path = tmp_path / "faults.yaml"
    path.write_text("faults:\n  - {name: 2024-01-01, error: 503}\n  - {name: 1:30, error: 504}\n")
    plan = FaultPlan.load(path)
    assert [f.name for f in plan.faults] == ["2024-01-01", "1:30"]
    server, injector = await serve(plan)
    assert await status_of(session, server, PODS + "/2024-01-01") == 503
    assert await status_of(session, server, PODS + "/1:30") == 504
    assert await status_of(session, server, PODS + "/other") == 200
    assert sum(injector.counters.values()) == 2
    await server.close()


def test_plan_file_has_the_limits_of_every_user_file(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text("faults: []\n" + "#" * (8 * 1024 * 1024))
    with pytest.raises(ValidationError, match="the faults file is larger than"):
        FaultPlan.load(path)
    path.write_text("faults: " + "[" * 150 + "]" * 150 + "\n")
    with pytest.raises(ValidationError, match="nests more than 100 levels deep"):
        FaultPlan.load(path)
    path.write_bytes(b"faults: [{name: \xff}]\n")
    with pytest.raises(ValidationError, match="not UTF-8"):
        FaultPlan.load(path)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("faults: [{eror: 500}]", "Did you mean `error`"),
        ("faults: [{error: 500, rate: 2}]", "`rate` is 2. Use a probability between 0 and 1"),
        ("faults: [{error: 200}]", "`error` is 200. Use an HTTP error status"),
        ("faults: [{watch: explode}]", "drop, expire or truncate"),
        ("faults: [{latency_ms: [9, 1]}]", "(min, max) range with 0 <= min <= max"),
        ("faults: [{disconnect: later}]", "before or after"),
        ("rules: []", "one key: faults"),
    ],
)
def test_bad_plans_are_validation_errors(text: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        FaultPlan.from_yaml(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"verbs": "get"}, "verbs", "a list of strings"),
        ({"verbs": ("get", 3)}, "verbs", "a list of strings"),
        ({"kinds": ("Pod", None)}, "kinds", "a list of strings"),
        ({"verbs": ("crate",)}, "verbs", "'crate'"),
        ({"path": 5}, "path", "a string"),
        ({"namespace": ["a"]}, "namespace", "a string"),
        ({"name": 7}, "name", "a string"),
        ({"message": 1}, "message", "a string"),
        ({"latency_ms": "100"}, "latency_ms", "a number of milliseconds"),
        ({"latency_ms": -1}, "latency_ms", ">= 0"),
        ({"latency_ms": (1, 2, 3)}, "latency_ms", "(min, max)"),
        ({"latency_ms": ("1", 2)}, "latency_ms", "(min, max)"),
        ({"error": "503"}, "error", "from 400 to 599"),
        ({"error": 503.0}, "error", "from 400 to 599"),
        ({"error": True}, "error", "from 400 to 599"),
        ({"rate": "0.5"}, "rate", "between 0 and 1"),
        ({"rate": 2}, "rate", "between 0 and 1"),
        ({"retry_after": 1.5}, "retry_after", "whole number"),
        ({"retry_after": -1}, "retry_after", "whole number"),
        ({"watch": "explode"}, "watch", "drop, expire or truncate"),
        ({"disconnect": "later"}, "disconnect", "before or after"),
        ({"watch": "drop", "after_events": "3"}, "after_events", "whole number"),
        ({"watch": "drop", "after_ms": "5000"}, "after_ms", "milliseconds"),
        ({"after_events": 3}, "after_events", "only to a watch fault"),
        ({"after_ms": 10}, "after_ms", "only to a watch fault"),
        ({"limit": "3"}, "limit", "whole number"),
        ({"limit": -2}, "limit", "whole number"),
    ],
)
def test_every_field_is_checked_when_the_fault_is_made(kwargs: dict[str, Any], field: str, fragment: str) -> None:
    """A wrong value stops the plan at once, naming the field and the value; before, most failed at the first
    matching request, inside the emulator."""
    with pytest.raises(ValidationError) as info:
        Fault(**kwargs)
    assert info.value.where == f"fault.{field}"
    assert fragment in str(info.value)
    if field in kwargs and not isinstance(kwargs[field], tuple):
        assert repr(kwargs[field]) in str(info.value)


@pytest.mark.parametrize(
    ("item", "where", "fragment"),
    [
        ("{latency_ms: slow}", "faults.faults[1].latency_ms", "'slow'"),
        ("{latency_ms: [1, x]}", "faults.faults[1].latency_ms", "(min, max)"),
        ("{error: 503, limit: lots}", "faults.faults[1].limit", "'lots'"),
        ("{watch: drop, after_ms: soon}", "faults.faults[1].after_ms", "'soon'"),
        ("{verbs: [get, {a: b}]}", "faults.faults[1].verbs", "a list of strings"),
        ("{verbs: [gett]}", "faults.faults[1].verbs", "'gett'"),
        ("{error: 503, retry_after: '2'}", "faults.faults[1].retry_after", "'2'"),
        ("{name: [a, b], error: 500}", "faults.faults[1].name", "a string"),
    ],
)
def test_yaml_faults_are_checked_at_load_with_their_path(item: str, where: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        FaultPlan.from_yaml(f"faults:\n  - {{error: 500}}\n  - {item}\n")
    assert info.value.where == where
    assert fragment in str(info.value)


def test_lists_from_python_become_tuples() -> None:
    fault = Fault(verbs=["get"], kinds=["Pod"], latency_ms=[1, 2])  # type: ignore[arg-type]
    assert fault == Fault(verbs=("get",), kinds=("Pod",), latency_ms=(1, 2))
    assert hash(fault) == hash(Fault(verbs=("get",), kinds=("Pod",), latency_ms=(1, 2)))
    assert Fault(verbs=("*",)).verbs == ("*",)


@pytest.mark.parametrize(
    ("fault", "method", "path", "query", "hit"),
    [
        (Fault(kinds=("deployments",)), "GET", "/apis/apps/v1/namespaces/a/deployments/d", {}, True),
        (Fault(kinds=("Deploy*",)), "GET", "/apis/apps/v1/namespaces/a/deployments/d", {}, True),
        (Fault(kinds=("deployments/status",)), "PUT", "/apis/apps/v1/namespaces/a/deployments/d/status", {}, True),
        (Fault(kinds=("deployments",)), "PUT", "/apis/apps/v1/namespaces/a/deployments/d/status", {}, False),
        (Fault(verbs=("watch",)), "GET", "/api/v1/pods", {"watch": "true"}, True),
        (Fault(verbs=("watch",)), "GET", "/api/v1/pods", {}, False),
        (Fault(namespace="team-*"), "POST", "/api/v1/namespaces/team-a/configmaps", {}, True),
        (Fault(namespace="team-*"), "POST", "/api/v1/namespaces/prod/configmaps", {}, False),
    ],
)
def test_selection(fault: Fault, method: str, path: str, query: dict[str, str], hit: bool) -> None:
    assert fault.matches(parse_request(method, path, query, None), path) is hit


def test_the_documented_example_loads() -> None:
    import textwrap

    from pykro.emulator import _faults as faults

    doc = str(faults.__doc__)
    plan = FaultPlan.from_yaml(textwrap.dedent(doc[doc.index("`--faults`):") + len("`--faults`):") :]))
    assert [f.watch for f in plan.faults] == [None, None, None, "drop", "expire", None, None]
    assert plan.faults[6].disconnect == "after"
    assert plan.faults[2].latency_ms == (5.0, 50.0) and plan.faults[5].path == "/version"
