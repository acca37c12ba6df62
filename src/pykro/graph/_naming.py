"""kro's naming rules: resource ids, iterator names, kind names, reserved words, and fix suggestions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pykro.errors import ValidationError

__all__ = [
    "CEL_RESERVED",
    "LABEL_RULE",
    "SUBDOMAIN_RULE",
    "check_names",
    "did_you_mean",
    "is_dns_label",
    "is_dns_subdomain",
    "is_reserved",
    "is_valid_id",
    "is_valid_kind",
    "suggest_id",
]

RESOURCE_ID = re.compile(r"^[a-z][a-zA-Z0-9]*\Z")
KIND_NAME = re.compile(r"^[A-Z][a-zA-Z0-9]*\Z")
SUBDOMAIN_RULE = (
    "a lower-case DNS-1123 subdomain (letters a-z, digits, '-' and '.', starting and ending with a letter or digit, "
    "at most 253 characters)"
)
LABEL_RULE = (
    "a lower-case DNS-1123 label (letters a-z, digits and '-', starting and ending with a letter or digit, at most 63 "
    "characters)"
)

# Reserved by the CEL lexer (cel-spec "RESERVED" symbols).
_CEL_WORDS = "true false null in as break const continue else for function if import let loop package namespace"
CEL_RESERVED = frozenset((_CEL_WORDS + " return var void while").split())
# Reserved by kro v0.9.3 (pkg/graph/validation.go).
_KRO_WORDS = (
    "apiVersion context dependency dependencies each externalRef externalReference externalRefs externalReferences",
    "graph instance item items kind kro metadata namespace object resource resourcegraphdefinition",
    "resourceGraphDefinition resources root runtime schema self serviceAccountName spec status this variables",
    "vars version",
)
KRO_RESERVED = frozenset(" ".join(_KRO_WORDS).split())
RESERVED = CEL_RESERVED | KRO_RESERVED


def is_reserved(word: str) -> bool:
    return word in RESERVED


def is_valid_id(word: str) -> bool:
    return bool(RESOURCE_ID.fullmatch(word))


def is_dns_subdomain(word: str) -> bool:
    from pykro._kube import DNS1123_SUBDOMAIN  # loads on first use, not on `import pykro`

    return len(word) <= 253 and bool(DNS1123_SUBDOMAIN.fullmatch(word))


def is_dns_label(word: str) -> bool:
    from pykro._kube import DNS1123_LABEL

    return len(word) <= 63 and bool(DNS1123_LABEL.fullmatch(word))


def is_valid_kind(word: str) -> bool:
    return bool(KIND_NAME.fullmatch(word))


API_VERSION_RULE = "^v[0-9]+(alpha[0-9]+|beta[0-9]+)?$"
GROUP_RULE = "a lower-case domain with at least one dot, which the API server requires of the instance CRD's group"


def is_valid_version(word: str) -> bool:
    """An instance version kro accepts (``v1``, ``v1alpha1``)."""
    return bool(re.fullmatch(r"v[0-9]+(alpha[0-9]+|beta[0-9]+)?", word))


def is_valid_group(word: str) -> bool:
    """A CRD group the API server accepts (``example.com``)."""
    return is_dns_subdomain(word) and "." in word


def suggest_id(word: str) -> str | None:
    """A lower camelCase spelling of ``word`` (``my-db`` -> ``myDb``), or None if nothing sensible exists."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", word) if p]
    if not parts:
        return None
    head, *rest = parts
    candidate = head[:1].lower() + head[1:] + "".join(p[:1].upper() + p[1:] for p in rest)
    candidate = candidate.lstrip("0123456789")
    if not candidate:
        return None
    candidate = candidate[:1].lower() + candidate[1:]
    if is_reserved(candidate):
        candidate += "Resource"
    return candidate if is_valid_id(candidate) and candidate != word else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """ " Did you mean X?" for the closest candidate, or an empty string."""
    import difflib  # only a mistake needs it

    match = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" Did you mean {match[0]!r}?" if match else ""


def check_names(kind: str, instance: Any, objects: list[dict[str, Any]], where: str | None = None) -> None:
    """Refuse, offline (as deploy refuses it before writing), an instance name that is not a DNS-1123 subdomain, or
    produced object metadata the API server would refuse: its namespace, its name (the kind's rule and limit: a
    Service name is a DNS-1035 label), its label keys and values and its annotation keys."""
    from pykro.graph._metadata import metadata_problem  # loads on first use, not on `import pykro`

    for obj in objects:
        namespace = (obj.get("metadata") or {}).get("namespace")
        if namespace is not None and not (isinstance(namespace, str) and is_dns_label(namespace)):
            raise ValidationError(
                f"{obj.get('kind')} {obj['metadata'].get('name')!r}: namespace {_shown(namespace)} is not a valid "
                f"Kubernetes namespace name: it must be {LABEL_RULE}",
                where=where,
                fix="Use a namespace such as my-team.",
            )
    if not (isinstance(instance, str) and is_dns_subdomain(instance)):
        raise ValidationError(
            f"{kind} instance name {_shown(instance)} is not a valid Kubernetes name: it must be {SUBDOMAIN_RULE}",
            where=where,
            fix="Use a name such as my-app.",
        )
    for obj in objects:
        meta = obj.get("metadata") or {}
        if "name" not in meta:  # not an object kro would create; its labels are still checked
            meta = {**meta, "name": "x"}
        found = metadata_problem(
            str(obj.get("apiVersion")), str(obj.get("kind")), meta, "composition", inputs="the spec values"
        )
        if found is None:
            continue
        field, what, fix = found
        part, _, key = field.partition(".")
        if field == "name":
            fix = "Use a name such as my-app (object names are built from the instance name and spec values)."
        elif part == "labels" and meta["labels"].get(key) == instance:  # kro's and pykro's labels name the instance
            what = (
                f"{kind} instance name {_shown(instance)} is {len(instance)} characters long: it is the value of "
                f"label {key!r} of {obj.get('kind')} {meta['name']!r}, which holds at most 63 characters"
            )
            fix = "Use an instance name of at most 63 characters."
        else:  # the object's kind and name are in `what`
            where = f"{where}: metadata.{field}" if where else f"metadata.{field}"
        raise ValidationError(what, where=where, fix=fix)


def _shown(value: Any) -> str:
    return repr(value) if len(repr(value)) <= 80 else f"{str(value)[:60]!r}... ({len(str(value))} characters)"
