"""pykro.builders: Celestra's fluent API (``App("web").image("nginx").port(80).replicas(3)``), where every call
changes the objects and every value is checked at the call.

``to_resources()`` turns a builder into resources made with :mod:`pykro.simple` (inside a ``@composition`` they
join its graph, and values may be spec references); ``objects()`` gives the dicts; ``generate().to_yaml(dir)`` and
``KubernetesOutput().generate(builder, dir)`` write YAML files; ``HelmOutput``, ``KustomizeOutput`` and
``DockerComposeOutput`` write a chart, a Kustomize tree and a Compose file. See docs/builders.md and docs/outputs.md.
"""

from pykro.builders.config import ConfigMap, Secret
from pykro.builders.group import AppGroup
from pykro.builders.network import Ingress, Service
from pykro.builders.output import DockerComposeOutput, HelmOutput, KubernetesOutput, KustomizeOutput
from pykro.builders.workloads import App, CronJob, Job, StatefulApp

__all__ = [
    "App",
    "AppGroup",
    "ConfigMap",
    "CronJob",
    "DockerComposeOutput",
    "HelmOutput",
    "Ingress",
    "Job",
    "KubernetesOutput",
    "KustomizeOutput",
    "Secret",
    "Service",
    "StatefulApp",
]
