"""Values are checked at the call and the error names the caller's line; Services always select pods; Secret
values never appear outside the Secret object (not in errors, repr, or other objects)."""

from __future__ import annotations

import base64
import inspect
from pathlib import Path
from typing import Any

import pytest

from pykro import _yamlio as yamlio
from pykro.builders import (
    App,
    AppGroup,
    Companion,
    ConfigMap,
    CronJob,
    Ingress,
    Job,
    KubernetesOutput,
    Scaling,
    Secret,
    Service,
    StatefulApp,
    Volume,
)
from pykro.errors import PykroError

HERE = Path(__file__).name
SECRET = "MARKER-pl41n-s3cret"


def _line() -> int:
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: App("web").port(99999), "port must be a number from 1 to 65535, got 99999"),
        (lambda: App("web").port(0), "from 1 to 65535"),
        (lambda: App("web").replicas(-3), "replicas must be a whole number >= 0, got -3"),
        (lambda: App("web").replicas("3"), "replicas must be a whole number"),
        (lambda: App("web").resources(cpu="1 core"), "cpu must be a Kubernetes quantity"),
        (lambda: App("web").resources(memory="4GB"), "memory must be a Kubernetes quantity"),
        (lambda: StatefulApp("db").storage("-1Gi"), "storage size must be a Kubernetes quantity"),
        (lambda: App("Web_App"), "is not a valid DNS-1123 label"),
        (lambda: Secret("my secret"), "is not a valid DNS-1123 subdomain"),
        (lambda: CronJob("c").schedule("61 * * * *"), "is not a valid cron expression"),
        (lambda: CronJob("c").schedule("0 2 * *"), "is not a valid cron expression"),
        (lambda: StatefulApp("db").backup_schedule("daily"), "is not a valid cron expression"),
        (lambda: App("web").resources(cpus="1"), r"App.resources\(\) has no keyword cpus. Did you mean cpu\?"),  # type: ignore[call-arg]
        (lambda: App("web").port(80, nam="http"), r"has no keyword nam. Did you mean name\?"),  # type: ignore[call-arg]
        (lambda: App("web").replicas(), r"App.replicas\(\): missing a required argument"),  # type: ignore[call-arg]
        (lambda: App("web").port(80, "HTTP_PORT"), "is not a valid port name"),
        (lambda: App("web").port(80).port(81), None),  # second unnamed port gets its own name: fine
        (lambda: App("web").port(80, "a").port(81, "a"), "two ports named 'a'"),
        (lambda: Service("api").type("Loadbalancr"), "Service type must be one of"),
        (lambda: Service("api").selector({}), "selector is empty"),
        (lambda: Job("j").timeout("soon"), "timeout must be seconds or a duration"),
        (lambda: Job("j").restart_policy("Always"), "restart_policy must be one of Never, OnFailure"),
        (lambda: CronJob("c").timezone("Mars/Olympus"), "is not an IANA time zone"),
        (lambda: CronJob("c").daily(hour=24), "hour must be a number from 0 to 23"),
        (lambda: App("web").scale(5, 2), "min_replicas 5 is above max_replicas 2"),
        (lambda: App("web").deployment_strategy("canary"), "is not supported"),
        (lambda: Ingress("i").route("api", "web"), "must start with '/'"),
        (lambda: App("web").health_check("/h"), "needs a port"),
        (lambda: AppGroup("g").remove_service("web"), "has no service named 'web'"),
        (lambda: App("web").add_label("team", ["a"]), "label team must be a string"),
        (lambda: App("web").add_label("team", "data platform"), "is not a valid label value"),
        (lambda: CronJob("c" * 53), "Kubernetes allows 52"),
        (lambda: StatefulApp("db").add_volume(object()), "add_volume\\(\\) takes a Volume, or a name and a Kubernetes"),
        (lambda: App("web").add_volume("x", {"emptyDir": {}}).add_volume(Volume("x")), "already has a volume named"),
        # a size without a unit is bytes; an empty image or one with a space; the same port twice
        (lambda: StatefulApp("db").storage("20"), "storage size '20' has no unit, so Kubernetes reads it as 20 bytes"),
        (lambda: StatefulApp("db").storage(20), "Write it with a unit, e.g. '20Gi'"),
        (lambda: App("web").resources(memory="512"), "memory '512' has no unit"),
        (lambda: App("web").resources(memory_limit=1024), "memory_limit '1024' has no unit"),
        (lambda: Volume("v").size("10"), "size '10' has no unit"),
        (lambda: App("web").resources(cpu=2, memory="0"), None),  # cpu in cores, and zero bytes, need no unit
        (lambda: App("web").image(""), "image '' is not an image reference"),
        (lambda: StatefulApp("db").image("postgres 15"), "image 'postgres 15' is not an image reference"),
        (lambda: App("web").port(80).port(80), "already has port 80/TCP \\(named 'http'\\)"),
        (lambda: App("web").port(53, protocol="UDP").port(53), None),  # the same number over another protocol
        # a second value for a key would replace the first: refused (data and binaryData share their keys)
        (lambda: Secret("s").add("k", "a").add("k", "b"), "Secret 's' already has the key 'k'"),
        (lambda: Secret("s").add("k", "a").add_binary("k", b"b"), "already has the key 'k'"),
        (lambda: ConfigMap("c").add("k", 1).add_json("k", {}), "ConfigMap 'c' already has the key 'k'"),
        (lambda: ConfigMap("c").add("k", 1).add("K", 2), None),  # keys are case-sensitive
        # a second, different value for an environment variable would replace the first: refused; the same is fine
        (lambda: App("web").env("A", "1").env("A", "2"), "environment variable A is already set to another value"),
        (lambda: App("web").env("A", "1").environment({"A": "1", "B": "2"}), None),
        (lambda: Companion("c").env("A", 1).env("A", 2), "environment variable A is already set to another value"),
    ],
)
def test_values_are_checked_at_the_call(make: Any, message: str | None) -> None:
    if message is None:
        make()
        return
    with pytest.raises(PykroError, match=message) as caught:
        make()
    assert caught.value.where is not None and HERE in caught.value.where  # the caller's file:line


def test_the_error_names_the_callers_line() -> None:
    with pytest.raises(PykroError) as caught:
        line = _line() + 1
        App("web").image("nginx").replicas(-1)
    assert caught.value.where is not None and caught.value.where.split(":")[:2] == [str(Path(__file__)), str(line)]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: App("web").port(80), "has no image"),
        (lambda: CronJob("c").image("x"), "has no schedule"),
        (lambda: Service("api").add_port("http", 80), "has no selector, so it would send traffic to no pod"),
        (lambda: Service("api").selector({"app": "api"}), "has no port"),
        (lambda: Ingress("i"), "has no route"),
        (lambda: StatefulApp("db").image("redis:7").storage("1Gi").backup_schedule("@daily"), "backup_command"),
        (lambda: StatefulApp("db").image("postgres:15").backup_schedule("@daily"), "no storage"),
        (
            lambda: App("web").image("x").mount_volume("cache", "/cache"),
            "mounts the volume 'cache', which it does not have",
        ),
        (lambda: Secret("s").add("user", "u").type("basic-auth"), "needs the key username or password"),
        (lambda: Secret("s").add("tls.crt", "c").type("tls"), "needs the keys tls.crt and tls.key"),
        # what one call means depends on another that is missing or contradicts it: nothing is dropped silently
        (lambda: App("web").image("x").expose(external=True), "App 'web' is exposed but has no port"),
        (lambda: StatefulApp("db").image("x").expose(), "StatefulApp 'db' is exposed but has no port"),
        (lambda: App("web").image("x").replicas(10).scale(1, 3), "replicas 10, outside its autoscaler's 1 to 3"),
        (lambda: App("web").image("x").scale(Scaling("h").min_replicas(2).max_replicas(4)).replicas(1), "1, outside"),
    ],
)
def test_incomplete_builders_are_errors_when_rendered(make: Any, message: str) -> None:
    with pytest.raises(PykroError, match=message):
        make().objects()


def test_replicas_the_autoscaler_keeps() -> None:
    """replicas() within the autoscaler's range, or 0 (which pauses it), is kept as written."""
    for count in (0, 2, 3):
        objects = App("web").image("x").replicas(count).scale(2, 3).objects()
        assert next(o for o in objects if o["kind"] == "Deployment")["spec"]["replicas"] == count


def test_services_always_select_the_apps_pods() -> None:
    app = App("web").image("nginx").port(80).add_service(Service("web-admin").add_port("admin", 9000))
    objects = {(o["kind"], o["metadata"]["name"]): o for o in app.objects()}
    pods = objects[("Deployment", "web")]["spec"]["template"]["metadata"]["labels"]
    for name in ("web", "web-admin"):
        selector = objects[("Service", name)]["spec"]["selector"]
        assert selector and all(pods[k] == v for k, v in selector.items())
    db = {(o["kind"], o["metadata"]["name"]): o for o in StatefulApp("db").image("postgres:15").port(5432).objects()}
    assert db[("Service", "db")]["spec"]["selector"] == {"app": "db"}
    assert db[("StatefulSet", "db")]["spec"]["serviceName"] == "db"


def test_secret_values_stay_in_the_secret(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret("db-creds").add("password", SECRET).mount_as_env_vars("DB_")
    assert SECRET not in repr(secret)
    app = App("api").image("api:1").port(8080).add_secret(secret)
    paths = app.generate().to_yaml(tmp_path)
    encoded = base64.b64encode(SECRET.encode()).decode()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        holds = SECRET in text or encoded in text
        assert holds == (path.name == "secret-db-creds.yaml"), path.name
        assert SECRET not in text  # written base64-encoded, as the API server stores it
    doc = yamlio.load((tmp_path / "secret-db-creds.yaml").read_text(encoding="utf-8"))
    assert base64.b64decode(doc["data"]["password"]).decode() == SECRET
    for bad in (lambda: secret.add("bad key!", SECRET), lambda: secret.add("n", 42), lambda: secret.type("weird")):
        with pytest.raises(PykroError) as caught:
            bad()
        assert SECRET not in str(caught.value)
    assert SECRET not in caplog.text


def test_yaml_files_and_kubernetes_output(tmp_path: Path) -> None:
    group = AppGroup("shop").add_services(
        [App("web").image("nginx:1.27").port(80).expose(), StatefulApp("db").image("postgres:15").port(5432)]
    )
    output = KubernetesOutput().generate(group, tmp_path / "k8s")
    names = sorted(p.name for p in output.files)
    assert names == ["deployment-web.yaml", "service-db.yaml", "service-web.yaml", "statefulset-db.yaml"]
    assert output.validate() is output
    broken = tmp_path / "k8s" / "deployment-web.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("replicas: 1", "replicas: one"), encoding="utf-8")
    with pytest.raises(PykroError, match="Deployment 'web' is not valid"):
        output.validate()
    with pytest.raises(PykroError, match=r"apply\(\) is not supported"):
        output.apply()  # type: ignore[attr-defined]
    with pytest.raises(PykroError, match="takes builders"):
        KubernetesOutput().generate({"kind": "Deployment"}, tmp_path)  # type: ignore[arg-type]


def test_group_shares_objects_once_and_applies_its_namespace() -> None:
    shared = Secret("shared").add("k", "v")
    own = ConfigMap("cfg").add("a", "b")
    group = (
        AppGroup("shop")
        .configure_namespace()
        .add_shared_secret(shared)
        .add_services([App("a").image("a:1").add_config(own), App("b").image("b:1").add_config(own)])
        .add_label("team", "shop")
    )
    objects = group.objects()
    kinds = [(o["kind"], o["metadata"]["name"]) for o in objects]
    assert kinds.count(("ConfigMap", "cfg")) == 1 and kinds.count(("Secret", "shared")) == 1
    assert ("Namespace", "shop") in kinds
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == "shop"
            assert obj["metadata"]["labels"]["team"] == "shop"
        if obj["kind"] == "Deployment":
            env_from = obj["spec"]["template"]["spec"]["containers"][0]["envFrom"]
            assert env_from == [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "shared"}}]
    assert group.get_service("a").name == "a" and group.get_service_names() == ["a", "b"]
    assert group.get_service_count() == 2
    assert group.generate_kubernetes_resources() == objects
    # the members themselves are unchanged by the group
    alone = group.get_service("a").objects()
    assert alone[-1]["kind"] == "Deployment" and "namespace" not in alone[-1]["metadata"]
    assert "team" not in alone[-1]["metadata"]["labels"]


def test_celestra_import_path() -> None:
    import pykro.builders
    import pykro.celestra

    for name in pykro.builders.__all__:
        assert getattr(pykro.celestra, name) is getattr(pykro.builders, name)


def test_celestras_keyword_spellings_work() -> None:
    app = App("web").image("nginx").port(port=8080, name="web", protocol="TCP").replicas(count=2)
    app.resources(cpu="100m", memory="128Mi", cpu_limit="1", memory_limit="1Gi", gpu=1)
    objects = app.objects()
    pod = objects[0]["spec"]["template"]["spec"]["containers"][0]
    assert objects[0]["spec"]["replicas"] == 2
    assert pod["ports"] == [{"containerPort": 8080, "name": "web", "protocol": "TCP"}]
    assert pod["resources"]["limits"] == {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": 1}
    svc = Service("api").add_port(name="http", port=80, target_port=8080, protocol="UDP").selector({"app": "api"})
    assert svc.objects()[0]["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "UDP"}]
    with pytest.raises(PykroError, match="Did you mean external"):
        App("web").expose(external_acces=True)  # type: ignore[call-arg]


def test_added_objects_live_next_to_the_workload() -> None:
    objects = App("web").image("nginx").namespace("prod").add_secret(Secret("keys").add("k", "v")).objects()
    assert {(o["kind"], o["metadata"]["namespace"]) for o in objects} == {("Secret", "prod"), ("Deployment", "prod")}
    exposed = App("web").image("nginx").port(8080).expose(ingress=True).objects()
    rule = next(o for o in exposed if o["kind"] == "Ingress")["spec"]["rules"][0]
    assert "host" not in rule
    assert rule["http"]["paths"][0]["backend"] == {"service": {"name": "web", "port": {"number": 8080}}}


def test_yaml_files_refuse_a_directory_with_other_manifests(tmp_path: Path) -> None:
    """generate().to_yaml(dir) and KubernetesOutput wrote beside an earlier render's files, which `kubectl apply -f
    dir` applies too (render -o DIR already refused them); writing the same objects again is fine."""
    app = App("web").image("nginx:1.27").port(8080)
    app.generate().to_yaml(tmp_path)
    app.generate().to_yaml(tmp_path)
    with pytest.raises(PykroError, match=r"already holds deployment-web.yaml, service-web.yaml, which this render"):
        App("api").image("nginx:1.27").generate().to_yaml(tmp_path)
    with pytest.raises(PykroError, match="kubectl apply -f would read it too"):
        KubernetesOutput().generate(App("api").image("nginx:1.27"), tmp_path)
