"""`Hub.status`: where each tenant × form stands now — the instance's state, its ready and desired resources (ready:
the graph's node is ready and each of its live objects passes pykro's readiness checks, as a deploy waits), the
error of its last deploy and since when it is in its state — and the hub's totals. In kro mode the state and the
error are the instance CR's, and kro, which reports no resource counts, is summed up by its conditions
(`kro_verdict`); a split form's (`pykro.hub._split`) hub part is deployed by the hub, so its resources are counted,
and the form is ACTIVE when both its hub part and its CR are.
Reads the rows and the cluster; writes nothing.

States: the instance's own (ACTIVE, IN_PROGRESS, ERROR, FAILED), or PENDING (an active row without an instance
yet), BLOCKED (the same, while an instance it depends on is not ACTIVE) and INVALID (the row fails: its spec,
uid or activation value is wrong; ``error`` says why). An instance of the hub whose row is gone or inactive is
listed with ``in_table`` false (the next sync deletes or retains it)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pykro.deploy import KroFactory, NullReporter, factory
from pykro.deploy._readiness import assess
from pykro.errors import PykroError
from pykro.hub import _generated as generated
from pykro.hub import _kro as kro
from pykro.hub import _modes as modes
from pykro.hub import _planner as planner
from pykro.hub._model import Form, Have, SyncReport

__all__ = ["HubStatus", "TenantStatus", "hub_status"]

if TYPE_CHECKING:
    from pykro.hub._hub import Hub

FAILED_STATES = frozenset({"ERROR", "FAILED", "INVALID"})


@dataclass
class TenantStatus:
    """One tenant (row) × form."""

    form: str
    uid: str | None
    instance: str | None
    state: str
    ready_resources: int = 0
    desired_resources: int = 0
    error: str = ""
    since: str = ""
    in_table: bool = True
    kro: str = ""
    """kro mode: kro's verdict on the instance CR (`kro_verdict`)."""
    conditions: dict[str, str] = field(default_factory=dict)
    """kro mode: the instance CR's conditions (type → status)."""

    def ready_column(self) -> str:
        """``ready/desired`` resources (direct mode; a kro-mode form's hub part), then ``kro:`` and kro's verdict
        (kro mode), ``-`` when nothing is known (no instance yet, or the row fails)."""
        parts = [f"{self.ready_resources}/{self.desired_resources}"] if self.desired_resources else []
        parts += [f"kro:{self.kro}"] if self.kro else []
        return " ".join(parts) or "-"


@dataclass
class HubStatus:
    """The status of every tenant × form of a hub; ``error`` when the database or the cluster could not be read
    (what could be read is still listed)."""

    hub: str
    tenants: list[TenantStatus] = field(default_factory=list)
    error: str | None = None

    def totals(self) -> dict[str, int]:
        """desired (active rows × forms), ready (ACTIVE), failed (ERROR, FAILED, INVALID) and blocked."""
        wanted = [t for t in self.tenants if t.in_table]
        return {
            "desired": len(wanted),
            "ready": sum(t.state == "ACTIVE" for t in wanted),
            "failed": sum(t.state in FAILED_STATES for t in wanted),
            "blocked": sum(t.state == "BLOCKED" for t in wanted),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "hub": self.hub,
            "error": self.error,
            "totals": self.totals(),
            "tenants": [asdict(t) for t in self.tenants],
        }

    def render(self) -> str:
        """A plain-text table (user text printed verbatim); an error with no tenant to show is printed alone."""
        if self.error and not self.tenants:
            return f"error: {self.error}\n"
        t = self.totals()
        lines = [
            f"hub {self.hub}: {t['desired']} desired, {t['ready']} ready, {t['failed']} failed, {t['blocked']} blocked"
        ]
        ready = [s.ready_column() for s in self.tenants]
        width = max([7, *(len(r) for r in ready)])
        if self.tenants:
            lines.append(f"  {'FORM':<16} {'UID':<24} {'STATE':<12} {'READY':<{width}} {'SINCE':<20} ERROR")
        for s, resources in zip(self.tenants, ready, strict=True):
            gone = "" if s.in_table else " (row gone or inactive)"
            lines.append(
                f"  {s.form:<16} {s.uid or '-':<24} {s.state:<12} {resources:<{width}} {s.since or '-':<20}"
                + gone
                + (f" {s.error}" if s.error else "")
            )
        if self.error:
            lines.append(f"error: {self.error}")
        return "\n".join(lines) + "\n"


async def hub_status(hub: Hub) -> HubStatus:
    """The status of ``hub`` (see the module docstring)."""
    out = HubStatus(hub.name)
    report = SyncReport(hub.name, dry_run=True)
    wanted: dict[str, dict[str, Any]] = {name: {} for name in hub.forms}
    cluster = hub.cluster()
    try:
        vault = generated.Vault(await generated.load(hub, cluster), kro=hub.mode == "kro")
        wanted, _ = await asyncio.to_thread(planner.plan_rows, hub, report, vault)
    except PykroError as exc:
        out.error = f"cannot read the rows: {exc}"
    try:
        clash = await modes.other_mode(hub, cluster)
        if clash:  # the instances are the other mode's: this mode's view of them would be wrong
            out.error = clash
            return out
        if hub.mode == "kro":
            existing = (await kro.live_state(hub, cluster)).existing()
        else:
            existing = await planner.existing_instances(cluster, hub.forms.values())
    except PykroError as exc:
        out.error = f"cannot list the instances: {exc}"
        return out
    finally:
        await cluster.close()
    limit = asyncio.Semaphore(hub.concurrency)
    readers = {f.name: f.factory if hub.mode == "direct" else _kro_reader(hub, f) for f in hub.forms.values()}

    async def observe(form: Form, have: Have, in_table: bool) -> TenantStatus:
        found = TenantStatus(form.name, have.uid or have.name, have.name, have.state or "UNKNOWN", in_table=in_table)
        found.error, found.since = have.error, have.since
        if form.split is not None:  # kro mode: the hub part's resources are counted (the hub deploys them)
            async with limit:
                with contextlib.suppress(PykroError):  # no hub part yet: `have` says so
                    _count(found, await form.split.part.factory.astatus(have.name))
            if have.stale or have.state == "PENDING":  # the hub part is not ACTIVE (its error and since are the
                if have.state != "PENDING":  # hub part's), or there is no CR yet
                    found.error = found.error or have.stale
                return found
        async with limit:
            try:
                instance = await readers[form.name].astatus(have.name)
            except PykroError as exc:
                found.error = found.error or str(exc)
                return found
        found.state = instance.state
        if hub.mode == "kro":  # kro reports no resource counts: its conditions say how far it got
            found.conditions = {str(c.get("type")): str(c.get("status")) for c in instance.conditions}
            found.kro = kro_verdict(instance.conditions)
            ready = next((c for c in instance.conditions if c.get("type") == "Ready"), {})
            found.since = found.since or str(ready.get("lastTransitionTime") or "")
            if not found.error and instance.state != "ACTIVE":
                found.error = next(
                    (str(c.get("message") or "") for c in instance.conditions if c.get("type") == found.kro), ""
                )
            return found
        _count(found, instance)
        if not found.error and instance.state in FAILED_STATES:
            found.error = next((r.message for r in instance.resources.values() if r.state == "error" and r.message), "")
        if not found.error and instance.state != "ACTIVE":
            ready = next((c for c in instance.conditions if c.get("type") == "Ready"), {})
            found.error = str(ready.get("message") or "") if ready.get("status") == "False" else ""
        return found

    jobs: list[Any] = []
    for form in hub.ordered():
        have = {n: h for n, h in existing[form.name].items() if h.hub == hub.name and h.form == form.name}
        for name, want in wanted[form.name].items():
            if name in have:
                jobs.append(observe(form, have[name], True))
            else:
                jobs.append(_absent(form, want.uid, name))
        for name, h in have.items():
            if name not in wanted[form.name] and out.error is None:
                jobs.append(observe(form, h, False))
            elif name not in wanted[form.name]:  # the rows could not be read: show what there is
                jobs.append(observe(form, h, True))
    for o in report.outcomes:  # rows that fail (bad spec, uid or activation value)
        jobs.append(_invalid(o.form, o.uid, o.instance, o.message))
    out.tenants = list(await asyncio.gather(*jobs))
    by_key = {(t.form, t.uid): t for t in out.tenants}
    for t in out.tenants:  # an instance not yet created waits for the instances it depends on
        if t.state == "PENDING":
            deps = hub.forms[t.form].depends_on
            if any((by_key.get((d, t.uid)) or TenantStatus(d, t.uid, None, "")).state != "ACTIVE" for d in deps):
                t.state = "BLOCKED"
    return out


KRO_CONDITIONS = ("InstanceManaged", "GraphResolved", "ResourcesReady", "Ready")
"""kro's instance conditions, in the order it gets through them."""


def kro_verdict(conditions: list[dict[str, Any]]) -> str:
    """``ready`` when kro's Ready condition is True, else the first of kro's conditions that is not True (where kro
    is stuck), or ``no status yet``."""
    by_type = {str(c.get("type")): str(c.get("status")) for c in conditions}
    if by_type.get("Ready") == "True":
        return "ready"
    if not by_type:
        return "no status yet"
    known = [t for t in KRO_CONDITIONS if t in by_type] + [t for t in by_type if t not in KRO_CONDITIONS]
    return next((t for t in known if by_type[t] != "True"), "Ready")


def _count(found: TenantStatus, instance: Any) -> None:
    """Ready and desired resources of a direct-mode ``instance`` (ready: the graph node is ready and each of its
    live objects passes pykro's readiness checks)."""
    counted = [r for r in instance.resources.values() if r.state != "skipped"]
    live = {_key(o, instance.namespace): o for o in instance.objects}
    found.desired_resources = len(counted)
    found.ready_resources = sum(
        r.state == "ready" and all(assess(live.get(_key(o, instance.namespace))).ready for o in r.objects)
        for r in counted
    )


def _kro_reader(hub: Hub, form: Form) -> KroFactory:
    """A kro-mode factory of ``form``'s composition (reads its instance CRs)."""
    made = factory(
        form.source if form.split is None else form.split.graph,
        "kro",
        namespace=hub.namespace,
        kubeconfig=hub.kubeconfig,
        context=hub.context,
        reporter=NullReporter(),
        retry=hub.retry,
    )
    assert isinstance(made, KroFactory)
    return made


def _key(obj: dict[str, Any], namespace: str) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return str(obj.get("kind")), str(meta.get("namespace") or namespace), str(meta.get("name"))


async def _absent(form: Form, uid: str, name: str) -> TenantStatus:
    return TenantStatus(form.name, uid, name, "PENDING")


async def _invalid(form: str, uid: str | None, name: str | None, message: str) -> TenantStatus:
    return TenantStatus(form, uid, name, "INVALID", error=message)
