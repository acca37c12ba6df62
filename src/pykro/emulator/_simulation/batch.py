"""Simulated batch/v1 controllers: Jobs run pods to completion (or fail past backoffLimit) with the conditions and
counts of the real job controller; CronJobs create Jobs on their schedule and keep lastScheduleTime."""

from __future__ import annotations

import calendar
import time
from typing import TYPE_CHECKING, Any

from pykro._kube import condition_true
from pykro._kube import now as now_rfc3339
from pykro.emulator._simulation.objects import (
    Obj,
    deleting,
    drop_zero,
    key_of,
    meta,
    owner_reference,
    set_condition,
    uid,
)
from pykro.emulator._simulation.pods import pod_from_template, pod_ready

if TYPE_CHECKING:
    from pykro.emulator._simulation.simulator import Simulator

__all__ = ["job_finished", "next_run", "parse_schedule", "reconcile_cron_job", "reconcile_job"]

JOB_CONTROLLER = "job-controller"


def job_finished(job: Obj) -> bool:
    return condition_true(job, "Complete") or condition_true(job, "Failed")


async def reconcile_job(sim: Simulator, job: Obj) -> None:
    spec = job.get("spec") or {}
    if deleting(job) or job_finished(job) or spec.get("suspend"):
        return
    target = int(spec.get("completions") or 1)
    parallelism = int(spec.get("parallelism", 1))
    backoff_limit = int(spec.get("backoffLimit", 6))
    pods = sim.owned(job, "Pod")
    phases = [(p.get("status") or {}).get("phase") for p in pods]
    succeeded, failed = phases.count("Succeeded"), phases.count("Failed")
    active = [p for p in pods if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    old = job.get("status") or {}
    conds = old.get("conditions")
    status: dict[str, Any] = {"startTime": old.get("startTime", now_rfc3339())}
    if failed > backoff_limit:
        message = "Job has reached the specified backoff limit"
        conds = set_condition(conds, "FailureTarget", "True", "BackoffLimitExceeded", message)
        conds = set_condition(conds, "Failed", "True", "BackoffLimitExceeded", message)
        await sim.event(job, "BackoffLimitExceeded", message, JOB_CONTROLLER, "Warning")
    elif succeeded >= target:
        message = "Reached expected number of succeeded pods"
        conds = set_condition(conds, "SuccessCriteriaMet", "True", "CompletionsReached", message)
        conds = set_condition(conds, "Complete", "True", "CompletionsReached", message)
        status["completionTime"] = now_rfc3339()
        await sim.event(job, "Completed", "Job completed", JOB_CONTROLLER)
    else:
        labels = {
            "batch.kubernetes.io/controller-uid": uid(job),
            "batch.kubernetes.io/job-name": meta(job)["name"],
            "controller-uid": uid(job),
            "job-name": meta(job)["name"],
        }
        for _ in range(min(parallelism, target - succeeded) - len(active)):
            pod = pod_from_template(sim, job, spec.get("template") or {}, labels)
            created = await sim.create_named(pod, meta(job)["name"])
            active.append(created)
            await sim.event(job, "SuccessfulCreate", f"Created pod: {meta(created)['name']}", JOB_CONTROLLER)
    done = job_finished({"status": {"conditions": conds or []}})
    status.update(
        {
            "active": 0 if done else len(active),
            "succeeded": succeeded,
            "failed": failed,
            "ready": 0 if done else sum(1 for p in active if pod_ready(p)),
            "terminating": 0,
            "uncountedTerminatedPods": {},
        }
    )
    if conds:
        status["conditions"] = conds
    await sim.write_status(job, drop_zero(status, "active", "succeeded", "failed"))


# -- CronJob -----------------------------------------------------------------------------------------------------

_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


def _field(text: str, low: int, high: int) -> set[int]:
    out: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if body in ("*", "?"):
            start, end = low, high
        elif "-" in body:
            a, b = body.split("-", 1)
            start, end = int(a), int(b)
        else:
            start = int(body)
            end = high if step_text else start
        if start < low or end > high or step < 1:
            raise ValueError(f"{part!r} is outside {low}-{high}")
        out.update(range(start, end + 1, step))
    return out


def parse_schedule(schedule: str) -> tuple[set[int], ...]:
    """The five cron fields (minute hour day-of-month month day-of-week, numeric forms and @macros) as sets."""
    text = _MACROS.get(schedule.strip(), schedule.strip())
    parts = text.split()
    if len(parts) != 5:
        raise ValueError(f"expected 5 fields in {schedule!r}")
    fields = tuple(_field(p, lo, hi) for p, (lo, hi) in zip(parts, _RANGES, strict=True))
    fields[4].update({0} if 7 in fields[4] else set())
    return fields


def next_run(schedule: str, after: float) -> float | None:
    """The first scheduled minute strictly after epoch second `after` (UTC), within a year; None if none."""
    minute, hour, dom, month, dow = parse_schedule(schedule)
    restricted_dom, restricted_dow = len(dom) < 31, len(dow) < 7
    t = (int(after) // 60 + 1) * 60
    for _ in range(366 * 24 * 60):
        tm = time.gmtime(t)
        weekday = (tm.tm_wday + 1) % 7  # cron counts Sunday as 0
        day_ok = (
            (tm.tm_mday in dom or weekday in dow)
            if restricted_dom and restricted_dow
            else (tm.tm_mday in dom and weekday in dow)
        )
        if tm.tm_mon in month and day_ok and tm.tm_hour in hour and tm.tm_min in minute:
            return float(t)
        t += 60
    return None


def _epoch(stamp: str) -> float:
    return float(calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")))


async def reconcile_cron_job(sim: Simulator, cron: Obj) -> None:
    spec = cron.get("spec") or {}
    if deleting(cron):
        return
    old = cron.get("status") or {}
    jobs = sim.owned(cron, "Job")
    status: dict[str, Any] = {}
    if old.get("lastScheduleTime"):
        status["lastScheduleTime"] = old["lastScheduleTime"]
    successes = sorted(str(j["status"]["completionTime"]) for j in jobs if condition_true(j, "Complete"))
    if successes:
        status["lastSuccessfulTime"] = successes[-1]
    try:
        last = _epoch(old.get("lastScheduleTime") or meta(cron).get("creationTimestamp") or now_rfc3339())
        due = next_run(str(spec.get("schedule", "")), last)
    except ValueError:
        due = None  # an unparseable schedule never fires (the apiserver would have rejected it)
    now = time.time()
    missed = None
    for _ in range(100):  # like the CronJob controller: only the most recent missed run starts
        if due is None or due > now:
            break
        missed, due = due, next_run(str(spec["schedule"]), due)
    if missed is not None and not spec.get("suspend"):
        if not any(meta(j)["name"] == _job_name(cron, missed) for j in jobs):
            jobs.append(await _create_job(sim, cron, missed))
        status["lastScheduleTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(missed))
    if due is not None and not spec.get("suspend"):
        sim.requeue_after(key_of(cron), due - now, periodic=True)
    active = [_ref(j) for j in jobs if not job_finished(j)]
    if active:
        status["active"] = active
    await sim.write_status(cron, status)


def _ref(job: Obj) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "name": meta(job)["name"],
        "namespace": meta(job).get("namespace"),
        "uid": uid(job),
    }


def _job_name(cron: Obj, when: float) -> str:
    return f"{meta(cron)['name']}-{int(when) // 60}"


async def _create_job(sim: Simulator, cron: Obj, when: float) -> Obj:
    template = (cron.get("spec") or {}).get("jobTemplate") or {}
    tmeta = template.get("metadata") or {}
    job: Obj = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": _job_name(cron, when),
            "namespace": meta(cron).get("namespace"),
            "labels": dict(tmeta.get("labels") or {}),
            "annotations": {
                **(tmeta.get("annotations") or {}),
                "batch.kubernetes.io/cronjob-scheduled-timestamp": time.strftime(
                    "%Y-%m-%dT%H:%M:%SZ", time.gmtime(when)
                ),
            },
            "ownerReferences": [owner_reference(cron)],
        },
        "spec": dict(template.get("spec") or {}),
    }
    created = await sim.create(job)
    await sim.event(cron, "SuccessfulCreate", f"Created job {meta(created)['name']}", "cronjob-controller")
    return created
