"""Lynq YAML for the hub: LynqHub and LynqForm documents (``operator.lynq.sh/v1``, several files or
multi-document files) loaded as `Hub`s (`load`), so ``pykro hub plan|sync|run|status`` runs Lynq's files
unchanged through the same planner, deploy engine and status as Python hubs. See docs/hub.md, "Lynq YAML"."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pykro.errors import PykroError

if TYPE_CHECKING:
    from pykro.hub.lynq._convert import LoadedForm
    from pykro.hub.lynq._hub import LynqHub

__all__ = ["DEPENDS_ON", "is_lynq_file", "load", "ordered"]

SUFFIXES = (".yaml", ".yml")
DEPENDS_ON = "hub.pykro.io/depends-on"
"""A LynqForm annotation: names of the hub's other forms (comma-separated) this form waits for, per tenant."""


def is_lynq_file(path: Path) -> bool:
    """True for a file pykro reads as Lynq YAML (by its suffix)."""
    return path.suffix.lower() in SUFFIXES


def load(paths: list[Path]) -> dict[str, LynqHub]:
    """The hubs of the LynqHub documents in ``paths``, each with the LynqForms naming it; any problem stops
    loading with the file and the YAML path."""
    from pykro.hub.lynq._documents import located

    try:
        return _load(paths)
    except PykroError as exc:
        raise located(exc) from None


def _load(paths: list[Path]) -> dict[str, LynqHub]:
    from pykro.graph._naming import did_you_mean
    from pykro.hub.lynq._convert import load_form
    from pykro.hub.lynq._documents import read_documents
    from pykro.hub.lynq._hub import LynqHub
    from pykro.hub.lynq._model import API_VERSION, FormDoc, HubDoc, parse

    hubs: dict[str, LynqHub] = {}
    forms = []
    for doc in read_documents(paths):
        kind, version = doc.data.get("kind"), doc.data.get("apiVersion")
        if version != API_VERSION or kind not in ("LynqHub", "LynqForm"):
            hint = did_you_mean(str(kind), ["LynqHub", "LynqForm"]) if kind not in ("LynqHub", "LynqForm") else ""
            raise PykroError(
                f"{version}/{kind} is not a Lynq document pykro reads",
                where=f"{doc.where}: {'kind' if kind not in ('LynqHub', 'LynqForm') else 'apiVersion'}",
                fix=hint.strip()
                or f"Give LynqHub and LynqForm documents (apiVersion: {API_VERSION}); LynqNodes are made by the hub.",
            )
        if kind == "LynqHub":
            hub_doc = parse(HubDoc, doc.data, doc.where)
            name = hub_doc.metadata.name
            if name in hubs:
                raise PykroError(
                    f"LynqHub {name!r} is defined twice (also in {hubs[name].where})",
                    where=f"{doc.where}: metadata.name",
                    fix="Give each LynqHub its own name, or remove one.",
                )
            hubs[name] = LynqHub(hub_doc, doc.file, doc.where)
        else:
            forms.append((parse(FormDoc, doc.data, doc.where), doc.where))
    seen: dict[str, str] = {}
    loaded: dict[str, list[LoadedForm]] = {}
    for form_doc, where in forms:
        hub_id, name = form_doc.spec.hubId, form_doc.metadata.name
        if hub_id not in hubs:
            raise PykroError(
                f"LynqForm {name!r} names hub {hub_id!r}, which none of the files defines"
                + (f" (LynqHubs: {', '.join(sorted(hubs))})" if hubs else ""),
                where=f"{where}: spec.hubId",
                fix="Give the LynqHub's file too, or fix hubId.",
            )
        key = f"{hub_id}/{name}"
        if key in seen:
            raise PykroError(
                f"LynqForm {name!r} of hub {hub_id!r} is defined twice (also in {seen[key]})",
                where=f"{where}: metadata.name",
                fix="Give each LynqForm its own name, or remove one.",
            )
        seen[key] = where
        loaded.setdefault(hub_id, []).append(load_form(form_doc, where))
    for hub_id, hub_forms in loaded.items():
        for form, deps in ordered(hub_forms):
            hubs[hub_id].add_form(form, deps)
    if not hubs:
        raise PykroError(
            "no LynqHub in the files given",
            where=", ".join(str(p) for p in paths),
            fix="Give the LynqHub's file along with its LynqForms.",
        )
    for hub in hubs.values():
        if not hub.forms:
            raise PykroError(
                f"LynqHub {hub.name!r} has no LynqForm",
                where=f"{hub.where}: metadata.name",
                fix=f"Give a file with a LynqForm whose spec.hubId is {hub.name}.",
            )
    return hubs


def ordered(forms: list[LoadedForm]) -> list[tuple[LoadedForm, list[str]]]:
    """``forms`` in dependency order, each with the forms it depends on: those creating a Namespace its resources
    go to (the same template text: ``node-{{ .uid }}``) and those its ``hub.pykro.io/depends-on`` annotation
    names. Lynq orders nothing across forms; a cycle is an error naming the forms."""
    by_name = {f.name: f for f in forms}
    deps: dict[str, list[str]] = {}
    for form in forms:
        wanted: list[str] = []
        text = form.doc.metadata.annotations.get(DEPENDS_ON, "")
        for name in (n.strip() for n in text.split(",")):
            if not name:
                continue
            if name not in by_name or name == form.name:
                raise PykroError(
                    f"{DEPENDS_ON} names {name!r}, which is not another LynqForm of hub {form.doc.spec.hubId!r}",
                    where=f"{form.file}: metadata.annotations",
                    fix=f"Use one of: {', '.join(sorted(set(by_name) - {form.name})) or 'no other form'}.",
                )
            wanted.append(name)
        for other in forms:
            if other is not form and other.creates_namespaces() & form.uses_namespaces():
                wanted.append(other.name)
        deps[form.name] = list(dict.fromkeys(wanted))
    out: list[tuple[LoadedForm, list[str]]] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = [*trail[trail.index(name) :], name]
            raise PykroError(
                f"the forms depend on each other in a cycle: {' → '.join(cycle)}",
                where=f"{by_name[name].file}: metadata.annotations",
                fix=f"Remove one dependency ({DEPENDS_ON}, or a namespace one form creates and the other uses).",
            )
        state[name] = 1
        for dep in deps[name]:
            visit(dep, [*trail, name])
        state[name] = 2
        out.append((by_name[name], deps[name]))

    for form in forms:
        visit(form.name, [])
    return out
