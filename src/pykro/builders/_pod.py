"""The pod setters every workload shares: probes, placement (node selector, tolerations, affinity), identity,
the Secrets/ConfigMaps it uses, and volumes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pykro.authoring._location import fail
from pykro.authoring._refs import is_ref
from pykro.builders._base import builder_method, choice, dns_name, items, mapping, text
from pykro.builders._base import count as check_count
from pykro.builders._base import port as check_port
from pykro.builders._config import ConfigMap, Secret
from pykro.builders._container import Container
from pykro.builders._volume import Volume, volumes
from pykro.simple._values import is_resource

__all__ = ["Pod"]

W = TypeVar("W", bound="Pod")


class Pod(Container):
    """The pod around the container: probes, scheduling, identity, attached objects and volumes."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._probes: dict[str, dict[str, Any]] = {}
        self._node_selector: dict[str, Any] = {}
        self._tolerations: list[dict[str, Any]] = []
        self._affinity: Any = None
        self._secrets: list[Secret] = []
        self._configs: list[ConfigMap] = []
        self._service_account: Any = None
        self._volumes: list[dict[str, Any]] = []
        self._mounts: list[dict[str, Any]] = []
        self._volume_builders: list[Volume] = []
        self._security_context: Any = None
        self._pod_annotations: dict[str, Any] = {}
        self._restart_policy: str | None = None

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
        """Add a pod volume: a ``Volume`` builder (a claim Volume's PersistentVolumeClaim is created with the
        workload; its mount_path mounts it), or a name and a Kubernetes volume source,
        ``add_volume("scratch", {"emptyDir": {}})`` (mount it with mount_volume())."""
        given = name.name if isinstance(name, Volume) else name
        if any(v["name"] == given for v in self._volumes) or any(v.name == given for v in self._volume_builders):
            raise fail(
                f"{type(self).__name__} {self._name!r} already has a volume named {given!r}",
                "Give each volume its own name.",
            )
        if isinstance(name, Volume) and volume_spec is None:
            self._volume_builders.append(name)
            return self
        if not isinstance(name, str) or volume_spec is None:
            raise fail(
                f"add_volume() takes a Volume, or a name and a Kubernetes volume source, got {type(name).__name__}"
                + ("" if volume_spec is None else " and a source"),
                'Write add_volume(Volume("config").config_map_volume("cfg").mount_path("/etc/cfg")), or '
                'add_volume("config", {"configMap": {"name": "cfg"}}).',
            )
        self._volumes.append({"name": dns_name(name, "volume name", label=True), **mapping(volume_spec, "volume_spec")})
        return self

    @builder_method
    def add_storage(self: W, storage: Volume) -> W:
        """Same as add_volume(storage) (the API reference's name for Storage builders)."""
        if not isinstance(storage, Volume):
            raise fail(
                f"add_storage() takes a Storage or Volume, got {type(storage).__name__}", "Write Storage('data')."
            )
        return self.add_volume(storage)

    @builder_method
    def add_volumes(self: W, volume_list: Sequence[Volume]) -> W:
        """Add several Volume builders (see add_volume())."""
        for volume in volumes(volume_list):
            self.add_volume(volume)
        return self

    @builder_method
    def mount_volume(self: W, volume_name: Any, mount_path: Any, read_only: bool = False) -> W:
        """Mount a volume in the container."""
        mount: dict[str, Any] = {"name": volume_name, "mountPath": text(mount_path, "mount_path")}
        if read_only:
            mount["readOnly"] = True
        self._mounts.append(mount)
        return self
