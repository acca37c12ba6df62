"""Carrying out a sync's steps in direct mode: pykro's deploy engine deploys or deletes each instance, row by row
(``concurrency`` rows at once), forms in dependency order, and the hub marks the instance records as its own."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pykro.deploy._api import CONFIGMAP_TYPE, Cluster
from pykro.deploy._errors import ApiFailure, OwnershipConflict
from pykro.errors import PykroError
from pykro.hub._model import (
    ERROR_MAX,
    HUB,
    HUB_ERROR,
    HUB_FORM,
    HUB_HASH,
    HUB_ROW,
    HUB_SINCE,
    Have,
    Outcome,
    Step,
    SyncReport,
)

__all__ = ["deploy", "execute", "remove"]

if TYPE_CHECKING:
    from pykro.hub._hub import Hub


async def execute(
    hub: Hub, cluster: Cluster, report: SyncReport, steps: list[Step], existing: dict[str, dict[str, Have]]
) -> None:
    """Run the steps row by row (``concurrency`` rows at once), forms in dependency order."""
    by_row: dict[str, list[Step]] = {}
    for s in steps:
        by_row.setdefault(s.uid, []).append(s)
    skew = {f.name: asyncio.Semaphore(f.max_skew or 1_000_000) for f in hub.forms.values()}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for uid in by_row:
        queue.put_nowait(uid)

    async def worker() -> None:
        while True:
            try:
                uid = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await _row(hub, cluster, report, uid, by_row[uid], existing, skew)

    forms = list(hub.forms.values())
    shared = forms[0].factory.cluster() if forms else None  # one connection for every deploy of this sync
    for form in forms:
        form.factory.shared = shared
    try:
        await asyncio.gather(*(worker() for _ in range(min(hub.concurrency, len(by_row)) or 1)))
    finally:
        for form in forms:
            form.factory.shared = None
        if shared is not None:
            await shared.close()


async def _row(
    hub: Hub,
    cluster: Cluster,
    report: SyncReport,
    uid: str,
    steps: list[Step],
    existing: dict[str, dict[str, Have]],
    skew: dict[str, asyncio.Semaphore],
) -> None:
    """One row's steps: creates and updates in dependency order, then deletions in reverse order."""
    state: dict[str, str] = {}  # form → state of its instance for this row after this sync's step
    for form in hub.ordered():
        name = form.instance_name.format(uid=uid, form=form.name)
        have = existing[form.name].get(name)
        if have is not None and have.hub == hub.name:
            state[form.name] = have.state
    order = {f.name: i for i, f in enumerate(hub.ordered())}
    applies = sorted((s for s in steps if s.action in ("created", "updated")), key=lambda s: order[s.form.name])
    for s in applies:
        waiting = [d for d in s.form.depends_on if state.get(d) != "ACTIVE"]
        if waiting:
            report.add(
                s.form.name,
                uid,
                s.name,
                "blocked",
                f"waiting for the {', '.join(waiting)} instance of this row to be ACTIVE",
            )
            continue
        assert s.want is not None
        async with skew[s.form.name]:
            outcome, new_state = await deploy(hub, cluster, s)
        report.outcomes.append(outcome)
        if new_state:
            state[s.form.name] = new_state
    removals = sorted((s for s in steps if s.action in ("deleted", "retained")), key=lambda s: -order[s.form.name])
    failed: set[str] = set()
    for s in removals:
        dependents = [f.name for f in hub.forms.values() if s.form.name in f.depends_on and f.name in failed]
        if dependents:
            failed.add(s.form.name)
            report.add(
                s.form.name,
                uid,
                s.name,
                "blocked",
                f"kept: the {', '.join(dependents)} instance of this row could not be removed",
            )
            continue
        outcome = await remove(cluster, s)
        if outcome.action == "failed":
            failed.add(s.form.name)
        report.outcomes.append(outcome)


_TAKEOVER_FIX = (
    "A hub never takes over objects: delete the instance that owns them (another "
    "hub's tenant or a `pykro deploy`), or make this form's names differ (its name template or namespace)."
)


async def deploy(hub: Hub, cluster: Cluster, s: Step) -> tuple[Outcome, str]:
    """Deploy one instance and mark its record as the hub's; the outcome and the instance's state."""
    assert s.want is not None
    try:
        instance = await s.form.factory.adeploy(s.want.spec, name=s.name, timeout=s.form.timeout)
    except Exception as exc:  # a failure stays this row's (unexpected ones too); the record it left is ours
        if isinstance(exc, OwnershipConflict):  # the deploy's fix names `pykro deploy`'s option, which a hub has not
            exc = OwnershipConflict(exc.what, where=exc.where, fix=_TAKEOVER_FIX)
        message = str(exc) if isinstance(exc, PykroError) else f"{type(exc).__name__}: {exc}"
        await _mark(hub, cluster, s, "FAILED", message, missing_ok=True)
        return Outcome(s.form.name, s.uid, s.name, "failed", message), "FAILED"
    try:
        await _mark(hub, cluster, s, instance.state, None)
    except PykroError as exc:
        return Outcome(
            s.form.name, s.uid, s.name, "failed", f"deployed, but not marked as the hub's: {exc}"
        ), instance.state
    message = "" if instance.state == "ACTIVE" else f"state {instance.state}"
    return Outcome(s.form.name, s.uid, s.name, s.action, message), instance.state


async def _mark(
    hub: Hub, cluster: Cluster, s: Step, state: str, error: str | None, *, missing_ok: bool = False
) -> None:
    """Label the instance's record as this hub's (row uid and spec hash in annotations), with the error of its last
    deploy (None clears it) and, when its state changed, since when."""
    assert s.want is not None
    notes: dict[str, str | None] = {HUB_ROW: s.uid, HUB_HASH: s.want.hash}
    notes[HUB_ERROR] = None if error is None else error[:ERROR_MAX]
    if state != s.old_state:
        notes[HUB_SINCE] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    patch = {"metadata": {"labels": {HUB: hub.name, HUB_FORM: s.form.name}, "annotations": notes}}
    record = f"pykro.{s.form.factory.graph.name}.{s.name}"
    try:
        await cluster.merge_patch(CONFIGMAP_TYPE, record, cluster.namespace, patch)
    except ApiFailure as exc:
        if not (missing_ok and exc.code == 404):
            raise
    except PykroError:
        if not missing_ok:
            raise


async def remove(cluster: Cluster, s: Step) -> Outcome:
    """Delete one instance (its objects with ``pykro.io/deletion-policy: Retain`` kept), or release it."""
    if s.action == "retained":  # released: the instance stays, the hub forgets it
        notes = dict.fromkeys((HUB_ROW, HUB_HASH, HUB_SINCE, HUB_ERROR))
        patch = {"metadata": {"labels": {HUB: None, HUB_FORM: None}, "annotations": notes}}
        try:
            await cluster.merge_patch(
                CONFIGMAP_TYPE, f"pykro.{s.form.factory.graph.name}.{s.name}", cluster.namespace, patch
            )
        except PykroError as exc:
            return Outcome(s.form.name, s.uid, s.name, "failed", f"cannot release it: {exc}")
        return Outcome(s.form.name, s.uid, s.name, "retained", "deletion=Retain: kept, no longer managed by the hub")
    try:
        await s.form.factory.adelete(s.name, timeout=s.form.timeout)
    except PykroError as exc:
        return Outcome(s.form.name, s.uid, s.name, "failed", f"cannot delete it: {exc}")
    return Outcome(s.form.name, s.uid, s.name, "deleted")
