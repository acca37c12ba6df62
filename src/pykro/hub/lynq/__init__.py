"""Lynq YAML for the hub: LynqHub and LynqForm documents (``operator.lynq.sh/v1``, several files or
multi-document files) loaded as `Hub`s (`load`), so ``pykro hub plan|sync|run|status`` runs Lynq's files
unchanged through the same planner, deploy engine and status as Python hubs. See docs/hub.md, "Lynq YAML"."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pykro.errors import PykroError

if TYPE_CHECKING:
    from pykro.hub.lynq.hub import LynqHub

__all__ = ["is_lynq_file", "load"]

SUFFIXES = (".yaml", ".yml")


def is_lynq_file(path: Path) -> bool:
    """True for a file pykro reads as Lynq YAML (by its suffix)."""
    return path.suffix.lower() in SUFFIXES


def load(paths: list[Path]) -> dict[str, LynqHub]:
    """The hubs of the LynqHub documents in ``paths``, each with the LynqForms naming it; any problem stops
    loading with the file and the YAML path."""
    from pykro.hub.lynq.convert import load_form
    from pykro.hub.lynq.documents import read_documents
    from pykro.hub.lynq.hub import LynqHub
    from pykro.hub.lynq.model import API_VERSION, FormDoc, HubDoc, parse

    hubs: dict[str, LynqHub] = {}
    forms = []
    for doc in read_documents(paths):
        kind, version = doc.data.get("kind"), doc.data.get("apiVersion")
        if version != API_VERSION or kind not in ("LynqHub", "LynqForm"):
            raise PykroError(
                f"{version}/{kind} is not a Lynq document pykro reads",
                where=f"{doc.where}: kind",
                fix=f"Give LynqHub and LynqForm documents (apiVersion: {API_VERSION}); LynqNodes are made by the hub.",
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
        hubs[hub_id].add_form(load_form(form_doc, where))
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
                where=hub.where,
                fix=f"Give a file with a LynqForm whose spec.hubId is {hub.name}.",
            )
    return hubs
