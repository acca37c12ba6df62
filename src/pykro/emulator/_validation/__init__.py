"""The apiserver's validation of built-in kinds (pkg/apis/*/validation in Kubernetes), as the emulator applies it
after defaulting: object metadata for every kind, then the rules of the kind. Each rule yields a `FieldCause`
worded as the apiserver words it (field path, reason, message); the engine answers 422 Invalid with them.

`validate(kind, group, obj, old)` is the entry point; one module per family of kinds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pykro.emulator._validation import config, meta, service, storage, workloads
from pykro.schema._causes import FieldCause

Rule = Callable[[dict[str, Any], dict[str, Any] | None], list[FieldCause]]

RULES: dict[tuple[str, str], Rule] = {
    ("", "ConfigMap"): config.configmap,
    ("", "Secret"): config.secret,
    ("", "Service"): service.service,
    ("", "PersistentVolumeClaim"): storage.pvc,
    ("", "Pod"): workloads.pod,
    ("", "ReplicationController"): workloads.replication_controller,
    ("apps", "Deployment"): workloads.deployment,
    ("apps", "ReplicaSet"): workloads.replicaset,
    ("apps", "StatefulSet"): workloads.statefulset,
    ("apps", "DaemonSet"): workloads.daemonset,
    ("batch", "Job"): workloads.job,
    ("batch", "CronJob"): workloads.cronjob,
}


def has_rules(kind: str, group: str) -> bool:
    """True for the built-in kinds validated by their own rules here (not by their OpenAPI schema)."""
    return (group, kind) in RULES


def validate(kind: str, group: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    """Every cause the apiserver would report for this built-in object (empty: valid)."""
    causes = meta.object_meta(kind, group, obj.get("metadata") or {}, old is None)
    rule = RULES.get((group, kind))
    if rule is not None:
        causes += rule(obj, old)
    return causes


__all__ = ["RULES", "has_rules", "validate"]
