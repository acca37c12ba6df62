"""pykro.simple: every factory builds a schema-valid object with the expected defaults."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from tests.simple.cases import CASES

from pykro import simple
from pykro.errors import CompositionError
from pykro.schema._kubernetes import validate_object


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
    """The schema check above is meaningful, and factories run it too: a wrong shape in a raw dict is reported at
    the call (outside a composition; inside one, when the graph is built)."""
    with pytest.raises(CompositionError, match=r"livenessProbe\.httpGet\.path must be a string, got integer 3") as info:
        simple.Deployment("web", image="nginx", liveness_probe={"httpGet": {"path": 3}})
    assert info.value.where is not None and info.value.where.startswith(__file__)
    obj = simple.Deployment("web", image="nginx", liveness_probe={"httpGet": {"path": "/", "port": 80}}).obj
    obj["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["path"] = 3
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
        {"name": "A", "value": 1},
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
        (lambda: simple.Deployment("w", image="x", ports=["80"]), r"ports\[0\] must be an int or a dict"),  # type: ignore[list-item]
        (lambda: simple.Deployment("w", image="x", ports=80), "ports must be a list"),  # type: ignore[arg-type]
        (lambda: simple.Deployment("w", image="x", env={"A": [1]}), "environment variable A"),
        (lambda: simple.Deployment("w", image="x", config_maps=[{"name": "c"}]), "no mount_path"),
        (lambda: simple.StatefulSet("s", image="x", volume_claim_templates=[{"name": "d"}]), "needs a name and a size"),
        (lambda: simple.Service("s", ports=[None]), r"ports\[0\] must be an int or a dict"),  # type: ignore[list-item]
        (lambda: simple.Ingress("i", service="web"), "needs port="),
        (lambda: simple.Ingress("i", service="web", port=80, rules=[]), "either rules= or service="),
        (lambda: simple.ConfigMap("c", data={"A": [1]}), "must be text"),
        (lambda: simple.RoleBinding("b", role="r", subjects=["sa"]), "needs a namespace"),
        (lambda: simple.RoleBinding("b", role=simple.ConfigMap("c"), subjects=[]), "Role or a ClusterRole"),
        (lambda: simple.PodDisruptionBudget("p", selector={}, min_available=1, max_unavailable=1), "not both"),
        (
            lambda: simple.HorizontalPodAutoscaler("h", target="w", max_replicas=2, cpu_utilization=5, metrics=[]),
            "not both",
        ),
        # nothing written is dropped or changed
        (lambda: simple.Deployment("w", image="x", env={"A": None}), "environment variable A has the value None"),
        (lambda: simple.Deployment("w", image="x", env={1: "a", "1": "b"}), "env has the non-string key 1"),  # type: ignore[dict-item]
        (
            lambda: simple.Deployment("w", image="x", config_maps=[{"name": "c", "mount_path": "/c", "readonly": 1}]),
            "config_maps item 0 has the unknown key 'readonly'. Did you mean 'read_only'",
        ),
        (
            lambda: simple.Deployment("w", image="x", secrets=[{"name": "s", "mount_path": "/s", "subpath": "a"}]),
            "unknown key 'subpath'",
        ),
        (
            lambda: simple.Deployment("w", image="x", secrets=[{"name": "s", "mount_path": "/s", "default_mod": 1}]),
            "unknown key 'defaultMod'. Did you mean 'defaultMode'",
        ),
        (
            lambda: simple.StatefulSet(
                "s", image="x", volume_claim_templates=[{"name": "d", "size": "1Gi", "storageclass": "f"}]
            ),
            "unknown key 'storageclass'. Did you mean 'storage_class'",
        ),
        (
            lambda: simple.StatefulSet(
                "s",
                image="x",
                volume_claim_templates=[{"name": "d", "size": "1Gi", "storageClass": "f", "storageClassName": "g"}],
            ),
            "both storage_class and storage_class_name",
        ),
        (
            lambda: simple.Service("s", ports=[{"port": 80, "target_port": 8080, "targetPort": 9090}]),
            "'target_port' and 'targetPort' are the same field targetPort",
        ),
        (lambda: simple.ConfigMap("c", data={1: "a", "1": "b"}), "ConfigMap data has the non-string key 1"),  # type: ignore[dict-item]
        (lambda: simple.ConfigMap("c", data={"a": float("inf")}), "float inf"),
        (lambda: simple.ConfigMap("c", data={"a": float("nan")}), "float nan"),
        (
            lambda: simple.Deployment("w", image="x", env=[{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]),
            "environment variable A is given twice: the container sees the last value only",
        ),
        (
            lambda: simple.Secret("s", data={"a": "YQ=="}, string_data={"a": "b"}),
            "Secret key 'a' is in both string_data and data: the API server keeps string_data's value",
        ),
        (lambda: simple.Ingress("i", service="web", port="80"), r"Ingress port '80' is text.*write port=80"),
        (
            lambda: simple.HorizontalPodAutoscaler("h", target="w", min_replicas=5, max_replicas=2),
            "min_replicas 5 is above max_replicas 2",
        ),
        (lambda: simple.PersistentVolumeClaim("p", size="10"), "size '10' has no unit, so Kubernetes reads it as 10"),
        (
            lambda: simple.StatefulSet("s", image="x", volume_claim_templates=[{"name": "d", "size": "5"}]),
            "volume claim template size '5' has no unit",
        ),
        (
            lambda: simple.Service("s", ports=[80], type="Loadbalancer"),
            "Service type 'Loadbalancer' is not one of ClusterIP, NodePort, LoadBalancer, ExternalName. Use one of "
            "them. Did you mean 'LoadBalancer'",
        ),
        (
            lambda: simple.PersistentVolumeClaim("p", size="1Gi", access_modes=("ReadWriteOne",)),
            "access mode 'ReadWriteOne' is not one of .* Did you mean 'ReadWriteOnce'",
        ),
    ],
)
def test_mistakes_are_composition_errors(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(CompositionError, match=message) as info:
        call()
    assert info.value.where is not None and info.value.where.startswith(__file__)


def test_large_floats_keep_their_exact_value() -> None:
    cm = simple.ConfigMap("c", data={"big": 1e20, "small": 0.1})
    assert cm.obj["data"] == {"big": "1e+20", "small": "0.1"}
    assert float(cm.obj["data"]["big"]) == 1e20


@pytest.mark.parametrize(
    "call",
    [
        lambda: simple.Secret("s", string_data={"pw": ["hunter2-secret-pw"]}),
        lambda: simple.Secret("s", string_data={"pw": float("nan"), "x": "hunter2-secret-pw"}),
        lambda: simple.Secret("s", data={"pw": ["hunter2-secret-pw"]}),
    ],
)
def test_secret_values_are_never_shown_in_errors(call: Callable[[], Any]) -> None:
    with pytest.raises(CompositionError) as info:
        call()
    assert "hunter2" not in str(info.value) and "nan" not in str(info.value)
    assert "pw" in str(info.value)
