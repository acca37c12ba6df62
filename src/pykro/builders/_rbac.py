"""RBAC builders with Celestra's names: ServiceAccount, Role, ClusterRole, RoleBinding, ClusterRoleBinding.

``Role("reader").allow_get("pods")`` makes a Role with one rule per call; ``App(...).add_role(role)`` creates the
Role with the app and binds it to the app's ServiceAccount. Verbs and resource names are checked at the call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeVar

from pykro.authoring._location import fail
from pykro.authoring._resource import ResourceRef, resource
from pykro.builders._base import (
    Builder,
    builder_method,
    choice,
    dns_name,
    items,
    label_value,
    mapping,
    text,
    unsupported,
)
from pykro.simple import ClusterRole as _ClusterRole
from pykro.simple import ClusterRoleBinding as _ClusterRoleBinding
from pykro.simple import Role as _Role
from pykro.simple import RoleBinding as _RoleBinding
from pykro.simple._values import compact, metadata

__all__ = ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ServiceAccount"]

R = TypeVar("R", bound="_Rules")
BB = TypeVar("BB", bound="_Binding")
VERBS: Final = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "*")
READ: Final = ["get", "list", "watch"]
_RESOURCE: Final = re.compile(r"^(\*|[a-z][a-z0-9.-]*(/[a-z*]+)?)\Z")
_GROUP: Final = re.compile(r"^(\*|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?\Z")


def _verbs(verbs: Sequence[Any], what: str) -> list[str]:
    out = []
    for verb in verbs:
        if verb not in VERBS:
            raise fail(f"{what}: {verb!r} is not a Kubernetes verb", f"Use one of {', '.join(VERBS)}.")
        out.append(verb)
    return out


def _resources(resources: Sequence[Any], what: str) -> list[str]:
    if not resources:
        raise fail(f"{what} needs at least one resource", f"Write {what}('pods').")
    for name in resources:
        if not isinstance(name, str) or not _RESOURCE.match(name):
            raise fail(
                f"{what}: {name!r} is not a resource name (lower-case plural such as 'pods' or 'pods/log')",
                "Write the resource as kubectl api-resources lists it.",
            )
    return list(resources)


class ServiceAccount(Builder):
    """A v1 ServiceAccount: ``ServiceAccount("api-sa").automount_token(False).add_image_pull_secret("reg")``."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._automount: bool | None = None
        self._secrets: list[str] = []
        self._pull_secrets: list[str] = []

    @builder_method
    def automount_token(self, enabled: bool = True) -> ServiceAccount:
        """Whether pods mount the account's API token (automountServiceAccountToken)."""
        if not isinstance(enabled, bool):
            raise fail(f"automount_token() takes True or False, got {enabled!r}")
        self._automount = enabled
        return self

    @builder_method
    def automount_service_account_token(self, enabled: bool = True) -> ServiceAccount:
        """Same as automount_token()."""
        return self.automount_token(enabled)

    @builder_method
    def add_secret(self, secret_name: Any) -> ServiceAccount:
        """List a Secret in the account's ``secrets`` (the Secret itself is not created)."""
        self._secrets.append(dns_name(secret_name, "ServiceAccount secret"))
        return self

    @builder_method
    def add_image_pull_secret(self, secret_name: Any) -> ServiceAccount:
        """Pods of this account pull images with the Secret ``secret_name``."""
        self._pull_secrets.append(dns_name(secret_name, "image pull secret"))
        return self

    @builder_method
    def image_pull_secrets(self, secret_names: Sequence[Any]) -> ServiceAccount:
        for secret in items(secret_names, "image_pull_secrets"):
            self.add_image_pull_secret(secret)
        return self

    @builder_method
    def label(self, key: str, value: Any) -> ServiceAccount:
        """Same as add_label()."""
        return self.add_label(key, value)

    def _make(self) -> list[ResourceRef]:
        obj = {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": metadata(self._name, **self._meta()),
            **compact(
                automountServiceAccountToken=self._automount,
                secrets=[{"name": s} for s in self._secrets] or None,
                imagePullSecrets=[{"name": s} for s in self._pull_secrets] or None,
            ),
        }
        return [resource(obj)]


class _Rules(Builder):
    """Role and ClusterRole: PolicyRules, one per call."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._rules: list[dict[str, Any]] = []

    def _rule(self: R, verbs: list[str], resources: Sequence[Any], api_group: Any, what: str) -> R:
        group = text(api_group, "api_group")
        if not _GROUP.match(group):
            raise fail(f"{what}: api_group {group!r} is not an API group", "Use '' (core), 'apps', 'batch', ...")
        self._rules.append({"apiGroups": [group], "resources": _resources(resources, what), "verbs": verbs})
        return self

    @builder_method
    def add_policy(self: R, verb: str, *resources: str, api_group: str = "") -> R:
        """Allow ``verb`` on ``resources`` (of ``api_group``, the core group unless given)."""
        return self._rule(_verbs([verb], "add_policy()"), resources, api_group, "add_policy()")

    @builder_method
    def add_policies(self: R, policies: Sequence[Mapping[str, Any]]) -> R:
        """Several rules as ``{"verbs": [...], "resources": [...], "api_groups": [""]}`` dicts."""
        for policy in items(policies, "policies"):
            given = mapping(policy, "policies item")
            unknown = set(given) - {"verbs", "resources", "api_groups"}
            if unknown or "verbs" not in given or "resources" not in given:
                raise fail(f"policies item {given!r} needs 'verbs' and 'resources' (and may have 'api_groups')")
            for group in items(given.get("api_groups", [""]), "api_groups"):
                self._rule(
                    _verbs(items(given["verbs"], "verbs"), "add_policies()"),
                    given["resources"],
                    group,
                    "add_policies()",
                )
        return self

    @builder_method
    def add_rule(self: R, api_groups: Sequence[str], resources: Sequence[str], verbs: Sequence[str]) -> R:
        """One rule, as in Kubernetes."""
        return self.add_policies([{"api_groups": api_groups, "resources": resources, "verbs": verbs}])

    def _allow(self: R, verbs: list[str], resources: Sequence[Any], api_group: Any, what: str) -> R:
        return self._rule(verbs, resources, api_group, what)

    @builder_method
    def allow_get(self: R, *resources: str, api_group: str = "") -> R:
        return self._allow(["get"], resources, api_group, "allow_get()")

    @builder_method
    def allow_list(self: R, *resources: str, api_group: str = "") -> R:
        return self._allow(["list"], resources, api_group, "allow_list()")

    @builder_method
    def allow_watch(self: R, *resources: str, api_group: str = "") -> R:
        return self._allow(["watch"], resources, api_group, "allow_watch()")

    @builder_method
    def allow_create(self: R, *resources: str, api_group: str = "") -> R:
        return self._allow(["create"], resources, api_group, "allow_create()")

    @builder_method
    def allow_update(self: R, *resources: str, api_group: str = "") -> R:
        return self._allow(["update"], resources, api_group, "allow_update()")

    @builder_method
    def allow_patch(self: R, *resources: str, api_group: str = "") -> R:
        return self._allow(["patch"], resources, api_group, "allow_patch()")

    @builder_method
    def allow_delete(self: R, *resources: str, api_group: str = "") -> R:
        return self._allow(["delete"], resources, api_group, "allow_delete()")

    @builder_method
    def allow_read_only(self: R, *resources: str, api_group: str = "") -> R:
        """get, list and watch on ``resources`` (every resource of the group when none is given)."""
        return self._allow(list(READ), resources or ("*",), api_group, "allow_read_only()")

    @builder_method
    def allow_all(self: R, *resources: str, verbs: Sequence[str] | None = None, api_group: str = "") -> R:
        """Every verb (or ``verbs``) on ``resources`` (every resource of the group when none is given)."""
        chosen = _verbs(items(verbs, "verbs"), "allow_all()") if verbs is not None else ["*"]
        return self._allow(chosen, resources or ("*",), api_group, "allow_all()")

    @builder_method
    def allow_pod_access(self: R) -> R:
        """Read pods and their logs."""
        return self._allow(list(READ), ["pods", "pods/log"], "", "allow_pod_access()")

    @builder_method
    def allow_service_access(self: R) -> R:
        return self._allow(list(READ), ["services", "endpoints"], "", "allow_service_access()")

    @builder_method
    def allow_ingress_access(self: R) -> R:
        """Read Ingresses (networking.k8s.io)."""
        return self._allow(list(READ), ["ingresses"], "networking.k8s.io", "allow_ingress_access()")

    @builder_method
    def allow_network_policy_access(self: R) -> R:
        """Read NetworkPolicies (networking.k8s.io)."""
        return self._allow(list(READ), ["networkpolicies"], "networking.k8s.io", "allow_network_policy_access()")

    @builder_method
    def allow_configmap_access(self: R) -> R:
        return self._allow(list(READ), ["configmaps"], "", "allow_configmap_access()")

    @builder_method
    def allow_secret_access(self: R) -> R:
        return self._allow(["get"], ["secrets"], "", "allow_secret_access()")

    @builder_method
    def label(self: R, key: str, value: Any) -> R:
        """Same as add_label()."""
        label_value(value, f"label {key}")
        return self.add_label(key, value)

    def rules(self) -> list[dict[str, Any]]:
        """The PolicyRules so far (copies)."""
        return [dict(rule) for rule in self._rules]

    def _checked_rules(self) -> list[dict[str, Any]]:
        if not self._rules:
            raise fail(f"{type(self).__name__} {self._name!r} has no rule", "Add one, e.g. .allow_get('pods').")
        return self.rules()


class Role(_Rules):
    """An rbac.authorization.k8s.io/v1 Role: ``Role("db-role").add_policy("get", "pods")``."""

    def _make(self) -> list[ResourceRef]:
        return [_Role(self._name, rules=self._checked_rules(), **self._meta())]


class ClusterRole(_Rules):
    """An rbac.authorization.k8s.io/v1 ClusterRole (cluster-wide; ``namespace()`` is an error)."""

    @builder_method
    def allow_node_access(self) -> ClusterRole:
        return self._allow(list(READ), ["nodes"], "", "allow_node_access()")

    @builder_method
    def allow_storage_class_access(self) -> ClusterRole:
        """Read StorageClasses (storage.k8s.io)."""
        return self._allow(list(READ), ["storageclasses"], "storage.k8s.io", "allow_storage_class_access()")

    @builder_method
    def allow_namespace_access(self) -> ClusterRole:
        return self._allow(list(READ), ["namespaces"], "", "allow_namespace_access()")

    @builder_method
    def allow_persistent_volume_access(self) -> ClusterRole:
        return self._allow(list(READ), ["persistentvolumes"], "", "allow_persistent_volume_access()")

    namespace = unsupported("namespace", "a ClusterRole is cluster-wide", "a Role for namespaced rules")

    def _make(self) -> list[ResourceRef]:
        meta = {k: v for k, v in self._meta().items() if k != "namespace"}
        return [_ClusterRole(self._name, rules=self._checked_rules(), **meta)]


class _Binding(Builder):
    """RoleBinding and ClusterRoleBinding: a role and its subjects."""

    ROLE_KINDS: tuple[str, ...] = ("Role", "ClusterRole")

    def __init__(self, name: Any, role: Any = None, *subjects: Any) -> None:
        super().__init__(name)
        self._role: tuple[str, Any] | None = None
        self._subjects: list[dict[str, Any]] = []
        if role is not None:
            self.bind_role(role) if not isinstance(role, ClusterRole) else self.bind_cluster_role(role)
        for subject in subjects:
            self.bind_service_account(subject)

    def _bind(self: BB, kind: str, role: Any) -> BB:
        if kind not in self.ROLE_KINDS:
            raise fail(f"a {type(self).__name__} refers to a ClusterRole, not a {kind}", "Use bind_cluster_role().")
        if isinstance(role, _Rules):
            if type(role).__name__ != kind:
                raise fail(f"bind_{kind.lower()}() got a {type(role).__name__}", f"Pass a {kind} or its name.")
            role = role.name
        self._role = (kind, dns_name(role, f"{kind} name"))
        return self

    @builder_method
    def bind_role(self: BB, role: Any) -> BB:
        """Grant a Role (a builder or its name)."""
        return self._bind("Role", role)

    @builder_method
    def bind_cluster_role(self: BB, cluster_role: Any) -> BB:
        """Grant a ClusterRole (a builder or its name, such as ``"view"``)."""
        return self._bind("ClusterRole", cluster_role)

    @builder_method
    def bind_service_account(self: BB, service_account: Any, namespace: Any = None) -> BB:
        """Grant it to a ServiceAccount (a builder or its name; its namespace: ``namespace``, the builder's, or
        for a RoleBinding the binding's own)."""
        if isinstance(service_account, ServiceAccount):
            namespace = namespace if namespace is not None else service_account._namespace
            service_account = service_account.name
        subject = {"kind": "ServiceAccount", "name": dns_name(service_account, "ServiceAccount name")}
        if namespace is not None:
            subject["namespace"] = dns_name(namespace, "namespace", label=True)
        self._subjects.append(subject)
        return self

    @builder_method
    def bind_user(self: BB, user: str) -> BB:
        self._subjects.append({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": text(user, "user")})
        return self

    @builder_method
    def bind_group(self: BB, group: str) -> BB:
        self._subjects.append({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": text(group, "group")})
        return self

    @builder_method
    def bind_service_accounts(self: BB, service_accounts: Sequence[Any]) -> BB:
        """bind_service_account() for each (builders or names)."""
        for service_account in items(service_accounts, "service_accounts"):
            self.bind_service_account(service_account)
        return self

    @builder_method
    def bind_users(self: BB, users: Sequence[str]) -> BB:
        for user in items(users, "users"):
            self.bind_user(user)
        return self

    @builder_method
    def bind_groups(self: BB, groups: Sequence[str]) -> BB:
        for group in items(groups, "groups"):
            self.bind_group(group)
        return self

    @builder_method
    def add_subject(self: BB, kind: str, name: Any, namespace: Any = None) -> BB:
        """A subject by kind: ``ServiceAccount`` (with its namespace), ``User`` or ``Group``."""
        chosen = choice(kind, "subject kind", {"serviceaccount": "ServiceAccount", "user": "User", "group": "Group"})
        if chosen == "ServiceAccount":
            return self.bind_service_account(name, namespace)
        if namespace is not None:
            raise fail(f"a {chosen} subject has no namespace", "Remove namespace=.")
        return self.bind_user(name) if chosen == "User" else self.bind_group(name)

    @builder_method
    def add_role(self: BB, role: Any) -> BB:
        """Same as bind_role() (bind_cluster_role() for a ClusterRole builder)."""
        return self.bind_cluster_role(role) if isinstance(role, ClusterRole) else self.bind_role(role)

    def _parts(self) -> tuple[str, Any, list[dict[str, Any]]]:
        if self._role is None:
            raise fail(f"{type(self).__name__} {self._name!r} binds no role", "Call .bind_role(role).")
        if not self._subjects:
            raise fail(f"{type(self).__name__} {self._name!r} has no subject", "Call .bind_service_account(sa).")
        return self._role[0], self._role[1], [dict(s) for s in self._subjects]


class RoleBinding(_Binding):
    """A RoleBinding: ``RoleBinding("api-binding", role, sa)`` or ``.bind_role(role).bind_service_account(sa)``."""

    def _make(self) -> list[ResourceRef]:
        kind, role, subjects = self._parts()
        return [_RoleBinding(self._name, role=role, role_kind=kind, subjects=subjects, **self._meta())]


class ClusterRoleBinding(_Binding):
    """A ClusterRoleBinding of a ClusterRole; ServiceAccount subjects need a namespace."""

    ROLE_KINDS = ("ClusterRole",)
    namespace = unsupported("namespace", "a ClusterRoleBinding is cluster-wide", "a RoleBinding")
    bind_role = unsupported("bind_role", "a ClusterRoleBinding grants a ClusterRole", ".bind_cluster_role(name)")

    def __init__(self, name: Any, role: Any = None, *subjects: Any) -> None:
        super().__init__(name, None, *subjects)
        if role is not None:
            self.bind_cluster_role(role)

    def _make(self) -> list[ResourceRef]:
        _, role, subjects = self._parts()
        for subject in subjects:
            if subject["kind"] == "ServiceAccount" and "namespace" not in subject:
                raise fail(
                    f"ClusterRoleBinding {self._name!r}: the ServiceAccount {subject['name']!r} needs a namespace",
                    "Pass bind_service_account(sa, namespace='...') or give the ServiceAccount a namespace.",
                )
        meta = {k: v for k, v in self._meta().items() if k != "namespace"}
        return [_ClusterRoleBinding(self._name, role=role, subjects=subjects, **meta)]
