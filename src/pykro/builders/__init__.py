"""pykro.builders: Celestra's fluent API (``App("web").image("nginx").port(80).replicas(3)``), where every call
changes the objects and every value is checked at the call.

``to_resources()`` turns a builder into resources made with :mod:`pykro.simple` (inside a ``@composition`` they
join its graph, and values may be spec references); ``objects()`` gives the dicts; ``generate().to_yaml(dir)`` and
``KubernetesOutput().generate(builder, dir)`` write YAML files; ``HelmOutput``, ``KustomizeOutput`` and
``DockerComposeOutput`` write a chart, a Kustomize tree and a Compose file. See docs/builders.md and docs/outputs.md.
"""

from pykro.builders import _not_supported
from pykro.builders._analysis import (
    PRICES,
    CloudProvider,
    CostEstimator,
    CostOptimization,
    OptimizationStrategy,
    SecurityLevel,
    SecurityScanner,
    ValidationLevel,
    Validator,
)
from pykro.builders._base import ResourceGenerator
from pykro.builders._companion import Companion, Lifecycle
from pykro.builders._config import ConfigMap, Secret
from pykro.builders._container import WELL_KNOWN_PORTS
from pykro.builders._custom_resource import CRDScope, CustomResource
from pykro.builders._external import ExternalServices
from pykro.builders._formats import docker_compose_only, kubernetes_only, output_formats
from pykro.builders._group import AppGroup
from pykro.builders._health import Health, Observability
from pykro.builders._network import Ingress, Service
from pykro.builders._not_supported import (
    NOT_SUPPORTED,
    Deployment,
    PluginBase,
    PluginManager,
    PluginMetadata,
    PluginType,
    TemplateEngine,
    TemplateManager,
    TerraformOutput,
)
from pykro.builders._output import DockerComposeOutput, HelmOutput, KubernetesOutput, KustomizeOutput
from pykro.builders._policy import NetworkPolicy, SecurityPolicy
from pykro.builders._rbac import ClusterRole, ClusterRoleBinding, Role, RoleBinding, ServiceAccount
from pykro.builders._scaling import DeploymentStrategy, Scaling
from pykro.builders._serialization import deserialize, list_available_classes, serialize
from pykro.builders._volume import Storage, Volume
from pykro.builders._wait import DependencyManager, WaitCondition
from pykro.builders._workloads import App, CronJob, Job, StatefulApp

_not_supported.install(globals())

__all__ = [
    "NOT_SUPPORTED",
    "PRICES",
    "WELL_KNOWN_PORTS",
    "App",
    "AppGroup",
    "CRDScope",
    "CloudProvider",
    "ClusterRole",
    "ClusterRoleBinding",
    "Companion",
    "ConfigMap",
    "CostEstimator",
    "CostOptimization",
    "CronJob",
    "CustomResource",
    "DependencyManager",
    "Deployment",
    "DeploymentStrategy",
    "DockerComposeOutput",
    "ExternalServices",
    "Health",
    "HelmOutput",
    "Ingress",
    "Job",
    "KubernetesOutput",
    "KustomizeOutput",
    "Lifecycle",
    "NetworkPolicy",
    "Observability",
    "OptimizationStrategy",
    "PluginBase",
    "PluginManager",
    "PluginMetadata",
    "PluginType",
    "ResourceGenerator",
    "Role",
    "RoleBinding",
    "Scaling",
    "Secret",
    "SecurityLevel",
    "SecurityPolicy",
    "SecurityScanner",
    "Service",
    "ServiceAccount",
    "StatefulApp",
    "Storage",
    "TemplateEngine",
    "TemplateManager",
    "TerraformOutput",
    "ValidationLevel",
    "Validator",
    "Volume",
    "WaitCondition",
    "deserialize",
    "docker_compose_only",
    "kubernetes_only",
    "list_available_classes",
    "output_formats",
    "serialize",
]
