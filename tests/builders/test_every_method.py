"""Every builder method changes the output: each implemented method (enumerated with inspect, so a new one without
a case here fails) is called on a builder and the rendered objects differ from the builder's without the call, at
the path the method is about; every documented method pykro cannot honour raises "not supported" instead."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pykro.builders import (
    App,
    AppGroup,
    Companion,
    ConfigMap,
    CostOptimization,
    CronJob,
    Health,
    Ingress,
    Job,
    KubernetesOutput,
    Lifecycle,
    NetworkPolicy,
    Observability,
    Role,
    RoleBinding,
    Secret,
    SecurityPolicy,
    Service,
    ServiceAccount,
    StatefulApp,
    Storage,
    Validator,
    Volume,
)
from pykro.builders._base import Builder, Generated
from pykro.errors import PykroError
from pykro.schema._kubernetes import validate_object

CLASSES: list[type[Builder]] = [App, StatefulApp, Job, CronJob, Secret, ConfigMap, Service, Ingress, AppGroup]
QUERIES = {"generate", "get_service"}  # methods that return something else than the builder
Make = Callable[[], tuple[Any, Any]]  # -> (the builder whose objects are compared, the builder the call is made on)
Call = Callable[[Any, Path], Any]


def base(cls: type[Builder]) -> Builder:
    """The smallest valid builder of each class."""
    return {
        App: lambda: App("web").image("nginx:1.27"),
        StatefulApp: lambda: StatefulApp("db").image("postgres:15"),
        Job: lambda: Job("migrate").image("app:1"),
        CronJob: lambda: CronJob("report").image("app:1").schedule("0 2 * * *"),
        Secret: lambda: Secret("creds").add("user", "admin"),
        ConfigMap: lambda: ConfigMap("cfg").add("a", "1"),
        Service: lambda: Service("api").selector({"app": "api"}).add_port("http", 80, 8080),
        Ingress: lambda: Ingress("edge").route("/", "web", 80),
        AppGroup: lambda: AppGroup("shop").add_service(App("web").image("nginx:1.27").port(80)),
    }[cls]()


MAIN: dict[type[Builder], str] = {App: "Deployment", StatefulApp: "StatefulSet", Job: "Job", CronJob: "CronJob"}
POD = {
    App: "spec.template.spec",
    StatefulApp: "spec.template.spec",
    Job: "spec.template.spec",
    CronJob: "spec.jobTemplate.spec.template.spec",
}
JOB = {Job: "spec", CronJob: "spec.jobTemplate.spec"}


def main_object(cls: type[Builder]) -> tuple[str, str]:
    name = {
        App: "web",
        StatefulApp: "db",
        Job: "migrate",
        CronJob: "report",
        Secret: "creds",
        ConfigMap: "cfg",
        Service: "api",
        Ingress: "edge",
    }
    kinds = {**MAIN, Secret: "Secret", ConfigMap: "ConfigMap", Service: "Service", Ingress: "Ingress"}  # type: ignore[misc]
    if cls is AppGroup:
        return "Deployment", "web"
    return kinds[cls], name[cls]


# (call, kind or None for the class's main object, name or None, path); "{pod}", "{c}", "{job}" are expanded.
Case = tuple[Call, str | None, str | None, str]
C = "{pod}.containers[0]"

META: dict[str, Case] = {
    "namespace": (lambda b, d: b.namespace("prod"), None, None, "metadata.namespace"),
    "add_label": (lambda b, d: b.add_label("team", "data"), None, None, "metadata.labels"),
    "add_labels": (lambda b, d: b.add_labels({"team": "data"}), None, None, "metadata.labels"),
    "add_annotation": (lambda b, d: b.add_annotation("owner", "me"), None, None, "metadata.annotations"),
    "add_annotations": (lambda b, d: b.add_annotations({"owner": "me"}), None, None, "metadata.annotations"),
}

WORKLOAD: dict[str, Case] = {
    "image": (lambda b, d: b.image("nginx:1.28"), None, None, f"{C}.image"),
    "command": (lambda b, d: b.command(["run"]), None, None, f"{C}.command"),
    "args": (lambda b, d: b.args(["--fast"]), None, None, f"{C}.args"),
    "port": (lambda b, d: b.port(8080, "web"), None, None, f"{C}.ports"),
    "add_port": (lambda b, d: b.add_port(8080), None, None, f"{C}.ports"),
    "ports": (lambda b, d: b.ports([{"port": 8080, "name": "web"}]), None, None, f"{C}.ports"),
    "http_port": (lambda b, d: b.http_port(), None, None, f"{C}.ports"),
    "https_port": (lambda b, d: b.https_port(), None, None, f"{C}.ports"),
    "metrics_port": (lambda b, d: b.metrics_port(), None, None, f"{C}.ports"),
    "health_port": (lambda b, d: b.health_port(), None, None, f"{C}.ports"),
    "admin_port": (lambda b, d: b.admin_port(), None, None, f"{C}.ports"),
    "grpc_port": (lambda b, d: b.grpc_port(), None, None, f"{C}.ports"),
    "debug_port": (lambda b, d: b.debug_port(), None, None, f"{C}.ports"),
    "web_port": (lambda b, d: b.web_port(), None, None, f"{C}.ports"),
    "status_port": (lambda b, d: b.status_port(), None, None, f"{C}.ports"),
    "common_ports": (lambda b, d: b.common_ports(), None, None, f"{C}.ports"),
    "env": (lambda b, d: b.env("MODE", "fast"), None, None, f"{C}.env"),
    "environment": (lambda b, d: b.environment({"MODE": "fast"}), None, None, f"{C}.env"),
    "env_from_secret": (lambda b, d: b.env_from_secret("keys"), None, None, f"{C}.envFrom"),
    "env_from_config_map": (lambda b, d: b.env_from_config_map("flags", optional=True), None, None, f"{C}.envFrom"),
    "resources": (lambda b, d: b.resources(cpu="500m", memory_limit="1Gi"), None, None, f"{C}.resources"),
    "health_check": (lambda b, d: b.health_check("/health", port=8080), None, None, f"{C}.livenessProbe"),
    "liveness_probe": (lambda b, d: b.liveness_probe("/live", port=8080), None, None, f"{C}.livenessProbe"),
    "readiness_probe": (lambda b, d: b.readiness_probe("/ready", port=8080), None, None, f"{C}.readinessProbe"),
    "startup_probe": (lambda b, d: b.startup_probe("/start", port=8080), None, None, f"{C}.startupProbe"),
    "node_selector": (lambda b, d: b.node_selector({"disk": "ssd"}), None, None, "{pod}.nodeSelector"),
    "tolerations": (
        lambda b, d: b.tolerations([{"key": "db", "operator": "Exists", "effect": "NoSchedule"}]),
        None,
        None,
        "{pod}.tolerations",
    ),
    "toleration": (lambda b, d: b.toleration("dedicated", value="db"), None, None, "{pod}.tolerations"),
    "affinity": (
        lambda b, d: b.affinity({"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}),
        None,
        None,
        "{pod}.affinity",
    ),
    "security_context": (lambda b, d: b.security_context({"runAsNonRoot": True}), None, None, f"{C}.securityContext"),
    "add_secret": (lambda b, d: b.add_secret(Secret("keys").add("k", "v")), None, None, f"{C}.envFrom"),
    "add_secrets": (lambda b, d: b.add_secrets([Secret("keys").add("k", "v")]), None, None, f"{C}.envFrom"),
    "add_config": (lambda b, d: b.add_config(ConfigMap("flags").add("k", "v")), None, None, f"{C}.envFrom"),
    "add_configs": (lambda b, d: b.add_configs([ConfigMap("flags").add("k", "v")]), None, None, f"{C}.envFrom"),
    "add_service_account": (lambda b, d: b.add_service_account("runner"), None, None, "{pod}.serviceAccountName"),
    "add_role": (
        lambda b, d: b.add_service_account(ServiceAccount("runner")).add_role(Role("reader").allow_get("pods")),
        "RoleBinding",
        "{name}-reader",
        "subjects",
    ),
    "add_network_policy": (
        lambda b, d: b.add_network_policy(NetworkPolicy("only-api").allow_pods_with_label("app", "api")),
        "NetworkPolicy",
        "only-api",
        "spec.podSelector.matchLabels.app",
    ),
    "add_security_policy": (
        lambda b, d: b.add_security_policy(SecurityPolicy("strict").pod_security_standard("restricted")),
        None,
        None,
        "{pod}.securityContext.runAsNonRoot",
    ),
    "add_observability": (
        lambda b, d: b.add_observability(Observability("o").enable_metrics(9100, "/m")),
        None,
        None,
        "{template}.metadata.annotations",
    ),
    "health": (lambda b, d: b.health(Health().startup_probe("/s", port=8080)), None, None, f"{C}.startupProbe"),
    "add_companion": (
        lambda b, d: b.add_companion(Companion("log").image("fluent-bit:3").mount_shared_volume("/var/log")),
        None,
        None,
        "{pod}.containers[1].volumeMounts",
    ),
    "add_companions": (
        lambda b, d: b.add_companions([Companion("db-migrate").image("m:1").type("init").command(["migrate"])]),
        None,
        None,
        "{pod}.initContainers[0].command",
    ),
    "add_lifecycle": (
        lambda b, d: b.add_lifecycle(Lifecycle().pre_stop_http("/shutdown", 8080).termination_grace_period(45)),
        None,
        None,
        f"{C}.lifecycle.preStop.httpGet",
    ),
    "pre_stop_command": (lambda b, d: b.pre_stop_command(["sleep", "5"]), None, None, f"{C}.lifecycle.preStop"),
    "lifecycle": (
        lambda b, d: b.lifecycle(Lifecycle().pre_stop(["sleep", "5"])),
        None,
        None,
        f"{C}.lifecycle.preStop.exec.command",
    ),
    "rbac": (
        lambda b, d: b.rbac(
            service_account=ServiceAccount("runner"),
            roles=[Role("reader").allow_get("pods")],
            bindings=[RoleBinding("read-pods", Role("reader"), ServiceAccount("runner"))],
        ),
        "RoleBinding",
        "read-pods",
        "roleRef.name",
    ),
    "post_start_command": (lambda b, d: b.post_start_command(["warm"]), None, None, f"{C}.lifecycle.postStart"),
    "add_volume": (lambda b, d: b.add_volume("scratch", {"emptyDir": {}}), None, None, "{pod}.volumes"),
    "mount_volume": (
        lambda b, d: b.add_volume("scratch", {"emptyDir": {}}).mount_volume("scratch", "/x", read_only=True),
        None,
        None,
        f"{C}.volumeMounts",
    ),
    "add_volumes": (
        lambda b, d: b.add_volumes([Volume("cache").empty_dir_volume().mount_path("/cache")]),
        None,
        None,
        f"{C}.volumeMounts",
    ),
    "add_storage": (
        lambda b, d: b.add_storage(Storage("files").type("shared").size("5Gi").mount_path("/files")),
        "PersistentVolumeClaim",
        "files",
        "spec.accessModes",
    ),
    **META,
}

EXPOSED: dict[str, Case] = {
    "replicas": (lambda b, d: b.replicas(3), None, None, "spec.replicas"),
    "enable_metrics": (lambda b, d: b.enable_metrics(), None, None, "spec.template.metadata.annotations"),
}

CASES: dict[type[Builder], dict[str, Case]] = {
    App: {
        **WORKLOAD,
        **EXPOSED,
        "expose": (lambda b, d: b.port(80).expose(external=True), "Service", "web", "spec.type"),
        "add_service": (
            lambda b, d: b.add_service(Service("web-admin").add_port("admin", 9000)),
            "Service",
            "web-admin",
            "spec.selector",
        ),
        "scale": (lambda b, d: b.scale(2, 5), "HorizontalPodAutoscaler", "web", "spec.maxReplicas"),
        "deployment_strategy": (lambda b, d: b.deployment_strategy("recreate"), None, None, "spec.strategy"),
        "rolling_update": (lambda b, d: b.rolling_update(max_surge="50%"), None, None, "spec.strategy"),
        "add_ingress": (
            lambda b, d: b.add_ingress(Ingress("web-in").route("/", "web")),
            "Ingress",
            "web-in",
            "spec.rules",
        ),
    },
    StatefulApp: {
        **WORKLOAD,
        **EXPOSED,
        "expose": (lambda b, d: b.port(5432).expose(external=True), "Service", "db-client", "spec.type"),
        "add_service": (
            lambda b, d: b.add_service(Service("db-admin").add_port("admin", 9000)),
            "Service",
            "db-admin",
            "spec.selector",
        ),
        "storage": (lambda b, d: b.storage("10Gi"), None, None, "spec.volumeClaimTemplates"),
        "mount_path": (
            lambda b, d: b.storage("1Gi").mount_path("/var/lib/db"),
            None,
            None,
            "spec.template.spec.containers[0].volumeMounts",
        ),
        "storage_class": (
            lambda b, d: b.storage("1Gi").storage_class("fast-ssd"),
            None,
            None,
            "spec.volumeClaimTemplates[0].spec.storageClassName",
        ),
        "postgres_port": (lambda b, d: b.postgres_port(), None, None, f"{C}.ports"),
        "mysql_port": (lambda b, d: b.mysql_port(), None, None, f"{C}.ports"),
        "mongodb_port": (lambda b, d: b.mongodb_port(), None, None, f"{C}.ports"),
        "redis_port": (lambda b, d: b.redis_port(), None, None, f"{C}.ports"),
        "kafka_port": (lambda b, d: b.kafka_port(), None, None, f"{C}.ports"),
        "elasticsearch_port": (lambda b, d: b.elasticsearch_port(), None, None, f"{C}.ports"),
        "postgres_config": (lambda b, d: b.postgres_config({"max_connections": "200"}), None, None, f"{C}.args"),
        "mysql_config": (lambda b, d: b.mysql_config({"max_connections": "200"}), None, None, f"{C}.args"),
        "redis_config": (lambda b, d: b.redis_config({"maxmemory": "2gb"}), None, None, f"{C}.args"),
        "kafka_config": (lambda b, d: b.kafka_config({"num.partitions": "3"}), None, None, f"{C}.env"),
        "deployment_strategy": (lambda b, d: b.deployment_strategy("on-delete"), None, None, "spec.updateStrategy"),
        "rolling_update": (lambda b, d: b.rolling_update(partition=1), None, None, "spec.updateStrategy"),
        "on_delete_strategy": (lambda b, d: b.on_delete_strategy(), None, None, "spec.updateStrategy"),
        "backup_schedule": (
            lambda b, d: b.storage("1Gi").backup_schedule("0 2 * * *"),
            "CronJob",
            "db-backup",
            "spec.schedule",
        ),
        "backup_command": (
            lambda b, d: b.storage("1Gi").backup_schedule("@daily").backup_command(["backup"]),
            "CronJob",
            "db-backup",
            "spec.jobTemplate.spec.template.spec.containers[0].command",
        ),
        "backup_retention": (
            lambda b, d: b.storage("1Gi").backup_schedule("@daily").backup_retention(7),
            "CronJob",
            "db-backup",
            "spec.jobTemplate.spec.template.spec.containers[0].command",
        ),
        "backup_location": (
            lambda b, d: b.storage("1Gi").backup_schedule("@daily").backup_location("shared-backups"),
            "CronJob",
            "db-backup",
            "spec.jobTemplate.spec.template.spec.volumes",
        ),
        "cluster_mode": (
            lambda b, d: b.image("valkey/valkey:8.1").storage("1Gi").replicas(3).cluster_mode(True),
            None,
            None,
            f"{C}.args",
        ),
        "quorum_size": (
            lambda b, d: b.image("quay.io/coreos/etcd:v3.5.17").storage("1Gi").replicas(3).quorum_size(3),
            None,
            None,
            f"{C}.env",
        ),
        "replication_factor": (
            lambda b, d: b.image("apache/kafka:3.9.0").replicas(3).replication_factor(3),
            None,
            None,
            f"{C}.env",
        ),
    },
    Job: {
        **WORKLOAD,
        "parallelism": (lambda b, d: b.parallelism(2), None, None, "{job}.parallelism"),
        "completions": (lambda b, d: b.completions(3), None, None, "{job}.completions"),
        "retry_limit": (lambda b, d: b.retry_limit(2), None, None, "{job}.backoffLimit"),
        "timeout": (lambda b, d: b.timeout("1h30m"), None, None, "{job}.activeDeadlineSeconds"),
        "restart_policy": (lambda b, d: b.restart_policy("OnFailure"), None, None, "{pod}.restartPolicy"),
    },
    Secret: {
        **META,
        "add": (lambda b, d: b.add("password", "s3cret"), None, None, "data"),
        "add_binary": (lambda b, d: b.add_binary("blob", b"\x00\x01"), None, None, "data"),
        "from_file": (lambda b, d: b.from_file("cert", d / "cert.pem"), None, None, "data"),
        "from_env_file": (lambda b, d: b.from_env_file(d / "app.env", prefix="APP_"), None, None, "data"),
        "type": (lambda b, d: b.add("username", "admin").type("basic-auth"), None, None, "type"),
    },
    ConfigMap: {
        **META,
        "add": (lambda b, d: b.add("b", 2), None, None, "data"),
        "add_data": (lambda b, d: b.add_data("nginx.conf", "events {}"), None, None, "data"),
        "add_json": (lambda b, d: b.add_json("s.json", {"x": 1}), None, None, "data"),
        "add_yaml": (lambda b, d: b.add_yaml("s.yaml", {"x": 1}), None, None, "data"),
        "add_properties": (lambda b, d: b.add_properties("s.properties", {"x": "1"}), None, None, "data"),
        "add_ini": (lambda b, d: b.add_ini("s.ini", {"main": {"x": "1"}}), None, None, "data"),
        "add_toml": (lambda b, d: b.add_toml("s.toml", {"x": 1, "t": {"y": True}}), None, None, "data"),
        "from_file": (lambda b, d: b.from_file("cert", d / "cert.pem"), None, None, "data"),
        "from_directory": (lambda b, d: b.from_directory(d, "*.pem"), None, None, "data"),
        "from_env_file": (lambda b, d: b.from_env_file(d / "app.env"), None, None, "data"),
    },
    Service: {
        **META,
        "type": (lambda b, d: b.type("NodePort"), None, None, "spec.type"),
        "add_port": (lambda b, d: b.add_port("metrics", 9090), None, None, "spec.ports"),
        "selector": (lambda b, d: b.selector({"app": "other"}), None, None, "spec.selector"),
        "external_name": (lambda b, d: b.external_name("db.example.com"), None, None, "spec.externalName"),
        "port": (lambda b, d: b.port(5432), None, None, "spec.ports"),
        "target_port": (lambda b, d: b.target_port(9090), None, None, "spec.ports[0].targetPort"),
        "external_traffic_policy": (
            lambda b, d: b.type("LoadBalancer").external_traffic_policy("Local"),
            None,
            None,
            "spec.externalTrafficPolicy",
        ),
    },
    Ingress: {
        **META,
        "route": (lambda b, d: b.route("/api", "api", 8080), None, None, "spec.rules"),
        "add_route": (lambda b, d: b.add_route("/api", "api", 8080), None, None, "spec.rules"),
        "routes": (lambda b, d: b.routes([{"path": "/api", "service": "api"}]), None, None, "spec.rules"),
        "exact_path": (lambda b, d: b.exact_path("/v1", "api"), None, None, "spec.rules"),
        "prefix_path": (lambda b, d: b.prefix_path("/v2", "api"), None, None, "spec.rules"),
        "path_type": (lambda b, d: b.path_type("Exact"), None, None, "spec.rules"),
        "host": (lambda b, d: b.host("shop.example.com"), None, None, "spec.rules"),
        "hosts": (lambda b, d: b.hosts(["a.example.com", "b.example.com"]), None, None, "spec.rules"),
        "tls": (lambda b, d: b.tls("shop.example.com", "shop-tls"), None, None, "spec.tls"),
        "tls_multiple": (lambda b, d: b.tls_multiple(["a.example.com"], "a-tls"), None, None, "spec.tls"),
        "ingress_class": (lambda b, d: b.ingress_class("nginx"), None, None, "spec.ingressClassName"),
        "default_backend": (lambda b, d: b.default_backend("web", 80), None, None, "spec.defaultBackend"),
        "annotation": (lambda b, d: b.annotation("a.io/x", "1"), None, None, "metadata.annotations"),
        "annotations": (lambda b, d: b.annotations({"a.io/x": "1"}), None, None, "metadata.annotations"),
    },
    AppGroup: {
        **META,
        "add_service": (lambda b, d: b.add_service(App("api").image("api:1")), "Deployment", "api", "spec.replicas"),
        "add_services": (lambda b, d: b.add_services([Job("seed").image("seed:1")]), "Job", "seed", "spec.template"),
        "remove_service": (lambda b, d: b.remove_service("web"), None, None, "spec.replicas"),
        "add_shared_secret": (
            lambda b, d: b.add_shared_secret(Secret("shared").add("k", "v")),
            None,
            None,
            "spec.template.spec.containers[0].envFrom",
        ),
        "add_shared_config": (
            lambda b, d: b.add_shared_config(ConfigMap("shared").add("k", "v")),
            None,
            None,
            "spec.template.spec.containers[0].envFrom",
        ),
        "configure_namespace": (
            lambda b, d: b.configure_namespace(namespace_labels={"env": "prod"}),
            "Namespace",
            "shop",
            "metadata.labels",
        ),
        "configure_networking": (
            lambda b, d: b.configure_networking(deny_external_access_except=["web"]),
            "NetworkPolicy",
            "shop-allow-web",
            "spec.ingress",
        ),
        "configure_security": (
            lambda b, d: b.configure_security(security_context={"runAsNonRoot": True}),
            None,
            None,
            "spec.template.spec.securityContext",
        ),
        "set_resource_quotas": (
            lambda b, d: b.set_resource_quotas(cpu_limit="10", pod_limit=50),
            "ResourceQuota",
            "shop-quota",
            "spec.hard",
        ),
    },
}
CASES[CronJob] = {
    **{k: v for k, v in CASES[Job].items()},
    "schedule": (lambda b, d: b.schedule("*/5 * * * *"), None, None, "spec.schedule"),
    "daily": (lambda b, d: b.daily(hour=3, minute=30), None, None, "spec.schedule"),
    "weekly": (lambda b, d: b.weekly(day_of_week=1, hour=9), None, None, "spec.schedule"),
    "monthly": (lambda b, d: b.monthly(day=15), None, None, "spec.schedule"),
    "every_minutes": (lambda b, d: b.every_minutes(5), None, None, "spec.schedule"),
    "every_hours": (lambda b, d: b.every_hours(6), None, None, "spec.schedule"),
    "concurrency_policy": (lambda b, d: b.concurrency_policy("forbid"), None, None, "spec.concurrencyPolicy"),
    "suspend": (lambda b, d: b.suspend(), None, None, "spec.suspend"),
    "history_limits": (lambda b, d: b.history_limits(5, 2), None, None, "spec.successfulJobsHistoryLimit"),
    "retention_limit": (lambda b, d: b.retention_limit(7), None, None, "spec.successfulJobsHistoryLimit"),
    "concurrent_policy": (lambda b, d: b.concurrent_policy("Forbid"), None, None, "spec.concurrencyPolicy"),
    "starting_deadline": (lambda b, d: b.starting_deadline(60), None, None, "spec.startingDeadlineSeconds"),
    "timezone": (lambda b, d: b.timezone("Europe/Berlin"), None, None, "spec.timeZone"),
}

# Methods of a Secret/ConfigMap that act on the workloads using it: compared on an App that adds it.
ATTACHED: dict[tuple[type[Builder], str], tuple[Call, str]] = {
    (Secret, "mount_path"): (lambda b, d: b.mount_path("/etc/creds"), "spec.template.spec.volumes"),
    (Secret, "mount_as_env_vars"): (
        lambda b, d: b.mount_as_env_vars("DB_"),
        "spec.template.spec.containers[0].envFrom",
    ),
    (ConfigMap, "mount_path"): (lambda b, d: b.mount_path("/etc/cfg"), "spec.template.spec.volumes"),
    (ConfigMap, "mount_as_env_vars"): (
        lambda b, d: b.mount_as_env_vars("CFG_"),
        "spec.template.spec.containers[0].envFrom",
    ),
    (ConfigMap, "file_permissions"): (
        lambda b, d: b.mount_path("/etc/cfg").file_permissions(0o600),
        "spec.template.spec.volumes[0].configMap",
    ),
}


def implemented(cls: type[Any]) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and getattr(member, "__pykro_builder__", False) and name not in QUERIES
    }


def unsupported_methods(cls: type[Any]) -> set[str]:
    return {name for name, member in inspect.getmembers(cls) if getattr(member, "__pykro_unsupported__", False)}


def at(objects: list[dict[str, Any]], kind: str, name: str, path: str) -> Any:
    """The value at ``path`` (``a.b[0].c``) of the object of ``kind``/``name``; None when absent."""
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    if not found:
        return None
    value: Any = found[0]
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            value = value[index] if isinstance(value, list) and index < len(value) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("inputs")
    (directory / "cert.pem").write_text("-----BEGIN CERTIFICATE-----\nAAAA\n", encoding="utf-8")
    (directory / "app.env").write_text("# comment\nLOG_LEVEL=debug\nexport NAME='shop'\n", encoding="utf-8")
    return directory


# Methods that attach a check: the objects are the same when it passes; when it finds something, making them stops
# at the line of the call, listing the findings. (prepare, the check, the check failing on the base builder, message)
GATES: dict[str, tuple[Call, Call, Call, str]] = {
    "add_validator": (
        lambda b, d: b,
        lambda b, d: b.add_validator(Validator("v"), fail_on="error"),
        lambda b, d: b.add_validator(Validator("v")),  # the base builders set no requests or probes
        r"add_validator\('v'\) found \d+ problem\(s\): warning: .* no resource requests",
    ),
    "add_cost_optimizer": (
        lambda b, d: b.resources(cpu="100m", memory="64Mi"),
        lambda b, d: b.add_cost_optimizer(CostOptimization("c").resource_optimization()),
        lambda b, d: b.add_cost_optimizer(CostOptimization("c").resource_optimization()),
        r"add_cost_optimizer\('c'\) found 1 problem\(s\): warning: .* no requests",
    ),
}
GATED = [App, StatefulApp, Job, CronJob]


def test_every_implemented_method_has_a_case() -> None:
    for cls in CLASSES:
        covered = set(CASES[cls]) | {m for c, m in ATTACHED if c is cls} | (set(GATES) if cls in GATED else set())
        assert implemented(cls) == covered, (cls.__name__, implemented(cls) ^ covered)


PARAMS = [(cls, name) for cls in CLASSES for name in sorted(CASES[cls])]


@pytest.mark.parametrize(("cls", "method"), PARAMS, ids=[f"{c.__name__}.{m}" for c, m in PARAMS])
def test_the_call_changes_the_output_at_its_path(cls: type[Builder], method: str, files: Path) -> None:
    call, kind, name, path = CASES[cls][method]
    main_kind, main_name = main_object(cls)
    kind, name = kind or main_kind, name or main_name
    pod = POD.get(cls, "spec.template.spec")  # type: ignore[arg-type]
    path = path.format(pod=pod, job=JOB.get(cls, "spec"), template=pod.rsplit(".", 1)[0])  # type: ignore[arg-type]
    name = name.format(name=main_name)
    before = base(cls).objects()
    builder = base(cls)
    assert call(builder, files) is builder  # chaining returns the builder
    after = builder.objects()
    assert at(after, kind, name, path) != at(before, kind, name, path), (kind, name, path)
    assert at(after, kind, name, path) is not None or method == "remove_service"
    for obj in after:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))


@pytest.mark.parametrize(("cls", "method"), list(ATTACHED), ids=[f"{c.__name__}.{m}" for c, m in ATTACHED])
def test_attached_object_methods_change_the_workload(cls: type[Builder], method: str, files: Path) -> None:
    call, path = ATTACHED[(cls, method)]

    def render(apply: bool) -> list[dict[str, Any]]:
        target = base(cls)
        if apply:
            call(target, files)
        app = App("web").image("nginx:1.27")
        (app.add_secret if cls is Secret else app.add_config)(target)  # type: ignore[arg-type]
        return app.objects()

    assert at(render(True), "Deployment", "web", path) != at(render(False), "Deployment", "web", path)
    assert at(render(True), "Deployment", "web", path) is not None


GATE_PARAMS = [(cls, name) for cls in GATED for name in GATES]


@pytest.mark.parametrize(("cls", "method"), GATE_PARAMS, ids=[f"{c.__name__}.{m}" for c, m in GATE_PARAMS])
def test_checks_keep_passing_objects_and_stop_the_others_at_the_call(cls: type[Builder], method: str) -> None:
    prepare, check, failing, message = GATES[method]
    unchecked = prepare(base(cls), Path()).objects()
    builder = prepare(base(cls), Path())
    assert check(builder, Path()) is builder
    assert builder.objects() == unchecked
    line = inspect.getsourcelines(failing)[1]
    builder = failing(base(cls), Path())
    with pytest.raises(PykroError, match=message) as caught:
        builder.objects()
    assert caught.value.where is not None and caught.value.where.split(":")[:2] == [__file__, str(line)]


UNSUPPORTED = [
    (cls, name) for cls in [*CLASSES, Generated, KubernetesOutput] for name in sorted(unsupported_methods(cls))
]


@pytest.mark.parametrize(("cls", "method"), UNSUPPORTED, ids=[f"{c.__name__}.{m}" for c, m in UNSUPPORTED])
def test_unsupported_methods_say_so(cls: type[Any], method: str) -> None:
    target = Generated(base(App)) if cls is Generated else KubernetesOutput() if cls is KubernetesOutput else base(cls)
    with pytest.raises(PykroError, match=rf"{method}\(\) is not supported: .*\. Use "):
        getattr(target, method)("anything", key="value")


def test_documented_methods_are_all_there() -> None:
    """Celestra's documented methods of these classes exist (implemented or saying they are not supported)."""
    documented = {
        App: "image build from_dockerfile command args port add_port ports http_port https_port metrics_port "
        "health_port admin_port grpc_port debug_port common_ports environment env env_from_secret "
        "env_from_config_map resources replicas scale depends_on connect_to add_companion add_companions add_secret "
        "add_secrets add_config add_configs health_check liveness_probe readiness_probe startup_probe "
        "add_service_account add_role add_network_policy add_security_policy deployment_strategy rolling_update "
        "blue_green_deployment canary_deployment expose add_service add_ingress add_observability enable_metrics "
        "enable_logging enable_tracing namespace add_label add_labels add_annotation add_annotations node_selector "
        "tolerations affinity add_lifecycle pre_stop_command post_start_command add_validator add_cost_optimizer "
        "generate",
        StatefulApp: "image build from_dockerfile command args port add_port ports postgres_port mysql_port "
        "mongodb_port redis_port kafka_port elasticsearch_port storage add_volume add_volumes mount_path "
        "storage_class environment env env_from_secret env_from_config_map resources replicas postgres_config "
        "mysql_config redis_config kafka_config backup_schedule backup_retention backup_location "
        "enable_point_in_time_recovery cluster_mode replication_factor quorum_size health_check liveness_probe "
        "readiness_probe startup_probe add_service_account add_role add_network_policy add_security_policy add_secret "
        "add_secrets add_config add_configs deployment_strategy rolling_update on_delete_strategy expose add_service "
        "add_observability enable_metrics enable_logging namespace add_label add_labels add_annotation "
        "add_annotations node_selector tolerations affinity generate",
        Secret: "add add_binary from_file from_env_file from_vault vault_auth from_cloud_parameter_store "
        "from_cloud_secrets_manager generate_password generate_rsa_key_pair generate_random type mount_path "
        "mount_as_env_vars",
        ConfigMap: "add add_json add_yaml add_properties add_ini add_toml from_file from_directory from_env_file "
        "from_template mount_path mount_as_env_vars file_permissions hot_reload",
        Service: "type add_port selector namespace add_label add_labels add_annotation add_annotations generate",
        Job: "image command args environment env resources parallelism completions retry_limit timeout "
        "restart_policy port add_port ports add_secret add_config add_volume mount_volume security_context "
        "node_selector toleration affinity",
        CronJob: "schedule daily weekly monthly every_minutes every_hours image command args environment env "
        "resources concurrency_policy suspend history_limits starting_deadline timeout retry_limit timezone "
        "restart_policy port add_secret add_config",
        Ingress: "route add_route routes host hosts tls tls_multiple tls_redirect tls_termination path_type "
        "exact_path prefix_path regex_path load_balancer_method session_affinity sticky_sessions rate_limit "
        "rate_limit_burst rate_limit_by_ip cors basic_auth oauth2 ip_whitelist ip_blacklist annotation annotations "
        "ingress_class default_backend",
        AppGroup: "add_service add_services remove_service get_service add_shared_secret add_shared_config "
        "configure_networking configure_monitoring configure_security set_dependencies add_dependency "
        "for_environment set_resource_quotas configure_namespace",
    }
    for cls, names in documented.items():
        missing = [n for n in names.split() if not callable(getattr(cls, n, None))]
        assert missing == [], (cls.__name__, missing)
