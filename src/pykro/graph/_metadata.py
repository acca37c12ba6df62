"""An object's metadata checked as the API server checks it, before anything is written: its name (the kind's name
rule and limit), its namespace, its label and annotation keys and label values (`metadata_problem`). Used by
`pykro.graph._naming.check_names` (render, ``rgd expand``, deploy) and by both hub kinds of form: a LynqForm's
rendered resources (`pykro.hub.lynq._check`) and what a Python form's composition computes from a row
(`pykro.hub._rendered`), so that ``hub plan`` fails a row where ``hub sync`` would."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from pykro import _kubenames as names
from pykro._kube import split_api_version
from pykro.graph._naming import SUBDOMAIN_RULE

__all__ = ["Problem", "literal_problem", "metadata_problem", "short"]

Problem = tuple[str, str, str]  # (where: a field or YAML path, what, fix)

_LABEL = "letters a-z, digits and '-', starting and ending with a letter or digit, at most 63 characters"
_RULES: dict[Any, str] = {  # the API server's name rules, in short
    names.dns1123_subdomain: SUBDOMAIN_RULE,
    names.dns1123_label: f"a lower-case DNS-1123 label ({_LABEL})",
    names.dns1035_label: f"a lower-case DNS-1035 label ({_LABEL}, starting with a letter)",
}
_KEY_RULE = "an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending "
_KEY_RULE += "with a letter or digit"
_VALUE_RULE = "at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or empty)"


def _known(value: Any) -> bool:
    return True


def metadata_problem(
    api_version: str,
    kind: str,
    meta: Mapping[str, Any],
    source: str,
    *,
    inputs: str = "the row's values",
    known: Callable[[Any], bool] = _known,
) -> Problem | None:
    """The first thing the API server would refuse in an object's ``meta``: ``(field, what, fix)`` where field is
    ``name``, ``namespace``, ``labels.KEY`` or ``annotations.KEY``; the fix says to fix the ``source`` (``template``,
    ``composition``) or the ``inputs`` it reads. None when it would take it. Values (and keys) that are not
    ``known`` (a template's ``${...}``) are not checked."""
    group = split_api_version(api_version)[0]
    name = meta.get("name")
    rule = names.name_rule(group, kind)
    found = [] if not known(name) else rule(name) if isinstance(name, str) else ["must be text"]
    limit = names.MAX_NAME.get((group, kind))
    if not found and limit is not None and len(str(name)) > limit:
        found = [names.max_len(limit)]
    if found:
        rule_text = _RULES.get(rule, "a valid name of its kind") + (
            f", at most {limit} characters" if limit is not None else ""
        )
        return (
            "name",
            f"{kind} name {short(name)} is not a valid Kubernetes name: it must be {rule_text}",
            f"Fix the name the {source} gives, or {inputs} it reads (lower-case letters, digits and '-').",
        )
    namespace = meta.get("namespace")
    if namespace is not None and known(namespace):
        found = names.dns1123_label(namespace) if isinstance(namespace, str) else ["must be text"]
        if found:
            return (
                "namespace",
                f"namespace {short(namespace)} of {kind} {name!r} is not a valid namespace name: it must be "
                f"{_RULES[names.dns1123_label]}",
                f"Fix the namespace the {source} gives, or {inputs} it reads (lower-case letters, digits and '-').",
            )
    for part in ("labels", "annotations"):
        entries = meta.get(part)
        if not isinstance(entries, Mapping):  # a whole map computed with ${...}, or none
            continue
        for key, value in entries.items():
            key_text = str(key) if part == "labels" else str(key).lower()
            problems = [("key", key, _KEY_RULE)] if known(key) and _bad_key(key_text) else []
            if part == "labels" and isinstance(value, str) and known(value) and names.label_value(value):
                problems.append(("value", value, _VALUE_RULE))
            if problems:
                what, shown, why = problems[0]
                return (
                    f"{part}.{key}",
                    f"{kind} {name!r}: {part[:-1]} {what} {short(shown)} is not valid: it must be {why}",
                    f"Fix the {source}, or {inputs} it reads"
                    + (" (free text goes in an annotation)." if (part, what) == ("labels", "value") else "."),
                )
    return None


@functools.lru_cache(maxsize=4096)
def _bad_key(key: str) -> bool:
    """Whether the API server refuses ``key`` as a label or annotation key (few keys, checked on every object)."""
    return bool(names.qualified_name(key))


def literal_problem(api_version: str, kind: str, meta: Mapping[str, Any], concrete: bool) -> Problem | None:
    """What the API server refuses in the literal parts of a template's metadata (name, label keys and values,
    annotation keys): wrong for every instance (`pykro.graph._templates`). Values computed with ``${...}`` are
    checked when rendered (then ``concrete``: the fix names the spec values too)."""
    found = metadata_problem(api_version, kind, meta, "composition", inputs="the spec values", known=_literal)
    if found is None:
        return None
    field, what, fix = found
    if field == "name":
        return ("metadata.name", what, "Use a name such as my-app.")
    if concrete:
        return (f"metadata.{field}", what, fix)
    part, _, key = field.partition(".")
    value = part == "labels" and not names.qualified_name(key)  # the key is valid: its value is not
    fix = "Use a value such as my-team (free text goes in an annotation)." if value else "Use a key such as team."
    return (f"metadata.{field}", what, fix)


def _literal(value: Any) -> bool:
    return isinstance(value, str) and "${" not in value


def short(value: Any) -> str:
    """``repr(value)``, cut to about 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(str(value))} characters)"
