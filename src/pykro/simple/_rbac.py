"""RBAC factories: Role, ClusterRole, RoleBinding, ClusterRoleBinding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pykro.authoring._location import fail
from pykro.authoring._refs import is_ref
from pykro.authoring._resource import ResourceRef, resource
from pykro.simple._keywords import checked
from pykro.simple._values import Labels, Obj, Objs, Str, camel, compact, is_resource, metadata, name_of, namespace_of

__all__ = ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]

_RBAC = "rbac.authorization.k8s.io"
_RULE_KEYS = {"nonResourceUrls": "nonResourceURLs"}


def _rules(rules: Any) -> Any:
    """PolicyRules as Kubernetes dicts; snake_case keys (``api_groups``, ``non_resource_urls``) are accepted."""
    if rules is None or is_ref(rules):
        return rules
    out = []
    for rule in rules:
        if not isinstance(rule, Mapping):
            out.append(rule)
            continue
        out.append({_RULE_KEYS.get(camel(k), camel(k)): v for k, v in rule.items()})
    return out


def _subjects(subjects: Sequence[Any], namespace: Any) -> list[Any]:
    """Subject dicts as written; ServiceAccount resources and names become ServiceAccount subjects."""
    if is_ref(subjects):
        raise fail("subjects must be a list here (its items may be references)", "list the subjects one by one")
    out: list[Any] = []
    for subject in subjects:
        if is_resource(subject):
            if subject.kind != "ServiceAccount":
                raise fail(f"a {subject.kind} cannot be a binding subject", "pass a ServiceAccount or a subject dict")
            out.append({"kind": "ServiceAccount", "name": name_of(subject), "namespace": namespace_of(subject)})
        elif isinstance(subject, Mapping):
            out.append({camel(k): v for k, v in subject.items()})
        elif namespace is None:
            raise fail(
                f"the ServiceAccount subject {subject!r} needs a namespace",
                "pass namespace= to the binding, the ServiceAccount resource itself, or a subject dict",
            )
        else:
            out.append({"kind": "ServiceAccount", "name": subject, "namespace": namespace})
    return out


def _role_ref(role: Any, role_kind: str | None, default_kind: str) -> dict[str, Any]:
    kind = role_kind if role_kind is not None else role.kind if is_resource(role) else default_kind
    if not isinstance(kind, str) or kind not in ("Role", "ClusterRole"):
        shown = kind if isinstance(kind, str) else "reference"
        raise fail(f"a binding refers to a Role or a ClusterRole, not a {shown}", 'use "Role" or "ClusterRole"')
    return {"apiGroup": _RBAC, "kind": kind, "name": name_of(role)}


@checked
def Role(
    name: Str,
    *,
    rules: Objs,
    id: str | None = None,
    namespace: Str | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """An rbac.authorization.k8s.io/v1 Role: ``rules=[{"api_groups": [""], "resources": [...], "verbs": [...]}]``."""
    obj = {"apiVersion": f"{_RBAC}/v1", "kind": "Role", "metadata": metadata(name, namespace, labels, annotations)}
    return resource({**obj, "rules": _rules(rules)}, id=id)


@checked
def ClusterRole(
    name: Str,
    *,
    rules: Objs | None = None,
    aggregation_rule: Obj | None = None,
    id: str | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """An rbac.authorization.k8s.io/v1 ClusterRole (cluster-wide rules, or an ``aggregation_rule``)."""
    obj = {"apiVersion": f"{_RBAC}/v1", "kind": "ClusterRole", "metadata": metadata(name, None, labels, annotations)}
    fields = compact(aggregationRule=aggregation_rule, rules=_rules(rules))
    return resource({**obj, **fields}, id=id)


@checked
def RoleBinding(
    name: Str,
    *,
    role: Str | ResourceRef,
    subjects: Sequence[Any],
    role_kind: str | None = None,
    id: str | None = None,
    namespace: Str | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """An rbac.authorization.k8s.io/v1 RoleBinding of ``role`` (a name, or a Role/ClusterRole resource) to
    ``subjects`` (ServiceAccount resources, ServiceAccount names in ``namespace``, or subject dicts)."""
    obj = {
        "apiVersion": f"{_RBAC}/v1",
        "kind": "RoleBinding",
        "metadata": metadata(name, namespace, labels, annotations),
    }
    fields = {"subjects": _subjects(subjects, namespace), "roleRef": _role_ref(role, role_kind, "Role")}
    return resource({**obj, **fields}, id=id)


@checked
def ClusterRoleBinding(
    name: Str,
    *,
    role: Str | ResourceRef,
    subjects: Sequence[Any],
    subject_namespace: Str | None = None,
    id: str | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """An rbac.authorization.k8s.io/v1 ClusterRoleBinding of a ClusterRole to ``subjects`` (as for RoleBinding;
    ServiceAccount names need ``subject_namespace``)."""
    meta = metadata(name, None, labels, annotations)
    obj = {"apiVersion": f"{_RBAC}/v1", "kind": "ClusterRoleBinding", "metadata": meta}
    fields = {"subjects": _subjects(subjects, subject_namespace), "roleRef": _role_ref(role, None, "ClusterRole")}
    return resource({**obj, **fields}, id=id)
