"""Rendered instances as a Kustomize tree: ``base/`` holds the objects of the base spec, ``overlays/<name>/`` turns
them into the objects of that environment's spec (JSON patches for changed fields, ``$patch: delete`` for objects
the environment does not have, its own files for objects only it has). ``kustomize build overlays/<name>`` (or
``kubectl kustomize``) gives exactly what ``pykro render --manifests`` gives for that spec.

Secrets are made by ``secretGenerator``s reading one file per key from ``overlays/<name>/secrets/<secret>/<key>``
(``base/secrets/...`` when there are no overlays; with overlays, base holds no Secret); those files are written only
with ``include_secrets`` (otherwise kustomize stops, naming the missing file).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from pykro.errors import PykroError
from pykro.render import _goyaml as goyaml
from pykro.render._files import write_tree

__all__ = ["check_overlay_name", "kustomize_files", "write_kustomize"]

Key = tuple[str, str, str, str]  # apiVersion, kind, name, namespace ("" for none)


def _key(obj: dict[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    return str(obj.get("apiVersion")), str(obj.get("kind")), str(meta.get("name")), str(meta.get("namespace") or "")


def _file(obj: dict[str, Any]) -> str:
    """``<kind>-<name>.yaml``, ``<kind>-<name>_<namespace>.yaml`` for an object with a namespace (``_`` is in no
    name or namespace)."""
    _, kind, name, namespace = _key(obj)
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{kind.lower()}-{name}" + (f"_{namespace}" if namespace else "")) + ".yaml"


def write_kustomize(
    base: list[dict[str, Any]],
    overlays: dict[str, list[dict[str, Any]]],
    directory: str | Path,
    *,
    include_secrets: bool = False,
) -> list[Path]:
    """Write the tree into ``directory``; the paths written, in order."""
    files = kustomize_files(base, overlays, include_secrets=include_secrets)
    return write_tree(files, directory, "the Kustomize tree")


def kustomize_files(
    base: list[dict[str, Any]], overlays: dict[str, list[dict[str, Any]]], *, include_secrets: bool = False
) -> dict[str, str | bytes]:
    """The tree as {relative path: text or bytes}."""
    files: dict[str, str | bytes] = {}
    plain = [o for o in base if o.get("kind") != "Secret"]
    _unique(plain, "base")
    for obj in plain:
        files[f"base/{_file(obj)}"] = goyaml.dump(obj)
    kustomization: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [_file(o) for o in plain],
    }
    if not overlays:  # a base on its own makes its Secrets itself
        generators = []
        for secret in (o for o in base if o.get("kind") == "Secret"):
            generator, secret_files = _secret("base", secret, include_secrets)
            generators.append(generator)
            files.update(secret_files)
        if generators:
            kustomization["secretGenerator"] = generators
    files["base/kustomization.yaml"] = goyaml.dump(kustomization)
    base_by_key = {_key(o): o for o in plain}
    for name, objects in overlays.items():
        check_overlay_name(name)
        files.update(_overlay(name, base_by_key, objects, include_secrets))
    return files


def check_overlay_name(name: str, where: str | None = None) -> None:
    """An overlay name is a directory name of its own (``overlays/<name>``)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise PykroError(
            f"overlay name {name!r} is not a directory name", where=where, fix="Use letters, digits, '.', '_' and '-'."
        )


def _unique(objects: list[dict[str, Any]], where: str) -> None:
    """Each object once, each in its own file (two kinds of one name in different API groups would share one)."""
    seen: dict[str, Key] = {}
    for obj in objects:
        key, file = _key(obj), _file(obj)
        what = f"{key[1]} {key[2]!r}" + (f" in namespace {key[3]!r}" if key[3] else "")
        if key in seen.values():
            raise PykroError(f"two objects {what} in {where}", fix="Give them distinct names.")
        if file in seen:
            raise PykroError(
                f"{what} ({key[0]}) and a {seen[file][1]} of {seen[file][0]} would both be written to {file} in "
                f"{where}",
                fix="Give them distinct names.",
            )
        seen[file] = key


def _overlay(
    name: str, base: dict[Key, dict[str, Any]], objects: list[dict[str, Any]], include_secrets: bool
) -> dict[str, str | bytes]:
    root = f"overlays/{name}"
    files: dict[str, str | bytes] = {}
    plain = [o for o in objects if o.get("kind") != "Secret"]
    _unique(plain, f"overlay {name}")
    mine = {_key(o): o for o in plain}
    resources = ["../../base"]
    patches: list[dict[str, Any]] = []
    for key, obj in base.items():
        target = {
            "group": _group(key[0]),
            "version": key[0].rpartition("/")[2],
            "kind": key[1],
            "name": key[2],
            "namespace": key[3],
        }
        if key not in mine:
            meta = {"name": key[2], **({"namespace": key[3]} if key[3] else {})}
            patches.append(
                {
                    "patch": goyaml.dump(
                        {"$patch": "delete", "apiVersion": key[0], "kind": key[1], "metadata": meta}
                    ).rstrip("\n")
                }
            )
            continue
        ops = _diff(obj, mine[key], "")
        if ops:
            patches.append({"target": {k: v for k, v in target.items() if v}, "patch": goyaml.dump(ops).rstrip("\n")})
    for key, obj in mine.items():
        if key not in base:
            files[f"{root}/{_file(obj)}"] = goyaml.dump(obj)
            resources.append(_file(obj))
    generators = []
    for secret in (o for o in objects if o.get("kind") == "Secret"):
        generator, secret_files = _secret(root, secret, include_secrets)
        generators.append(generator)
        files.update(secret_files)
    kustomization: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    }
    if patches:
        kustomization["patches"] = patches
    if generators:
        kustomization["secretGenerator"] = generators
    files[f"{root}/kustomization.yaml"] = goyaml.dump(kustomization)
    return files


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def _pointer(path: str, key: str) -> str:
    return f"{path}/{key.replace('~', '~0').replace('/', '~1')}"


def _diff(old: Any, new: Any, path: str) -> list[dict[str, Any]]:
    """JSON patch operations turning ``old`` into ``new``: into mappings key by key, other values replaced whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        ops: list[dict[str, Any]] = []
        for key in old:
            if key not in new:
                ops.append({"op": "remove", "path": _pointer(path, str(key))})
        for key, value in new.items():
            here = _pointer(path, str(key))
            if key not in old:
                ops.append({"op": "add", "path": here, "value": value})
            else:
                ops += _diff(old[key], value, here)
        return ops
    if old == new and type(old) is type(new):
        return []
    return [{"op": "replace", "path": path, "value": new}]


def _secret(root: str, secret: dict[str, Any], include_secrets: bool) -> tuple[dict[str, Any], dict[str, str | bytes]]:
    """A secretGenerator making ``secret`` (same name, labels, annotations and type) from one file per key."""
    meta = secret.get("metadata") or {}
    name = str(meta.get("name"))
    values: dict[str, bytes] = {}
    for key, value in (secret.get("data") or {}).items():
        values[key] = base64.b64decode(str(value))
    for key, value in (secret.get("stringData") or {}).items():
        values[key] = str(value).encode("utf-8")
    files: dict[str, str | bytes] = {}
    sources = []
    folder = f"secrets/{meta['namespace']}/{name}" if meta.get("namespace") else f"secrets/{name}"
    for key, value in values.items():
        rel = f"{folder}/{key}"
        sources.append(f"{key}={rel}")
        if include_secrets:
            files[f"{root}/{rel}"] = value
    options: dict[str, Any] = {"disableNameSuffixHash": True}
    if meta.get("labels"):
        options["labels"] = dict(meta["labels"])
    if meta.get("annotations"):
        options["annotations"] = dict(meta["annotations"])
    generator: dict[str, Any] = {"name": name, "files": sources, "options": options}
    if secret.get("type"):
        generator["type"] = secret["type"]
    if meta.get("namespace"):
        generator["namespace"] = meta["namespace"]
    extra = sorted(set(secret) - {"apiVersion", "kind", "metadata", "data", "stringData", "type"})
    extra_meta = sorted(set(meta) - {"name", "namespace", "labels", "annotations"})
    if extra or extra_meta:
        raise PykroError(
            f"Secret {name!r} sets {', '.join(extra + [f'metadata.{k}' for k in extra_meta])}, which Kustomize's "
            "secretGenerator cannot write",
            fix="Drop the field, or render plain manifests.",
        )
    return generator, files
