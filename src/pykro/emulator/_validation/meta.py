"""ObjectMeta: the name (its syntax depends on the kind), generateName, labels and annotations."""

from __future__ import annotations

from typing import Any

from pykro import _kubenames as names
from pykro._kubenames import MAX_NAME, NameRule, name_rule
from pykro.schema._causes import FieldCause, invalid, required, too_long

__all__ = ["annotation_keys", "labels", "object_meta"]

TOTAL_ANNOTATION_BYTES = 256 * 1024


def _prefix(rule: NameRule) -> NameRule:
    """generateName is checked as a name with its trailing dashes masked (it is only a prefix)."""

    def check(value: str) -> list[str]:
        return rule(value.rstrip("-") + "a" if value.endswith("-") else value)

    return check


def object_meta(kind: str, group: str, meta: dict[str, Any], creating: bool) -> list[FieldCause]:
    """The causes for `metadata`; name rules apply on create (a stored name never changes)."""
    out: list[FieldCause] = []
    rule = name_rule(group, kind)
    name = meta.get("name")
    if creating:
        generate = meta.get("generateName")
        if isinstance(generate, str) and generate:
            out += [invalid("metadata.generateName", generate, m) for m in _prefix(rule)(generate)]
        if isinstance(name, str) and name:
            out += [invalid("metadata.name", name, m) for m in rule(name)]
            limit = MAX_NAME.get((group, kind))
            if limit is not None and len(name) > limit:
                out.append(invalid("metadata.name", name, names.max_len(limit)))
        elif not generate:
            out.append(required("metadata.name", "name or generateName is required"))
    out += labels(meta.get("labels"), "metadata.labels")
    out += annotation_keys(meta.get("annotations"), "metadata.annotations")
    return out


def labels(found: Any, path: str) -> list[FieldCause]:
    """ValidateLabels: qualified-name keys, label-syntax values (also used for selectors)."""
    out: list[FieldCause] = []
    if not isinstance(found, dict):
        return out
    for key, value in found.items():
        out += [invalid(path, key, m) for m in names.qualified_name(str(key))]
        if isinstance(value, str):
            out += [invalid(path, value, m) for m in names.label_value(value)]
    return out


def annotation_keys(found: Any, path: str) -> list[FieldCause]:
    out: list[FieldCause] = []
    if not isinstance(found, dict):
        return out
    size = 0
    for key, value in found.items():
        out += [invalid(path, key, m) for m in names.qualified_name(str(key).lower())]
        size += len(str(key)) + len(str(value))
    if size > TOTAL_ANNOTATION_BYTES:
        out.append(too_long(path, TOTAL_ANNOTATION_BYTES))
    return out
