"""Factory calls with plain values covering every keyword, shared by the factory and reference tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pykro import simple
from pykro.authoring._resource import ResourceRef

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
