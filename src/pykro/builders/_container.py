"""The container setters every workload shares: image, command, args, ports, environment and resources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeVar

from pykro.authoring._location import fail
from pykro.authoring._refs import is_ref
from pykro.builders._base import (
    Builder,
    builder_method,
    choice,
    dns_name,
    items,
    mapping,
    port_name,
    requirements,
    text,
)
from pykro.builders._base import count as check_count
from pykro.builders._base import image as check_image
from pykro.builders._base import port as check_port
from pykro.simple._values import name_of

__all__ = ["WELL_KNOWN_PORTS", "Container"]

W = TypeVar("W", bound="Container")
_PROTOCOLS = {"tcp": "TCP", "udp": "UDP", "sctp": "SCTP"}

# The name an unnamed port gets from its number: the service usually listening there (IANA service names where
# they are short enough; StatefulApp's postgres_port() ... elasticsearch_port() use the same names).
WELL_KNOWN_PORTS: Final = {
    22: "ssh",
    53: "dns",
    80: "http",
    443: "https",
    1433: "mssql",
    1521: "oracle",
    2181: "zookeeper",
    2379: "etcd-client",
    2380: "etcd-peer",
    3306: "mysql",
    4222: "nats",
    5432: "postgres",
    5672: "amqp",
    6379: "redis",
    8080: "http",
    8443: "https",
    9042: "cql",
    9092: "kafka",
    9200: "elasticsearch",
    9300: "es-transport",
    11211: "memcached",
    15672: "rabbitmq-mgmt",
    27017: "mongodb",
}


class Container(Builder):
    """The main container of a workload: what it runs, its ports, environment and resources."""

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

    @builder_method
    def image(self: W, image: Any) -> W:
        """The container image (``postgres:15``)."""
        self._image = check_image(image)
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
        """Add a container port; a Service exposes it. An unnamed port is named after the service usually on its
        number (5432 ``postgres``, 6379 ``redis``, 443 ``https``: ``WELL_KNOWN_PORTS``), else ``http`` for the
        first one, else ``port-<number>``."""
        check_port(port, f"{type(self).__name__} {self._name!r} port")
        if name is None:
            used = {p.get("name") for p in self._ports}
            known = WELL_KNOWN_PORTS.get(port) if isinstance(port, int) else None
            name = next((n for n in (known, self.DEFAULT_PORT_NAME) if n and n not in used), f"port-{port}")
        entry = {
            "containerPort": port,
            "name": port_name(name),
            "protocol": choice(protocol, "protocol", _PROTOCOLS),
        }
        for existing in self._ports:
            if (existing["containerPort"], existing["protocol"]) == (port, entry["protocol"]) and not is_ref(port):
                raise fail(
                    f"{type(self).__name__} {self._name!r} already has port {port}/{entry['protocol']} "
                    f"(named {existing['name']!r})",
                    "Declare each port once.",
                )
            if existing["name"] == entry["name"]:
                raise fail(
                    f"{type(self).__name__} {self._name!r} has two ports named {entry['name']!r}",
                    "Give each port its own name.",
                )
        self._ports.append(entry)
        return self

    @builder_method
    def add_port(self: W, port: Any, name: Any = None, protocol: str = "TCP") -> W:
        """Same as port()."""
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
        if key in self._env and _differs(self._env[key], value):
            raise fail(
                f"environment variable {key} is already set to another value: the second would replace the first",
                "Set each variable once, or remove the earlier call.",
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
        requirements(self._resources, cpu, memory, cpu_limit, memory_limit)
        if gpu is not None:
            self._resources.setdefault("limits", {})["nvidia.com/gpu"] = check_count(gpu, "gpu", least=1)
        if not any(v is not None for v in (cpu, memory, cpu_limit, memory_limit, gpu)):
            raise fail(
                "resources() needs at least one of cpu, memory, cpu_limit, memory_limit, gpu",
                "Write resources(cpu='500m', memory='1Gi').",
            )
        return self


def _differs(old: Any, new: Any) -> bool:
    """A second value that is not the first (a composition reference equals only itself: ``!=`` would build CEL)."""
    return old is not new and (is_ref(old) or is_ref(new) or old != new)
