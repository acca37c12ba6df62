"""pykro.simple: one-call factories for the common Kubernetes kinds, with the defaults users expect.

Every factory builds a schema-valid object and registers it like ``resource()`` does (in the composition being
built, if any); every keyword takes plain values, references or expressions where Kubernetes takes a value.
See docs/simple.md.
"""

from pykro.simple._config import ConfigMap, Namespace, PersistentVolumeClaim, Secret, ServiceAccount
from pykro.simple._network import Ingress, NetworkPolicy, Service
from pykro.simple._pods import PodOptions
from pykro.simple._rbac import ClusterRole, ClusterRoleBinding, Role, RoleBinding
from pykro.simple._scaling import HorizontalPodAutoscaler, PodDisruptionBudget
from pykro.simple._workloads import CronJob, DaemonSet, Deployment, Job, StatefulSet

__all__ = [
    "ClusterRole",
    "ClusterRoleBinding",
    "ConfigMap",
    "CronJob",
    "DaemonSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "Ingress",
    "Job",
    "Namespace",
    "NetworkPolicy",
    "PersistentVolumeClaim",
    "PodDisruptionBudget",
    "PodOptions",
    "Role",
    "RoleBinding",
    "Secret",
    "Service",
    "ServiceAccount",
    "StatefulSet",
]
