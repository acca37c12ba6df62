"""Workload builders with Celestra's names: App (Deployment + Service), StatefulApp (StatefulSet + headless
Service + volumeClaimTemplates, ``backup_schedule`` -> a CronJob), Job and CronJob.

Every setter changes the objects ``to_resources()`` makes; a documented Celestra method pykro cannot honour raises a
PykroError saying what to use instead.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pykro.authoring.location import fail
from pykro.authoring.refs import is_ref
from pykro.authoring.resource import ResourceRef
from pykro.builders._base import (
    Builder,
    builder_method,
    choice,
    cron,
    dns_name,
    items,
    mapping,
    port_name,
    quantity,
    text,
    unsupported,
)
from pykro.builders._base import (
    count as check_count,
)
from pykro.builders._base import (
    port as check_port,
)
from pykro.builders.config import ConfigMap, Secret
from pykro.simple import CronJob as _CronJob
from pykro.simple import Deployment as _Deployment
from pykro.simple import HorizontalPodAutoscaler as _HPA
from pykro.simple import Ingress as _Ingress
from pykro.simple import Job as _Job
from pykro.simple import PersistentVolumeClaim as _PVC
from pykro.simple import Service as _Service
from pykro.simple import StatefulSet as _StatefulSet
from pykro.simple.values import is_resource, name_of

__all__ = ["App", "CronJob", "Job", "StatefulApp"]

W = TypeVar("W", bound="_Workload")
E = TypeVar("E", bound="_Exposed")
_PROTOCOLS = {"tcp": "TCP", "udp": "UDP", "sctp": "SCTP"}
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?\Z")
_NOT_BUILT = "pykro does not build images"
_BUILD_INSTEAD = "docker build / your CI to build and push the image, then .image('registry/name:tag')"


def _seconds(value: Any, what: str) -> Any:
    """``3600``, ``"3600"``, ``"1h"``, ``"30m"``, ``"1h30m"`` -> seconds."""
    if is_ref(value):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return check_count(value, what, least=1)
    match = _DURATION.match(value) if isinstance(value, str) and value else None
    if isinstance(value, str) and value.isdigit():
        return check_count(int(value), what, least=1)
    if match is None or not any(match.groups()):
        raise fail(f"{what} must be seconds or a duration such as '30m' or '2h', got {value!r}", "Write timeout('1h').")
    hours, minutes, secs = (int(g or 0) for g in match.groups())
    return check_count(hours * 3600 + minutes * 60 + secs, what, least=1)


def _short_enough(name: Any, kind: str) -> None:
    """Kubernetes appends 11 characters to a CronJob's name for its Jobs: it may be 52 characters at most."""
    if isinstance(name, str) and len(name) > 52:
        raise fail(f"{kind} name {name!r} is {len(name)} characters long; Kubernetes allows 52", "Use a shorter name.")


class _Workload(Builder):
    """What App, StatefulApp, Job and CronJob share: one container and its pod."""

    KIND_NAME_IS_LABEL = True
    DEFAULT_PORT_NAME = "http"

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._image: Any = None
        self._command: Any = None
        self._args: list[Any] = []
        self._ports: list[dict[str, Any]] = []
        self._env: dict[str, Any] = {}
        self._env_from: list[dict[str, Any]] = []
        self._resources: dict[str, dict[str, Any]] = {}
        self._probes: dict[str, dict[str, Any]] = {}
        self._node_selector: dict[str, Any] = {}
        self._tolerations: list[dict[str, Any]] = []
        self._affinity: Any = None
        self._secrets: list[Secret] = []
        self._configs: list[ConfigMap] = []
        self._service_account: Any = None
        self._volumes: list[dict[str, Any]] = []
        self._mounts: list[dict[str, Any]] = []
        self._security_context: Any = None
        self._pod_annotations: dict[str, Any] = {}
        self._restart_policy: str | None = None
        self._shared: list[Secret | ConfigMap] = []  # an AppGroup's shared objects, while it builds
        self._in_group = False

    # ------------------------------------------------------------------ container
    @builder_method
    def image(self: W, image: Any) -> W:
        """The container image (``postgres:15``)."""
        self._image = text(image, "image")
        return self

    @builder_method
    def command(self: W, command: Sequence[Any]) -> W:
        """The container command (replaces the image's entrypoint)."""
        self._command = command if is_ref(command) else [text(c, "command item") for c in items(command, "command")]
        return self

    @builder_method
    def args(self: W, args: Sequence[Any]) -> W:
        """Arguments to the command (added to those already given)."""
        self._args += [text(a, "args item") for a in items(args, "args")]
        return self

    @builder_method
    def port(self: W, port: Any, name: Any = None, protocol: str = "TCP") -> W:
        """Add a container port (named ``http`` for the first unnamed one); a Service exposes it."""
        check_port(port, f"{type(self).__name__} {self._name!r} port")
        if name is None:
            used = {p.get("name") for p in self._ports}
            name = self.DEFAULT_PORT_NAME if self.DEFAULT_PORT_NAME not in used else f"port-{port}"
        entry = {
            "containerPort": port,
            "name": port_name(name),
            "protocol": choice(protocol, "protocol", _PROTOCOLS),
        }
        for existing in self._ports:
            if existing["name"] == entry["name"]:
                raise fail(
                    f"{type(self).__name__} {self._name!r} has two ports named {entry['name']!r}",
                    "Give each port its own name.",
                )
        self._ports.append(entry)
        return self

    @builder_method
    def add_port(self: W, port: Any, name: Any = None, protocol: str = "TCP") -> W:
        """Same as check_port()."""
        return self.port(port, name, protocol)

    @builder_method
    def ports(self: W, ports: Sequence[Mapping[str, Any]]) -> W:
        """Add ports given as ``{"port": 8080, "name": "http", "protocol": "TCP"}`` dicts."""
        for entry in items(ports, "ports"):
            given = mapping(entry, "ports item")
            unknown = set(given) - {"port", "name", "protocol"}
            if unknown or "port" not in given:
                raise fail(
                    f"ports item {given!r} needs 'port' and may have 'name' and 'protocol'",
                    'Write {"port": 8080, "name": "http"}.',
                )
            self.port(given["port"], given.get("name"), given.get("protocol", "TCP"))
        return self

    @builder_method
    def http_port(self: W, port: Any = 8080) -> W:
        return self.port(port, "http")

    @builder_method
    def https_port(self: W, port: Any = 8443) -> W:
        return self.port(port, "https")

    @builder_method
    def metrics_port(self: W, port: Any = 9090) -> W:
        return self.port(port, "metrics")

    @builder_method
    def health_port(self: W, port: Any = 8081) -> W:
        return self.port(port, "health")

    @builder_method
    def admin_port(self: W, port: Any = 9000) -> W:
        return self.port(port, "admin")

    @builder_method
    def grpc_port(self: W, port: Any = 9090) -> W:
        return self.port(port, "grpc")

    @builder_method
    def debug_port(self: W, port: Any = 5005) -> W:
        return self.port(port, "debug")

    @builder_method
    def web_port(self: W, port: Any = 8080) -> W:
        return self.port(port, "web")

    @builder_method
    def status_port(self: W, port: Any = 8081) -> W:
        return self.port(port, "status")

    @builder_method
    def common_ports(self: W, http: Any = 8080, metrics: Any = 9090, health: Any = 8081) -> W:
        """The three usual ports: http, metrics and health."""
        return self.port(http, "http").port(metrics, "metrics").port(health, "health")

    @builder_method
    def env(self: W, key: str, value: Any) -> W:
        """Set one environment variable (numbers and bools become text)."""
        if not isinstance(key, str) or not key or "=" in key:
            raise fail(f"environment variable name {key!r} is not valid", "Use a name such as 'LOG_LEVEL'.")
        if not (is_ref(value) or isinstance(value, str | int | float | bool)):
            raise fail(
                f"environment variable {key} must be text, got {type(value).__name__}",
                "Use add_secret()/env_from_secret() for secret values.",
            )
        self._env[key] = value
        return self

    @builder_method
    def environment(self: W, env_vars: Mapping[str, Any]) -> W:
        """Set several environment variables."""
        for key, value in mapping(env_vars, "environment").items():
            self.env(key, value)
        return self

    @builder_method
    def env_from_secret(self: W, secret_name: Any, optional: bool = False) -> W:
        """Every key of an existing Secret becomes an environment variable."""
        ref = {"name": dns_name(name_of(secret_name), "Secret name")}
        self._env_from.append({"secretRef": {**ref, "optional": True} if optional else ref})
        return self

    @builder_method
    def env_from_config_map(self: W, config_map_name: Any, optional: bool = False) -> W:
        """Every key of an existing ConfigMap becomes an environment variable."""
        ref = {"name": dns_name(name_of(config_map_name), "ConfigMap name")}
        self._env_from.append({"configMapRef": {**ref, "optional": True} if optional else ref})
        return self

    @builder_method
    def resources(
        self: W,
        cpu: Any = None,
        memory: Any = None,
        cpu_limit: Any = None,
        memory_limit: Any = None,
        gpu: Any = None,
    ) -> W:
        """Requests (``cpu``, ``memory``), limits (``cpu_limit``, ``memory_limit``) and ``gpu`` (nvidia.com/gpu)."""
        for field, key, value in (
            ("requests", "cpu", cpu),
            ("requests", "memory", memory),
            ("limits", "cpu", cpu_limit),
            ("limits", "memory", memory_limit),
        ):
            if value is not None:
                self._resources.setdefault(field, {})[key] = quantity(
                    value, key if field == "requests" else f"{key}_limit"
                )
        if gpu is not None:
            self._resources.setdefault("limits", {})["nvidia.com/gpu"] = check_count(gpu, "gpu", least=1)
        if not any(v is not None for v in (cpu, memory, cpu_limit, memory_limit, gpu)):
            raise fail(
                "resources() needs at least one of cpu, memory, cpu_limit, memory_limit, gpu",
                "Write resources(cpu='500m', memory='1Gi').",
            )
        return self

    # ------------------------------------------------------------------ probes
    def _probe(
        self,
        kind: str,
        path: Any,
        port: Any,
        initial_delay: Any,
        period: Any,
        timeout: Any = None,
        failure_threshold: Any = None,
    ) -> None:
        target = port
        if target is None:
            if not self._ports:
                raise fail(
                    f"{kind} probe on {path!r} needs a port: {type(self).__name__} {self._name!r} has none yet",
                    "Call .port(...) first or pass port=.",
                )
            target = self._ports[0]["name"]
        else:
            check_port(target, f"{kind} probe port")
        probe: dict[str, Any] = {
            "httpGet": {"path": text(path, "probe path"), "port": target},
            "initialDelaySeconds": check_count(initial_delay, "initial_delay"),
            "periodSeconds": check_count(period, "period", least=1),
        }
        if timeout is not None:
            probe["timeoutSeconds"] = check_count(timeout, "timeout", least=1)
        if failure_threshold is not None:
            probe["failureThreshold"] = check_count(failure_threshold, "failure_threshold", least=1)
        self._probes[kind] = probe

    @builder_method
    def health_check(self: W, path: Any, port: Any = None, initial_delay: Any = 30, period: Any = 10) -> W:
        """An HTTP liveness and readiness probe on ``path`` (port: the first port unless given)."""
        self._probe("liveness", path, port, initial_delay, period)
        self._probe("readiness", path, port, initial_delay, period)
        return self

    @builder_method
    def liveness_probe(
        self: W,
        path: Any,
        port: Any = None,
        initial_delay: Any = 30,
        period: Any = 10,
        timeout: Any = 5,
        failure_threshold: Any = 3,
    ) -> W:
        self._probe("liveness", path, port, initial_delay, period, timeout, failure_threshold)
        return self

    @builder_method
    def readiness_probe(
        self: W,
        path: Any,
        port: Any = None,
        initial_delay: Any = 5,
        period: Any = 5,
        timeout: Any = 3,
        failure_threshold: Any = 3,
    ) -> W:
        self._probe("readiness", path, port, initial_delay, period, timeout, failure_threshold)
        return self

    @builder_method
    def startup_probe(
        self: W,
        path: Any,
        port: Any = None,
        initial_delay: Any = 30,
        period: Any = 10,
        timeout: Any = 5,
        failure_threshold: Any = 30,
    ) -> W:
        self._probe("startup", path, port, initial_delay, period, timeout, failure_threshold)
        return self

    # ------------------------------------------------------------------ pod placement, identity, files
    @builder_method
    def node_selector(self: W, selector: Mapping[str, Any]) -> W:
        self._node_selector.update({k: text(v, f"node selector {k}") for k, v in mapping(selector, "selector").items()})
        return self

    @builder_method
    def tolerations(self: W, tolerations: Sequence[Mapping[str, Any]]) -> W:
        """Tolerations, as Kubernetes dicts."""
        self._tolerations += [mapping(t, "toleration") for t in items(tolerations, "tolerations")]
        return self

    @builder_method
    def toleration(self: W, key: str, operator: str = "Equal", value: str = "", effect: str = "NoSchedule") -> W:
        """Add one toleration."""
        entry: dict[str, Any] = {
            "key": text(key, "toleration key"),
            "operator": choice(operator, "operator", {"equal": "Equal", "exists": "Exists"}),
            "effect": choice(
                effect,
                "effect",
                {"noschedule": "NoSchedule", "prefernoschedule": "PreferNoSchedule", "noexecute": "NoExecute"},
            ),
        }
        if entry["operator"] == "Equal":
            entry["value"] = text(value, "toleration value")
        self._tolerations.append(entry)
        return self

    @builder_method
    def affinity(self: W, affinity: Mapping[str, Any]) -> W:
        """Pod affinity rules, as the Kubernetes dict."""
        self._affinity = mapping(affinity, "affinity")
        return self

    @builder_method
    def security_context(self: W, context: Mapping[str, Any]) -> W:
        """The container's securityContext, as the Kubernetes dict."""
        self._security_context = mapping(context, "security_context")
        return self

    @builder_method
    def add_secret(self: W, secret: Secret) -> W:
        """Create the Secret with the workload and use it: env vars (default) or files (its ``mount_path``)."""
        if not isinstance(secret, Secret):
            raise fail(
                f"add_secret() takes a pykro.builders.Secret, got {type(secret).__name__}",
                "Use env_from_secret('name') for an existing Secret.",
            )
        self._secrets.append(secret)
        return self

    @builder_method
    def add_secrets(self: W, secrets: Sequence[Secret]) -> W:
        for secret in items(secrets, "secrets"):
            self.add_secret(secret)
        return self

    @builder_method
    def add_config(self: W, config_map: ConfigMap) -> W:
        """Create the ConfigMap with the workload and use it: env vars (default) or files (its ``mount_path``)."""
        if not isinstance(config_map, ConfigMap):
            raise fail(
                f"add_config() takes a pykro.builders.ConfigMap, got {type(config_map).__name__}",
                "Use env_from_config_map('name') for an existing ConfigMap.",
            )
        self._configs.append(config_map)
        return self

    @builder_method
    def add_configs(self: W, config_maps: Sequence[ConfigMap]) -> W:
        for config in items(config_maps, "config_maps"):
            self.add_config(config)
        return self

    @builder_method
    def add_service_account(self: W, service_account: Any) -> W:
        """Run the pods as a ServiceAccount (its name, or a pykro.simple.ServiceAccount resource)."""
        if not (isinstance(service_account, str) or is_ref(service_account) or is_resource(service_account)):
            raise fail(
                f"add_service_account() takes a name or a ServiceAccount resource, got {service_account!r}",
                "Write add_service_account('db-sa').",
            )
        self._service_account = (
            service_account if is_resource(service_account) else dns_name(service_account, "service account")
        )
        return self

    @builder_method
    def add_volume(self: W, name: Any, volume_spec: Mapping[str, Any] | None = None) -> W:
        """Add a pod volume: ``add_volume("scratch", {"emptyDir": {}})`` (mount it with mount_volume())."""
        if not isinstance(name, str) or volume_spec is None:
            raise fail(
                f"add_volume() takes a name and a Kubernetes volume source, got {type(name).__name__}"
                + ("" if volume_spec is None else " and a source"),
                'Volume builders are not in pykro yet: write add_volume("config", {"configMap": {"name": "cfg"}}).',
            )
        self._volumes.append({"name": dns_name(name, "volume name", label=True), **mapping(volume_spec, "volume_spec")})
        return self

    @builder_method
    def mount_volume(self: W, volume_name: Any, mount_path: Any, read_only: bool = False) -> W:
        """Mount a volume in the container."""
        mount: dict[str, Any] = {"name": volume_name, "mountPath": text(mount_path, "mount_path")}
        if read_only:
            mount["readOnly"] = True
        self._mounts.append(mount)
        return self

    # ------------------------------------------------------------------ not supported
    add_companion = unsupported(
        "add_companion",
        "Companion builders are not in pykro yet",
        "pykro.simple's containers=[...] / init_containers=[...]",
    )
    add_companions = unsupported(
        "add_companions",
        "Companion builders are not in pykro yet",
        "pykro.simple's containers=[...] / init_containers=[...]",
    )
    add_role = unsupported(
        "add_role",
        "Role builders are not in pykro yet",
        "pykro.simple.Role(...) and RoleBinding(...) next to .to_resources()",
    )
    add_network_policy = unsupported(
        "add_network_policy",
        "NetworkPolicy builders are not in pykro yet",
        "pykro.simple.NetworkPolicy(..., pod_selector={'app': name})",
    )
    add_security_policy = unsupported(
        "add_security_policy",
        "SecurityPolicy builders are not in pykro yet",
        ".security_context({...}) or pykro.simple's pod_security_context=",
    )
    add_observability = unsupported(
        "add_observability",
        "Observability builders are not in pykro yet",
        ".enable_metrics(port) for Prometheus scraping",
    )
    enable_logging = unsupported(
        "enable_logging",
        "log format is the application's setting",
        ".env('LOG_FORMAT', 'json') (or your app's variable)",
    )
    enable_tracing = unsupported(
        "enable_tracing",
        "tracing is the application's setting",
        ".env('OTEL_EXPORTER_OTLP_ENDPOINT', ...) (or your app's variables)",
    )
    add_volumes = unsupported(
        "add_volumes", "Volume builders are not in pykro yet", ".add_volume(name, {...}) and .mount_volume(name, path)"
    )
    depends_on = unsupported(
        "depends_on",
        "kro orders resources by the references between them",
        "a @composition where one resource reads another's fields",
    )
    connect_to = unsupported(
        "connect_to",
        "pykro does not guess connection variables",
        ".env('DB_HOST', 'db') (the other app's Service name)",
    )
    add_lifecycle = unsupported(
        "add_lifecycle", "container lifecycle hooks are not in pykro.simple yet", "a raw Deployment via pykro.resources"
    )
    pre_stop_command = unsupported(
        "pre_stop_command",
        "container lifecycle hooks are not in pykro.simple yet",
        "a raw Deployment via pykro.resources",
    )
    post_start_command = unsupported(
        "post_start_command",
        "container lifecycle hooks are not in pykro.simple yet",
        "a raw Deployment via pykro.resources",
    )
    add_validator = unsupported(
        "add_validator", "pykro validates every object against the Kubernetes schema", "nothing: the checks already run"
    )
    add_cost_optimizer = unsupported(
        "add_cost_optimizer", "cost optimisation is not in pykro", ".resources(...) with the values you want"
    )
    from_dockerfile = unsupported("from_dockerfile", _NOT_BUILT, _BUILD_INSTEAD)

    # ------------------------------------------------------------------ assembling the pod
    def _attachments(self) -> tuple[list[Any], list[Any], list[Any]]:
        """env_from sources, config_maps and secrets (mount sugar of pykro.simple) of the added objects."""
        env_from: list[Any] = list(self._env_from)
        mounted: dict[str, list[Any]] = {"ConfigMap": [], "Secret": []}
        own: list[Secret | ConfigMap] = [*self._configs, *self._secrets]
        for obj in [*own, *(o for o in self._shared if all(o is not a for a in own))]:
            kind = type(obj).__name__
            use = obj.attachment(kind)
            if "env_from" in use:
                env_from.append(use["env_from"])
            if "mount" in use:
                mounted[kind].append(use["mount"])
        return env_from, mounted["ConfigMap"], mounted["Secret"]

    def _pod(self) -> dict[str, Any]:
        """The pod keywords of the pykro.simple workload factories."""
        if self._image is None:
            raise fail(f"{type(self).__name__} {self._name!r} has no image", "Call .image('registry/name:tag').")
        env_from, config_maps, secrets = self._attachments()
        volumes = {v["name"] for v in self._volumes} | self._own_volumes()
        for mount in self._mounts:
            if mount["name"] not in volumes:
                raise fail(
                    f"{type(self).__name__} {self._name!r} mounts the volume {mount['name']!r}, which it does not have",
                    f"Add it with .add_volume({mount['name']!r}, {{...}}) (the API server rejects the pod otherwise).",
                )
        pod_labels = dict(self._labels) or None
        return {
            "command": self._command,
            "args": list(self._args) or None,
            "ports": list(self._ports) or None,
            "env": dict(self._env) or None,
            "env_from": env_from or None,
            "resources": {k: dict(v) for k, v in self._resources.items()} or None,
            "liveness_probe": self._probes.get("liveness"),
            "readiness_probe": self._probes.get("readiness"),
            "startup_probe": self._probes.get("startup"),
            "node_selector": dict(self._node_selector) or None,
            "tolerations": list(self._tolerations) or None,
            "affinity": self._affinity,
            "service_account": self._service_account,
            "volumes": list(self._volumes) or None,
            "volume_mounts": list(self._mounts) or None,
            "config_maps": config_maps or None,
            "secrets": secrets or None,
            "security_context": self._security_context,
            "pod_labels": pod_labels,
            "pod_annotations": dict(self._pod_annotations) or None,
            "restart_policy": self._restart_policy,
        }

    def _own_volumes(self) -> set[str]:
        """Volumes the workload makes itself (a StatefulApp's storage claim)."""
        return set()

    def _pod_keywords(self) -> dict[str, Any]:
        return {k: v for k, v in self._pod().items() if v is not None}

    def _added(self) -> list[ResourceRef]:
        """The Secrets and ConfigMaps added with add_secret()/add_config(), each once."""
        out: list[ResourceRef] = []
        if self._in_group:  # the group creates them once
            return out
        seen: set[tuple[str, Any]] = set()
        for obj in [*self._secrets, *self._configs]:
            key = (type(obj).__name__, obj.name)
            if key not in seen:
                seen.add(key)
                own = obj._namespace
                obj._namespace = own if own is not None else self._namespace  # next to the workload using it
                try:
                    out += obj.to_resources()
                finally:
                    obj._namespace = own
        return out

    def to_resources_in_group(self, shared: list[Secret | ConfigMap]) -> list[ResourceRef]:
        """The resources without the added Secrets/ConfigMaps (the group creates them) and with ``shared``."""
        self._shared, self._in_group = list(shared), True
        try:
            return self._make()
        finally:
            self._shared, self._in_group = [], False

    def _service_ports(self) -> list[dict[str, Any]]:
        return [
            {"name": p["name"], "port": p["containerPort"], "targetPort": p["name"], "protocol": p["protocol"]}
            for p in self._ports
        ]


class _Exposed(_Workload):
    """App and StatefulApp: exposure and metrics."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._service_type: str | None = None
        self._ingress_host: Any = None
        self._extra_services: list[Any] = []
        self._ingresses: list[Any] = []

    @builder_method
    def expose(self: E, external: bool = False, ingress: bool = False) -> E:
        """Expose the ports: ``external=True`` makes the Service a LoadBalancer; ``ingress=True`` adds an Ingress
        routing ``/`` of every host to the first port (for a host or TLS, use add_ingress(Ingress(...)))."""
        self._service_type = "LoadBalancer" if external else "ClusterIP"
        self._ingress_host = ingress
        return self

    @builder_method
    def add_service(self: E, service: Any) -> E:
        """Create a Service builder with the workload; with no selector of its own it selects this workload's pods."""
        from pykro.builders.network import Service

        if not isinstance(service, Service):
            raise fail(f"add_service() takes a pykro.builders.Service, got {type(service).__name__}")
        self._extra_services.append(service)
        return self

    @builder_method
    def enable_metrics(self: E, port: Any = 9090) -> E:
        """Add a ``metrics`` port and the ``prometheus.io/scrape``, ``/port`` pod annotations."""
        self.port(port, "metrics")
        self._pod_annotations.update({"prometheus.io/scrape": "true", "prometheus.io/port": str(port)})
        return self

    def _extra(self, workload: ResourceRef) -> list[ResourceRef]:
        out: list[ResourceRef] = []
        for service in self._extra_services:
            out += service.build_for(workload, self._namespace)
        for ingress in self._ingresses:
            out += ingress.to_resources()
        if self._ingress_host:
            if not self._ports:
                raise fail(
                    f"{type(self).__name__} {self._name!r} is exposed with an ingress but has no port",
                    "Call .port(...) first.",
                )
            out.append(
                _Ingress(
                    f"{self._name}",
                    service=self._name,
                    port=self._ports[0]["containerPort"],
                    **self._meta(),
                )
            )
        return out


class App(_Exposed):
    """A stateless application: a Deployment and, when it has ports, a Service selecting its pods."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._replicas: Any = 1
        self._strategy: dict[str, Any] | None = None
        self._min_ready: Any = None
        self._scale: dict[str, Any] | None = None

    @builder_method
    def replicas(self, count: Any) -> App:
        """The number of pods (0 or more)."""
        self._replicas = check_count(count, "replicas")
        return self

    @builder_method
    def scale(self, min_replicas: Any = 1, max_replicas: Any = 10, target_cpu_utilization: Any = 70) -> App:
        """A HorizontalPodAutoscaler between ``min_replicas`` and ``max_replicas`` at ``target_cpu_utilization`` %."""
        low = check_count(min_replicas, "min_replicas", least=1)
        high = check_count(max_replicas, "max_replicas", least=1)
        if isinstance(low, int) and isinstance(high, int) and low > high:
            raise fail(f"scale(): min_replicas {low} is above max_replicas {high}", "Swap them.")
        self._scale = {
            "min_replicas": low,
            "max_replicas": high,
            "cpu_utilization": check_count(target_cpu_utilization, "target_cpu_utilization", least=1),
        }
        return self

    @builder_method
    def deployment_strategy(self, strategy: str, **kwargs: Any) -> App:
        """``rolling`` (keywords of rolling_update()) or ``recreate``."""
        kind = choice(
            strategy,
            "deployment strategy",
            {
                "rolling": "RollingUpdate",
                "rollingupdate": "RollingUpdate",
                "recreate": "Recreate",
                "bluegreen": "blue-green",
                "canary": "canary",
            },
        )
        if kind in ("blue-green", "canary"):
            raise fail(
                f"deployment_strategy({strategy!r}) is not supported: it needs a progressive-delivery controller",
                "Use 'rolling' or 'recreate', or Argo Rollouts / Flagger.",
            )
        if kind == "Recreate":
            if kwargs:
                raise fail(f"deployment_strategy('recreate') takes no keywords, got {sorted(kwargs)}")
            self._strategy = {"type": "Recreate"}
            return self
        return self.rolling_update(**kwargs)

    @builder_method
    def rolling_update(self, max_surge: Any = 1, max_unavailable: Any = 0, min_ready_seconds: Any = 0) -> App:
        """A RollingUpdate strategy (counts or percentages such as ``"25%"``)."""

        def amount(value: Any, what: str) -> Any:
            if isinstance(value, str) and re.fullmatch(r"\d{1,3}%", value):
                return value
            return check_count(value, what)

        self._strategy = {
            "type": "RollingUpdate",
            "rollingUpdate": {
                "maxSurge": amount(max_surge, "max_surge"),
                "maxUnavailable": amount(max_unavailable, "max_unavailable"),
            },
        }
        self._min_ready = check_count(min_ready_seconds, "min_ready_seconds")
        return self

    @builder_method
    def add_ingress(self, ingress: Any) -> App:
        """Create an Ingress builder with the app."""
        from pykro.builders.network import Ingress

        if not isinstance(ingress, Ingress):
            raise fail(f"add_ingress() takes a pykro.builders.Ingress, got {type(ingress).__name__}")
        self._ingresses.append(ingress)
        return self

    build = unsupported("build", _NOT_BUILT, _BUILD_INSTEAD)
    blue_green_deployment = unsupported(
        "blue_green_deployment", "it needs a progressive-delivery controller", ".rolling_update(...), or Argo Rollouts"
    )
    canary_deployment = unsupported(
        "canary_deployment",
        "it needs a progressive-delivery controller",
        ".rolling_update(...), or Argo Rollouts / Flagger",
    )

    def _make(self) -> list[ResourceRef]:
        """The Deployment, its Service (when it has ports), the added Secrets/ConfigMaps, Services, Ingresses and
        HorizontalPodAutoscaler. Inside a ``@composition`` they join the graph (call it once per app)."""
        out = self._added()
        deployment = _Deployment(
            self._name,
            image=self._image,
            replicas=self._replicas,
            strategy=self._strategy,
            min_ready_seconds=self._min_ready,
            **self._meta(),
            **self._pod_keywords(),
        )
        out.append(deployment)
        if self._ports:
            out.append(
                _Service(
                    self._name,
                    selector=deployment,
                    ports=self._service_ports(),
                    type=self._service_type,
                    **self._meta(),
                )
            )
        if self._scale is not None:
            out.append(_HPA(self._name, target=deployment, **self._scale, **self._meta()))
        return out + self._extra(deployment)


class StatefulApp(_Exposed):
    """A stateful application: a StatefulSet, its headless Service (``<name>``), its volume claim template, and
    with ``backup_schedule()`` a CronJob and a claim for the backups."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._replicas: Any = 1
        self._storage: dict[str, Any] | None = None
        self._mount_path: Any = "/data"
        self._storage_class: Any = None
        self._update: dict[str, Any] | None = None
        self._backup: Any = None
        self._backup_command: list[Any] | None = None
        self._retention: Any = None

    @builder_method
    def replicas(self, count: Any) -> StatefulApp:
        self._replicas = check_count(count, "replicas")
        return self

    @builder_method
    def storage(self, size: Any, mount_path: Any = None, storage_class: Any = None) -> StatefulApp:
        """A volume claim template ``data`` of ``size`` per pod, mounted at ``mount_path`` (default ``/data``)."""
        self._storage = {"size": quantity(size, "storage size")}
        if mount_path is not None:
            self.mount_path(mount_path)
        if storage_class is not None:
            self.storage_class(storage_class)
        return self

    @builder_method
    def mount_path(self, path: Any) -> StatefulApp:
        """Where the storage is mounted (``/data`` unless set)."""
        self._mount_path = text(path, "mount_path")
        if isinstance(path, str) and not path.startswith("/"):
            raise fail(f"mount_path {path!r} must be an absolute path", f"Write '/{path}'.")
        return self

    def _own_volumes(self) -> set[str]:
        return {"data"} if self._storage is not None else set()

    @builder_method
    def storage_class(self, storage_class: Any) -> StatefulApp:
        self._storage_class = dns_name(storage_class, "storage class")
        return self

    def _db_port(self, number: Any, name: str) -> StatefulApp:
        return self.port(number, name)

    @builder_method
    def postgres_port(self, port: Any = 5432) -> StatefulApp:
        return self._db_port(port, "postgres")

    @builder_method
    def mysql_port(self, port: Any = 3306) -> StatefulApp:
        return self._db_port(port, "mysql")

    @builder_method
    def mongodb_port(self, port: Any = 27017) -> StatefulApp:
        return self._db_port(port, "mongodb")

    @builder_method
    def redis_port(self, port: Any = 6379) -> StatefulApp:
        return self._db_port(port, "redis")

    @builder_method
    def kafka_port(self, port: Any = 9092) -> StatefulApp:
        return self._db_port(port, "kafka")

    @builder_method
    def elasticsearch_port(self, port: Any = 9200) -> StatefulApp:
        return self._db_port(port, "elasticsearch")

    def _settings(self, config: Any, what: str) -> dict[str, str]:
        out = {}
        for key, value in mapping(config, what).items():
            if not isinstance(key, str) or not (is_ref(value) or isinstance(value, str | int | float)):
                raise fail(f"{what} setting {key!r} must be text, got {type(value).__name__}")
            out[key] = value
        return out

    @builder_method
    def postgres_config(self, config: Mapping[str, Any]) -> StatefulApp:
        """PostgreSQL settings, passed as ``-c key=value`` arguments (the postgres image hands them to postgres)."""
        for key, value in self._settings(config, "postgres_config").items():
            self._args += ["-c", f"{key}={value}"]
        return self

    @builder_method
    def mysql_config(self, config: Mapping[str, Any]) -> StatefulApp:
        """MySQL settings, passed as ``--key=value`` arguments (the mysql image hands them to mysqld)."""
        self._args += [f"--{k.replace('_', '-')}={v}" for k, v in self._settings(config, "mysql_config").items()]
        return self

    @builder_method
    def redis_config(self, config: Mapping[str, Any]) -> StatefulApp:
        """Redis settings, passed as ``--key value`` arguments (the redis image hands them to redis-server)."""
        for key, value in self._settings(config, "redis_config").items():
            self._args += [f"--{key}", *str(value).split()]
        return self

    @builder_method
    def kafka_config(self, config: Mapping[str, Any]) -> StatefulApp:
        """Kafka broker settings as ``KAFKA_<KEY>`` environment variables (the Confluent/Bitnami convention)."""
        for key, value in self._settings(config, "kafka_config").items():
            self.env("KAFKA_" + re.sub(r"[.\-]", "_", key).upper(), value)
        return self

    @builder_method
    def deployment_strategy(self, strategy: str) -> StatefulApp:
        """``rolling`` (default of StatefulSets) or ``on-delete``."""
        kind = choice(
            strategy,
            "update strategy",
            {"rolling": "RollingUpdate", "rollingupdate": "RollingUpdate", "ondelete": "OnDelete"},
        )
        self._update = {"type": kind}
        return self

    @builder_method
    def rolling_update(self, partition: Any = 0, max_unavailable: Any = 1) -> StatefulApp:
        """A RollingUpdate strategy: pods with an ordinal >= ``partition`` are updated, ``max_unavailable`` at a
        time."""
        self._update = {
            "type": "RollingUpdate",
            "rollingUpdate": {
                "partition": check_count(partition, "partition"),
                "maxUnavailable": check_count(max_unavailable, "max_unavailable", least=1),
            },
        }
        return self

    @builder_method
    def on_delete_strategy(self) -> StatefulApp:
        """Update pods only when they are deleted."""
        self._update = {"type": "OnDelete"}
        return self

    @builder_method
    def backup_schedule(self, schedule: Any) -> StatefulApp:
        """A CronJob ``<name>-backup`` on ``schedule`` running the backup command (postgres images: pg_dumpall of
        pod 0; others: set backup_command()) into the claim ``<name>-backup``, mounted at ``/backup``."""
        self._backup = cron(schedule, "backup_schedule")
        return self

    @builder_method
    def backup_command(self, command: Sequence[Any]) -> StatefulApp:
        """pykro: the command the backup CronJob runs (with the app's image, env and ``/backup`` mounted)."""
        self._backup_command = [text(c, "backup_command item") for c in items(command, "backup_command")]
        return self

    @builder_method
    def backup_retention(self, days: Any) -> StatefulApp:
        """Delete backup files older than ``days`` after each backup."""
        self._retention = check_count(days, "backup_retention", least=1)
        return self

    build = unsupported("build", _NOT_BUILT, _BUILD_INSTEAD)
    backup_location = unsupported(
        "backup_location",
        "pykro keeps backups in the claim <name>-backup",
        ".backup_command([...]) that also uploads to your object store",
    )
    enable_point_in_time_recovery = unsupported(
        "enable_point_in_time_recovery",
        "it depends on the database",
        "a database operator (CloudNativePG, ...) or the database's config",
    )
    cluster_mode = unsupported(
        "cluster_mode",
        "clustering is the database's configuration",
        ".postgres_config/.redis_config/.kafka_config({...}) or .env(...)",
    )
    replication_factor = unsupported(
        "replication_factor",
        "replication is the database's configuration",
        ".kafka_config({'default.replication.factor': '3'}) or .env(...)",
    )
    quorum_size = unsupported(
        "quorum_size", "quorum is the database's configuration", ".env(...) or the config setters"
    )

    def _backup_job(self) -> list[ResourceRef]:
        if self._backup is None:
            return []
        if self._storage is None:
            raise fail(f"StatefulApp {self._name!r} has a backup_schedule but no storage()", "Call .storage('20Gi').")
        command = self._backup_command
        image = self._image
        if command is None:
            if not (isinstance(image, str) and image.split("/")[-1].startswith("postgres")):
                raise fail(
                    f"StatefulApp {self._name!r}: pykro knows how to back up postgres images only, not {image!r}",
                    "Add .backup_command([...]) (it runs with the app's image and env; write to /backup).",
                )
            command = [
                "sh",
                "-c",
                f'PGPASSWORD="${{PGPASSWORD:-${{POSTGRES_PASSWORD:-}}}}" pg_dumpall -h {self._name}-0.{self._name} '
                '-U "${POSTGRES_USER:-postgres}" > "/backup/$(date +%Y%m%d%H%M%S).sql"',
            ]
        if self._retention is not None:
            script = shlex.join(command) if command[:2] != ["sh", "-c"] else command[2]
            command = ["sh", "-c", f"{script} && find /backup -type f -mtime +{self._retention} -delete"]
        env_from, _, _ = self._attachments()
        claim = f"{self._name}-backup"
        _short_enough(claim, "backup CronJob")
        pvc = _PVC(claim, size=self._storage["size"], storage_class=self._storage_class, **self._meta())
        extra: dict[str, Any] = {k: v for k, v in (("env", dict(self._env)), ("env_from", env_from)) if v}
        job = _CronJob(
            f"{self._name}-backup",
            image=image,
            schedule=self._backup,
            command=command,
            concurrency_policy="Forbid",
            **extra,
            volumes=[{"name": "backup", "persistentVolumeClaim": {"claimName": claim}}],
            volume_mounts=[{"name": "backup", "mountPath": "/backup"}],
            restart_policy="OnFailure",
            **self._meta(),
        )
        return [pvc, job]

    def _make(self) -> list[ResourceRef]:
        """The StatefulSet, its headless Service, the added objects and the backup CronJob (if scheduled)."""
        out = self._added()
        claims = None
        if self._storage is not None:
            claims = [
                {
                    "name": "data",
                    "size": self._storage["size"],
                    "mount_path": self._mount_path,
                    "storage_class": self._storage_class,
                }
            ]
        stateful = _StatefulSet(
            self._name,
            image=self._image,
            replicas=self._replicas,
            service_name=self._name,
            volume_claim_templates=claims,
            update_strategy=self._update,
            **self._meta(),
            **self._pod_keywords(),
        )
        out.append(stateful)
        headless = _Service(
            self._name,
            selector=stateful,
            ports=self._service_ports() or None,
            cluster_ip="None",
            publish_not_ready_addresses=True,
            **self._meta(),
        )
        out.append(headless)
        if self._service_type is not None:
            out.append(
                _Service(
                    f"{self._name}-client",
                    selector=stateful,
                    ports=self._service_ports(),
                    type=self._service_type,
                    **self._meta(),
                )
            )
        return out + self._extra(stateful) + self._backup_job()


class _Batch(_Workload):
    """Job and CronJob: the JobSpec setters."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._job: dict[str, Any] = {}

    @builder_method
    def parallelism(self: W, count: Any) -> W:
        self._job["parallelism"] = check_count(count, "parallelism")  # type: ignore[attr-defined]
        return self

    @builder_method
    def completions(self: W, count: Any) -> W:
        self._job["completions"] = check_count(count, "completions", least=1)  # type: ignore[attr-defined]
        return self

    @builder_method
    def retry_limit(self: W, limit: Any) -> W:
        """How often a failed pod is retried (the Job's backoffLimit)."""
        self._job["backoff_limit"] = check_count(limit, "retry_limit")  # type: ignore[attr-defined]
        return self

    @builder_method
    def timeout(self: W, timeout: Any) -> W:
        """How long the Job may run (seconds or ``"30m"``, ``"2h"``): its activeDeadlineSeconds."""
        self._job["active_deadline_seconds"] = _seconds(timeout, "timeout")  # type: ignore[attr-defined]
        return self

    @builder_method
    def restart_policy(self: W, policy: str) -> W:
        """``Never`` (default) or ``OnFailure``."""
        self._restart_policy = choice(policy, "restart_policy", {"never": "Never", "onfailure": "OnFailure"})
        return self


class Job(_Batch):
    """A batch/v1 Job running the container to completion."""

    def _make(self) -> list[ResourceRef]:
        return [
            *self._added(),
            _Job(self._name, image=self._image, **self._job, **self._meta(), **self._pod_keywords()),
        ]


class CronJob(_Batch):
    """A batch/v1 CronJob: ``CronJob("backup").schedule("0 2 * * *").image(...)``."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        _short_enough(name, "CronJob")
        self._schedule: Any = None
        self._cron: dict[str, Any] = {}

    @builder_method
    def schedule(self, cron_schedule: Any) -> CronJob:
        """The cron schedule (five fields or an @macro), checked now."""
        self._schedule = cron(cron_schedule)
        return self

    @builder_method
    def daily(self, hour: Any = 0, minute: Any = 0) -> CronJob:
        return self.schedule(f"{self._in(minute, 59, 'minute')} {self._in(hour, 23, 'hour')} * * *")

    @builder_method
    def weekly(self, day_of_week: Any = 0, hour: Any = 0, minute: Any = 0) -> CronJob:
        return self.schedule(
            f"{self._in(minute, 59, 'minute')} {self._in(hour, 23, 'hour')} * * "
            f"{self._in(day_of_week, 6, 'day_of_week')}"
        )

    @builder_method
    def monthly(self, day: Any = 1, hour: Any = 0, minute: Any = 0) -> CronJob:
        return self.schedule(
            f"{self._in(minute, 59, 'minute')} {self._in(hour, 23, 'hour')} {self._in(day, 31, 'day', 1)} * *"
        )

    @builder_method
    def every_minutes(self, minutes: Any) -> CronJob:
        return self.schedule(f"*/{self._in(minutes, 59, 'minutes', 1)} * * * *")

    @builder_method
    def every_hours(self, hours: Any) -> CronJob:
        return self.schedule(f"0 */{self._in(hours, 23, 'hours', 1)} * * *")

    @staticmethod
    def _in(value: Any, high: int, what: str, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise fail(f"{what} must be a number from {low} to {high}, got {value!r}")
        return value

    @builder_method
    def concurrency_policy(self, policy: str) -> CronJob:
        """``Allow``, ``Forbid`` or ``Replace``."""
        self._cron["concurrency_policy"] = choice(
            policy, "concurrency_policy", {"allow": "Allow", "forbid": "Forbid", "replace": "Replace"}
        )
        return self

    @builder_method
    def suspend(self, suspended: bool = True) -> CronJob:
        if not isinstance(suspended, bool):
            raise fail(f"suspend() takes True or False, got {suspended!r}")
        self._cron["suspend"] = suspended
        return self

    @builder_method
    def history_limits(self, successful: Any = 3, failed: Any = 1) -> CronJob:
        self._cron["successful_jobs_history_limit"] = check_count(successful, "successful")
        self._cron["failed_jobs_history_limit"] = check_count(failed, "failed")
        return self

    @builder_method
    def starting_deadline(self, deadline_seconds: Any) -> CronJob:
        self._cron["starting_deadline_seconds"] = check_count(deadline_seconds, "starting_deadline", least=1)
        return self

    @builder_method
    def timezone(self, tz: Any) -> CronJob:
        """The IANA time zone of the schedule (``Europe/Berlin``)."""
        import zoneinfo

        if isinstance(tz, str):
            try:
                zoneinfo.ZoneInfo(tz)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise fail(f"timezone {tz!r} is not an IANA time zone", "Use a name such as 'Europe/Berlin'.") from None
        self._cron["time_zone"] = text(tz, "timezone")
        return self

    def _make(self) -> list[ResourceRef]:
        if self._schedule is None:
            raise fail(f"CronJob {self._name!r} has no schedule", "Call .schedule('0 2 * * *').")
        return [
            *self._added(),
            _CronJob(
                self._name,
                image=self._image,
                schedule=self._schedule,
                **self._job,
                **self._cron,
                **self._meta(),
                **self._pod_keywords(),
            ),
        ]
