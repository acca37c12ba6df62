"""kro mode: each form's RGD is applied once (again only when the composition changes) and each row × form is one
instance custom resource; the kro controller in the cluster creates, updates and deletes the resources.

The hub marks the instance CRs it writes, in the same apply, with the labels and annotations of direct mode
(``pykro.io/hub``, ``pykro.io/hub-form``, ``pykro.io/hub-row``, ``pykro.io/hub-spec-hash``), and the RGD with the
composition's digest (``pykro.io/hub-rgd-digest``), so an unchanged resync writes nothing. It does not wait for
kro: an instance whose spec hash matches is unchanged whatever its state (kro is working on it); a dependent
form's instance is written once its dependency's CR is ACTIVE (a later sync); ``max_skew`` counts the form's
instances that are not ACTIVE yet. Deletions are issued dependents first, without waiting for kro's cleanup.

A split form (`pykro.hub._split`: what kro cannot honour) has a hub part per tenant, deployed by the hub with
the deploy engine as in direct mode (it waits for it) and marked like direct mode's instances: it is written
first, when its own hash changed or it is not ACTIVE, then the instance CR, when the CR's spec hash changed.
Such a tenant × form is ACTIVE when both are; deleting it deletes the CR, then the hub part (Retain honoured)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from pykro.deploy._api import CRD_TYPE, NAMESPACE_TYPE, Cluster, ResourceType
from pykro.deploy._direct import instance_object
from pykro.deploy._errors import DeployError
from pykro.deploy._kro import RGD_TYPE
from pykro.deploy._kro_wait import condition, crd_ready, rgd_ready
from pykro.errors import PykroError
from pykro.graph._crd import plural_of
from pykro.hub import _apply as apply
from pykro.hub import _planner as planner
from pykro.hub._model import HUB, HUB_FORM, HUB_HASH, HUB_ROW, Form, Have, Outcome, Step, SyncReport, Want
from pykro.hub._split import hashes

__all__ = [
    "Live",
    "cr_state",
    "describe_split",
    "ensure_rgds",
    "execute_kro",
    "existing_crs",
    "instance_types",
    "live_state",
    "refusal",
    "split_wants",
]

if TYPE_CHECKING:
    from pykro.hub._hub import Hub

HUB_RGD: Final = "pykro.io/hub-rgd-digest"
POLL: Final = 0.2


def refusal(hub: Hub) -> str | None:
    """Why ``hub``'s forms cannot run in kro mode (None when they can): ``resource_timeout`` (a readiness limit on
    every resource, kro's included; ignore_fields and timeouts split the form instead: `pykro.hub._split`)."""
    refused = [
        f.name
        for f in hub.forms.values()
        if f.policies.resource_timeout or (f.split is None and (f.policies.ignore_fields or f.policies.timeouts))
    ]
    if not refused:
        return None
    return (
        f"form {refused[0]!r} has resource_timeout, which kro mode cannot honour (kro applies the resources and "
        "has no readiness limit); give the resources that need one timeouts= (the hub applies those itself), "
        "or use --mode direct. Nothing was changed."
    )


@dataclass
class Live:
    """What kro mode finds in the cluster: per form, the type of its instance CRs (None: not served yet), its CRs
    and (split forms) the records of its hub parts."""

    types: dict[str, ResourceType | None]
    crs: dict[str, dict[str, Have]]
    parts: dict[str, dict[str, Have]] = field(default_factory=dict)

    def existing(self) -> dict[str, dict[str, Have]]:
        """Per form, one `Have` per tenant: a split form's CR and hub part as one (hash ``<CR's>/<part's>``;
        ACTIVE when both are; ``stale`` when the hub part must be deployed again)."""
        out = {name: dict(found) for name, found in self.crs.items()}
        for name, parts in self.parts.items():
            crs = self.crs.get(name, {})
            merged: dict[str, Have] = {}
            for key in dict.fromkeys([*crs, *parts]):
                cr, rec = crs.get(key), parts.get(key)
                first = cr or rec
                assert first is not None
                both = Have(
                    name=key,
                    uid=first.uid,
                    hash=f"{cr.hash if cr else ''}/{rec.hash if rec else ''}",
                    state=cr.state if cr else "PENDING",
                    hub=first.hub,
                    form=first.form,
                    since=rec.since if rec else "",
                    error=rec.error if rec else "",
                )
                if rec is not None and (rec.hub, rec.form) != (first.hub, first.form):
                    both.hub, both.form = rec.hub, rec.form  # someone else's record: never taken over
                if rec is None:
                    both.state, both.stale = "PENDING", "its hub part is missing: deployed again"
                elif rec.state != "ACTIVE":
                    both.state = rec.state or "UNKNOWN"
                    both.stale = f"its hub part is {rec.state or 'of unknown state'}: deployed again"
                elif cr is None:
                    both.stale = "its instance CR is missing: written again"
                merged[key] = both
            out[name] = merged
        return out


async def live_state(hub: Hub, cluster: Cluster, wanted: dict[str, dict[str, Want]] | None = None) -> Live:
    """The instance types, CRs and hub parts of ``hub``'s forms (read-only); ``wanted`` gets the hashes to compare
    (`split_wants`)."""
    if wanted is not None:
        split_wants(hub, wanted)
    types = await instance_types(hub, cluster)
    live = Live(types, await existing_crs(hub, cluster, types))
    split = [f.split.part for f in hub.forms.values() if f.split is not None]
    if split:
        live.parts = await planner.existing_instances(cluster, split)
    return live


def split_wants(hub: Hub, wanted: dict[str, dict[str, Want]]) -> None:
    """A split form's wants get the hash ``<CR spec's>/<hub part's>`` (`Live.existing` compares them)."""
    for name, wants in wanted.items():
        form = hub.forms[name]
        if form.split is not None:
            for want in wants.values():
                want.hash = "/".join(hashes(form, want.spec))


def cr_state(obj: dict[str, Any]) -> str:
    """An instance CR's state as pykro reports it: ACTIVE only when kro says ACTIVE and Ready=True."""
    state = (obj.get("status") or {}).get("state")
    ready = condition(obj, "Ready").get("status") == "True"
    return "ACTIVE" if state == "ACTIVE" and ready else str(state or "IN_PROGRESS")


async def instance_types(hub: Hub, cluster: Cluster) -> dict[str, ResourceType | None]:
    """Per form, the type of its instance CRs when kro serves it already (read-only)."""
    out: dict[str, ResourceType | None] = {}
    for form in hub.forms.values():
        graph = form.kro_graph
        out[form.name] = await cluster.find_type(graph.instance_api_version, graph.kind, refresh=True)
    return out


async def existing_crs(hub: Hub, cluster: Cluster, types: dict[str, ResourceType | None]) -> dict[str, dict[str, Have]]:
    """Per form, the instance CRs of its kind in the namespace (the hub's and others')."""
    out: dict[str, dict[str, Have]] = {}
    for form in hub.forms.values():
        rt = types[form.name]
        items = (await cluster.list(rt, cluster.namespace))[0] if rt is not None else []
        found: dict[str, Have] = {}
        for obj in items:
            meta = obj.get("metadata") or {}
            labels, notes = meta.get("labels") or {}, meta.get("annotations") or {}
            name = str(meta.get("name"))
            found[name] = Have(
                name=name,
                uid=notes.get(HUB_ROW),
                hash=str(notes.get(HUB_HASH, "")),
                state=cr_state(obj),
                hub=labels.get(HUB),
                form=labels.get(HUB_FORM),
            )
        out[form.name] = found
    return out


async def _poll(cluster: Cluster, rt: ResourceType, name: str, check: Any, deadline: float, what: str) -> Any:
    while True:
        obj = await cluster.get(rt, name)
        verdict = check(obj)
        if verdict.state == "ready":
            return obj
        if verdict.state == "failed":
            raise DeployError(f"{what} was not accepted: {verdict.detail}", fix="Fix the composition and sync again.")
        if time.monotonic() >= deadline:
            raise DeployError(
                f"{what} was not ready in time: {verdict.detail}", fix="Check that kro runs in the cluster."
            )
        await asyncio.sleep(POLL)


async def ensure_rgds(hub: Hub, cluster: Cluster, types: dict[str, ResourceType | None]) -> None:
    """Apply each form's RGD whose digest differs from the one in the cluster and wait until kro serves its kind;
    raises (before any instance is written) when kro is missing or refuses an RGD."""
    if await cluster.find_type(RGD_TYPE.api_version, RGD_TYPE.kind) is None:
        raise DeployError(
            "kro is not installed in this cluster (no ResourceGraphDefinition CRD)",
            where="--mode kro",
            fix="Install kro (with --local the emulator runs a simulated one), or use --mode direct.",
        )
    if not await cluster.reachable(cluster.namespace):
        ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": cluster.namespace}}
        await cluster.apply(NAMESPACE_TYPE, ns)
    for form in hub.ordered():
        graph, digest = form.kro_graph, form.kro_digest()
        live = await cluster.get(RGD_TYPE, graph.name)
        known = ((live or {}).get("metadata") or {}).get("annotations") or {}
        if live is not None and known.get(HUB_RGD) == digest and types[form.name] is not None:
            continue
        rgd = graph.to_rgd()
        rgd.setdefault("metadata", {}).setdefault("annotations", {})[HUB_RGD] = digest
        await cluster.apply(RGD_TYPE, rgd)
        deadline = time.monotonic() + (hub.options.timeout if hub.options and hub.options.timeout else 600.0)
        what = f"the RGD {graph.name!r} of form {form.name!r}"
        await _poll(cluster, RGD_TYPE, graph.name, rgd_ready, deadline, what)
        crd = await _poll(cluster, CRD_TYPE, f"{plural_of(graph.kind)}.{graph.group}", crd_ready, deadline, what)
        types[form.name] = cluster.type_of_crd(crd)[0]


def describe_split(steps: list[Step]) -> None:
    """Note on each step of a split form which resources the hub applies and which kro does (`hub plan`)."""
    for s in steps:
        if s.form.split is not None and s.action in ("created", "updated"):
            s.note = "; ".join(n for n in (s.note, s.form.split.describe()) if n)


async def execute_kro(hub: Hub, cluster: Cluster, report: SyncReport, steps: list[Step], live: Live) -> None:
    """Apply the forms' RGDs where they changed (`ensure_rgds`; when that fails, ``report.error`` says why and no
    instance is written), then write the instance CRs (split forms: the hub part first) of ``steps``, forms in
    dependency order, then the deletions (reverse order)."""
    try:
        await ensure_rgds(hub, cluster, live.types)
    except PykroError as exc:
        report.error = f"{exc} No instance was changed."
        return
    parts = [f.split.part for f in hub.forms.values() if f.split is not None]
    shared = parts[0].factory.cluster() if parts else None  # one connection for every hub part's deploy
    for part in parts:
        part.factory.shared = shared
    try:
        await _execute(hub, cluster, report, steps, live)
    finally:
        for part in parts:
            part.factory.shared = None
        if shared is not None:
            await shared.close()


async def _execute(hub: Hub, cluster: Cluster, report: SyncReport, steps: list[Step], live: Live) -> None:
    limit = asyncio.Semaphore(hub.concurrency)
    existing = live.existing()
    states = {(f, h.uid or h.name): h.state for f, have in existing.items() for h in have.values() if h.hub == hub.name}
    for form in hub.ordered():
        rt = live.types[form.name]
        assert rt is not None
        todo = [s for s in steps if s.form is form and s.action in ("created", "updated")]
        busy = sum(1 for h in existing[form.name].values() if h.hub == hub.name and h.state != "ACTIVE")
        room = None if form.max_skew is None else max(0, form.max_skew - busy)
        jobs = []
        for s in todo:
            waiting = [d for d in form.depends_on if states.get((d, s.uid)) != "ACTIVE"]
            if waiting:
                why = f"waiting for the {', '.join(waiting)} instance of this row to be ACTIVE (a later sync writes it)"
                report.add(form.name, s.uid, s.name, "blocked", why)
            elif room is not None and room <= 0:
                why = f"max_skew={form.max_skew}: that many {form.name} instances are not ACTIVE yet"
                report.add(form.name, s.uid, s.name, "blocked", why)
            else:
                room = None if room is None else room - 1
                jobs.append(_write(hub, cluster, form, rt, s, limit, live))
        report.outcomes += await asyncio.gather(*jobs)
    order = {f.name: i for i, f in enumerate(hub.ordered())}
    for s in sorted((s for s in steps if s.action in ("deleted", "retained")), key=lambda s: -order[s.form.name]):
        rt = live.types[s.form.name]
        assert rt is not None
        report.outcomes.append(await _remove(cluster, rt, s, live))


async def _write(
    hub: Hub, cluster: Cluster, form: Form, rt: ResourceType, s: Step, limit: asyncio.Semaphore, live: Live
) -> Outcome:
    assert s.want is not None
    redactor = form.factory.redactor
    redactor.learn_spec(form.factory.graph, s.want.spec)  # an error may echo the CR: SecretStr values masked
    spec, spec_hash, done = s.want.spec, s.want.hash, ""
    async with limit:
        if form.split is not None:
            spec_hash, part_hash = s.want.hash.split("/")
            spec = form.split.kro_spec(s.want.spec)
            rec = live.parts[form.name].get(s.name)
            if rec is None or rec.hash != part_hash or rec.state != "ACTIVE":
                part = Want(s.uid, form.split.hub_spec(s.want.spec), part_hash)
                step = Step(
                    form.split.part, s.uid, s.name, "updated" if rec else "created", part, rec.state if rec else ""
                )
                outcome, _ = await apply.deploy(hub, cluster, step)
                if outcome.action == "failed":
                    return Outcome(form.name, s.uid, s.name, "failed", f"its hub part: {outcome.message}")
                done = "hub part applied"
            cr = live.crs[form.name].get(s.name)
            if cr is not None and cr.hash == spec_hash:
                message = "; ".join(m for m in (done, "the instance CR is unchanged") if m)
                return Outcome(form.name, s.uid, s.name, s.action, message)
        try:
            obj = instance_object(form.kro_graph, spec, s.name, cluster.namespace, check=False)
            meta = obj.setdefault("metadata", {})
            meta.setdefault("labels", {}).update({HUB: hub.name, HUB_FORM: form.name})
            meta.setdefault("annotations", {}).update({HUB_ROW: s.uid, HUB_HASH: spec_hash})
            applied = await cluster.apply(rt, obj, force=form.policies.conflict == "force")
        except PykroError as exc:
            return Outcome(form.name, s.uid, s.name, "failed", redactor.text(str(exc)))
    state = cr_state(applied)
    message = "; ".join(m for m in (done, "" if state == "ACTIVE" else f"state {state}: kro works on it") if m)
    return Outcome(form.name, s.uid, s.name, s.action, message)


async def _remove(cluster: Cluster, rt: ResourceType, s: Step, live: Live) -> Outcome:
    """Delete (or release) the CR, then (split forms) the hub part."""
    split = s.form.split
    outcome = Outcome(s.form.name, s.uid, s.name, s.action)
    if split is None or s.name in live.crs[s.form.name]:
        outcome = await _remove_cr(cluster, rt, s)
    if split is None or outcome.action == "failed" or s.name not in live.parts[s.form.name]:
        return outcome
    done = await apply.remove(cluster, Step(split.part, s.uid, s.name, s.action))
    if done.action == "failed":
        return Outcome(s.form.name, s.uid, s.name, "failed", f"its hub part: {done.message}")
    kept = "kept, no longer managed by the hub" if s.action == "retained" else "deleted (objects marked Retain kept)"
    message = "; ".join(m for m in (outcome.message, f"its hub part {kept}") if m)
    return Outcome(s.form.name, s.uid, s.name, s.action, message)


async def _remove_cr(cluster: Cluster, rt: ResourceType, s: Step) -> Outcome:
    try:
        if s.action == "retained":  # released: the CR stays (and kro keeps its resources); the hub forgets it
            patch = {
                "metadata": {"labels": {HUB: None, HUB_FORM: None}, "annotations": {HUB_ROW: None, HUB_HASH: None}}
            }
            await cluster.merge_patch(rt, s.name, cluster.namespace, patch)
            return Outcome(
                s.form.name, s.uid, s.name, "retained", "deletion=Retain: kept, no longer managed by the hub"
            )
        await cluster.delete(rt, s.name, cluster.namespace)
    except PykroError as exc:
        verb = "release" if s.action == "retained" else "delete"
        return Outcome(s.form.name, s.uid, s.name, "failed", f"cannot {verb} it: {exc}")
    return Outcome(s.form.name, s.uid, s.name, "deleted", "kro deletes its resources")
