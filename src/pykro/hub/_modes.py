"""A hub's instances stay in the mode they were deployed in. Direct mode keeps one inventory record per tenant ×
form (`pykro.deploy._inventory`); kro mode keeps one instance CR per tenant × form (and a split form's hub part,
with a record of another composition). Neither mode sees the other's: a hub switched from one mode to the other
would deploy every tenant's objects a second time, under a second owner, and either owner could delete them (data
included). Moving instances across would mean deleting and recreating objects such as PVCs and Secrets, so a sync,
plan or status in one mode finding the hub's instances of the other mode stops with `other_mode` before anything is
written, saying how to go on. Only reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pykro.deploy import _inventory as inv
from pykro.deploy._api import CONFIGMAP_TYPE, Cluster
from pykro.deploy._errors import ApiFailure
from pykro.errors import PykroError
from pykro.graph._crd import plural_of
from pykro.hub._model import HUB, HUB_FORM, Form
from pykro.hub._split import Split

__all__ = ["other_mode", "probe_split"]

if TYPE_CHECKING:
    from pykro.hub._hub import Hub

_SHOWN = 3


async def other_mode(hub: Hub, cluster: Cluster) -> str | None:
    """Why ``hub`` may not sync in its mode — it has instances deployed in the other mode — or None."""
    for form in hub.ordered():
        found = await (_direct_records(hub, cluster, form) if hub.mode == "kro" else _kro_traces(hub, cluster, form))
        if found:
            return found
    return None


def _names(names: list[str]) -> str:
    shown = ", ".join(sorted(names)[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


async def _records(hub: Hub, cluster: Cluster, composition: str, form: Form) -> list[str]:
    labels = {inv.ROLE: "instance", inv.COMPOSITION: composition, HUB: hub.name, HUB_FORM: form.name}
    items, _ = await cluster.list(CONFIGMAP_TYPE, cluster.namespace, labels)
    return [str((r.get("metadata") or {}).get("labels", {}).get(inv.RECORD_OF, "")) for r in items]


async def _direct_records(hub: Hub, cluster: Cluster, form: Form) -> str | None:
    """kro mode: the form's instances the hub deployed in direct mode (their records)."""
    found = await _records(hub, cluster, form.factory.graph.name, form)
    if not found:
        return None
    ns = cluster.namespace
    return (
        f"form {form.name!r} has {len(found)} instance(s) this hub deployed in direct mode ({_names(found)}, "
        f"namespace {ns}); in kro mode kro would apply their objects a second time and the two owners would fight "
        "over them (either could delete them, data included). Nothing was changed. Sync with --mode direct "
        '(mode="direct"), the mode they were deployed in. The hub does not move instances between modes (that '
        "would delete and recreate their objects, PVCs and Secrets with their data); to switch anyway, delete "
        f"them first (pykro delete NAME --composition {form.factory.graph.name} -n {ns}), then sync with --mode kro."
    )


async def _kro_traces(hub: Hub, cluster: Cluster, form: Form) -> str | None:
    """Direct mode: the form's instance CRs (and hub parts) the hub wrote in kro mode. A hub whose rights are
    direct mode's (`pykro hub manifests`) may not read CustomResourceDefinitions or the CRs: it never ran in kro
    mode with them, and the check is left out."""
    try:
        return await _kro_found(hub, cluster, form)
    except ApiFailure as exc:
        if exc.code == 403:
            return None
        raise


async def _kro_found(hub: Hub, cluster: Cluster, form: Form) -> str | None:
    split = probe_split(hub, form)
    ns = cluster.namespace
    graphs = [form.factory.graph] + ([split.graph] if split is not None else [])
    for graph in graphs:
        rt = await cluster.find_type(graph.instance_api_version, graph.kind)
        if rt is None:
            continue
        items, _ = await cluster.list(rt, ns, {HUB: hub.name, HUB_FORM: form.name})
        if items:
            names = [str((o.get("metadata") or {}).get("name")) for o in items]
            return _refusal(
                form,
                f"{len(names)} instance CR(s) of kind {graph.kind} ({_names(names)}, namespace {ns})",
                f"kubectl delete {plural_of(graph.kind)}.{graph.group} -n {ns} -l {HUB}={hub.name},"
                f"{HUB_FORM}={form.name}: kro deletes their objects",
            )
    if split is not None:
        part = split.part.factory.graph.name
        names = await _records(hub, cluster, part, form)
        if names:
            return _refusal(
                form,
                f"{len(names)} hub part(s) ({_names(names)}, namespace {ns})",
                f"pykro delete NAME --composition {part} -n {ns}",
            )
    return None


def probe_split(hub: Hub, form: Form) -> Split | None:
    """``form``'s split as kro mode would make it (in direct mode too: what kro mode left is looked for), computed
    once per hub (``hub.probed``); None when kro mode splits nothing off, or refuses the form."""
    if hub.mode == "kro":
        return form.split  # type: ignore[no-any-return]
    if form.name not in hub.probed:
        try:
            hub.probed[form.name] = hub.split_of(form)
        except PykroError:  # kro mode refuses the form: it never ran in kro mode
            hub.probed[form.name] = None
    return hub.probed[form.name]


def _refusal(form: Form, what: str, delete: str) -> str:
    return (
        f"form {form.name!r} has {what} this hub deployed in kro mode; in direct mode the hub would apply their "
        "objects a second time and the two owners would fight over them (either could delete them, data "
        'included). Nothing was changed. Sync with --mode kro (mode="kro"), the mode they were deployed in. The '
        "hub does not move instances between modes (that would delete and recreate their objects, PVCs and "
        f"Secrets with their data); to switch anyway, delete them first ({delete}), then sync with --mode direct."
    )
