"""NetworkPolicy and SecurityPolicy builders with Celestra's names.

A NetworkPolicy with no ``pod_selector()`` added to an app (``App(...).add_network_policy(policy)``) selects that
app's pods; on its own it selects every pod of the namespace. A SecurityPolicy makes no object of its own: added to
a workload (``add_security_policy``) it sets the pod's and the container's securityContext.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pykro.authoring._location import fail
from pykro.authoring._resource import ResourceRef
from pykro.builders._base import (
    Builder,
    builder_method,
    choice,
    count,
    dns_name,
    items,
    label_key,
    label_value,
    mapping,
    port,
)
from pykro.simple import NetworkPolicy as _NetworkPolicy

__all__ = ["NetworkPolicy", "SecurityPolicy"]

_PROTOCOLS: Final = {"tcp": "TCP", "udp": "UDP", "sctp": "SCTP"}
_NAMESPACE_LABEL: Final = "kubernetes.io/metadata.name"


def _labels(labels: Any, what: str) -> dict[str, Any]:
    out = {}
    for key, value in mapping(labels, what).items():
        out[label_key(key, f"{what} key")] = label_value(value, f"{what} {key}")
    if not out:
        raise fail(f"{what} is empty: it would match every pod", "Pass at least one label, e.g. {'app': 'api'}.")
    return out


def _cidrs(cidrs: Any, what: str) -> list[dict[str, Any]]:
    out = []
    for cidr in items(cidrs, what):
        try:
            ipaddress.ip_network(cidr, strict=True)
        except (ValueError, TypeError):
            raise fail(f"{what}: {cidr!r} is not a CIDR block", "Write it as '10.0.0.0/8'.") from None
        out.append({"ipBlock": {"cidr": cidr}})
    return out


class NetworkPolicy(Builder):
    """A networking.k8s.io/v1 NetworkPolicy: ``NetworkPolicy("db").allow_pods_with_label("app", "api")``."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._selector: dict[str, Any] | None = None
        self._ingress: list[dict[str, Any]] = []
        self._egress: list[dict[str, Any]] = []
        self._types: set[str] = set()

    @builder_method
    def pod_selector(self, labels: Mapping[str, Any]) -> NetworkPolicy:
        """The pods the policy is about (default: the app it is added to, or every pod of the namespace)."""
        self._selector = _labels(labels, "pod_selector")
        return self

    def _ports(self, ports: Any, protocol: str = "TCP") -> list[dict[str, Any]] | None:
        if ports is None:
            return None
        kind = choice(protocol, "protocol", _PROTOCOLS)
        return [{"port": port(p, "network policy port"), "protocol": kind} for p in items(ports, "ports")]

    def _rule(self, direction: str, peers: list[dict[str, Any]], ports: Any) -> NetworkPolicy:
        key = "from" if direction == "Ingress" else "to"
        rule: dict[str, Any] = {key: peers}
        listed = self._ports(ports)
        if listed:
            rule["ports"] = listed
        (self._ingress if direction == "Ingress" else self._egress).append(rule)
        self._types.add(direction)
        return self

    @builder_method
    def allow_pods_with_label(self, key: str, value: str, ports: Sequence[int] | None = None) -> NetworkPolicy:
        """Allow traffic in from pods labelled ``key=value``."""
        return self.allow_from_pods({key: value}, ports)

    @builder_method
    def allow_from_pods(self, labels: Mapping[str, Any], ports: Sequence[int] | None = None) -> NetworkPolicy:
        return self._rule("Ingress", [{"podSelector": {"matchLabels": _labels(labels, "pod labels")}}], ports)

    @builder_method
    def allow_from_namespace(self, namespace: str, ports: Sequence[int] | None = None) -> NetworkPolicy:
        """Allow traffic in from every pod of ``namespace``."""
        return self.allow_from_namespaces([namespace], ports)

    @builder_method
    def allow_from_namespaces(self, namespaces: Sequence[str], ports: Sequence[int] | None = None) -> NetworkPolicy:
        names = [dns_name(n, "namespace", label=True) for n in items(namespaces, "namespaces")]
        return self._rule("Ingress", [_namespace_peer(names)], ports)

    @builder_method
    def allow_from_ip_blocks(self, cidrs: Sequence[str], ports: Sequence[int] | None = None) -> NetworkPolicy:
        return self._rule("Ingress", _cidrs(cidrs, "allow_from_ip_blocks()"), ports)

    @builder_method
    def allow_egress_to_pods(self, labels: Mapping[str, Any], ports: Sequence[int] | None = None) -> NetworkPolicy:
        return self._rule("Egress", [{"podSelector": {"matchLabels": _labels(labels, "pod labels")}}], ports)

    @builder_method
    def allow_egress_to_namespace(self, namespace: str, ports: Sequence[int] | None = None) -> NetworkPolicy:
        return self.allow_egress_to_namespaces([namespace], ports)

    @builder_method
    def allow_egress_to_namespaces(
        self, namespaces: Sequence[str], ports: Sequence[int] | None = None
    ) -> NetworkPolicy:
        names = [dns_name(n, "namespace", label=True) for n in items(namespaces, "namespaces")]
        return self._rule("Egress", [_namespace_peer(names)], ports)

    @builder_method
    def allow_egress_to_ip_blocks(self, cidrs: Sequence[str], ports: Sequence[int] | None = None) -> NetworkPolicy:
        return self._rule("Egress", _cidrs(cidrs, "allow_egress_to_ip_blocks()"), ports)

    @builder_method
    def allow_dns(self) -> NetworkPolicy:
        """Allow DNS lookups (port 53, UDP and TCP, to every namespace) once egress is restricted."""
        self._egress.append(
            {
                "to": [{"namespaceSelector": {}}],
                "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
            }
        )
        self._types.add("Egress")
        return self

    @builder_method
    def deny_all(self) -> NetworkPolicy:
        """Deny all traffic in and out except what the allow_* calls allow."""
        self._types |= {"Ingress", "Egress"}
        return self

    @builder_method
    def policy_type(self, policy_type: str) -> NetworkPolicy:
        """``Ingress``, ``Egress`` or ``Ingress,Egress``: the directions the policy restricts."""
        for part in str(policy_type).split(","):
            self._types.add(choice(part.strip(), "policy_type", {"ingress": "Ingress", "egress": "Egress"}))
        return self

    def for_pods(self, selector: dict[str, Any]) -> list[ResourceRef]:
        """The policy, selecting ``selector`` unless it has its own pod_selector (used by add_network_policy)."""
        types = [t for t in ("Ingress", "Egress") if t in self._types] or ["Ingress"]
        return [
            _NetworkPolicy(
                self._name,
                pod_selector=self._selector if self._selector is not None else selector,
                ingress=[dict(r) for r in self._ingress] or None,
                egress=[dict(r) for r in self._egress] or None,
                policy_types=types,
                **self._meta(),
            )
        ]

    def _make(self) -> list[ResourceRef]:
        return self.for_pods({})


def _namespace_peer(names: list[str]) -> dict[str, Any]:
    if len(names) == 1:
        return {"namespaceSelector": {"matchLabels": {_NAMESPACE_LABEL: names[0]}}}
    expression = {"key": _NAMESPACE_LABEL, "operator": "In", "values": names}
    return {"namespaceSelector": {"matchExpressions": [expression]}}


_LEVELS: Final = {"privileged": "privileged", "baseline": "baseline", "restricted": "restricted"}


class SecurityPolicy(Builder):
    """Security settings applied to the workloads it is added to: ``SecurityPolicy("strict")
    .pod_security_standard("restricted")`` sets what the restricted Pod Security Standard requires."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._pod: dict[str, Any] = {}
        self._container: dict[str, Any] = {}

    @builder_method
    def pod_security_standard(self, level: str) -> SecurityPolicy:
        """``restricted``: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp;
        ``baseline``: no privilege escalation; ``privileged``: nothing is set."""
        chosen = choice(level, "pod_security_standard", _LEVELS)
        if chosen in ("baseline", "restricted"):
            self._container["allowPrivilegeEscalation"] = False
        if chosen == "restricted":
            self._pod["runAsNonRoot"] = True
            self._pod["seccompProfile"] = {"type": "RuntimeDefault"}
            self._container["capabilities"] = {"drop": ["ALL"]}
        return self

    @builder_method
    def restricted_policy(self) -> SecurityPolicy:
        """Same as pod_security_standard("restricted")."""
        return self.pod_security_standard("restricted")

    @builder_method
    def baseline_policy(self) -> SecurityPolicy:
        """Same as pod_security_standard("baseline")."""
        return self.pod_security_standard("baseline")

    @builder_method
    def pod_security_standards(self, level: str) -> SecurityPolicy:
        """Same as pod_security_standard()."""
        return self.pod_security_standard(level)

    @builder_method
    def run_as_user(self, uid: int) -> SecurityPolicy:
        self._pod["runAsUser"] = count(uid, "run_as_user")
        return self

    @builder_method
    def run_as_group(self, gid: int) -> SecurityPolicy:
        self._pod["runAsGroup"] = count(gid, "run_as_group")
        return self

    @builder_method
    def volume_fs_group(self, gid: int) -> SecurityPolicy:
        """The group owning mounted volumes (fsGroup)."""
        self._pod["fsGroup"] = count(gid, "volume_fs_group")
        return self

    @builder_method
    def run_as_non_root(self, enabled: bool = True) -> SecurityPolicy:
        self._pod["runAsNonRoot"] = _flag(enabled, "run_as_non_root")
        return self

    @builder_method
    def seccomp_profile(self, profile: str) -> SecurityPolicy:
        """``RuntimeDefault`` or ``Unconfined``."""
        kind = choice(profile, "seccomp_profile", {"runtimedefault": "RuntimeDefault", "unconfined": "Unconfined"})
        self._pod["seccompProfile"] = {"type": kind}
        return self

    @builder_method
    def read_only_root_filesystem(self, enabled: bool = True) -> SecurityPolicy:
        self._container["readOnlyRootFilesystem"] = _flag(enabled, "read_only_root_filesystem")
        return self

    @builder_method
    def allow_privilege_escalation(self, enabled: bool = False) -> SecurityPolicy:
        self._container["allowPrivilegeEscalation"] = _flag(enabled, "allow_privilege_escalation")
        return self

    @builder_method
    def privileged_container(self, enabled: bool = False) -> SecurityPolicy:
        self._container["privileged"] = _flag(enabled, "privileged_container")
        return self

    @builder_method
    def drop_capabilities(self, capabilities: Sequence[str]) -> SecurityPolicy:
        self._capabilities("drop", capabilities)
        return self

    @builder_method
    def add_capabilities(self, capabilities: Sequence[str]) -> SecurityPolicy:
        self._capabilities("add", capabilities)
        return self

    def _capabilities(self, which: str, capabilities: Any) -> None:
        listed = items(capabilities, f"{which}_capabilities")
        for cap in listed:
            if not isinstance(cap, str) or not cap.replace("_", "").isalnum() or cap.upper() != cap:
                raise fail(
                    f"{which}_capabilities: {cap!r} is not a capability name", "Write e.g. 'NET_ADMIN' or 'ALL'."
                )
        caps = dict(self._container.get("capabilities", {}))
        caps[which] = [*caps.get(which, []), *listed]
        self._container["capabilities"] = caps

    def settings(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The pod securityContext and the container securityContext it sets (copies)."""
        return dict(self._pod), dict(self._container)

    def _make(self) -> list[ResourceRef]:
        raise fail(
            f"SecurityPolicy {self._name!r} makes no object of its own",
            "Add it to a workload: App(...).add_security_policy(policy).",
        )


def _flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise fail(f"{what}() takes True or False, got {value!r}")
    return value
