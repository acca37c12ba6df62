"""Volume and Storage (each setter changes the pod or the claim; conflicting or unusable settings stop at the
caller's line), port names from well-known numbers, the Service made without a port, ResourceGenerator's queries,
CostOptimization presets and the output format decorators."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pykro import Spec, Status, composition
from pykro.builders import (
    App,
    AppGroup,
    ClusterRole,
    ClusterRoleBinding,
    CostOptimization,
    DockerComposeOutput,
    HelmOutput,
    KubernetesOutput,
    OptimizationStrategy,
    ResourceGenerator,
    Role,
    RoleBinding,
    SecurityPolicy,
    Service,
    ServiceAccount,
    StatefulApp,
    Storage,
    Volume,
    docker_compose_only,
    kubernetes_only,
    output_formats,
)
from pykro.builders._container import WELL_KNOWN_PORTS
from pykro.emulator._cluster import LocalCluster
from pykro.errors import PykroError
from pykro.schema._kubernetes import validate_object

from .test_every_method import at, implemented

POD = "spec.template.spec"
HERE = Path(__file__).name


def _app_with(volume: Volume) -> list[dict[str, Any]]:
    return App("web").image("nginx:1.27").add_volume(volume).objects()


# method -> (call on Volume("data").size("1Gi").mount_path("/data"), kind, name, path, expected)
CASES: dict[str, tuple[Callable[[Volume], Any], str, str, str, Any]] = {
    "size": (lambda v: v.size("5Gi"), "PersistentVolumeClaim", "data", "spec.resources.requests.storage", "5Gi"),
    "storage_class": (
        lambda v: v.storage_class("fast-ssd"),
        "PersistentVolumeClaim",
        "data",
        "spec.storageClassName",
        "fast-ssd",
    ),
    "access_mode": (
        lambda v: v.access_mode("ReadWriteMany"),
        "PersistentVolumeClaim",
        "data",
        "spec.accessModes",
        ["ReadWriteMany"],
    ),
    "persistent_volume": (
        lambda v: v.persistent_volume().storage_class("std"),
        "PersistentVolumeClaim",
        "data",
        "spec.storageClassName",
        "std",
    ),
    "persistent_volume_claim": (
        lambda v: v.persistent_volume_claim("20Gi", "fast"),
        "PersistentVolumeClaim",
        "data",
        "spec",
        {"accessModes": ["ReadWriteOnce"], "storageClassName": "fast", "resources": {"requests": {"storage": "20Gi"}}},
    ),
    "ephemeral_volume": (
        lambda v: v.ephemeral_volume(),
        "Deployment",
        "web",
        f"{POD}.volumes[0].ephemeral.volumeClaimTemplate.spec.resources.requests.storage",
        "1Gi",
    ),
    "empty_dir_volume": (
        lambda v: v.empty_dir_volume(medium="Memory"),
        "Deployment",
        "web",
        f"{POD}.volumes[0]",
        {"name": "data", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
    ),
    "host_path_volume": (
        lambda v: v.host_path_volume("/var/log", "Directory"),
        "Deployment",
        "web",
        f"{POD}.volumes[0]",
        {"name": "data", "hostPath": {"path": "/var/log", "type": "Directory"}},
    ),
    "config_map_volume": (
        lambda v: v.config_map_volume("cfg"),
        "Deployment",
        "web",
        f"{POD}.volumes[0]",
        {"name": "data", "configMap": {"name": "cfg"}},
    ),
    "config_map": (
        lambda v: v.config_map("cfg"),
        "Deployment",
        "web",
        f"{POD}.volumes[0].configMap",
        {"name": "cfg"},
    ),
    "secret_volume": (
        lambda v: v.secret_volume("keys"),
        "Deployment",
        "web",
        f"{POD}.volumes[0]",
        {"name": "data", "secret": {"secretName": "keys"}},
    ),
    "mount_path": (
        lambda v: v.mount_path("/var/lib/data"),
        "Deployment",
        "web",
        f"{POD}.containers[0].volumeMounts[0].mountPath",
        "/var/lib/data",
    ),
    "sub_path": (
        lambda v: v.sub_path("app/config"),
        "Deployment",
        "web",
        f"{POD}.containers[0].volumeMounts[0].subPath",
        "app/config",
    ),
    "read_only": (
        lambda v: v.read_only(),
        "Deployment",
        "web",
        f"{POD}.containers[0].volumeMounts[0].readOnly",
        True,
    ),
    "namespace": (lambda v: v.namespace("prod"), "PersistentVolumeClaim", "data", "metadata.namespace", "prod"),
    "add_label": (lambda v: v.add_label("tier", "db"), "PersistentVolumeClaim", "data", "metadata.labels", None),
    "add_labels": (lambda v: v.add_labels({"tier": "db"}), "PersistentVolumeClaim", "data", "metadata.labels", None),
    "add_annotation": (
        lambda v: v.add_annotation("owner", "me"),
        "PersistentVolumeClaim",
        "data",
        "metadata.annotations",
        {"owner": "me"},
    ),
    "add_annotations": (
        lambda v: v.add_annotations({"owner": "me"}),
        "PersistentVolumeClaim",
        "data",
        "metadata.annotations",
        {"owner": "me"},
    ),
}


def test_every_volume_method_has_a_case() -> None:
    assert implemented(Volume) - {"generate"} == set(CASES)
    assert implemented(Storage) - {"generate"} == set(CASES) | {"type"}


@pytest.mark.parametrize("method", sorted(CASES))
def test_the_volume_call_changes_the_objects(method: str) -> None:
    call, kind, name, path, expected = CASES[method]
    before = _app_with(Volume("data").size("1Gi").mount_path("/data"))
    volume = Volume("data").mount_path("/data")
    if method not in ("config_map", "config_map_volume", "host_path_volume", "secret_volume"):  # sources of no size
        volume.size("1Gi")
    assert call(volume) is volume
    after = _app_with(volume)
    assert at(after, kind, name, path) != at(before, kind, name, path)
    if expected is not None:
        assert at(after, kind, name, path) == expected
    for obj in after:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))


def test_a_claim_volume_alone_is_its_claim_and_with_an_app_is_mounted() -> None:
    claim = Volume("data").size("10Gi").storage_class("fast-ssd").namespace("prod")
    assert claim.objects() == [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "prod"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "fast-ssd",
                "resources": {"requests": {"storage": "10Gi"}},
            },
        }
    ]
    objects = StatefulApp("db").image("postgres:15").namespace("prod").add_volume(Volume("extra").size("1Gi")).objects()
    assert at(objects, "PersistentVolumeClaim", "extra", "metadata.namespace") == "prod"  # next to its workload


def test_storage_types() -> None:
    app = App("web").image("nginx:1.27")
    app.add_storage(Storage("user-data").type("persistent").size("10Gi").mount_path("/data"))
    app.add_storage(Storage("shared-cache").type("shared").size("5Gi").mount_path("/cache").access_mode("rwx"))
    app.add_storage(Storage("temp-data").type("ephemeral").size("1Gi").mount_path("/tmp"))
    objects = app.objects()
    assert at(objects, "PersistentVolumeClaim", "user-data", "spec.accessModes") == ["ReadWriteOnce"]
    assert at(objects, "PersistentVolumeClaim", "shared-cache", "spec.accessModes") == ["ReadWriteMany"]
    assert at(objects, "PersistentVolumeClaim", "temp-data", "spec") is None
    temp = {"name": "temp-data", "emptyDir": {"sizeLimit": "1Gi"}}
    assert at(objects, "Deployment", "web", f"{POD}.volumes[2]") == temp
    # the size given before the type is kept
    assert Storage("t").size("2Gi").type("ephemeral").pod_volume() == {"name": "t", "emptyDir": {"sizeLimit": "2Gi"}}


BAD: list[tuple[Callable[[], Any], str]] = [
    (lambda: Volume("Data"), "not a valid DNS-1123 label"),
    (lambda: Volume("d").size("10GB"), "must be a Kubernetes quantity"),
    (lambda: Volume("d").access_mode("sometimes"), "access mode must be one of"),
    (lambda: Volume("d").mount_path("data"), "must be an absolute path"),
    (lambda: Volume("d").sub_path("../etc"), "must be a relative path inside the volume"),
    (lambda: Volume("d").read_only("yes"), "read_only takes True or False"),  # type: ignore[arg-type]
    (lambda: Volume("d").host_path_volume("/x").config_map_volume("c"), "already has the source hostPath"),
    (lambda: Volume("d").secret_volume("s").size("1Gi"), r"\(secret\) has no size"),
    (lambda: Volume("d").host_path_volume("/x", "Folder"), "path_type must be one of"),
    (lambda: Volume("d").iops(3000), r"Volume\.iops\(\) is not supported: .*StorageClass"),
    (lambda: Volume("d").snapshot_schedule("0 1 * * *"), r"snapshot_schedule\(\) is not supported"),
    (lambda: Storage("d").type("floppy"), "storage type must be one of"),
    (lambda: App("web").add_volumes([Volume("a"), "b"]), "add_volumes\\(\\) takes Volume builders"),  # type: ignore[list-item]
    (lambda: App("web").add_storage("data"), "add_storage\\(\\) takes a Storage or Volume"),  # type: ignore[arg-type]
    (lambda: App("web").add_volume(Volume("a")).add_volume(Volume("a")), "already has a volume named 'a'"),
    (lambda: Service(), r"Service\(\): missing a required argument: 'name'\. Call it as Service\(name\)"),  # type: ignore[call-arg]
    (lambda: Volume("a", "10Gi"), r"Volume\(\): too many positional arguments"),  # type: ignore[call-arg]
    (lambda: App("web").expose(Service("s")), r"expose\(\) external takes True or False.*add_service\(service\)"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("make", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_volume_calls_stop_at_the_call(make: Callable[[], Any], message: str) -> None:
    with pytest.raises(PykroError, match=message) as caught:
        make()
    assert caught.value.where is not None and HERE in caught.value.where


INCOMPLETE: list[tuple[Callable[[], Any], str]] = [
    (lambda: App("w").image("a:1").add_volume(Volume("d")).objects(), "Volume 'd' has no source"),
    (lambda: App("w").image("a:1").add_volume(Volume("d").persistent_volume()).objects(), "claim without a size"),
    (lambda: Volume("d").empty_dir_volume().objects(), r"\(emptyDir\) is no object of its own"),
    (lambda: Volume("d").size("1Gi").host_path_volume("/x").objects(), r"\(hostPath\) has a size"),
    (lambda: Volume("d").storage_class("f").empty_dir_volume().pod_volume(), "only claims have"),
    (lambda: App("w").image("a:1").add_volume(Volume("d").empty_dir_volume().read_only()).objects(), "no mount_path"),
    (lambda: StatefulApp("db").image("p:1").storage("1Gi").add_volume(Volume("data").size("1Gi")).objects(), "two"),
]


@pytest.mark.parametrize(("make", "message"), INCOMPLETE, ids=[m for _, m in INCOMPLETE])
def test_incomplete_or_conflicting_volumes_fail_when_rendered(make: Callable[[], Any], message: str) -> None:
    with pytest.raises(PykroError, match=message):
        make()


# ------------------------------------------------------------------------------------------------ ports
@pytest.mark.parametrize(
    ("image", "number", "name"),
    [("postgres:15", 5432, "postgres"), ("mysql:8", 3306, "mysql"), ("redis:7", 6379, "redis"),
     ("mongo:7", 27017, "mongodb"), ("nginx:1", 443, "https"), ("app:1", 7000, "http")],
)  # fmt: skip
def test_unnamed_ports_are_named_after_their_service(image: str, number: int, name: str) -> None:
    pod = StatefulApp("db").image(image).port(number).objects()[0]["spec"]["template"]["spec"]
    assert pod["containers"][0]["ports"] == [{"containerPort": number, "name": name, "protocol": "TCP"}]


def test_port_names_stay_unique_and_valid() -> None:
    app = StatefulApp("db").image("postgres:15").port(5432).port(5433).port(5434).port(6379).port(6380, "redis-b")
    names = [p["name"] for p in app.objects()[0]["spec"]["template"]["spec"]["containers"][0]["ports"]]
    assert names == ["postgres", "http", "port-5434", "redis", "redis-b"]
    with pytest.raises(PykroError, match="has two ports named 'postgres'"):
        app.postgres_port(6432)
    assert len(set(names)) == len(names)
    for name in WELL_KNOWN_PORTS.values():  # every name is a valid IANA_SVC_NAME
        assert len(name) <= 15 and name == name.lower() and not name.startswith("-") and "--" not in name
        assert any(c.isalpha() for c in name)


def test_the_seed_example_names_its_port_postgres_everywhere() -> None:
    objects = StatefulApp("db").image("postgres:15").port(5432).storage("100Gi").expose().objects()
    assert at(objects, "Service", "db", "spec.ports[0].name") == "postgres"
    assert at(objects, "Service", "db-client", "spec.ports[0].targetPort") == "postgres"


# ------------------------------------------------------------------------------------------------ Service
def test_a_service_without_port_fails_at_the_line_that_made_it() -> None:
    line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
    service = Service("admin")
    app = App("web").image("nginx:1.27").port(80).add_service(service)
    with pytest.raises(PykroError, match=r"Service 'admin' has no port.*Call \.add_port") as caught:
        app.objects()
    assert caught.value.where is not None and caught.value.where.split(":")[:2] == [__file__, str(line)]


def test_a_traffic_policy_needs_an_external_service() -> None:
    with pytest.raises(PykroError, match="has an external traffic policy but is a ClusterIP Service"):
        Service("api").selector({"app": "api"}).port(80).external_traffic_policy("Local").objects()


# ------------------------------------------------------------------------------------------------ generate()
def test_resource_generator_queries(tmp_path: Path) -> None:
    generated = App("web").image("nginx").port(80).generate()
    assert isinstance(generated, ResourceGenerator)
    assert [o["kind"] for o in generated.resources] == ["Deployment", "Service"]
    assert [o["kind"] for o in generated.get_resources_by_kind("Service")] == ["Service"]
    assert [o["kind"] for o in generated.get_resources_by_api_version("apps/v1")] == ["Deployment"]
    assert generated.preview().count("---\n") == 2 and "kind: Service" in generated.preview()
    assert any("is not pinned" in str(f) for f in generated.validate())
    assert str(generated.cost_estimate()).startswith("$")
    assert isinstance(generated.security_scan(), list)
    paths = generated.to_all_formats(tmp_path, ["yaml", "docker-compose"])
    assert tmp_path / "k8s" / "deployment-web.yaml" in paths and (tmp_path / "docker-compose.yml").exists()
    with pytest.raises(PykroError, match="has no format 'terraform' \\(pykro writes no Terraform\\)"):
        generated.to_all_formats(tmp_path, ["terraform"])


def test_workload_validate_and_security_scan_answer_the_reference_questions() -> None:
    loose = App("web").image("nginx").port(80)
    report = loose.validate()
    assert report.is_valid and report.errors == []  # warnings only: the objects are valid
    assert {f.message for f in report} >= {"'nginx' is not pinned", "no readiness probe"}
    scan = loose.security_scan()
    assert scan.has_vulnerabilities and any("root" in f.message for f in scan.vulnerabilities)
    strict = App("web").image("nginx:1.27").add_security_policy(SecurityPolicy("s").restricted_policy())
    assert len(strict.security_scan().vulnerabilities) < len(scan.vulnerabilities)


def test_rbac_in_one_call() -> None:
    sa = ServiceAccount("api-sa")
    reader = Role("reader").allow_get("pods")
    monitor = ClusterRole("monitor").allow_node_access()
    app = App("api").image("api:1").namespace("shop")
    app.rbac(sa, [reader, monitor], [RoleBinding("rb", reader, sa), ClusterRoleBinding("crb", monitor, sa)])
    with pytest.raises(PykroError, match="ServiceAccount 'api-sa' needs a namespace"):
        app.objects()  # a cluster binding names the account's namespace
    app = App("api").image("api:1").namespace("shop")
    app.rbac(
        sa,
        [reader, monitor],
        [RoleBinding("rb", reader, sa), ClusterRoleBinding("crb", monitor).bind_service_account(sa, "shop")],
    )
    made = {(o["kind"], o["metadata"]["name"]): o["metadata"].get("namespace") for o in app.objects()}
    assert made == {
        ("ServiceAccount", "api-sa"): "shop",
        ("Role", "reader"): "shop",
        ("ClusterRole", "monitor"): None,
        ("RoleBinding", "rb"): "shop",
        ("ClusterRoleBinding", "crb"): None,
        ("Deployment", "api"): "shop",
    }
    bound = App("b").image("b:1").rbac(ServiceAccount("s"), [Role("r").allow_get("pods")]).objects()
    assert at(bound, "RoleBinding", "b-r", "subjects") == [{"kind": "ServiceAccount", "name": "s"}]
    with pytest.raises(PykroError, match=r"rbac\(bindings=...\) takes a pykro.builders.RoleBinding"):
        App("c").rbac(bindings=["admin"])


# ------------------------------------------------------------------------------------------------ cost presets
def test_optimization_strategies_choose_the_checks() -> None:
    app = App("web").image("nginx:1.27").replicas(3)

    def found(strategy: OptimizationStrategy) -> set[str]:
        return {f.message for f in CostOptimization("c").set_strategy(strategy).analyze(app)}

    conservative, balanced, aggressive = (found(s) for s in list(OptimizationStrategy)[2::-1])
    assert conservative == {"no requests: the scheduler cannot pack it"}
    assert balanced == conservative | {"fixed at 3: consider Scaling"}
    assert aggressive == balanced | {"spot nodes fit it (several replicas)"}
    custom = CostOptimization("c").storage_optimization().set_strategy(OptimizationStrategy.CUSTOM)
    assert custom.analyze(app) == []  # CUSTOM keeps the checks switched on: here only storage, which finds nothing
    with pytest.raises(PykroError, match="takes an OptimizationStrategy"):
        CostOptimization("c").set_strategy("frugal")


def test_security_policy_presets() -> None:
    def context(policy: SecurityPolicy) -> Any:
        return App("w").image("a:1").add_security_policy(policy).objects()[0]["spec"]["template"]["spec"]

    assert context(SecurityPolicy("a").restricted_policy()) == context(
        SecurityPolicy("b").pod_security_standard("restricted")
    )
    assert context(SecurityPolicy("a").baseline_policy()) == context(
        SecurityPolicy("b").pod_security_standard("baseline")
    )
    assert context(SecurityPolicy("a").baseline_policy()) != context(SecurityPolicy("a").restricted_policy())


# ------------------------------------------------------------------------------------------------ decorators
class LocalApp(App):
    @docker_compose_only
    def port_mapping(self, host_port: int, container_port: int) -> LocalApp:
        return self.env("HOST_PORT", str(host_port)).port(container_port)

    @kubernetes_only
    def spread(self) -> LocalApp:
        return self.node_selector({"zone": "a"})

    @output_formats("helm")
    def chart_only(self) -> LocalApp:
        return self.add_label("chart", "yes")


def test_format_restricted_methods_stop_the_other_outputs(tmp_path: Path) -> None:
    line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
    compose_app = LocalApp("web").image("nginx:1.27").port_mapping(8080, 80)
    DockerComposeOutput().generate(compose_app, tmp_path / "compose.yml")  # its own format: written
    with pytest.raises(PykroError, match=r"calls port_mapping\(\), which is only for docker-compose") as caught:
        KubernetesOutput().generate(compose_app, tmp_path / "k8s")
    assert caught.value.where is not None and caught.value.where.split(":")[:2] == [__file__, str(line)]
    with pytest.raises(PykroError, match="the kubernetes output would leave it out"):
        compose_app.generate().to_yaml(tmp_path / "k8s")
    k8s_app = LocalApp("api").image("api:1").spread()
    KubernetesOutput().generate(k8s_app, tmp_path / "k8s")
    HelmOutput("api").generate(k8s_app, tmp_path / "chart")
    with pytest.raises(PykroError, match="the docker-compose output would leave it out"):
        DockerComposeOutput().generate(AppGroup("g").add_service(k8s_app), tmp_path / "c.yml")  # in a group too
    with pytest.raises(PykroError, match="only for helm"):
        KubernetesOutput().generate(LocalApp("c").image("c:1").chart_only(), tmp_path / "k8s2")
    with pytest.raises(PykroError, match="output_formats\\(\\) takes output format names, got 'pdf'"):
        output_formats("pdf")


# ------------------------------------------------------------------------------------------------ in a cluster
class FilesSpec(Spec):
    size: str = "2Gi"


class FilesStatus(Status):
    ready: bool


@composition(api_version="example.com/v1alpha1", kind="FileServer")
def file_server(spec: FilesSpec) -> FilesStatus:
    refs = (
        App("files")
        .image("nginx:1.27")
        .port(80)
        .add_volume(Volume("content").size(spec.size).mount_path("/usr/share/nginx/html").read_only())
        .add_volume(Volume("cache").empty_dir_volume().mount_path("/var/cache/nginx"))
    ).to_resources()
    return FilesStatus(ready=refs.of("Deployment", "files").status.readyReplicas >= 1)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(bookmark_interval=0.5) as c:
        yield c


def test_volumes_in_a_composition_deploy(cluster: LocalCluster) -> None:
    assert "storage: ${schema.spec.size}" in file_server.to_rgd_yaml()
    factory = file_server.factory("direct", namespace="files", kubeconfig=cluster.kubeconfig_path)
    instance: Any = factory.deploy(FilesSpec(size="3Gi"), name="files")
    assert instance.ready and instance.status.ready is True

    async def collect(api: Any) -> list[dict[str, Any]]:
        return [o for _, o in cluster.engine.store.all_objects() if o["metadata"].get("namespace") == "files"]

    live = {(o["kind"], o["metadata"]["name"]): o for o in cluster.run(collect)}
    assert live[("PersistentVolumeClaim", "content")]["spec"]["resources"]["requests"]["storage"] == "3Gi"
    pod = live[("Deployment", "files")]["spec"]["template"]["spec"]
    assert pod["volumes"] == [
        {"name": "content", "persistentVolumeClaim": {"claimName": "content"}},
        {"name": "cache", "emptyDir": {}},
    ]
    assert pod["containers"][0]["volumeMounts"][0] == {
        "name": "content",
        "mountPath": "/usr/share/nginx/html",
        "readOnly": True,
    }
    factory.delete(instance.name)
