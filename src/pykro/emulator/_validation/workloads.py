"""Pods and the workload controllers: replicas, selector against template labels, the pod template."""

from __future__ import annotations

from typing import Any

from pykro.emulator._selectors import Requirement
from pykro.emulator._validation import meta, podspec
from pykro.schema._causes import FieldCause, forbidden, invalid, not_supported, required

__all__ = ["cronjob", "daemonset", "deployment", "job", "pod", "replicaset", "replication_controller", "statefulset"]

_ALWAYS = ["Always"]
_JOB_RESTART = ["OnFailure", "Never"]
_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"]
_STATEFULSET_MUTABLE = {
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
}
_STATEFULSET_FORBIDDEN = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
    "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
)


def _non_negative(spec: dict[str, Any], key: str, path: str) -> list[FieldCause]:
    value = spec.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return [invalid(f"{path}.{key}", value, "must be greater than or equal to 0")]
    return []


def _selector_matches(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    reqs = [Requirement(str(k), "=", frozenset({str(v)})) for k, v in (selector.get("matchLabels") or {}).items()]
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}
    for expr in selector.get("matchExpressions") or []:
        if isinstance(expr, dict) and expr.get("operator") in ops:
            values = frozenset(str(v) for v in expr.get("values") or ())
            reqs.append(Requirement(str(expr.get("key", "")), ops[expr["operator"]], values))
    return all(r.matches({str(k): str(v) for k, v in labels.items()}) for r in reqs)


def _selector(spec: dict[str, Any], path: str, need: bool, kind: str) -> list[FieldCause]:
    """The selector is required (except for DaemonSets, where only the mismatch is reported), non-empty, valid,
    and matches the pod template's labels (a missing selector matches nothing)."""
    sel = spec.get("selector")
    tpl = spec.get("template")
    labels = ((tpl or {}).get("metadata") or {}).get("labels") if isinstance(tpl, dict) else None
    mismatch = invalid(f"{path}.template.metadata.labels", labels or {}, "`selector` does not match template `labels`")
    if not isinstance(sel, dict):
        return ([required(f"{path}.selector")] if need else []) + [mismatch]
    out = meta.labels(sel.get("matchLabels"), f"{path}.selector.matchLabels")
    for n, expr in enumerate(sel.get("matchExpressions") or []):
        if isinstance(expr, dict) and expr.get("operator") not in _OPERATORS:
            at = f"{path}.selector.matchExpressions[{n}].operator"
            out.append(not_supported(at, expr.get("operator"), _OPERATORS))
    if not sel.get("matchLabels") and not sel.get("matchExpressions"):
        out.append(invalid(f"{path}.selector", sel, f"empty selector is invalid for {kind}"))
        return out
    if not out and not _selector_matches(sel, labels if isinstance(labels, dict) else {}):
        out.append(mismatch)
    return out


def _immutable_selector(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    if old is None:
        return []
    sel = (obj.get("spec") or {}).get("selector")
    if sel != (old.get("spec") or {}).get("selector"):
        return [invalid("spec.selector", sel, "field is immutable")]
    return []


def _controller(obj: dict[str, Any], kind: str, restart: list[str], need_selector: bool = True) -> list[FieldCause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [required("spec.selector"), required("spec.template.spec.containers")]
    out = _non_negative(spec, "replicas", "spec")
    out += _non_negative(spec, "minReadySeconds", "spec")
    out += _non_negative(spec, "revisionHistoryLimit", "spec")
    out += _selector(spec, "spec", need_selector, kind)
    return out + podspec.template(spec.get("template"), "spec.template", restart)


def pod(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    out = podspec.pod_spec(obj.get("spec"), "spec")
    if old is not None:
        out += podspec.pod_update(obj.get("spec"), old.get("spec"))
    return out


def deployment(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    out = _controller(obj, "deployment", _ALWAYS) + _immutable_selector(obj, old)
    spec = obj.get("spec") or {}
    strategy = spec.get("strategy") if isinstance(spec, dict) else None
    if isinstance(strategy, dict) and strategy.get("type") not in (None, "RollingUpdate", "Recreate"):
        out.append(not_supported("spec.strategy.type", strategy.get("type"), ["Recreate", "RollingUpdate"]))
    return out


def replicaset(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    return _controller(obj, "replicaset", _ALWAYS) + _immutable_selector(obj, old)


def replication_controller(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    return _non_negative(spec, "replicas", "spec") + podspec.template(spec.get("template"), "spec.template", _ALWAYS)


def statefulset(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    out = _controller(obj, "statefulset", _ALWAYS)
    spec = obj.get("spec") or {}
    if old is not None and isinstance(spec, dict):
        fixed = {k: v for k, v in spec.items() if k not in _STATEFULSET_MUTABLE}
        before = {k: v for k, v in (old.get("spec") or {}).items() if k not in _STATEFULSET_MUTABLE}
        if fixed != before:
            out.append(forbidden("spec", _STATEFULSET_FORBIDDEN))
    policy = spec.get("podManagementPolicy") if isinstance(spec, dict) else None
    if policy is not None and policy not in ("OrderedReady", "Parallel"):
        out.append(not_supported("spec.podManagementPolicy", policy, ["OrderedReady", "Parallel"]))
    return out


def daemonset(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    return _controller(obj, "daemonset", _ALWAYS, need_selector=False) + _immutable_selector(obj, old)


def _job_spec(spec: Any, path: str) -> list[FieldCause]:
    if not isinstance(spec, dict):
        return [required(f"{path}.template.spec.containers")]
    out: list[FieldCause] = []
    for key in ("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"):
        out += _non_negative(spec, key, path)
    return out + podspec.template(spec.get("template"), f"{path}.template", _JOB_RESTART)


def job(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    out = _job_spec(obj.get("spec"), "spec")
    name = (obj.get("metadata") or {}).get("name") or ""
    if old is None and len(name) > 63:  # the apiserver labels the job's pods with job-name=<name>
        out.append(invalid("spec.template.labels", name, "must be no more than 63 characters"))
    if old is not None:
        template = (obj.get("spec") or {}).get("template")
        if template != (old.get("spec") or {}).get("template"):
            out.append(invalid("spec.template", template, "field is immutable"))
    return out


def cronjob(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [required("spec.schedule")]
    out: list[FieldCause] = []
    schedule = spec.get("schedule")
    if not schedule:
        out.append(required("spec.schedule"))
    elif isinstance(schedule, str) and not _cron_ok(schedule):
        out.append(invalid("spec.schedule", schedule, "unparseable schedule"))
    policy = spec.get("concurrencyPolicy")
    if policy is not None and policy not in ("Allow", "Forbid", "Replace"):
        out.append(not_supported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"]))
    for key in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        out += _non_negative(spec, key, "spec")
    jt = spec.get("jobTemplate")
    return out + _job_spec((jt or {}).get("spec") if isinstance(jt, dict) else None, "spec.jobTemplate.spec")


def _cron_ok(schedule: str) -> bool:
    """Five fields of the standard cron syntax, or a @descriptor."""
    if schedule.startswith("@"):
        return schedule in {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"} or (
            schedule.startswith("@every ")
        )
    fields = schedule.split()
    if len(fields) != 5:
        return False
    allowed = (
        set("0123456789*/,-?")
        | set("JANFEBMRPYULGSOCTVDCSUNMONTUEWEDTHUFRISAT".lower())
        | set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    )
    return all(f and set(f) <= allowed for f in fields)
