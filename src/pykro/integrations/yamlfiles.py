"""Plain Kubernetes YAML inside a composition: ``yaml_file(path)`` and ``yaml_directory(path, include=...,
exclude=...)`` add every object of the files to the graph as a resource with its own id (``kind`` + name, like any
resource), so the objects appear in the RGD, the manifests and every other output and deploy in order:
CustomResourceDefinitions first, then Namespaces, then the rest as written. Relative paths are relative to the
file of the composition that calls them. Every problem (a missing file, a document that is not a Kubernetes object,
two objects with the same kind and name) stops the build with the file and document named."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pykro import _yamlio as yamlio
from pykro.authoring._location import fail, user_site
from pykro.authoring._resource import ResourceRef, derive_id, resource
from pykro.errors import PykroError
from pykro.graph._templates import object_problem

MAX_ID = 63
_FIRST = {"CustomResourceDefinition": 0, "Namespace": 1}


def _base_dir() -> Path:
    site = user_site()
    if site is None or site.code.co_filename.startswith("<"):
        return Path.cwd()
    return Path(site.code.co_filename).resolve().parent


def resolve_user_path(path: str | Path, what: str) -> Path:
    """``path`` made absolute: relative paths start at the folder of the calling user file."""
    if not isinstance(path, str | Path) or not str(path):
        raise fail(f"{what} needs a path, got {path!r}", "Pass a path relative to the composition's file.")
    full = Path(path).expanduser()
    return full if full.is_absolute() else _base_dir() / full


def _objects(file: Path) -> list[tuple[str, dict[str, Any]]]:
    """(``file#document``, object) for every object of ``file``; a ``v1 List`` contributes its items."""
    try:
        docs = yamlio.load_user_all(yamlio.read_user_file(file, what="YAML file"), str(file))
    except PykroError as exc:
        raise fail(f"{exc.what} ({exc.where})" if exc.where else exc.what, exc.fix) from None
    out: list[tuple[str, dict[str, Any]]] = []
    for index, doc in enumerate(docs):
        where = f"{file} (document {index + 1})"
        items = doc.get("items") if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") else None
        for obj in items if isinstance(items, list) else [doc]:
            out.append((where, _checked(obj, where)))
    return out


def _checked(obj: Any, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise fail(
            f"{where} is not a Kubernetes object (a mapping with apiVersion, kind and metadata.name)",
            "Give YAML files that hold Kubernetes objects only.",
        )
    missing = [k for k in ("apiVersion", "kind") if not isinstance(obj.get(k), str) or not obj.get(k)]
    name = (obj.get("metadata") or {}).get("name") if isinstance(obj.get("metadata"), dict) else None
    if not isinstance(name, str) or not name:
        missing.append("metadata.name")
    if missing:
        raise fail(
            f"{where} is not a Kubernetes object: it has no {', '.join(missing)}",
            "Give YAML files that hold Kubernetes objects only (generateName is not supported).",
        )
    problem = object_problem(obj)  # found again when the graph is built, but named there by its graph path only
    if problem is not None:
        path, what, fix = problem
        raise fail(f"{what} (at {where}, {path})" if path else f"{what} ({where})", fix)
    return obj


def _add(found: list[tuple[str, dict[str, Any]]], id_prefix: str | None) -> list[ResourceRef]:
    seen: dict[tuple[str, str, str], str] = {}
    for where, obj in found:
        meta = obj["metadata"]
        group = obj["apiVersion"].rpartition("/")[0]
        key = (group, obj["kind"], f"{meta.get('namespace') or ''}/{meta['name']}")
        if key in seen:
            raise fail(
                f"{obj['kind']} {meta['name']!r} is defined twice: in {seen[key]} and in {where}",
                "Keep one of them (or exclude one file).",
            )
        seen[key] = where
        if obj["kind"] == "CustomResourceDefinition" and "${" in json.dumps(obj.get("spec"), ensure_ascii=False):
            raise fail(
                f"CustomResourceDefinition {meta['name']!r} ({where}) has '${{' in its schema (a description, most "
                "likely): kro reads it as an expression, and allows none in a CRD's schema",
                "Install this CRD outside the composition (kubectl apply), or remove the '${' text from its schema.",
            )
    ordered = sorted(found, key=lambda item: _FIRST.get(item[1]["kind"], 2))  # stable: the rest keep their order
    objects = [obj for _, obj in ordered]
    return [resource(obj, id=rid) for obj, rid in zip(objects, _ids(objects, id_prefix), strict=True)]


def _ids(objects: list[dict[str, Any]], prefix: str | None) -> list[str]:
    """Each object's `_id`; objects that would share one (one name in two namespaces, ``my-app`` and ``my.app``,
    one kind in two API groups) get their namespace in it, then a digest of apiVersion, kind, namespace and name."""
    ids = [_id(obj, prefix) for obj in objects]
    for step in ("namespace", "digest"):
        counts = Counter(ids)
        for index, obj in enumerate(objects):
            if counts[ids[index]] < 2:
                continue
            meta = obj["metadata"]
            if step == "namespace" and meta.get("namespace"):
                renamed = {**obj, "metadata": {"name": f"{meta['namespace']}-{meta['name']}"}}
                ids[index] = _id(renamed, prefix)
            elif step == "digest":
                identity = f"{obj['apiVersion']}/{obj['kind']}/{meta.get('namespace') or ''}/{meta['name']}"
                digest = hashlib.sha256(identity.encode()).hexdigest()[:8]
                ids[index] = ids[index][: MAX_ID - 8] + digest
    return ids


def _id(obj: dict[str, Any], prefix: str | None) -> str:
    """``kind`` + name (a CRD: ``crd`` + its kind + the first label of its group), at most MAX_ID characters: pykro
    labels each object with its id, and a label value has at most 63."""
    if obj["kind"] == "CustomResourceDefinition":
        spec = obj.get("spec") or {}
        names, group = spec.get("names") or {}, str(spec.get("group") or "")
        derived = derive_id({"kind": "Crd", "metadata": {"name": f"{names.get('kind', '')}-{group.split('.')[0]}"}})
    else:
        derived = derive_id(obj)
    rid = derived or "resource"
    if prefix:
        rid = prefix + rid[:1].upper() + rid[1:]
    if len(rid) > MAX_ID:
        digest = hashlib.sha256(rid.encode()).hexdigest()[:8]
        rid = rid[: MAX_ID - 8] + digest
    return rid


def yaml_file(path: str | Path, *, id_prefix: str | None = None) -> list[ResourceRef]:
    """Every object of the YAML file ``path`` as a resource of the composition (ids ``kind`` + name, e.g.
    ``deploymentFluxController``; ``id_prefix="flux"`` makes ``fluxDeploymentFluxController``)."""
    file = resolve_user_path(path, "yaml_file()")
    if not file.is_file():
        raise fail(
            f"yaml_file(): {file} does not exist" + (" (it is a directory)" if file.is_dir() else ""),
            "Check the path (relative paths start at the composition's file), or use yaml_directory() for a folder.",
        )
    found = _objects(file)
    if not found:
        raise fail(f"yaml_file(): {file} holds no Kubernetes object", "Give a file with at least one object.")
    return _add(found, id_prefix)


def yaml_directory(
    path: str | Path,
    *,
    include: Sequence[str] = ("*.yaml", "*.yml"),
    exclude: Sequence[str] = (),
    recursive: bool = True,
    id_prefix: str | None = None,
) -> list[ResourceRef]:
    """Every object of the YAML files under ``path`` (sorted by path) whose path relative to ``path`` matches one of
    ``include`` and none of ``exclude`` (glob patterns, e.g. ``"crds/*.yaml"``)."""
    folder = resolve_user_path(path, "yaml_directory()")
    if not folder.is_dir():
        raise fail(
            f"yaml_directory(): {folder} is not a directory",
            "Check the path (relative paths start at the composition's file).",
        )
    files = sorted(p for p in (folder.rglob("*") if recursive else folder.iterdir()) if p.is_file())
    chosen = []
    for file in files:
        rel = file.relative_to(folder).as_posix()
        matches = (fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(file.name, pattern) for pattern in include)
        if any(matches) and not any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(file.name, p) for p in exclude):
            chosen.append(file)
    if not chosen:
        raise fail(
            f"yaml_directory(): no file under {folder} matches include={list(include)}"
            + (f" and exclude={list(exclude)}" if exclude else ""),
            "Check the path and the patterns.",
        )
    found = [item for file in chosen for item in _objects(file)]
    if not found:
        raise fail(f"yaml_directory(): the files under {folder} hold no Kubernetes object", "Check the files.")
    return _add(found, id_prefix)


__all__ = ["yaml_directory", "yaml_file"]
