"""pykro.simple: every factory builds a schema-valid object with the expected defaults."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from pykro import simple
from pykro.authoring.resource import ResourceRef
from pykro.errors import CompositionError
from pykro.schema.kubernetes import validate_object

POD: dict[str, Any] = {
    "ports": [80, {"container_port": 9090, "name": "metrics"}, {"port": 9443, "protocol": "TCP"}],
    "env": {
        "MODE": "prod",
        "PORT": 8080,
        "DEBUG": False,
        "PASSWORD": {"secretKeyRef": {"name": "db", "key": "password"}},
        "POD_IP": {"valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
    },
    "env_from": [{"configMapRef": {"name": "cfg"}}],
    "command": ["nginx"],
    "args": ["-g", "daemon off;"],
    "working_dir": "/srv",
    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
    "liveness_probe": {"httpGet": {"path": "/healthz", "port": 80}},
    "readiness_probe": {"tcpSocket": {"port": "metrics"}},
    "startup_probe": {"exec": {"command": ["true"]}, "failureThreshold": 30},
    "volumes": [{"name": "cache", "emptyDir": {}}],
    "volume_mounts": [{"name": "cache", "mountPath": "/cache"}],
    "config_maps": [{"name": "gateway-config", "mount_path": "/etc/nginx/nginx.conf", "sub_path": "nginx.conf"}],
    "secrets": [{"name": "tls", "mount_path": "/tls", "read_only": True}],
    "service_account": "web",
    "image_pull_policy": "IfNotPresent",
    "image_pull_secrets": ["regcred"],
    "security_context": {"runAsNonRoot": True},
    "pod_security_context": {"fsGroup": 1000},
    "containers": [{"name": "sidecar", "image": "busybox:1.36"}],
    "init_containers": [{"name": "init", "image": "busybox:1.36", "command": ["true"]}],
    "pod_labels": {"version": "v1"},
    "pod_annotations": {"prometheus.io/scrape": "true"},
    "node_selector": {"disktype": "ssd"},
    "tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
    "affinity": {"podAntiAffinity": {}},
    "termination_grace_period_seconds": 30,
    "priority_class_name": "high",
}
META: dict[str, Any] = {"namespace": "apps", "labels": {"tier": "web"}, "annotations": {"owner": "team-a"}}

CASES: dict[str, tuple[Callable[..., ResourceRef], dict[str, Any]]] = {
    "deployment-minimal": (simple.Deployment, {"name": "web", "image": "nginx"}),
    "deployment-full": (
        simple.Deployment,
        {"name": "web", "image": "nginx", "replicas": 3, "strategy": {"type": "Recreate"}, "min_ready_seconds": 5}
        | {"revision_history_limit": 2}
        | META
        | POD,
    ),
    "statefulset": (
        simple.StatefulSet,
        {"name": "db", "image": "postgres:15", "replicas": 3, "pod_management_policy": "Parallel"}
        | {"volume_claim_templates": [{"name": "data", "size": "10Gi", "mount_path": "/var/lib/postgresql/data"}]}
        | {"update_strategy": {"type": "RollingUpdate"}}
        | META
        | POD,
    ),
    "statefulset-raw-claims": (
        simple.StatefulSet,
        {"name": "db", "image": "postgres:15", "service_name": "db-headless"}
        | {
            "volume_claim_templates": [
                {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {}}}
            ]
        },
    ),
    "daemonset": (simple.DaemonSet, {"name": "agent", "image": "fluent-bit:3"} | META | POD),
    "job": (simple.Job, {"name": "migrate", "image": "app:1", "backoff_limit": 2, "completions": 1} | META | POD),
    "cronjob": (
        simple.CronJob,
        {"name": "backup", "image": "backup:1", "schedule": "0 3 * * *", "time_zone": "Etc/UTC"}
        | {"concurrency_policy": "Forbid", "successful_jobs_history_limit": 1, "ttl_seconds_after_finished": 60}
        | META
        | POD,
    ),
    "service-minimal": (simple.Service, {"name": "web", "ports": [80]}),
    "service-full": (
        simple.Service,
        {"name": "web", "ports": [80, {"port": 443, "target_port": "https"}], "type": "LoadBalancer"}
        | {"selector": {"app": "web", "tier": "web"}, "session_affinity": "ClientIP"}
        | {"external_traffic_policy": "Local"}
        | META,
    ),
    "service-headless": (simple.Service, {"name": "db", "ports": [5432], "cluster_ip": "None"}),
    "service-external": (simple.Service, {"name": "ext", "type": "ExternalName", "external_name": "example.com"}),
    "ingress-rules": (
        simple.Ingress,
        {
            "name": "edge",
            "rules": [
                {
                    "host": "shop.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "api-gateway", "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ],
            "ingress_class_name": "nginx",
        }
        | META,
    ),
    "ingress-shortcut": (
        simple.Ingress,
        {"name": "edge", "host": "a.example.com", "service": "web", "port": 80, "tls_secret": "a-tls"},
    ),
    "ingress-port-name": (simple.Ingress, {"name": "edge", "service": "web", "port": "http", "path": "/api"}),
    "networkpolicy": (
        simple.NetworkPolicy,
        {"name": "db-access", "pod_selector": {"app": "db"}, "policy_types": ["Ingress", "Egress"]}
        | {"ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 5432}]}]}
        | {"egress": [{"to": [{"namespaceSelector": {}}]}]}
        | META,
    ),
    "networkpolicy-deny-all": (simple.NetworkPolicy, {"name": "deny", "ingress": []}),
    "configmap": (
        simple.ConfigMap,
        {"name": "cfg", "data": {"LOG_LEVEL": "info", "WORKERS": 4, "DEBUG": True, "nginx.conf": "events {}\n"}}
        | {"binary_data": {"blob": b"\x00\x01"}, "immutable": True}
        | META,
    ),
    "secret": (
        simple.Secret,
        {"name": "db", "string_data": {"password": "secret123"}, "data": {"raw": b"bytes", "b64": "c2VjcmV0"}}
        | {"type": "Opaque"}
        | META,
    ),
    "pvc": (simple.PersistentVolumeClaim, {"name": "data", "size": "5Gi", "storage_class": "gp3"} | META),
    "pvc-rwx": (
        simple.PersistentVolumeClaim,
        {"name": "shared", "size": "1Ti", "access_modes": ["ReadWriteMany"], "volume_mode": "Filesystem"},
    ),
    "hpa": (
        simple.HorizontalPodAutoscaler,
        {"name": "web", "target": "web", "min_replicas": 2, "max_replicas": 10, "cpu_utilization": 70}
        | {"memory_utilization": 80}
        | META,
    ),
    "hpa-metrics": (
        simple.HorizontalPodAutoscaler,
        {"name": "web", "target": "web", "max_replicas": 5, "target_kind": "StatefulSet"}
        | {"metrics": [{"type": "Pods", "pods": {"metric": {"name": "rps"}, "target": {"type": "AverageValue"}}}]},
    ),
    "pdb": (simple.PodDisruptionBudget, {"name": "web", "selector": {"app": "web"}, "min_available": "50%"} | META),
    "pdb-max": (simple.PodDisruptionBudget, {"name": "web", "selector": {"app": "web"}, "max_unavailable": 1}),
    "serviceaccount": (
        simple.ServiceAccount,
        {"name": "web", "automount_service_account_token": False, "image_pull_secrets": ["regcred"]} | META,
    ),
    "role": (
        simple.Role,
        {"name": "reader", "rules": [{"api_groups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]} | META,
    ),
    "clusterrole": (
        simple.ClusterRole,
        {"name": "metrics", "rules": [{"non_resource_urls": ["/metrics"], "verbs": ["get"]}], "labels": {"a": "b"}},
    ),
    "rolebinding": (
        simple.RoleBinding,
        {"name": "web-reader", "role": "reader", "subjects": ["web"], "namespace": "apps"},
    ),
    "rolebinding-clusterrole": (
        simple.RoleBinding,
        {"name": "web-view", "role": "view", "role_kind": "ClusterRole", "namespace": "apps"}
        | {"subjects": [{"kind": "Group", "name": "devs", "api_group": "rbac.authorization.k8s.io"}]},
    ),
    "clusterrolebinding": (
        simple.ClusterRoleBinding,
        {"name": "metrics", "role": "metrics", "subjects": ["prometheus"], "subject_namespace": "monitoring"},
    ),
    "namespace": (simple.Namespace, {"name": "apps", "labels": {"team": "a"}, "annotations": {"x": "y"}}),
}


def build(case: str) -> dict[str, Any]:
    factory, kwargs = CASES[case]
    return factory(**kwargs).obj


@pytest.mark.parametrize("case", sorted(CASES))
def test_plain_values_give_schema_valid_objects(case: str) -> None:
    obj = build(case)
    assert validate_object(obj) == []


def test_every_factory_has_a_case() -> None:
    covered = {factory.__name__ for factory, _ in CASES.values()}
    assert covered == set(simple.__all__) - {"PodOptions"}


def test_validation_would_catch_a_broken_object() -> None:
    """The schema check above is meaningful: a wrong shape in a raw dict is reported."""
    obj = simple.Deployment("web", image="nginx", liveness_probe={"httpGet": {"path": 3}}).obj
    assert validate_object(obj) != []


@pytest.mark.parametrize("case", ["deployment-full", "statefulset", "daemonset"])
def test_app_label_is_on_workload_pods_and_selector(case: str) -> None:
    obj = build(case)
    name = obj["metadata"]["name"]
    selector = obj["spec"]["selector"]["matchLabels"]
    pod_labels = obj["spec"]["template"]["metadata"]["labels"]
    assert obj["metadata"]["labels"] == {"app": name, "tier": "web"}
    assert selector == {"app": name}
    assert pod_labels == {"app": name, "tier": "web", "version": "v1"}


def test_job_and_cronjob_label_pods_without_a_selector() -> None:
    job = build("job")
    assert "selector" not in job["spec"]
    assert job["spec"]["template"]["metadata"]["labels"]["app"] == "migrate"
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    cron = build("cronjob")
    template = cron["spec"]["jobTemplate"]["spec"]["template"]
    assert template["metadata"]["labels"]["app"] == "backup"
    assert cron["spec"]["jobTemplate"]["metadata"]["labels"]["app"] == "backup"
    custom = simple.Job("once", image="x", restart_policy="OnFailure").obj
    assert custom["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"


def test_app_label_and_selector_overrides_stay_consistent() -> None:
    obj = simple.Deployment("user-service", image="u:1", labels={"app": "users", "component": "backend"}).obj
    assert obj["spec"]["selector"]["matchLabels"] == {"app": "users"}
    assert obj["spec"]["template"]["metadata"]["labels"] == {"app": "users", "component": "backend"}
    custom = simple.Deployment("web", image="x", selector={"app": "web", "track": "canary"}).obj
    assert custom["spec"]["selector"]["matchLabels"] == {"app": "web", "track": "canary"}
    assert custom["spec"]["template"]["metadata"]["labels"] == {"app": "web", "track": "canary"}
    assert custom["metadata"]["labels"] == {"app": "web"}


def test_main_container() -> None:
    obj = build("deployment-full")
    pod = obj["spec"]["template"]["spec"]
    main, sidecar = pod["containers"]
    assert main["name"] == "web" and main["image"] == "nginx" and sidecar["name"] == "sidecar"
    assert main["ports"] == [
        {"containerPort": 80},
        {"containerPort": 9090, "name": "metrics"},
        {"containerPort": 9443, "protocol": "TCP"},
    ]
    assert main["env"] == [
        {"name": "MODE", "value": "prod"},
        {"name": "PORT", "value": "8080"},
        {"name": "DEBUG", "value": "false"},
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
    ]
    assert pod["serviceAccountName"] == "web"
    assert pod["imagePullSecrets"] == [{"name": "regcred"}]
    # config_maps / secrets sugar: one volume each, mounted after the explicit mounts
    assert pod["volumes"] == [
        {"name": "cache", "emptyDir": {}},
        {"name": "gateway-config", "configMap": {"name": "gateway-config"}},
        {"name": "tls", "secret": {"secretName": "tls"}},
    ]
    assert main["volumeMounts"] == [
        {"name": "cache", "mountPath": "/cache"},
        {"name": "gateway-config", "mountPath": "/etc/nginx/nginx.conf", "subPath": "nginx.conf"},
        {"name": "tls", "mountPath": "/tls", "readOnly": True},
    ]


@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        ("web", {}, "web"),
        ("web.example.com", {}, "main"),
        ("web", {"container_name": "app"}, "app"),
    ],
)
def test_container_name(name: str, kwargs: dict[str, Any], expected: str) -> None:
    obj = simple.Deployment(name, image="x", **kwargs).obj
    assert obj["spec"]["template"]["spec"]["containers"][0]["name"] == expected
    assert validate_object(obj) == []


def test_env_as_a_kubernetes_list() -> None:
    env: list[dict[str, Any]] = [
        {"name": "A", "value": "1"},
        {"name": "B", "value_from": {"configMapKeyRef": {"name": "c", "key": "b"}}},
    ]
    obj = simple.Deployment("web", image="x", env=env).obj
    assert obj["spec"]["template"]["spec"]["containers"][0]["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "b"}}},
    ]


def test_env_from_and_service_account_take_resources() -> None:
    cfg = simple.ConfigMap("app-config", data={"A": "1"})
    creds = simple.Secret("db-secrets", string_data={"P": "x"})
    account = simple.ServiceAccount("runner")
    obj = simple.Deployment("web", image="x", env_from=[cfg, creds], service_account=account).obj
    pod = obj["spec"]["template"]["spec"]
    assert pod["containers"][0]["envFrom"] == [
        {"configMapRef": {"name": "app-config"}},
        {"secretRef": {"name": "db-secrets"}},
    ]
    assert pod["serviceAccountName"] == "runner"
    with pytest.raises(CompositionError, match="ConfigMaps and Secrets"):
        simple.Deployment("web", image="x", env_from=[account])


def test_statefulset_claim_shortcut_mounts_the_claim() -> None:
    obj = build("statefulset")
    assert obj["spec"]["serviceName"] == "db"
    claim = obj["spec"]["volumeClaimTemplates"][0]
    assert claim == {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}},
    }
    mounts = obj["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert {"name": "data", "mountPath": "/var/lib/postgresql/data"} in mounts
    assert build("statefulset-raw-claims")["spec"]["serviceName"] == "db-headless"


def test_service_defaults() -> None:
    obj = build("service-minimal")
    assert obj["spec"] == {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 80}]}
    ports = build("service-full")["spec"]["ports"]
    assert ports == [
        {"port": 80, "targetPort": 80, "name": "port-80"},
        {"port": 443, "targetPort": "https", "name": "port-443"},
    ]
    assert "selector" not in build("service-external")["spec"]


def test_service_selects_a_workload_resource() -> None:
    web = simple.Deployment("web", image="x", labels={"app": "frontend"})
    assert simple.Service("web", selector=web, ports=[80]).obj["spec"]["selector"] == {"app": "frontend"}
    cron = simple.CronJob("tick", image="x", schedule="* * * * *")
    assert simple.PodDisruptionBudget("tick", selector=cron, max_unavailable=1).obj["spec"]["selector"] == {
        "matchLabels": {"app": "tick"}
    }


def test_ingress_shortcut() -> None:
    spec = build("ingress-shortcut")["spec"]
    assert spec == {
        "tls": [{"hosts": ["a.example.com"], "secretName": "a-tls"}],
        "rules": [
            {
                "host": "a.example.com",
                "http": {
                    "paths": [
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "web", "port": {"number": 80}}},
                        }
                    ]
                },
            }
        ],
    }
    named = build("ingress-port-name")["spec"]["rules"][0]["http"]["paths"][0]
    assert named["backend"]["service"]["port"] == {"name": "http"} and named["path"] == "/api"
    svc = simple.Service("api", ports=[8080])
    via_resource = simple.Ingress("edge", service=svc, port=8080).obj
    assert via_resource["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "api"


def test_config_values_become_text_and_bytes_are_encoded() -> None:
    cfg = build("configmap")
    assert cfg["data"] == {"LOG_LEVEL": "info", "WORKERS": "4", "DEBUG": "true", "nginx.conf": "events {}\n"}
    assert cfg["binaryData"] == {"blob": base64.b64encode(b"\x00\x01").decode()}
    secret = build("secret")
    assert secret["data"] == {"raw": base64.b64encode(b"bytes").decode(), "b64": "c2VjcmV0"}
    assert secret["stringData"] == {"password": "secret123"}


def test_rbac_shapes() -> None:
    assert build("role")["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]
    assert build("clusterrole")["rules"] == [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]
    binding = build("rolebinding")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "web", "namespace": "apps"}]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"}
    assert build("clusterrolebinding")["roleRef"]["kind"] == "ClusterRole"
    account = simple.ServiceAccount("bot", namespace="ops")
    role = simple.ClusterRole("viewer", rules=[])
    obj = simple.RoleBinding("bot-view", role=role, subjects=[account]).obj
    assert obj["subjects"] == [{"kind": "ServiceAccount", "name": "bot", "namespace": "ops"}]
    assert obj["roleRef"]["kind"] == "ClusterRole" and obj["roleRef"]["name"] == "viewer"


def test_hpa_targets() -> None:
    spec = build("hpa")["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert [m["resource"]["name"] for m in spec["metrics"]] == ["cpu", "memory"]
    assert spec["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}
    sts = simple.StatefulSet("db", image="postgres")
    ref = simple.HorizontalPodAutoscaler("db", target=sts, max_replicas=3).obj["spec"]["scaleTargetRef"]
    assert ref == {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: simple.Deployment("w", image="x", ports=["80"]), "container port must be a number"),  # type: ignore[list-item]
        (lambda: simple.Deployment("w", image="x", ports=80), "ports must be a list"),  # type: ignore[arg-type]
        (lambda: simple.Deployment("w", image="x", env={"A": [1]}), "environment variable A"),
        (lambda: simple.Deployment("w", image="x", config_maps=[{"name": "c"}]), "no mount_path"),
        (lambda: simple.StatefulSet("s", image="x", volume_claim_templates=[{"name": "d"}]), "needs a name and a size"),
        (lambda: simple.Service("s", ports=[None]), "service port must be a number"),  # type: ignore[list-item]
        (lambda: simple.Ingress("i", service="web"), "needs port="),
        (lambda: simple.Ingress("i", service="web", port=80, rules=[]), "either rules= or service="),
        (lambda: simple.ConfigMap("c", data={"A": [1]}), "must be a string"),
        (lambda: simple.RoleBinding("b", role="r", subjects=["sa"]), "needs a namespace"),
        (lambda: simple.RoleBinding("b", role=simple.ConfigMap("c"), subjects=[]), "Role or a ClusterRole"),
        (lambda: simple.PodDisruptionBudget("p", selector={}, min_available=1, max_unavailable=1), "not both"),
        (
            lambda: simple.HorizontalPodAutoscaler("h", target="w", max_replicas=2, cpu_utilization=5, metrics=[]),
            "not both",
        ),
    ],
)
def test_mistakes_are_composition_errors(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(CompositionError, match=message) as info:
        call()
    assert info.value.where is not None and info.value.where.startswith(__file__)
