"""Built-in kinds: schema validation with jsonschema-rs and the discovery table derived from the 1.35 bundle."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pykro.schema import _kubernetes as k8s

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]},
        },
    },
}


def test_version_is_pinned() -> None:
    assert k8s.KUBERNETES_VERSION == "1.35"


def test_valid_deployment_has_no_causes() -> None:
    assert k8s.validate_object(DEPLOYMENT) == []


def test_type_errors_required_and_nested_paths() -> None:
    bad = copy.deepcopy(DEPLOYMENT)
    bad["spec"]["replicas"] = "two"
    del bad["spec"]["template"]["spec"]["containers"][0]["name"]
    causes = {c.field: c for c in k8s.validate_object(bad)}
    assert causes["spec.replicas"].reason == "FieldValueTypeInvalid"
    assert causes["spec.replicas"].message == (
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'
    )
    assert causes["spec.template.spec.containers[0].name"].message == (
        "spec.template.spec.containers[0].name: Required value"
    )
    assert len(causes) == 2


def test_unknown_fields_only_in_strict_mode() -> None:
    bad = copy.deepcopy(DEPLOYMENT)
    bad["spec"]["replicaz"] = 3
    bad["spec"]["template"]["spec"]["containers"][0]["imagePolicy"] = "x"
    strict = k8s.validate_object(bad)
    assert sorted(c.field for c in strict) == ["spec.replicaz", "spec.template.spec.containers[0].imagePolicy"]
    assert 'unknown field "spec.replicaz"' in {c.body.split(": ", 1)[1] for c in strict}
    assert k8s.validate_object(bad, strict=False) == []
    assert k8s.unknown_fields(bad) == ["spec.replicaz", "spec.template.spec.containers[0].imagePolicy"]


def test_int_or_string_reads_like_a_type_error() -> None:
    svc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"ports": [{"port": 80, "targetPort": [1]}]},
    }
    (cause,) = k8s.validate_object(svc)
    assert cause.field == "spec.ports[0].targetPort"
    assert cause.message.endswith('must be of type string,integer: "array"')
    svc["spec"]["ports"][0]["targetPort"] = "http"
    assert k8s.validate_object(svc) == []


def test_unknown_kinds_are_not_checked() -> None:
    assert not k8s.is_builtin("example.com/v1", "Thing")
    assert k8s.validate_object({"apiVersion": "example.com/v1", "kind": "Thing", "spec": 1}) == []


@pytest.mark.parametrize(
    ("api_version", "kind", "plural", "scope"),
    [
        ("v1", "Pod", "pods", "Namespaced"),
        ("v1", "Namespace", "namespaces", "Cluster"),
        ("v1", "Endpoints", "endpoints", "Namespaced"),
        ("apps/v1", "Deployment", "deployments", "Namespaced"),
        ("networking.k8s.io/v1", "Ingress", "ingresses", "Namespaced"),
        ("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", "Namespaced"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", "Cluster"),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", "Cluster"),
        ("storage.k8s.io/v1", "StorageClass", "storageclasses", "Cluster"),
        ("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", "Cluster"),
        ("v1", "PersistentVolume", "persistentvolumes", "Cluster"),
        ("coordination.k8s.io/v1", "Lease", "leases", "Namespaced"),
    ],
)
def test_resource_table(api_version: str, kind: str, plural: str, scope: str) -> None:
    info = k8s.resource_for(api_version, kind)
    assert info is not None
    assert (info.plural, info.scope, info.singular) == (plural, scope, kind.lower())
    assert k8s.scope_of(api_version, kind) == scope
    assert k8s.plural_of(kind) == plural
    assert k8s.resource_by_plural(info.group, info.version, plural) == info
    assert info.api_version == api_version


def test_table_covers_the_bundle_without_meta_kinds() -> None:
    kinds = {r.kind for r in k8s.builtin_resources()}
    assert {"ConfigMap", "Secret", "Service", "StatefulSet", "Job", "CronJob", "HorizontalPodAutoscaler"} <= kinds
    assert not kinds & {"Status", "DeleteOptions", "WatchEvent", "Scale", "DeploymentList"}
    assert len({(r.group, r.version, r.kind) for r in k8s.builtin_resources()}) == len(k8s.builtin_resources())


def test_short_names_categories_and_verbs() -> None:
    deploy = k8s.resource_for("apps/v1", "Deployment")
    review = k8s.resource_for("authorization.k8s.io/v1", "SubjectAccessReview")
    assert deploy is not None and review is not None
    assert deploy.short_names == ("deploy",)
    assert deploy.categories == ("all",)
    assert "watch" in deploy.verbs
    assert review.verbs == ("create",)
    assert k8s.scope_of("v1", "NoSuchKind") is None


def test_preferred_versions() -> None:
    assert k8s.preferred_version("autoscaling") == "v2"
    assert k8s.preferred_version("") == "v1"
    assert k8s.preferred_version("resource.k8s.io") == "v1"
    assert k8s.preferred_version("no.such.group") is None


def test_builtin_schema_and_resolve() -> None:
    schema = k8s.builtin_schema("apps/v1", "Deployment")
    assert schema is not None
    spec = k8s.resolve(schema["properties"]["spec"])
    assert "replicas" in spec["properties"]
    assert spec["required"] == ["selector", "template"]
    assert k8s.builtin_schema("example.com/v1", "Thing") is None


def test_guessed_plurals_for_unknown_kinds() -> None:
    assert k8s.plural_of("Database") == "databases"
    assert k8s.plural_of("Policy") == "policies"
    assert k8s.plural_of("Ingress") == "ingresses"
