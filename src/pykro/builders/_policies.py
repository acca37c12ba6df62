"""The security and operations setters every workload shares: its ServiceAccount (a builder is created with it),
Roles bound to that account, NetworkPolicies selecting its pods, SecurityPolicies, Health and Observability."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pykro.authoring._location import fail
from pykro.authoring._resource import ResourceRef
from pykro.builders._base import Builder, builder_method, items, mapping
from pykro.builders._health import Health, Observability
from pykro.builders._pod import Pod
from pykro.builders._policy import NetworkPolicy, SecurityPolicy
from pykro.builders._rbac import ClusterRoleBinding, RoleBinding, ServiceAccount, _Rules

__all__ = ["Policies"]

P = TypeVar("P", bound="Policies")


def _expect(value: Any, cls: type | tuple[type, ...], method: str) -> None:
    if not isinstance(value, cls):
        name = (cls if isinstance(cls, type) else cls[0]).__name__
        call = method if method.endswith(")") else f"{method}()"
        raise fail(
            f"{call} takes a pykro.builders.{name}, got {type(value).__name__} {value!r}",
            f"Write {method.split('(')[0]}({name}('name')...).",
        )


class Policies(Pod):
    """ServiceAccount, RBAC, network and security policies, health and observability of a workload."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._account: ServiceAccount | None = None
        self._roles: list[_Rules] = []
        self._rbac_objects: list[Builder] = []  # rbac(roles=..., bindings=...): created as given
        self._network_policies: list[NetworkPolicy] = []
        self._pod_security_context: dict[str, Any] = {}
        self._policy_container: dict[str, Any] = {}  # what add_security_policy() set in the container's context

    @builder_method
    def add_service_account(self: P, service_account: Any) -> P:
        """Run the pods as a ServiceAccount: a pykro.builders.ServiceAccount (created with the workload), its name,
        or a pykro.simple.ServiceAccount resource."""
        if isinstance(service_account, ServiceAccount):
            self._account = service_account
            self._service_account = service_account.name
            return self
        self._account = None
        return Pod.add_service_account(self, service_account)

    @builder_method
    def add_role(self: P, role: Any) -> P:
        """Create the Role (or ClusterRole) with the workload and a RoleBinding ``<workload>-<role>`` granting it to
        the workload's ServiceAccount (set with add_service_account())."""
        _expect(role, _Rules, "add_role")
        self._roles.append(role)
        return self

    @builder_method
    def rbac(self: P, service_account: Any = None, roles: Sequence[Any] = (), bindings: Sequence[Any] = ()) -> P:
        """The API reference's RBAC in one call: the ServiceAccount (add_service_account()), the roles and the
        bindings created with the workload. Without bindings each role is bound to the ServiceAccount (add_role())."""
        if service_account is not None:
            self.add_service_account(service_account)
        given = items(bindings, "bindings")
        for binding in given:
            _expect(binding, (RoleBinding, ClusterRoleBinding), "rbac(bindings=...)")
        for role in items(roles, "roles"):
            _expect(role, _Rules, "rbac(roles=...)")
            if given:
                self._rbac_objects.append(role)  # created as is: the given bindings grant it
            else:
                self.add_role(role)
        self._rbac_objects += given
        return self

    @builder_method
    def add_network_policy(self: P, policy: Any) -> P:
        """Create the NetworkPolicy with the workload; without a pod_selector() of its own it selects this
        workload's pods."""
        _expect(policy, NetworkPolicy, "add_network_policy")
        self._network_policies.append(policy)
        return self

    @builder_method
    def add_security_policy(self: P, policy: Any) -> P:
        """Apply a SecurityPolicy's settings to the pod's and the container's securityContext (a setting the
        workload already has with another value is an error)."""
        _expect(policy, SecurityPolicy, "add_security_policy")
        pod, container = policy.settings()
        if not pod and not container:
            raise fail(f"SecurityPolicy {policy.name!r} sets nothing", "Call .pod_security_standard('restricted').")
        own = dict(self._security_context or {})
        for target, given, what in ((self._pod_security_context, pod, "pod"), (own, container, "container")):
            for key, value in given.items():
                if key in target and target[key] != value:
                    raise fail(
                        f"add_security_policy(): the {what} securityContext.{key} is already {target[key]!r}, "
                        f"the policy {policy.name!r} sets {value!r}",
                        "Keep one of the two settings.",
                    )
                target[key] = value
        self._policy_container.update(container)
        self._security_context = own or None
        return self

    @builder_method
    def security_context(self: P, context: Any) -> P:
        """The container's securityContext, as the Kubernetes dict (what add_security_policy() set stays; the same
        key with another value is an error)."""
        given = mapping(context, "security_context")
        for key, value in self._policy_container.items():
            if key in given and given[key] != value:
                raise fail(
                    f"security_context(): {key} is {given[key]!r} here, a security policy set {value!r}",
                    "Keep one of the two settings.",
                )
        self._security_context = {**self._policy_container, **given}
        return self

    @builder_method
    def health(self: P, health: Any) -> P:
        """Apply a Health's probes (HTTP GET on their path; port: theirs or the workload's first)."""
        _expect(health, Health, "health")
        for kind, probe in health.probes().items():
            self._probe(
                kind,
                probe["path"],
                probe["port"],
                probe["initial_delay"],
                probe["period"],
                probe["timeout"],
                probe["failure_threshold"],
            )
        return self

    @builder_method
    def add_observability(self: P, observability: Any) -> P:
        """Apply an Observability: a ``metrics`` port with Prometheus scrape annotations, and its environment."""
        _expect(observability, Observability, "add_observability")
        metrics, env = observability.settings()
        if metrics is not None:
            number, path = metrics
            self.port(number, "metrics")
            self._pod_annotations.update(
                {"prometheus.io/scrape": "true", "prometheus.io/port": str(number), "prometheus.io/path": path}
            )
        self.environment(env)
        return self

    def _policy_objects(self) -> list[ResourceRef]:
        """The ServiceAccount, the Roles with their RoleBindings, and the NetworkPolicies."""
        out: list[ResourceRef] = []
        meta_namespace = self._namespace
        if self._account is not None:
            out += _in_namespace(self._account, meta_namespace)
        if self._roles and self._service_account is None:
            raise fail(
                f"{type(self).__name__} {self._name!r} has roles but no ServiceAccount to bind them to",
                "Call .add_service_account(ServiceAccount('...')).",
            )
        for role in self._roles:
            out += _in_namespace(role, meta_namespace)
            binding = RoleBinding(f"{self._name}-{role.name}")
            binding = binding.bind_role(role) if type(role).__name__ == "Role" else binding.bind_cluster_role(role)
            account = self._account if self._account is not None else self._service_account
            out += _in_namespace(binding.bind_service_account(account), meta_namespace)
        for extra in self._rbac_objects:
            out += _in_namespace(extra, meta_namespace)
        for policy in self._network_policies:
            own = policy._namespace
            policy._namespace = own if own is not None else meta_namespace
            try:
                out += policy.for_pods({"app": self._name})
            finally:
                policy._namespace = own
        return out


def _in_namespace(builder: Any, namespace: Any) -> list[ResourceRef]:
    """The builder's resources, in ``namespace`` unless it has its own (cluster-wide objects keep none)."""
    if type(builder).__name__ in ("ClusterRole", "ClusterRoleBinding"):
        return list(builder.to_resources())
    own = builder._namespace
    builder._namespace = own if own is not None else namespace
    try:
        return list(builder.to_resources())
    finally:
        builder._namespace = own
