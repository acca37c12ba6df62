"""A LynqForm resource rendered for one row, checked as the API server would check it before anything is written:
its name and namespace (the kind's name rule), its label and annotation keys and label values, and its body against
the kind's schema and value rules (`pykro.graph._templates.object_problem`: built-in kinds and registered CRDs). So
``pykro hub plan`` fails a row exactly where ``pykro hub sync`` would, naming the LynqForm's file and YAML path."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pykro._kube import split_api_version
from pykro.emulator._validation import meta as object_meta
from pykro.emulator._validation import names
from pykro.graph._naming import SUBDOMAIN_RULE
from pykro.graph._templates import object_problem
from pykro.hub._generated import RandomPassword
from pykro.hub.lynq._render import TemplateText

if TYPE_CHECKING:
    from pykro.hub.lynq._convert import LoadedResource

__all__ = ["rendered_problem"]

Problem = tuple[str, str, str]  # (YAML path in the LynqForm, what, fix)

_LABEL = "letters a-z, digits and '-', starting and ending with a letter or digit, at most 63 characters"
_RULES: dict[Any, str] = {  # the API server's name rules, in short
    names.dns1123_subdomain: SUBDOMAIN_RULE,
    names.dns1123_label: f"a lower-case DNS-1123 label ({_LABEL})",
    names.dns1035_label: f"a lower-case DNS-1035 label ({_LABEL}, starting with a letter)",
}
_KEY_RULE = "an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending "
_KEY_RULE += "with a letter or digit"
_VALUE_RULE = "at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or empty)"


def rendered_problem(r: LoadedResource, body: dict[str, Any]) -> Problem | None:
    """The first thing the API server would refuse in ``body`` (`LoadedResource.render`'s result for a row), with
    the YAML path of the LynqForm field it comes from; None when it would take it."""
    meta = body.get("metadata") or {}
    group = split_api_version(r.api_version)[0]
    name = meta.get("name")
    rule = object_meta.NAME_RULES.get((group, r.kind), names.dns1123_subdomain)
    name_path = f"{r.where}.nameTemplate" if r.res.nameTemplate else f"{r.where}.spec.metadata.name"
    found = rule(name) if isinstance(name, str) else ["must be text"]
    limit = object_meta.MAX_NAME.get((group, r.kind))
    if not found and limit is not None and len(str(name)) > limit:
        found = [names.max_len(limit)]
    if found:
        rule_text = _RULES.get(rule, "a valid name of its kind") + (
            f", at most {limit} characters" if limit is not None else ""
        )
        return (
            name_path,
            f"{r.kind} name {_short(name)} is not a valid Kubernetes name: it must be {rule_text}",
            "Fix the name template, or the row's values it reads (lower-case letters, digits and '-').",
        )
    namespace = meta.get("namespace")
    if namespace is not None:
        found = names.dns1123_label(namespace) if isinstance(namespace, str) else ["must be text"]
        if found:
            ns_path = f"{r.where}.targetNamespace" if r.res.targetNamespace else f"{r.where}.spec.metadata.namespace"
            return (
                ns_path,
                f"namespace {_short(namespace)} of {r.kind} {name!r} is not a valid namespace name: it must be "
                f"{_RULES[names.dns1123_label]}",
                "Fix the namespace template, or the row's values it reads (lower-case letters, digits and '-').",
            )
    for part, templates in (("labels", r.res.labelsTemplate), ("annotations", r.res.annotationsTemplate)):
        for key, value in (meta.get(part) or {}).items():
            key_text = str(key) if part == "labels" else str(key).lower()
            problems = [("key", key, _KEY_RULE)] if names.qualified_name(key_text) else []
            if part == "labels" and isinstance(value, str) and names.label_value(value):
                problems.append(("value", value, _VALUE_RULE))
            if problems:
                what, shown, why = problems[0]
                where = (
                    f"{r.where}.{part}Template.{key}" if key in templates else f"{r.where}.spec.metadata.{part}.{key}"
                )
                return (
                    where,
                    f"{r.kind} {name!r}: {part[:-1]} {what} {_short(shown)} is not valid: it must be {why}",
                    "Fix the template, or the row's values it reads"
                    + (" (free text goes in an annotation)." if (part, what) == ("labels", "value") else "."),
                )
    obj = {"apiVersion": r.api_version, "kind": r.kind, **_placeholders(body)}
    problem = object_problem(obj)
    if problem is None:
        return None
    path, what, fix = problem
    wants = ("an integer", "a number", "a boolean")
    if ", got string" in what and any(f"must be {w}" in what for w in wants) and _templated(r.body.tree, path):
        fix = "A template gives text unless its whole value is | int, | float or | bool: e.g. {{ .replicas | int }}."
    return (f"{r.where}.spec" + (f".{path}" if path and not path.startswith("[") else path), what, fix)


_STEP = re.compile(r'\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|\.?([^.\[]+)')


def _templated(tree: Any, path: str) -> bool:
    """Whether the value at ``path`` (kro's spelling) of a compiled resource tree is a template."""
    node = tree
    for found in _STEP.finditer(path):
        key, index, plain = found.groups()
        step: Any = int(index) if index is not None else (key if key is not None else plain)
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(node, TemplateText)


def _placeholders(value: Any) -> Any:
    """``value`` with each generated secret (made later, per tenant) as a text of its length."""
    if isinstance(value, RandomPassword):
        return "x" * value.length
    if isinstance(value, dict):
        return {k: _placeholders(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v) for v in value]
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(str(value))} characters)"
