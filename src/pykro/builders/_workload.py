"""What every workload builder shares (``_Workload``: App, StatefulApp, Job, CronJob) and what App and
StatefulApp share (``_Exposed``): the Celestra methods pykro cannot honour, and assembling the pod keywords of the
pykro.simple factories."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pykro.authoring._context import current
from pykro.authoring._location import Site, fail, user_site
from pykro.authoring._resource import ResourceRef
from pykro.builders._analysis import CostOptimization, Finding, Report, SecurityScanner, ValidationLevel, Validator
from pykro.builders._base import builder_method, choice, unsupported
from pykro.builders._config import ConfigMap, Secret
from pykro.builders._parts import Parts
from pykro.errors import CompositionError
from pykro.simple import Ingress as _Ingress

__all__ = ["BUILD_INSTEAD", "NOT_BUILT", "short_enough"]

W = TypeVar("W", bound="_Workload")
E = TypeVar("E", bound="_Exposed")
_RANK = {"error": 0, "warning": 1, "info": 2}
_FAIL_ON = {k: k for k in _RANK}
NOT_BUILT = "pykro does not build images"
BUILD_INSTEAD = "docker build / your CI to build and push the image, then .image('registry/name:tag')"


def short_enough(name: Any, kind: str) -> None:
    """Kubernetes appends 11 characters to a CronJob's name for its Jobs: it may be 52 characters at most."""
    if isinstance(name, str) and len(name) > 52:
        raise fail(f"{kind} name {name!r} is {len(name)} characters long; Kubernetes allows 52", "Use a shorter name.")


class _Workload(Parts):
    """What App, StatefulApp, Job and CronJob share: one container and its pod."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._shared: list[Secret | ConfigMap] = []  # an AppGroup's shared objects, while it builds
        self._in_group = False
        # add_validator()/add_cost_optimizer(): (the call, the check, the level that stops the build, the call site)
        self._gates: list[tuple[str, Callable[[Any], list[Finding]], str, Site | None]] = []

    # ------------------------------------------------------------------ not supported
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
    from_dockerfile = unsupported("from_dockerfile", NOT_BUILT, BUILD_INSTEAD)

    # ------------------------------------------------------------------ queries
    def validate(self) -> Report:
        """``Validator().validate()`` of the objects (``.is_valid``, ``.errors``; iterate for every finding)."""
        return Report(Validator().validate(self))

    def security_scan(self) -> Report:
        """``SecurityScanner().scan()`` of the objects (``.has_vulnerabilities``, ``.vulnerabilities``)."""
        return Report(SecurityScanner().scan(self))

    # ------------------------------------------------------------------ checks on what the builder makes
    def _gate(self: W, call: str, check: Callable[[Any], list[Finding]], fail_on: Any) -> W:
        level = choice(fail_on.value if isinstance(fail_on, ValidationLevel) else fail_on, "fail_on", _FAIL_ON)
        self._gates.append((call, check, level, user_site()))
        return self

    @builder_method
    def add_validator(self: W, validator: Validator, fail_on: Any = "warning") -> W:
        """Run ``validator`` on the objects whenever they are made: findings at ``fail_on`` or worse (``"error"``,
        ``"warning"`` (default), ``"info"``) stop the build, listing them, at this call's line."""
        if not isinstance(validator, Validator):
            raise fail(f"add_validator() takes a Validator, got {type(validator).__name__}", "Write Validator('v').")
        return self._gate(f"add_validator({validator.name!r})", validator.validate, fail_on)

    @builder_method
    def add_cost_optimizer(self: W, optimizer: CostOptimization, fail_on: Any = "info") -> W:
        """Run ``optimizer``'s enabled checks on the objects whenever they are made: every recommendation (or, with
        ``fail_on="warning"``, only warnings) stops the build, listing them, at this call's line."""
        if not isinstance(optimizer, CostOptimization):
            raise fail(
                f"add_cost_optimizer() takes a CostOptimization, got {type(optimizer).__name__}",
                "Write CostOptimization('c').resource_optimization().",
            )
        optimizer.analyze([])  # an optimizer with no check enabled is an error now, not at render
        return self._gate(f"add_cost_optimizer({optimizer.name!r})", optimizer.analyze, fail_on)

    def _check_made(self, made: list[ResourceRef]) -> None:
        if not self._gates:
            return
        if current() is not None:
            raise fail(
                f"{type(self).__name__} {self._name!r} has add_validator()/add_cost_optimizer(), which check plain "
                "objects, not a composition's",
                "Remove them and check the rendered objects instead: Validator().validate(objects).",
            )
        objects = [ref.obj for ref in made]
        for call, check, level, site in self._gates:
            found = [f for f in check(objects) if _RANK[f.level.value] <= _RANK[level]]
            if found:
                more = f"; and {len(found) - 5} more" if len(found) > 5 else ""
                shown = "; ".join(str(f) for f in found[:5]) + more
                raise CompositionError(
                    f"{type(self).__name__} {self._name!r}: {call} found {len(found)} problem(s): {shown}",
                    where=site.text if site is not None else None,
                    fix="Fix what it names, or stop only on worse findings with fail_on='error' (or 'warning').",
                )

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
        parts = self._part_keywords()
        built = [v.pod_volume() for v in self._volume_builders]
        built_mounts = [m for m in (v.mount() for v in self._volume_builders) if m is not None]
        all_volumes = [*self._volumes, *built, *parts.pop("volumes")]
        all_mounts = [*self._mounts, *built_mounts, *parts.pop("mounts")]
        names = [v["name"] for v in all_volumes] + sorted(self._own_volumes())
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise fail(
                f"{type(self).__name__} {self._name!r} has two volumes named {twice[0]!r}",
                "Give each volume its own name.",
            )
        volumes = {v["name"] for v in all_volumes} | self._own_volumes()
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
            "pod_security_context": dict(self._pod_security_context) or None,
            "volumes": all_volumes or None,
            "volume_mounts": all_mounts or None,
            "config_maps": config_maps or None,
            "secrets": secrets or None,
            "security_context": self._security_context,
            "pod_labels": pod_labels,
            "pod_annotations": dict(self._pod_annotations) or None,
            "restart_policy": self._restart_policy,
            **parts,
        }

    def _own_volumes(self) -> set[str]:
        """Volumes the workload makes itself (a StatefulApp's storage claim)."""
        return set()

    def _pod_keywords(self) -> dict[str, Any]:
        return {k: v for k, v in self._pod().items() if v is not None}

    def _added(self) -> list[ResourceRef]:
        """The Secrets and ConfigMaps added with add_secret()/add_config(), each once, then the ServiceAccount,
        RBAC objects and NetworkPolicies of the workload."""
        out: list[ResourceRef] = []
        claims = [ref for volume in self._volume_builders for ref in volume.claim(self._namespace)]
        if self._in_group:  # the group creates the Secrets and ConfigMaps once
            return claims + self._policy_objects()
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
        return out + claims + self._policy_objects()

    def to_resources_in_group(self, shared: list[Secret | ConfigMap]) -> list[ResourceRef]:
        """The resources without the added Secrets/ConfigMaps (the group creates them) and with ``shared``."""
        self._shared, self._in_group = list(shared), True
        try:
            made = self._make()
            self._check_made(made)
            return made
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
        for what, value in (("external", external), ("ingress", ingress)):
            if not isinstance(value, bool):
                fix = "Add the Service with add_service(service)." if hasattr(value, "add_port") else ""
                raise fail(f"expose() {what} takes True or False, got {type(value).__name__} {value!r}", fix or None)
        self._service_type = "LoadBalancer" if external else "ClusterIP"
        self._ingress_host = ingress
        return self

    @builder_method
    def add_service(self: E, service: Any) -> E:
        """Create a Service builder with the workload; with no selector of its own it selects this workload's pods."""
        from pykro.builders._network import Service

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
        if self._service_type is not None and not self._ports:
            raise fail(
                f"{type(self).__name__} {self._name!r} is exposed but has no port, so no Service is made",
                "Call .port(...) first.",
            )
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
