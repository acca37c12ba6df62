"""The RBAC, policy, health and observability builders: every method changes the rendered objects (enumerated, so
a new method without a case fails), the objects are valid Kubernetes 1.35, app wiring does what Celestra's docs
promise, and bad values stop at the caller's line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pykro.builders import (
    App,
    ClusterRole,
    ClusterRoleBinding,
    Health,
    NetworkPolicy,
    Observability,
    Role,
    RoleBinding,
    SecurityPolicy,
    ServiceAccount,
    StatefulApp,
)
from pykro.builders._base import Builder
from pykro.errors import PykroError
from pykro.schema._kubernetes import validate_object

from .test_every_method import at, implemented

HERE = "test_security_builders.py"
STANDALONE: dict[type[Builder], Callable[[], Any]] = {
    ServiceAccount: lambda: ServiceAccount("sa"),
    Role: lambda: Role("r").allow_get("pods"),
    ClusterRole: lambda: ClusterRole("r").allow_get("pods"),
    RoleBinding: lambda: RoleBinding("b", Role("r"), ServiceAccount("sa")),
    ClusterRoleBinding: lambda: ClusterRoleBinding("b", ClusterRole("r")).bind_service_account("sa", "ops"),
    NetworkPolicy: lambda: NetworkPolicy("np"),
}
KIND = {ServiceAccount: "ServiceAccount", Role: "Role", ClusterRole: "ClusterRole", RoleBinding: "RoleBinding"}
KIND |= {ClusterRoleBinding: "ClusterRoleBinding", NetworkPolicy: "NetworkPolicy"}
NAME = {ServiceAccount: "sa", Role: "r", ClusterRole: "r", RoleBinding: "b", ClusterRoleBinding: "b"}
NAME |= {NetworkPolicy: "np"}
META = {
    "namespace": (lambda b: b.namespace("prod"), "metadata.namespace", "prod"),
    "add_label": (lambda b: b.add_label("team", "data"), "metadata.labels", {"team": "data"}),
    "add_labels": (lambda b: b.add_labels({"team": "data"}), "metadata.labels", {"team": "data"}),
    "add_annotation": (lambda b: b.add_annotation("owner", "me"), "metadata.annotations", {"owner": "me"}),
    "add_annotations": (lambda b: b.add_annotations({"owner": "me"}), "metadata.annotations", {"owner": "me"}),
}
RULES = {
    "add_policy": (lambda b: b.add_policy("list", "services"), "rules[1]", ["list"], ["services"]),
    "add_policies": (
        lambda b: b.add_policies([{"verbs": ["get"], "resources": ["deployments"], "api_groups": ["apps"]}]),
        "rules[1]",
        ["get"],
        ["deployments"],
    ),
    "add_rule": (lambda b: b.add_rule(["batch"], ["jobs"], ["create"]), "rules[1]", ["create"], ["jobs"]),
    "allow_get": (lambda b: b.allow_get("secrets"), "rules[1]", ["get"], ["secrets"]),
    "allow_list": (lambda b: b.allow_list("pods"), "rules[1]", ["list"], ["pods"]),
    "allow_watch": (lambda b: b.allow_watch("pods"), "rules[1]", ["watch"], ["pods"]),
    "allow_create": (lambda b: b.allow_create("pods"), "rules[1]", ["create"], ["pods"]),
    "allow_update": (lambda b: b.allow_update("pods"), "rules[1]", ["update"], ["pods"]),
    "allow_patch": (lambda b: b.allow_patch("pods"), "rules[1]", ["patch"], ["pods"]),
    "allow_delete": (lambda b: b.allow_delete("pods"), "rules[1]", ["delete"], ["pods"]),
    "allow_read_only": (lambda b: b.allow_read_only("pods"), "rules[1]", ["get", "list", "watch"], ["pods"]),
    "allow_all": (lambda b: b.allow_all("pods"), "rules[1]", ["*"], ["pods"]),
    "allow_pod_access": (lambda b: b.allow_pod_access(), "rules[1]", ["get", "list", "watch"], ["pods", "pods/log"]),
    "allow_service_access": (
        lambda b: b.allow_service_access(),
        "rules[1]",
        ["get", "list", "watch"],
        ["services", "endpoints"],
    ),
    "allow_configmap_access": (
        lambda b: b.allow_configmap_access(),
        "rules[1]",
        ["get", "list", "watch"],
        ["configmaps"],
    ),
    "allow_secret_access": (lambda b: b.allow_secret_access(), "rules[1]", ["get"], ["secrets"]),
    "allow_ingress_access": (lambda b: b.allow_ingress_access(), "rules[1]", ["get", "list", "watch"], ["ingresses"]),
    "allow_network_policy_access": (
        lambda b: b.allow_network_policy_access(),
        "rules[1]",
        ["get", "list", "watch"],
        ["networkpolicies"],
    ),
    "label": (lambda b: b.label("app", "x"), "metadata.labels", None, None),
}
CLUSTER_RULES = {
    "allow_node_access": (lambda b: b.allow_node_access(), "rules[1]", ["get", "list", "watch"], ["nodes"]),
    "allow_namespace_access": (
        lambda b: b.allow_namespace_access(),
        "rules[1]",
        ["get", "list", "watch"],
        ["namespaces"],
    ),
    "allow_storage_class_access": (
        lambda b: b.allow_storage_class_access(),
        "rules[1]",
        ["get", "list", "watch"],
        ["storageclasses"],
    ),
    "allow_persistent_volume_access": (
        lambda b: b.allow_persistent_volume_access(),
        "rules[1]",
        ["get", "list", "watch"],
        ["persistentvolumes"],
    ),
}
# (call, path, expected value at path)
CASES: dict[type[Builder], dict[str, tuple[Callable[[Any], Any], str, Any]]] = {
    ServiceAccount: {
        **META,
        "automount_token": (lambda b: b.automount_token(False), "automountServiceAccountToken", False),
        "automount_service_account_token": (
            lambda b: b.automount_service_account_token(True),
            "automountServiceAccountToken",
            True,
        ),
        "add_secret": (lambda b: b.add_secret("tok"), "secrets", [{"name": "tok"}]),
        "add_image_pull_secret": (lambda b: b.add_image_pull_secret("reg"), "imagePullSecrets", [{"name": "reg"}]),
        "image_pull_secrets": (
            lambda b: b.image_pull_secrets(["a", "b"]),
            "imagePullSecrets",
            [{"name": "a"}, {"name": "b"}],
        ),
        "label": (lambda b: b.label("app", "x"), "metadata.labels", {"app": "x"}),
    },
    RoleBinding: {
        **META,
        "bind_role": (lambda b: b.bind_role("other"), "roleRef.name", "other"),
        "bind_cluster_role": (lambda b: b.bind_cluster_role("view"), "roleRef.kind", "ClusterRole"),
        "bind_service_account": (
            lambda b: b.bind_service_account("x", "ops"),
            "subjects[1]",
            {"kind": "ServiceAccount", "name": "x", "namespace": "ops"},
        ),
        "bind_user": (
            lambda b: b.bind_user("jane"),
            "subjects[1]",
            {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"},
        ),
        "bind_group": (
            lambda b: b.bind_group("devs"),
            "subjects[1]",
            {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"},
        ),
        "bind_users": (
            lambda b: b.bind_users(["jane", "joe"]),
            "subjects[2]",
            {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "joe"},
        ),
        "bind_groups": (
            lambda b: b.bind_groups(["devs", "ops"]),
            "subjects[2]",
            {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "ops"},
        ),
        "bind_service_accounts": (
            lambda b: b.bind_service_accounts([ServiceAccount("x").namespace("ops"), "y"]),
            "subjects[1]",
            {"kind": "ServiceAccount", "name": "x", "namespace": "ops"},
        ),
        "add_subject": (
            lambda b: b.add_subject("User", "jane"),
            "subjects[1]",
            {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"},
        ),
        "add_role": (
            lambda b: b.add_role(Role("other")),
            "roleRef",
            {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "other"},
        ),
    },
    NetworkPolicy: {
        **META,
        "pod_selector": (lambda b: b.pod_selector({"app": "db"}), "spec.podSelector", {"matchLabels": {"app": "db"}}),
        "allow_pods_with_label": (
            lambda b: b.allow_pods_with_label("app", "api"),
            "spec.ingress",
            [{"from": [{"podSelector": {"matchLabels": {"app": "api"}}}]}],
        ),
        "allow_from_pods": (
            lambda b: b.allow_from_pods({"app": "web"}, ports=[80]),
            "spec.ingress",
            [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 80, "protocol": "TCP"}]}],
        ),
        "allow_from_namespace": (
            lambda b: b.allow_from_namespace("monitoring"),
            "spec.ingress[0].from[0].namespaceSelector.matchLabels",
            {"kubernetes.io/metadata.name": "monitoring"},
        ),
        "allow_from_namespaces": (
            lambda b: b.allow_from_namespaces(["a", "b"]),
            "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values",
            ["a", "b"],
        ),
        "allow_from_ip_blocks": (
            lambda b: b.allow_from_ip_blocks(["10.0.0.0/8"]),
            "spec.ingress[0].from",
            [{"ipBlock": {"cidr": "10.0.0.0/8"}}],
        ),
        "allow_egress_to_pods": (
            lambda b: b.allow_egress_to_pods({"app": "db"}, ports=[5432]),
            "spec.egress[0].ports",
            [{"port": 5432, "protocol": "TCP"}],
        ),
        "allow_egress_to_namespace": (
            lambda b: b.allow_egress_to_namespace("db"),
            "spec.policyTypes",
            ["Egress"],
        ),
        "allow_egress_to_namespaces": (
            lambda b: b.allow_egress_to_namespaces(["db", "cache"]),
            "spec.egress[0].to[0].namespaceSelector.matchExpressions[0].values",
            ["db", "cache"],
        ),
        "allow_egress_to_ip_blocks": (
            lambda b: b.allow_egress_to_ip_blocks(["8.8.8.8/32"], ports=[53]),
            "spec.egress[0].to",
            [{"ipBlock": {"cidr": "8.8.8.8/32"}}],
        ),
        "allow_dns": (lambda b: b.allow_dns(), "spec.egress[0].ports[0]", {"port": 53, "protocol": "UDP"}),
        "deny_all": (lambda b: b.deny_all(), "spec.policyTypes", ["Ingress", "Egress"]),
        "policy_type": (lambda b: b.policy_type("Ingress,Egress"), "spec.policyTypes", ["Ingress", "Egress"]),
    },
}
CASES[ClusterRoleBinding] = {
    k: v for k, v in CASES[RoleBinding].items() if k not in ("namespace", "bind_role", "bind_cluster_role")
}
CASES[ClusterRoleBinding]["bind_service_accounts"] = (
    lambda b: b.bind_service_accounts([ServiceAccount("x").namespace("ops"), ServiceAccount("y").namespace("ci")]),
    "subjects[2]",
    {"kind": "ServiceAccount", "name": "y", "namespace": "ci"},
)
CASES[ClusterRoleBinding]["add_role"] = (lambda b: b.add_role(ClusterRole("edit")), "roleRef.name", "edit")
CASES[ClusterRoleBinding]["bind_cluster_role"] = (lambda b: b.bind_cluster_role("view"), "roleRef.name", "view")
CASES[ClusterRoleBinding]["bind_service_account"] = (
    lambda b: b.bind_service_account("x", "ops"),
    "subjects[1].name",
    "x",
)
GROUPS = {
    "add_policies": "apps",
    "add_rule": "batch",
    "allow_ingress_access": "networking.k8s.io",
    "allow_network_policy_access": "networking.k8s.io",
    "allow_storage_class_access": "storage.k8s.io",
}
CASES[Role] = {
    **META,
    **{
        k: (
            v[0],
            v[1],
            None if v[2] is None else {"apiGroups": [GROUPS.get(k, "")]},
        )
        for k, v in RULES.items()
    },
}
CASES[ClusterRole] = {k: v for k, v in CASES[Role].items() if k != "namespace"}
CASES[ClusterRole] |= {k: (v[0], v[1], {"apiGroups": [GROUPS.get(k, "")]}) for k, v in CLUSTER_RULES.items()}
RULE_OF = {**RULES, **CLUSTER_RULES}


def test_every_method_has_a_case() -> None:
    for cls, cases in CASES.items():
        assert implemented(cls) == set(cases), (cls.__name__, implemented(cls) ^ set(cases))


PARAMS = [(cls, name) for cls, cases in CASES.items() for name in sorted(cases)]


@pytest.mark.parametrize(("cls", "method"), PARAMS, ids=[f"{c.__name__}.{m}" for c, m in PARAMS])
def test_the_call_changes_the_object(cls: type[Builder], method: str) -> None:
    call, path, expected = CASES[cls][method]
    before = STANDALONE[cls]().objects()
    builder = STANDALONE[cls]()
    assert call(builder) is builder
    after = builder.objects()
    assert at(after, KIND[cls], NAME[cls], path) != at(before, KIND[cls], NAME[cls], path)
    got = at(after, KIND[cls], NAME[cls], path)
    if cls in (Role, ClusterRole) and method in RULE_OF and RULE_OF[method][2] is not None:
        _, _, verbs, resources = RULE_OF[method]
        assert got["verbs"] == verbs and got["resources"] == resources and got["apiGroups"] == expected["apiGroups"]
    elif expected is not None:
        assert got == expected
    for obj in after:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))


def _by(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


def test_the_seeds_complete_example_makes_its_rbac_and_policy() -> None:
    """Seed 003's complete example: the role is bound to the app's account, the policy selects the app's pods."""
    db = (
        StatefulApp("postgres")
        .image("postgres:15")
        .postgres_port(5432)
        .storage("100Gi")
        .namespace("data")
        .add_service_account(ServiceAccount("postgres-sa"))
        .add_role(Role("postgres-role").add_policy("get", "pods"))
        .add_network_policy(NetworkPolicy("postgres-policy").allow_pods_with_label("app", "api"))
        .add_security_policy(SecurityPolicy("restricted").pod_security_standards("restricted"))
        .add_observability(Observability("db-monitoring").enable_metrics().enable_logging())
    )
    objects = db.objects()
    for obj in objects:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))
        assert obj["metadata"].get("namespace") == "data"
    by = _by(objects)
    binding = by[("RoleBinding", "postgres-postgres-role")]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "postgres-role"}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "postgres-sa"}]  # the binding's namespace
    assert by[("Role", "postgres-role")]["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]
    policy = by[("NetworkPolicy", "postgres-policy")]["spec"]
    pod = by[("StatefulSet", "postgres")]["spec"]["template"]
    assert policy["podSelector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    spec = pod["spec"]
    assert spec["serviceAccountName"] == "postgres-sa"
    assert spec["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    container = spec["containers"][0]
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    assert {"name": "metrics", "containerPort": 9090, "protocol": "TCP"} in container["ports"]
    assert {"name": "LOG_LEVEL", "value": "INFO"} in container["env"]
    assert pod["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"


def test_security_policy_settings_and_health() -> None:
    policy = (
        SecurityPolicy("p")
        .run_as_user(1000)
        .run_as_group(3000)
        .volume_fs_group(2000)
        .run_as_non_root()
        .seccomp_profile("RuntimeDefault")
        .read_only_root_filesystem()
        .allow_privilege_escalation(False)
        .privileged_container(False)
        .drop_capabilities(["ALL"])
        .add_capabilities(["NET_BIND_SERVICE"])
    )
    health = Health().startup_probe("/start").readiness_probe("/ready").liveness_probe("/live", port=8081)
    tracing = Observability().enable_tracing("http://otel:4317", 0.25)
    app = App("web").image("nginx").port(8080).add_security_policy(policy).health(health).add_observability(tracing)
    objects = app.objects()
    for obj in objects:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))
    spec = _by(objects)[("Deployment", "web")]["spec"]["template"]["spec"]
    assert spec["securityContext"] == {
        "runAsUser": 1000,
        "runAsGroup": 3000,
        "fsGroup": 2000,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    container = spec["containers"][0]
    assert container["securityContext"] == {
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
    }
    assert container["startupProbe"]["httpGet"] == {"path": "/start", "port": "http"}
    assert container["startupProbe"]["failureThreshold"] == 30
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"] == {"path": "/live", "port": 8081}
    assert {"name": "OTEL_TRACES_SAMPLER_ARG", "value": "0.25"} in container["env"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Role("r").add_policy("read", "pods"), "'read' is not a Kubernetes verb"),
        (lambda: Role("r").allow_get("Pods"), "'Pods' is not a resource name"),
        (lambda: Role("r").allow_get(), r"allow_get\(\) needs at least one resource"),
        (lambda: Role("r").allow_get("pods", api_group="Apps"), "is not an API group"),
        (lambda: Role("r").add_policies([{"verbs": ["get"]}]), "needs 'verbs' and 'resources'"),
        (lambda: Role("r").allow_all("pods", verbs=["fly"]), "'fly' is not a Kubernetes verb"),
        (lambda: ServiceAccount("sa").automount_token("yes"), "takes True or False"),  # type: ignore[arg-type]
        (lambda: ServiceAccount("sa").add_image_pull_secret("Reg Secret"), "is not a valid DNS-1123"),
        (lambda: RoleBinding("b").bind_service_account("sa", "Bad_NS"), "is not a valid DNS-1123 label"),
        (lambda: ClusterRoleBinding("b").bind_role("r"), r"bind_role\(\) is not supported"),
        (lambda: ClusterRole("r").namespace("x"), r"namespace\(\) is not supported"),
        (lambda: NetworkPolicy("np").allow_from_pods({"app": "api"}, ports=[70000]), "from 1 to 65535"),
        (lambda: NetworkPolicy("np").allow_from_ip_blocks(["10.0.0.1/8"]), "is not a CIDR block"),
        (lambda: NetworkPolicy("np").allow_from_pods({}), "would match every pod"),
        (lambda: NetworkPolicy("np").allow_pods_with_label("app", "api server"), "is not a valid label value"),
        (lambda: NetworkPolicy("np").policy_type("Both"), "policy_type must be one of"),
        (lambda: SecurityPolicy("p").pod_security_standard("strict"), "pod_security_standard must be one of"),
        (lambda: SecurityPolicy("p").run_as_user(-1), "run_as_user must be a whole number >= 0"),
        (lambda: SecurityPolicy("p").drop_capabilities(["net_admin"]), "is not a capability name"),
        (lambda: Health().liveness_probe("live"), "liveness_probe path 'live' must be an absolute path"),
        (lambda: Health().readiness_probe("/r", port=0), "from 1 to 65535"),
        (lambda: Observability().enable_metrics(port=123456), "from 1 to 65535"),
        (lambda: Observability().enable_logging(level="LOUD"), "log level must be one of"),
        (lambda: Observability().enable_tracing("otel:4317"), "must be an http"),
        (lambda: Observability().enable_tracing(sampling_rate=2), "sampling_rate must be from 0 to 1"),
        (lambda: App("web").add_role("reader"), r"add_role\(\) takes a pykro.builders._Rules"),
        (lambda: App("web").add_network_policy({"app": "x"}), r"add_network_policy\(\) takes a pykro.builders"),
        (
            lambda: (
                App("web")
                .security_context({"privileged": True})
                .add_security_policy(SecurityPolicy("p").privileged_container(False))
            ),
            "securityContext.privileged is already True",
        ),
    ],
)
def test_bad_values_stop_at_the_call(make: Any, message: str) -> None:
    with pytest.raises(PykroError, match=message) as caught:
        make()
    assert caught.value.where is not None and HERE in caught.value.where


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Role("r"), "has no rule"),
        (lambda: RoleBinding("b").bind_role("r"), "has no subject"),
        (lambda: RoleBinding("b").bind_user("u"), "binds no role"),
        (lambda: ClusterRoleBinding("b", "view", "sa"), "needs a namespace"),
        (lambda: SecurityPolicy("p"), "makes no object of its own"),
        (lambda: App("web").image("x").add_role(Role("r").allow_get("pods")), "no ServiceAccount to bind them to"),
    ],
)
def test_incomplete_builders_fail_when_rendered(make: Any, message: str) -> None:
    with pytest.raises(PykroError, match=message):
        make().objects()


def test_group_networking_and_security() -> None:
    from pykro.builders import AppGroup

    group = (
        AppGroup("shop")
        .add_services([App("web").image("nginx:1.27").port(80), App("api").image("api:1").port(8080)])
        .configure_namespace()
        .configure_networking(allow_internal_communication=True, deny_external_access_except=["web"])
        .configure_security(pod_security_policy="restricted", security_context={"runAsNonRoot": True})
    )
    objects = group.objects()
    for obj in objects:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))
    by = _by(objects)
    assert by[("Namespace", "shop")]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    internal = by[("NetworkPolicy", "shop-internal")]
    assert internal["metadata"]["namespace"] == "shop"
    assert internal["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"podSelector": {}}]}],
    }
    web = by[("NetworkPolicy", "shop-allow-web")]["spec"]
    assert web == {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"], "ingress": [{}]}
    for name in ("web", "api"):
        assert by[("Deployment", name)]["spec"]["template"]["spec"]["securityContext"] == {"runAsNonRoot": True}
    closed = AppGroup("g").add_service(App("web").image("x:1")).configure_networking(allow_internal_communication=False)
    assert _by(closed.objects())[("NetworkPolicy", "g-internal")]["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress"],
    }
    with pytest.raises(PykroError, match="has no service named 'wbe'"):
        AppGroup("g").add_service(App("web").image("x:1")).configure_networking(deny_external_access_except=["wbe"])
    with pytest.raises(PykroError, match="rbac_enabled=True\\) is not supported"):
        AppGroup("g").configure_security(rbac_enabled=True)
    with pytest.raises(PykroError, match=r"Call \.configure_namespace"):
        AppGroup("g").add_service(App("web").image("x:1")).configure_security(pod_security_policy="baseline").objects()


def test_setter_errors_name_the_method_the_value_and_the_line() -> None:
    with pytest.raises(PykroError) as caught:
        Role("r").allow_get("pods", api_group="Bad Group")
    assert caught.value.what.startswith("allow_get(): api_group 'Bad Group'")  # already names the method
    with pytest.raises(PykroError) as caught:
        StatefulApp("db").replicas(-2)
    assert caught.value.what == "StatefulApp.replicas(): replicas must be a whole number >= 0, got -2"
    assert caught.value.where is not None and caught.value.where.startswith(f"{__file__}:")


def test_a_later_security_context_keeps_the_policy() -> None:
    policy = SecurityPolicy("p").pod_security_standard("restricted")
    app = App("web").image("nginx:1.27").add_security_policy(policy).security_context({"readOnlyRootFilesystem": True})
    container = app.objects()[0]["spec"]["template"]["spec"]["containers"][0]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
    }
    with pytest.raises(PykroError, match="allowPrivilegeEscalation is True here, a security policy set False"):
        App("web").add_security_policy(policy).security_context({"allowPrivilegeEscalation": True})
