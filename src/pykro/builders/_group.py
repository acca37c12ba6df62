"""AppGroup: several builders deployed together, optionally in their own namespace, sharing Secrets and ConfigMaps."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from pykro.authoring._location import fail
from pykro.authoring._resource import ResourceRef, resource
from pykro.builders._base import Builder, builder_method, choice, items, mapping, quantity, text, unsupported
from pykro.builders._base import count as check_count
from pykro.builders._config import ConfigMap, Secret
from pykro.builders._workloads import _Workload
from pykro.simple import Namespace as _Namespace
from pykro.simple import NetworkPolicy as _NetworkPolicy

__all__ = ["AppGroup"]

_PSS = ("privileged", "baseline", "restricted")


class AppGroup(Builder):
    """A group of builders: ``AppGroup("shop").add_services([web, api, db])``."""

    KIND_NAME_IS_LABEL = True

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._members: list[Builder] = []
        self._shared: list[Secret | ConfigMap] = []
        self._create_namespace = False
        self._namespace_labels: dict[str, Any] = {}
        self._namespace_annotations: dict[str, Any] = {}
        self._quota: dict[str, Any] = {}
        self._networking: tuple[bool, list[str]] | None = None
        self._pod_security: dict[str, Any] = {}

    @builder_method
    def add_service(self, service: Builder) -> AppGroup:
        """Add an App, StatefulApp, Job, CronJob, Service, Ingress, Secret or ConfigMap builder."""
        if not isinstance(service, Builder) or isinstance(service, AppGroup):
            raise fail(f"AppGroup.add_service() takes a builder such as App(...), got {type(service).__name__}")
        for member in self._members:
            if type(member) is type(service) and member.name == service.name:
                raise fail(
                    f"AppGroup {self._name!r} already has a {type(service).__name__} named {service.name!r}",
                    "Give it another name.",
                )
        self._members.append(service)
        return self

    @builder_method
    def add_services(self, services: Sequence[Builder]) -> AppGroup:
        for service in items(services, "services"):
            self.add_service(service)
        return self

    def _index(self, name: str) -> int:
        names = [m.name for m in self._members]
        if name not in names:
            close = difflib.get_close_matches(str(name), [str(n) for n in names], n=1)
            fix = f"Did you mean {close[0]!r}?" if close else f"It has: {', '.join(map(str, names)) or 'nothing'}."
            raise fail(f"AppGroup {self._name!r} has no service named {name!r}", fix)
        return names.index(name)

    @builder_method
    def remove_service(self, name: str) -> AppGroup:
        del self._members[self._index(name)]
        return self

    @builder_method
    def get_service(self, name: str) -> Builder:
        return self._members[self._index(name)]

    def get_service_names(self) -> list[Any]:
        return [m.name for m in self._members]

    def get_service_count(self) -> int:
        return len(self._members)

    @builder_method
    def add_shared_secret(self, secret: Secret) -> AppGroup:
        """Create the Secret once and give it to every workload of the group (env vars, or files at its
        ``mount_path``)."""
        if not isinstance(secret, Secret):
            raise fail(f"add_shared_secret() takes a pykro.builders.Secret, got {type(secret).__name__}")
        self._shared.append(secret)
        return self

    @builder_method
    def add_shared_config(self, config_map: ConfigMap) -> AppGroup:
        """Create the ConfigMap once and give it to every workload of the group."""
        if not isinstance(config_map, ConfigMap):
            raise fail(f"add_shared_config() takes a pykro.builders.ConfigMap, got {type(config_map).__name__}")
        self._shared.append(config_map)
        return self

    @builder_method
    def configure_namespace(
        self,
        create_namespace: bool = True,
        namespace_labels: Mapping[str, Any] | None = None,
        namespace_annotations: Mapping[str, Any] | None = None,
    ) -> AppGroup:
        """Put the group in the namespace named after it (or set with namespace()), created with it unless
        ``create_namespace=False``."""
        if self._namespace is None:
            self._namespace = self._name
        self._create_namespace = bool(create_namespace)
        self._namespace_labels = mapping(namespace_labels or {}, "namespace_labels")
        self._namespace_annotations = mapping(namespace_annotations or {}, "namespace_annotations")
        return self

    @builder_method
    def set_resource_quotas(
        self, cpu_limit: Any = None, memory_limit: Any = None, storage_limit: Any = None, pod_limit: Any = None
    ) -> AppGroup:
        """A ResourceQuota for the group's namespace (limits.cpu, limits.memory, requests.storage, pods)."""
        hard: dict[str, Any] = {}
        if cpu_limit is not None:
            hard["limits.cpu"] = quantity(cpu_limit, "cpu_limit")
        if memory_limit is not None:
            hard["limits.memory"] = quantity(memory_limit, "memory_limit", size=True)
        if storage_limit is not None:
            hard["requests.storage"] = quantity(storage_limit, "storage_limit", size=True)
        if pod_limit is not None:
            hard["pods"] = str(check_count(pod_limit, "pod_limit"))
        if not hard:
            raise fail("set_resource_quotas() needs at least one limit", "Write set_resource_quotas(cpu_limit='10').")
        self._quota = hard
        return self

    @builder_method
    def configure_networking(
        self,
        allow_internal_communication: bool = True,
        deny_external_access_except: Sequence[str] | None = None,
        service_mesh: bool = False,
        mesh_config: Mapping[str, Any] | None = None,
    ) -> AppGroup:
        """NetworkPolicies for the group's namespace: ``<group>-internal`` selects every pod and lets in only pods
        of the same namespace (``allow_internal_communication=False``: nothing); each member named in
        ``deny_external_access_except`` gets ``<group>-allow-<name>``, letting everyone in."""
        if service_mesh or mesh_config is not None:
            raise fail("configure_networking(service_mesh=...) is not supported: pykro installs no service mesh")
        if not isinstance(allow_internal_communication, bool):
            raise fail(f"allow_internal_communication takes True or False, got {allow_internal_communication!r}")
        names = [m.name for m in self._members]
        open_to_all = [
            text(n, "deny_external_access_except item")
            for n in items(deny_external_access_except or [], "deny_external_access_except")
        ]
        for name in open_to_all:
            if name not in names:
                self._index(name)  # the error names the members
        self._networking = (allow_internal_communication, open_to_all)
        return self

    @builder_method
    def configure_security(
        self,
        rbac_enabled: bool = False,
        pod_security_policy: str | None = None,
        network_policies: bool = False,
        security_context: Mapping[str, Any] | None = None,
    ) -> AppGroup:
        """``pod_security_policy`` (``restricted``/``baseline``/``privileged``) labels the group's namespace
        ``pod-security.kubernetes.io/enforce`` (with configure_namespace()); ``security_context`` becomes every
        workload's pod securityContext; ``network_policies=True`` is configure_networking()."""
        if rbac_enabled:
            raise fail(
                "configure_security(rbac_enabled=True) is not supported: pykro cannot guess the permissions",
                "Give each workload its roles: .add_service_account(ServiceAccount(...)).add_role(Role(...)).",
            )
        if pod_security_policy is not None:
            level = choice(pod_security_policy, "pod_security_policy", {k: k for k in _PSS})
            self._namespace_labels["pod-security.kubernetes.io/enforce"] = level
        if security_context is not None:
            self._pod_security = mapping(security_context, "security_context")
        if network_policies:
            self.configure_networking()
        return self

    configure_monitoring = unsupported(
        "configure_monitoring", "monitoring stacks are not installed by pykro", ".enable_metrics() on each App"
    )
    set_dependencies = unsupported(
        "set_dependencies",
        "kro orders resources by the references between them",
        "a @composition where one resource reads another's fields",
    )
    add_dependency = unsupported(
        "add_dependency",
        "kro orders resources by the references between them",
        "a @composition where one resource reads another's fields",
    )
    for_environment = unsupported(
        "for_environment",
        "pykro expresses environments as spec values",
        "a @composition with an environment field (or one AppGroup per environment)",
    )

    def generate_kubernetes_resources(self) -> list[dict[str, Any]]:
        """The objects as dicts (same as objects())."""
        return self.objects()

    def _make(self) -> list[ResourceRef]:
        """The namespace and quota (if configured), the shared objects, then every member's resources; a Secret or
        ConfigMap builder added to several members is created once."""
        out: list[ResourceRef] = []
        if self._namespace is not None and self._create_namespace:
            out.append(
                _Namespace(
                    self._namespace,
                    labels=self._namespace_labels or None,
                    annotations=self._namespace_annotations or None,
                )
            )
        if self._quota:
            meta: dict[str, Any] = {"name": f"{self._name}-quota"}
            if self._namespace is not None:
                meta["namespace"] = self._namespace
            out.append(
                resource(
                    {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta, "spec": {"hard": dict(self._quota)}}
                )
            )
        if "pod-security.kubernetes.io/enforce" in self._namespace_labels and not self._create_namespace:
            raise fail(
                f"AppGroup {self._name!r}: configure_security(pod_security_policy=...) labels the group's namespace",
                "Call .configure_namespace() too, so the group creates its namespace.",
            )
        out += self._network_policies()
        workloads = [m for m in self._members if isinstance(m, _Workload)]
        attached: list[Builder] = list(self._shared)
        for workload in workloads:
            attached += [c for c in [*workload._secrets, *workload._configs] if all(c is not a for a in attached)]
        members: list[Builder] = [*attached, *(m for m in self._members if all(m is not a for a in attached))]
        saved = [(m, m._namespace, m._labels, m._annotations) for m in members]
        saved_security = [(w, dict(w._pod_security_context)) for w in workloads]
        for workload in workloads:  # the group's pod securityContext, under each workload's own
            for key, value in self._pod_security.items():
                if workload._pod_security_context.get(key, value) != value:
                    raise fail(
                        f"AppGroup {self._name!r}: {type(workload).__name__} {workload.name!r} has securityContext."
                        f"{key} {workload._pod_security_context[key]!r}, the group sets {value!r}",
                        "Keep one of the two settings.",
                    )
                workload._pod_security_context[key] = value
        try:
            for member in members:  # the group's namespace, labels and annotations reach every member
                if member._namespace is None:
                    member._namespace = self._namespace
                member._labels = {**self._labels, **member._labels}
                member._annotations = {**self._annotations, **member._annotations}
            for member in members:
                if isinstance(member, _Workload):
                    out += member.to_resources_in_group(self._shared)
                else:
                    out += member.to_resources()
        finally:
            for member, namespace, labels, annotations in saved:
                member._namespace, member._labels, member._annotations = namespace, labels, annotations
            for workload, context in saved_security:
                workload._pod_security_context = context
        return out

    def _network_policies(self) -> list[ResourceRef]:
        if self._networking is None:
            return []
        internal, open_to_all = self._networking
        meta = {"namespace": self._namespace, "labels": dict(self._labels) or None}
        out = [
            _NetworkPolicy(
                f"{self._name}-internal",
                pod_selector=None,
                ingress=[{"from": [{"podSelector": {}}]}] if internal else None,
                policy_types=["Ingress"],
                **meta,
            )
        ]
        for name in open_to_all:
            out.append(
                _NetworkPolicy(
                    f"{self._name}-allow-{name}",
                    pod_selector={"app": name},
                    ingress=[{}],
                    policy_types=["Ingress"],
                    **meta,
                )
            )
        return out
