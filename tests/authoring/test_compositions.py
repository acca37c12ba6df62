"""Compositions end to end: the graph built from natural Python, checked through kro's semantics (manifests
rendered by pykro.runtime with the real CEL engine) rather than only by the emitted text."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import Field

from pykro import Spec, Status, composition, external_ref, resource
from pykro.authoring._refs import cel_of
from pykro.graph import Graph
from pykro.simple import ConfigMap, Deployment, Service


class Inner(Spec):
    host: str
    port: int = 5432


class AppSpec(Spec):
    name: str
    replicas: int = 1
    expose: bool = False
    tier: Literal["dev", "prod"] = "dev"
    workers: list[str] = Field(default_factory=list)
    database: Inner


class AppStatus(Status):
    ready: bool
    url: str
    mode: str
    workers: int


def names(objects: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(o["kind"], o["metadata"]["name"]) for o in objects]


@composition(api_version="example.com/v1alpha1", kind="App")
def app(spec: AppSpec) -> AppStatus:
    web = Deployment(id="web", name=spec.name, image="nginx", replicas=spec.replicas if spec.tier == "prod" else 1)
    if spec.expose:
        Service(id="svc", name=f"{spec.name}-svc", selector={"app": spec.name}, ports=[80])
        if spec.replicas > 1:
            ConfigMap(id="lb", name=f"{spec.name}-lb", data={"mode": "balanced"})
    else:
        ConfigMap(
            id="internal", name=f"{spec.name}-internal", data={"db": f"{spec.database.host}:{spec.database.port}"}
        )
    for worker in spec.workers:
        ConfigMap(id="workerCfg", name=f"{spec.name}-{worker}", data={"worker": worker.upper()})
    return AppStatus(
        ready=(web.status.readyReplicas >= spec.replicas and not spec.expose) or spec.tier == "dev",
        url=f"https://{spec.name}.example.com",
        mode="exposed" if spec.expose else "internal",
        workers=len([w for w in spec.workers if w != ""]),
    )


def spec_values(**extra: Any) -> dict[str, Any]:
    return {"name": "shop", "database": {"host": "db"}, **extra}


def test_if_else_become_include_when() -> None:
    graph = app.graph
    assert graph.resource("svc").include_when == ["${schema.spec.expose}"]
    assert graph.resource("lb").include_when == ["${schema.spec.expose}", "${schema.spec.replicas > 1}"]
    assert graph.resource("internal").include_when == ["${!schema.spec.expose}"]
    assert graph.resource("workerCfg").for_each == [{"worker": "${schema.spec.workers}"}]


def test_manifests_follow_the_conditions() -> None:
    internal = app.to_manifests(spec_values())
    assert names(internal) == [("Deployment", "shop"), ("ConfigMap", "shop-internal")]
    assert internal[1]["data"] == {"db": "db:5432"}
    exposed = app.to_manifests(spec_values(expose=True, replicas=3, tier="prod", workers=["a", "b"]))
    assert names(exposed) == [
        ("Deployment", "shop"),
        ("Service", "shop-svc"),
        ("ConfigMap", "shop-lb"),
        ("ConfigMap", "shop-a"),
        ("ConfigMap", "shop-b"),
    ]
    assert exposed[0]["spec"]["replicas"] == 3
    assert exposed[4]["data"] == {"worker": "B"}


def test_status_expressions_keep_python_meaning() -> None:
    status = app.graph.status
    assert status["ready"] == (
        '${web.status.readyReplicas >= schema.spec.replicas && !schema.spec.expose || schema.spec.tier == "dev"}'
    )
    assert status["url"] == '${"https://" + schema.spec.name + ".example.com"}'
    assert status["mode"] == '${schema.spec.expose ? "exposed" : "internal"}'
    assert status["workers"] == '${size(schema.spec.workers.filter(w, w != ""))}'


def test_crd_spec_schema_from_the_model() -> None:
    props = app.graph.crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert props["properties"]["tier"]["enum"] == ["dev", "prod"]
    assert props["properties"]["database"]["properties"]["port"]["default"] == 5432
    assert "name" in props["required"]


def test_round_trip_through_rgd_yaml() -> None:
    text = app.to_rgd_yaml()
    assert Graph.from_rgd(text).to_yaml() == text


class NoteSpec(Spec):
    text: str
    flag: bool = True


class NoteStatus(Status):
    fixed: str
    count: int
    on: bool
    echo: str


@composition(api_version="v1alpha1", kind="Note")
def note(spec: NoteSpec) -> NoteStatus:
    cm = ConfigMap(id="note", name="note", data={"text": spec.text, "shell": "echo ${HOME}"})
    return NoteStatus(fixed="constant", count=3, on=cm.data["text"] == spec.text, echo=spec.text)


def test_literal_and_schema_only_status_fields_are_kept() -> None:
    status = note.graph.status
    assert status["fixed"] == '${has(schema.metadata) ? "constant" : "constant"}'
    assert status["count"] == "${has(schema.metadata) ? 3 : 3}"
    assert status["echo"] == "${schema.spec.text}"
    from pykro.runtime import expand, simulate_ready

    instance = {"apiVersion": "kro.run/v1alpha1", "kind": "Note", "metadata": {"name": "n"}, "spec": {"text": "hi"}}
    first = expand(note.graph, instance)
    observed = {"note": simulate_ready(first.objects[0])}
    result = expand(note.graph, instance, observed)
    assert {k: result.status[k] for k in ("fixed", "count", "on", "echo")} == {
        "fixed": "constant",
        "count": 3,
        "on": True,
        "echo": "hi",
    }


def test_dollar_brace_text_stays_literal() -> None:
    template = note.graph.resource("note").template
    assert template is not None
    assert template["data"]["shell"] == '${"echo ${HOME}"}'
    objects = note.to_manifests({"text": "x"})
    assert objects[0]["data"] == {"text": "x", "shell": "echo ${HOME}"}


class DbSpec(Spec):
    name: str
    size: int = 1


class DbStatus(Status):
    ready: bool
    host: str


@composition(api_version="v1alpha1", kind="Db")
def database(spec: DbSpec) -> DbStatus:
    db = Deployment(id="server", name=f"{spec.name}-db", image="postgres", replicas=spec.size)
    svc = Service(id="svc", name=f"{spec.name}-db", selector={"app": f"{spec.name}-db"}, ports=[5432])
    return DbStatus(ready=db.status.readyReplicas >= spec.size, host=svc.metadata.name)


class StackSpec(Spec):
    name: str


class StackStatus(Status):
    db_ready: bool


@composition(api_version="v1alpha1", kind="Stack")
def stack(spec: StackSpec) -> StackStatus:
    db = database(DbSpec(name=spec.name, size=2))
    cache = database(DbSpec(name=f"{spec.name}-cache"), id="cache")
    ConfigMap(id="wiring", name="wiring", data={"db": db.host, "cache": cache.host})
    return StackStatus(db_ready=db.ready and cache.ready)


def test_nested_compositions_merge_with_prefixed_ids() -> None:
    graph = stack.graph
    assert graph.ids == ["databaseServer", "databaseSvc", "cacheServer", "cacheSvc", "wiring"]
    assert graph.status["dbReady"] == (
        "${databaseServer.status.readyReplicas >= 2 && cacheServer.status.readyReplicas >= 1}"
    )
    objects = stack.to_manifests({"name": "s"})
    assert names(objects)[-1] == ("ConfigMap", "wiring")
    assert objects[-1]["data"] == {"db": "s-db", "cache": "s-cache-db"}
    assert objects[0]["spec"]["replicas"] == 2


class RefSpec(Spec):
    name: str


@composition(api_version="v1alpha1", kind="Reader")
def reader(spec: RefSpec) -> None:
    shared = external_ref("v1", "ConfigMap", "shared-config", namespace="platform", id="shared")
    web = resource(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": spec.name},
            "spec": {
                "selector": {"matchLabels": {"app": spec.name}},
                "template": {
                    "metadata": {"labels": {"app": spec.name}},
                    "spec": {"containers": [{"name": "c", "image": shared.data["image"]}]},
                },
            },
        },
        id="web",
    )
    web.ready_when(lambda d: d.status.availableReplicas > 0)
    ConfigMap(id="after", name="after", data={"x": "y"}).include_when(shared.data["enabled"] == "true")


def test_external_ref_ready_when_and_include_when() -> None:
    graph = reader.graph
    shared = graph.resource("shared")
    assert shared.external_ref == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "shared-config", "namespace": "platform"},
    }
    assert graph.resource("web").ready_when == ["${web.status.availableReplicas > 0}"]
    assert graph.resource("after").include_when == ['${shared.data["enabled"] == "true"}']
    live = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared-config"}}
    objects = reader.to_manifests(
        {"name": "w"}, observed={"shared": {**live, "data": {"image": "nginx:1", "enabled": "false"}}}
    )
    assert names(objects) == [("Deployment", "w")]
    assert objects[0]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1"


def test_variables_assigned_in_both_branches_merge() -> None:
    @composition(api_version="v1alpha1", kind="Merge")
    def merged(spec: AppSpec) -> None:
        if spec.expose:
            port = 443
            label = "public"
        else:
            port = 80
            label = "private"
        ConfigMap(id="cfg", name="cfg", data={"port": str(port), "label": label})

    template = merged.graph.resource("cfg").template
    assert template is not None
    assert template["data"] == {
        "port": "${string(schema.spec.expose ? 443 : 80)}",
        "label": '${schema.spec.expose ? "public" : "private"}',
    }


def test_concrete_python_keeps_running_as_python() -> None:
    @composition(api_version="v1alpha1", kind="Plain")
    def plain(spec: AppSpec) -> None:
        for i, region in enumerate(["eu", "us"]):
            if i > 0 and region != "eu":
                ConfigMap(name=f"region-{region}", data={"index": str(i)})

    graph = plain.graph
    assert graph.ids == ["configMapRegionUs"]
    assert graph.resource("configMapRegionUs").include_when == []


def test_reference_text_helpers() -> None:
    @composition(api_version="v1alpha1", kind="Text")
    def text(spec: AppSpec) -> None:
        name = spec.name.lower().replace("_", "-")
        ConfigMap(id="t", name="t", data={"n": name, "has": str(spec.name.startswith("a"))})

    data = text.graph.resource("t").template["data"]  # type: ignore[index]
    assert data["n"] == '${schema.spec.name.lowerAscii().replace("_", "-")}'
    assert data["has"] == '${schema.spec.name.startsWith("a") ? "True" : "False"}'


def test_spec_reference_names() -> None:
    from pykro.authoring._symbolic import spec_ref

    spec = spec_ref(AppSpec)
    assert cel_of(spec.database.port) == "schema.spec.database.port"
    assert str(spec.database.port._type) == "int"


class HatchSpec(Spec):
    name: str
    labels: dict[str, str] = Field(default_factory=dict)


def test_cel_escape_hatch() -> None:
    from pykro import cel

    @composition(api_version="v1alpha1", kind="Hatch")
    def hatch(spec: HatchSpec) -> dict[str, Any]:
        svc = Service(id="svc", name="s", selector={"app": "x"}, ports=[80])
        ConfigMap(
            id="c",
            name="c",
            data={
                "ip": cel.default(svc.spec.clusterIP, "none"),
                "url": cel.concat("https://", spec.name),
                "team": cel.default(spec.labels["team"], "core"),
            },
        )
        return {"hasIp": cel.has(svc.spec.clusterIP), "size": cel.expr("size(schema.spec.name)", int)}

    graph = hatch.graph
    assert graph.resource("c").template["data"] == {  # type: ignore[index]
        "ip": '${svc.spec.?clusterIP.orValue("none")}',
        "url": "https://${schema.spec.name}",
        "team": '${schema.spec.labels[?"team"].orValue("core")}',
    }
    assert graph.status == {"hasIp": "${has(svc.spec.clusterIP)}", "size": "${size(schema.spec.name)}"}
    cm = hatch.to_manifests({"name": "x"})[1]
    assert cm["data"] == {"ip": "none", "url": "https://x", "team": "core"}
    cm = hatch.to_manifests(
        {"name": "x", "labels": {"team": "a"}}, observed={"svc": {"spec": {"clusterIP": "1.2.3.4"}}}
    )[1]
    assert cm["data"] == {"ip": "1.2.3.4", "url": "https://x", "team": "a"}


class SecureSpec(Spec):
    name: str
    uid: int = 1000
    secure: bool = False


def test_dyn_hands_a_map_literal_to_the_api_server() -> None:
    from pykro import cel
    from pykro.errors import CompositionError

    def plain(spec: SecureSpec) -> None:
        context = {"runAsUser": spec.uid} if spec.secure else {"runAsUser": 0}
        Deployment(id="app", name=spec.name, image="nginx", security_context=context)

    def wrapped(spec: SecureSpec) -> None:
        context = cel.dyn({"runAsUser": spec.uid} if spec.secure else {"runAsUser": 0})
        Deployment(id="app", name=spec.name, image="nginx", security_context=context)

    # kro types the map as map(string, int), which securityContext's boolean fields refuse; the fix names cel.dyn.
    with pytest.raises(CompositionError, match=r"in a composition: pykro\.cel\.dyn\(value\)"):
        _ = composition(api_version="v1alpha1", kind="Plain")(plain).graph
    app = composition(api_version="v1alpha1", kind="Wrapped")(wrapped)
    template = app.graph.resource("app").template
    context = template["spec"]["template"]["spec"]["containers"][0]["securityContext"]  # type: ignore[index]
    assert context == '${dyn(schema.spec.secure ? {"runAsUser": schema.spec.uid} : {"runAsUser": 0})}'
    for values, uid in (({"name": "a"}, 0), ({"name": "a", "secure": True, "uid": 7}, 7)):
        deployment = app.to_manifests(values)[0]
        assert deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"] == {"runAsUser": uid}


class Worker(Spec):
    name: str
    replicas: int = 1
    queue_name: str = "default"


class FleetSpec(Spec):
    name: str
    workers: list[Worker] = Field(default_factory=list)
    pools: dict[str, Worker] = Field(default_factory=dict)


def test_for_each_over_a_list_of_models() -> None:
    @composition(api_version="v1alpha1", kind="Fleet")
    def fleet(spec: FleetSpec) -> dict[str, Any]:
        for worker in spec.workers:
            name = f"{spec.name}-{worker.name}"
            env = {"QUEUE": worker.queue_name}
            Deployment(id="workers", name=name, image="busybox", replicas=worker.replicas, env=env)
        return {"first": spec.pools["main"].queue_name, "busy": any(w.replicas > 1 for w in spec.workers)}

    graph = fleet.graph
    assert graph.spec["workers"] == '[]Worker | default="[]"'
    assert graph.types["Worker"] == {
        "name": "string | required=true",
        "replicas": "integer | default=1",
        "queueName": "string | default=default",
    }
    assert graph.status == {
        "first": '${schema.spec.pools["main"].queueName}',
        "busy": "${schema.spec.workers.exists(w, w.replicas > 1)}",
    }
    objects = fleet.to_manifests(
        {"name": "f", "workers": [{"name": "a"}, {"name": "b", "replicas": 3, "queueName": "q"}]}
    )
    assert names(objects) == [("Deployment", "f-a"), ("Deployment", "f-b")]
    assert objects[1]["spec"]["replicas"] == 3
    assert objects[1]["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "QUEUE", "value": "q"}]
