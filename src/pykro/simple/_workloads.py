"""Workload factories: Deployment, StatefulSet, DaemonSet, Job, CronJob.

Each labels the workload, its pod template and (where Kubernetes has one) its selector with ``app: <name>``
(``labels={"app": ...}`` overrides it everywhere, other labels are added to the workload and the pods), runs one
container named after the workload (see :mod:`pykro.simple._pods`) and takes the pod keywords of
:class:`~pykro.simple.PodOptions`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Unpack

from pykro.authoring._location import fail
from pykro.authoring._refs import is_ref
from pykro.authoring._resource import ResourceRef, resource
from pykro.simple._keywords import checked
from pykro.simple._pods import PodOptions, pod_template
from pykro.simple._values import (
    Bool,
    Int,
    Labels,
    Obj,
    Str,
    camelize,
    check_size,
    compact,
    concat,
    metadata,
    only,
    texts,
)

__all__ = ["CronJob", "DaemonSet", "Deployment", "Job", "StatefulSet"]

_CLAIM_KEYS = ("name", "size", "mountPath", "accessModes", "storageClass", "storageClassName")


def _labels(name: Any, labels: Labels | None) -> dict[str, Any]:
    if is_ref(labels):
        raise fail("labels must be a dict here (its values may be references)", 'write labels={"team": spec.team}')
    return {"app": name, **(texts("label", labels) or {})}


def _selected(labels: dict[str, Any], selector: Labels | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The selector's matchLabels (``app`` unless given) and the pod labels, which always include them."""
    if selector is None:
        return {"app": labels["app"]}, labels
    if is_ref(selector) or not isinstance(selector, Mapping):
        raise fail("selector must be a dict of labels here", 'write selector={"app": "web", "tier": "api"}')
    return dict(selector), {**labels, **selector}


def _claim_templates(claims: Sequence[Obj] | None, options: PodOptions) -> list[Any] | None:
    """volume_claim_templates: PVC dicts as written, or ``{"name", "size", "mount_path", ...}`` shortcuts."""
    if claims is None:
        return None
    if is_ref(claims):
        raise fail("volume_claim_templates must be a list here", "list the claims one by one")
    out: list[Any] = []
    mounts: list[Any] = []
    for claim in claims:
        entry = camelize(claim)
        if is_ref(claim) or "spec" in entry:
            out.append(claim)
            continue
        only(f"volume claim template {entry.get('name')!r}", entry, _CLAIM_KEYS)
        if "storageClass" in entry and "storageClassName" in entry:
            raise fail(
                f"volume claim template {entry.get('name')!r} has both storage_class and storage_class_name",
                "give one of them",
            )
        if "name" not in entry or "size" not in entry:
            raise fail(
                f"volume claim template {claim!r} needs a name and a size",
                'write {"name": "data", "size": "10Gi", "mount_path": "/data"} or a full PVC template',
            )
        spec = compact(
            accessModes=entry.get("accessModes", ["ReadWriteOnce"]),
            storageClassName=entry.get("storageClass", entry.get("storageClassName")),
            resources={"requests": {"storage": check_size(entry["size"], "volume claim template size")}},
        )
        out.append({"metadata": {"name": entry["name"]}, "spec": spec})
        if "mountPath" in entry:
            mounts.append({"name": entry["name"], "mountPath": entry["mountPath"]})
    options["volume_mounts"] = concat(options.get("volume_mounts"), mounts)
    return out


@checked
def Deployment(
    name: Str,
    *,
    image: Str,
    id: str | None = None,
    namespace: Str | None = None,
    replicas: Int = 1,
    labels: Labels | None = None,
    annotations: Labels | None = None,
    selector: Labels | None = None,
    strategy: Obj | None = None,
    min_ready_seconds: Int | None = None,
    revision_history_limit: Int | None = None,
    **pod: Unpack[PodOptions],
) -> ResourceRef:
    """An apps/v1 Deployment of one container (``replicas`` defaults to 1)."""
    all_labels = _labels(name, labels)
    match, pod_labels = _selected(all_labels, selector)
    spec = compact(
        replicas=replicas,
        selector={"matchLabels": match},
        strategy=strategy,
        minReadySeconds=min_ready_seconds,
        revisionHistoryLimit=revision_history_limit,
        template=pod_template(name, image, pod_labels, pod),
    )
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(name, namespace, all_labels, annotations),
        "spec": spec,
    }
    return resource(obj, id=id)


@checked
def StatefulSet(
    name: Str,
    *,
    image: Str,
    id: str | None = None,
    namespace: Str | None = None,
    replicas: Int = 1,
    service_name: Str | None = None,
    volume_claim_templates: Sequence[Obj] | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
    selector: Labels | None = None,
    pod_management_policy: Str | None = None,
    update_strategy: Obj | None = None,
    persistent_volume_claim_retention_policy: Obj | None = None,
    **pod: Unpack[PodOptions],
) -> ResourceRef:
    """An apps/v1 StatefulSet; ``service_name`` defaults to the name (pair it with a headless Service).

    ``volume_claim_templates`` takes PVC templates or shortcuts ``{"name", "size", "mount_path", "storage_class",
    "access_modes"}``; a shortcut's ``mount_path`` also mounts the claim in the container.
    """
    all_labels = _labels(name, labels)
    match, pod_labels = _selected(all_labels, selector)
    claims = _claim_templates(volume_claim_templates, pod)
    spec = compact(
        replicas=replicas,
        serviceName=name if service_name is None else service_name,
        selector={"matchLabels": match},
        podManagementPolicy=pod_management_policy,
        updateStrategy=update_strategy,
        persistentVolumeClaimRetentionPolicy=persistent_volume_claim_retention_policy,
        template=pod_template(name, image, pod_labels, pod),
        volumeClaimTemplates=claims,
    )
    obj = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": metadata(name, namespace, all_labels, annotations),
        "spec": spec,
    }
    return resource(obj, id=id)


@checked
def DaemonSet(
    name: Str,
    *,
    image: Str,
    id: str | None = None,
    namespace: Str | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
    selector: Labels | None = None,
    update_strategy: Obj | None = None,
    **pod: Unpack[PodOptions],
) -> ResourceRef:
    """An apps/v1 DaemonSet: one pod per node."""
    all_labels = _labels(name, labels)
    match, pod_labels = _selected(all_labels, selector)
    spec = compact(
        selector={"matchLabels": match},
        updateStrategy=update_strategy,
        template=pod_template(name, image, pod_labels, pod),
    )
    obj = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": metadata(name, namespace, all_labels, annotations),
        "spec": spec,
    }
    return resource(obj, id=id)


def _job_spec(
    name: Any,
    image: Any,
    labels: dict[str, Any],
    pod: PodOptions,
    *,
    completions: Any,
    parallelism: Any,
    backoff_limit: Any,
    active_deadline_seconds: Any,
    ttl_seconds_after_finished: Any,
) -> dict[str, Any]:
    """A JobSpec; Kubernetes generates the selector, and pods default to ``restartPolicy: Never``."""
    return compact(
        completions=completions,
        parallelism=parallelism,
        backoffLimit=backoff_limit,
        activeDeadlineSeconds=active_deadline_seconds,
        ttlSecondsAfterFinished=ttl_seconds_after_finished,
        template=pod_template(name, image, labels, pod, restart_policy="Never"),
    )


@checked
def Job(
    name: Str,
    *,
    image: Str,
    id: str | None = None,
    namespace: Str | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
    completions: Int | None = None,
    parallelism: Int | None = None,
    backoff_limit: Int | None = None,
    active_deadline_seconds: Int | None = None,
    ttl_seconds_after_finished: Int | None = None,
    **pod: Unpack[PodOptions],
) -> ResourceRef:
    """A batch/v1 Job running the container to completion (``restart_policy`` defaults to ``Never``)."""
    all_labels = _labels(name, labels)
    spec = _job_spec(
        name,
        image,
        all_labels,
        pod,
        completions=completions,
        parallelism=parallelism,
        backoff_limit=backoff_limit,
        active_deadline_seconds=active_deadline_seconds,
        ttl_seconds_after_finished=ttl_seconds_after_finished,
    )
    obj = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata(name, namespace, all_labels, annotations),
        "spec": spec,
    }
    return resource(obj, id=id)


@checked
def CronJob(
    name: Str,
    *,
    image: Str,
    schedule: Str,
    id: str | None = None,
    namespace: Str | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
    time_zone: Str | None = None,
    concurrency_policy: Str | None = None,
    suspend: Bool | None = None,
    starting_deadline_seconds: Int | None = None,
    successful_jobs_history_limit: Int | None = None,
    failed_jobs_history_limit: Int | None = None,
    completions: Int | None = None,
    parallelism: Int | None = None,
    backoff_limit: Int | None = None,
    active_deadline_seconds: Int | None = None,
    ttl_seconds_after_finished: Int | None = None,
    **pod: Unpack[PodOptions],
) -> ResourceRef:
    """A batch/v1 CronJob running the Job on ``schedule`` (cron syntax)."""
    all_labels = _labels(name, labels)
    job = _job_spec(
        name,
        image,
        all_labels,
        pod,
        completions=completions,
        parallelism=parallelism,
        backoff_limit=backoff_limit,
        active_deadline_seconds=active_deadline_seconds,
        ttl_seconds_after_finished=ttl_seconds_after_finished,
    )
    spec = compact(
        schedule=schedule,
        timeZone=time_zone,
        concurrencyPolicy=concurrency_policy,
        suspend=suspend,
        startingDeadlineSeconds=starting_deadline_seconds,
        successfulJobsHistoryLimit=successful_jobs_history_limit,
        failedJobsHistoryLimit=failed_jobs_history_limit,
        jobTemplate={"metadata": {"labels": all_labels}, "spec": job},
    )
    obj = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": metadata(name, namespace, all_labels, annotations),
        "spec": spec,
    }
    return resource(obj, id=id)
