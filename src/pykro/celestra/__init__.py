"""Celestra's import path for pykro's builders: ``from pykro.celestra import App, StatefulApp, ...``."""

from pykro.builders import (
    App,
    AppGroup,
    ConfigMap,
    CronJob,
    Ingress,
    Job,
    KubernetesOutput,
    Secret,
    Service,
    StatefulApp,
)

__all__ = [
    "App",
    "AppGroup",
    "ConfigMap",
    "CronJob",
    "Ingress",
    "Job",
    "KubernetesOutput",
    "Secret",
    "Service",
    "StatefulApp",
]
