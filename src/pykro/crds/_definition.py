"""CustomResourceDefinitions read from files, URLs, YAML text or mappings, checked once with errors that name the
file and the YAML path, and registered so that references and templates of their kinds are typed."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pykro import _yamlio as yamlio
from pykro.errors import ValidationError, terminal_safe
from pykro.resources import register_crd

__all__ = ["Definition", "definition", "read_source"]

_URL_PREFIXES: Final = ("http://", "https://")


@dataclass(frozen=True)
class Definition:
    """One version of one kind a CRD defines: what a resource class needs to build and type its objects."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    schema: Mapping[str, Any]  # the version's openAPIV3Schema, as written
    crd: Mapping[str, Any]  # the whole CustomResourceDefinition document
    source: str  # where it came from (a file, a URL, "a mapping")

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"


def read_source(source: str | Path) -> list[tuple[str, Any]]:
    """The YAML documents of a file or an http(s) URL, each with the name errors use for it."""
    text, name = _text(source)
    docs = yamlio.load_user_all(text, name)
    if len(docs) == 1:
        return [(name, docs[0])]
    return [(f"{name} (document {i + 1})", doc) for i, doc in enumerate(docs)]


def _text(source: str | Path) -> tuple[str, str]:
    if isinstance(source, str) and source.startswith(_URL_PREFIXES):
        try:
            with urllib.request.urlopen(source, timeout=60) as answer:
                data: bytes = answer.read(yamlio.MAX_FILE_BYTES + 1)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ValidationError(
                f"cannot download the CRD: {exc}", where=source, fix="Check the URL, or download the file first."
            ) from None
        if len(data) > yamlio.MAX_FILE_BYTES:
            raise ValidationError("the CRD download is too large", where=source, fix="Download the file and trim it.")
        try:
            return data.decode("utf-8"), source
        except UnicodeDecodeError:
            raise ValidationError("not UTF-8 text", where=source, fix="Give a YAML file's URL.") from None
    name = _display(str(source))
    try:
        return yamlio.read_user_file(source, what="CRD file"), name
    except ValidationError as exc:
        where = exc.where.replace(str(source), name) if exc.where else name
        raise ValidationError(exc.what, where=where, fix=exc.fix) from None


def _display(name: str) -> str:
    """A file name as messages show it: control characters (a newline too) escaped."""
    return terminal_safe(name).replace("\n", "\\n").replace("\t", "\\t")


def definition(doc: Any, source: str, *, version: str | None = None) -> Definition:
    """The kind a CRD document defines, at ``version`` (default: the storage version); registered for typing."""
    _expect(isinstance(doc, Mapping), source, "(the document)", "is not a mapping, so not a CustomResourceDefinition")
    kind_of_doc, api_version = doc.get("kind"), str(doc.get("apiVersion", ""))
    _expect(
        kind_of_doc == "CustomResourceDefinition" and api_version.startswith("apiextensions.k8s.io/"),
        source,
        "kind",
        f"is {kind_of_doc!r} (apiVersion {api_version!r}), not an apiextensions.k8s.io CustomResourceDefinition",
        "Pass the operator's CRD files (kind: CustomResourceDefinition).",
    )
    spec = doc.get("spec")
    _expect(isinstance(spec, Mapping), source, "spec", "is missing")
    names = spec.get("names")
    _expect(isinstance(names, Mapping) and bool(names.get("kind")), source, "spec.names.kind", "is missing")
    _expect(isinstance(spec.get("group"), str) and bool(spec.get("group")), source, "spec.group", "is missing")
    versions = spec.get("versions")
    _expect(isinstance(versions, list) and bool(versions), source, "spec.versions", "is missing or empty")
    chosen = _version(versions, source, version)
    index = versions.index(chosen)
    holder = chosen.get("schema")
    schema = holder.get("openAPIV3Schema") if isinstance(holder, Mapping) else None
    _expect(
        isinstance(schema, Mapping),
        source,
        f"spec.versions[{index}].schema.openAPIV3Schema",
        "is missing, so the kind's fields are unknown",
        "Use a CRD with a structural schema (every CRD of apiextensions.k8s.io/v1 has one).",
    )
    assert isinstance(schema, Mapping)  # checked just above
    kind = str(names["kind"])
    group = str(spec["group"])
    register_crd({**doc, "spec": {**spec, "versions": [chosen]}})
    return Definition(
        group=group,
        version=str(chosen.get("name")),
        kind=kind,
        plural=str(names.get("plural") or kind.lower() + "s"),
        namespaced=spec.get("scope", "Namespaced") != "Cluster",
        schema=schema,
        crd=doc,
        source=source,
    )


def _version(versions: list[Any], source: str, wanted: str | None) -> Mapping[str, Any]:
    entries = [v for v in versions if isinstance(v, Mapping)]
    if wanted is not None:
        for entry in entries:
            if entry.get("name") == wanted:
                return entry
        names = ", ".join(str(v.get("name")) for v in entries)
        raise ValidationError(f"spec.versions has no version {wanted!r}", where=source, fix=f"It defines {names}.")
    for entry in entries:
        if entry.get("storage"):
            return entry
    served = [v for v in entries if v.get("served", True)]
    _expect(bool(served), source, "spec.versions", "has no served version")
    return served[-1]


def _expect(ok: bool, source: str, path: str, what: str, fix: str | None = None) -> None:
    if not ok:
        raise ValidationError(f"{path} {what}", where=source, fix=fix or "Complete the CustomResourceDefinition.")
