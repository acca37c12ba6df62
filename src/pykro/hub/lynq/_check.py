"""A LynqForm resource rendered for one row, checked as the API server would check it before anything is written:
its name and namespace (the kind's name rule), its label and annotation keys and label values, and its body against
the kind's schema and value rules (`pykro.graph._templates.object_problem`: built-in kinds and registered CRDs). So
``pykro hub plan`` fails a row exactly where ``pykro hub sync`` would, naming the LynqForm's file and YAML path."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pykro.graph._expressions import expression_fields
from pykro.graph._metadata import Problem, metadata_problem
from pykro.graph._templates import object_problem
from pykro.hub._generated import RandomPassword
from pykro.hub.lynq._render import TemplateText

if TYPE_CHECKING:
    from pykro.hub.lynq._convert import LoadedResource

__all__ = ["rendered_problem", "static_problem"]

_UNKNOWN = "${row}"  # a templated value, in the check at load: its value comes with each row


def static_problem(r: LoadedResource) -> Problem | None:
    """The first thing the API server would refuse in the parts of ``r`` that no template writes (a misspelt field,
    a port above 65535, a value of the wrong type), found once when the file is loaded; the templated values are
    checked for each row (`rendered_problem`). ``(YAML path in the LynqForm, what, fix)``, or None."""
    meta: dict[str, Any] = {"name": r.name if isinstance(r.name, str) else _UNKNOWN}
    if r.namespace is not None:
        meta["namespace"] = r.namespace if isinstance(r.namespace, str) else _UNKNOWN
    body = _unknowns(r.body.tree)
    for part in ("labels", "annotations"):
        found = {**((body.get("metadata") or {}).get(part) or {}), **dict.fromkeys(getattr(r.res, f"{part}Template"))}
        if found:
            meta[part] = {k: _UNKNOWN if v is None or "${" in str(v) else v for k, v in found.items()}
    obj = {"apiVersion": r.api_version, "kind": r.kind, **body, "metadata": meta}
    problem = object_problem(obj, expression_fields(obj))
    if problem is None:
        return None
    path, what, fix = problem
    if path.startswith("metadata"):  # the name, namespace, labels: the form's own fields say where
        return None  # (checked for each row, where a template may make them valid)
    return (f"{r.where}.spec" + (f".{path}" if path and not path.startswith("[") else path), what, fix)


def _unknowns(value: Any) -> Any:
    """``value`` with each template as a ``${...}`` value the check leaves open."""
    if isinstance(value, TemplateText):
        return _UNKNOWN
    if isinstance(value, dict):
        return {k: _unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknowns(v) for v in value]
    return value


def rendered_problem(r: LoadedResource, body: dict[str, Any]) -> Problem | None:
    """The first thing the API server would refuse in ``body`` (`LoadedResource.render`'s result for a row), with
    the YAML path of the LynqForm field it comes from; None when it would take it."""
    meta = body.get("metadata") or {}
    found = metadata_problem(r.api_version, r.kind, meta, "template")
    if found is not None:
        field, what, fix = found
        part, _, key = field.partition(".")
        if field == "name":
            where = f"{r.where}.nameTemplate" if r.res.nameTemplate else f"{r.where}.spec.metadata.name"
        elif field == "namespace":
            where = f"{r.where}.targetNamespace" if r.res.targetNamespace else f"{r.where}.spec.metadata.namespace"
        else:
            templates = r.res.labelsTemplate if part == "labels" else r.res.annotationsTemplate
            where = f"{r.where}.{part}Template.{key}" if key in templates else f"{r.where}.spec.metadata.{field}"
        return where, what, fix
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
