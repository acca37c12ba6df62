"""Secrets in what pykro prints and records: spec fields typed ``pydantic.SecretStr`` (listed in the graph's
``pykro.io/secret-fields`` annotation as dotted spec paths, ``*`` for list items and map values) and the values of
Secret objects (``data``, ``stringData``). `mask_object` hides them in a copy of an object (``***``; a diff shows
``*** (before)`` / ``*** (after)`` where a value changed, like ``kubectl diff``); `Redactor` removes known secret
values from free text (errors, progress, events); `mask_rgd` hides literal values of Secret templates."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable
from typing import Any

from pykro._yamlio import copy_data
from pykro.errors import PykroError
from pykro.graph._model import Graph

SECRET_FIELDS = "pykro.io/secret-fields"
MASK = "***"
MIN_REDACTED = 4
"""Shorter secret values are masked in free text only where quoted or assigned (``"12"``, ``pin=12``): as plain
words they would mask unrelated ones."""

_SINGLE_EXPRESSION = re.compile(r"^\$\{[^{}]*(\{[^{}]*\}[^{}]*)*\}\Z")


def secret_paths(graph: Graph | None) -> list[list[str]]:
    """The graph's secret spec paths, split on dots."""
    text = (graph.annotations.get(SECRET_FIELDS, "") if graph is not None else "") or ""
    return [part.strip().split(".") for part in text.split(",") if part.strip()]


def _at(tree: Any, path: list[str], fn: Callable[[Any], Any]) -> Any:
    """``tree`` with ``fn`` applied to the values at ``path`` (``*``: every item or value); a copy."""
    if not path:
        return fn(tree)
    head, rest = path[0], path[1:]
    if head == "*" and isinstance(tree, list):
        return [_at(v, rest, fn) for v in tree]
    if head == "*" and isinstance(tree, dict):
        return {k: _at(v, rest, fn) for k, v in tree.items()}
    if isinstance(tree, dict) and head in tree:
        return {**tree, head: _at(tree[head], rest, fn)}
    return tree


def _values_at(tree: Any, path: list[str]) -> list[Any]:
    found: list[Any] = []

    def keep(value: Any) -> Any:
        found.append(value)
        return value

    _at(tree, path, keep)
    return found


def mask_spec(graph: Graph | None, spec: Any, other: Any = None, side: str = "") -> Any:
    """A copy of ``spec`` with its secret fields masked (``other``: the spec on the other side of a diff)."""
    out = copy_data(spec)
    for path in secret_paths(graph):
        theirs = _values_at(other, path) if other is not None else []
        out = _at(out, path, _masker(theirs[0] if len(theirs) == 1 else None, side if other is not None else ""))
    return out


def _masker(other: Any, side: str) -> Callable[[Any], Any]:
    def mask(value: Any) -> Any:
        if value is None:
            return None
        if side and other is not None and other != value:
            return f"{MASK} ({side})"
        return MASK

    return mask


def is_secret(obj: Any) -> bool:
    """A v1 Secret."""
    return isinstance(obj, dict) and obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def _mask_map(values: Any, other: Any, side: str) -> Any:
    if not isinstance(values, dict):
        return MASK if values is not None else None
    theirs = other if isinstance(other, dict) else {}
    return {k: f"{MASK} ({side})" if side and k in theirs and theirs[k] != v else MASK for k, v in values.items()}


def mask_object(
    obj: dict[str, Any], graph: Graph | None = None, other: dict[str, Any] | None = None, side: str = ""
) -> dict[str, Any]:
    """A copy of ``obj`` safe to print: Secret values, the secret spec fields of ``graph``'s instances and the
    literal Secret values of RGDs masked. In a diff, ``other`` is the object on the other side and ``side``
    ``before`` or ``after``: a changed value shows as ``*** (before)`` / ``*** (after)``."""
    out: dict[str, Any] = copy_data(obj)
    if is_secret(out):
        for key in ("data", "stringData"):
            if key in out:
                out[key] = _mask_map(out[key], (other or {}).get(key), side)
        annotations = (out.get("metadata") or {}).get("annotations") or {}
        if "kubectl.kubernetes.io/last-applied-configuration" in annotations:
            annotations["kubectl.kubernetes.io/last-applied-configuration"] = MASK
    elif out.get("kind") == "ResourceGraphDefinition":
        out = mask_rgd(out)
    elif graph is not None and out.get("kind") == graph.kind and "spec" in out:
        out["spec"] = mask_spec(graph, out["spec"], (other or {}).get("spec") if other else None, side)
    return out


def mask_pair(
    before: dict[str, Any] | None, after: dict[str, Any], graph: Graph | None = None
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Both sides of a diff masked, changed secret values told apart."""
    if before is None:
        return None, mask_object(after, graph)
    return mask_object(before, graph, after, "before"), mask_object(after, graph, before, "after")


def _literal_secret(value: Any) -> bool:
    """A Secret template value that carries literal text (not one ``${...}`` expression)."""
    return isinstance(value, str) and not _SINGLE_EXPRESSION.match(value.strip())


def mask_rgd(rgd: dict[str, Any]) -> dict[str, Any]:
    """A copy of an RGD whose Secret templates' literal ``data``/``stringData`` values are masked (a value that
    is a single ``${...}`` expression is kept: it holds no secret itself)."""
    out: dict[str, Any] = copy_data(rgd)
    for res in ((out.get("spec") or {}).get("resources")) or []:
        template = res.get("template") if isinstance(res, dict) else None
        if not isinstance(template, dict) or not is_secret(template):
            continue
        for key in ("data", "stringData"):
            values = template.get(key)
            if isinstance(values, dict):
                template[key] = {k: MASK if _literal_secret(v) else v for k, v in values.items()}
            elif _literal_secret(values):
                template[key] = MASK
    return out


class Redactor:
    """Known secret values, removed from free text (errors, progress lines, events)."""

    def __init__(self) -> None:
        self.values: set[str] = set()
        self.short: set[str] = set()

    def add(self, values: Iterable[Any]) -> None:
        for value in values:
            if isinstance(value, str) and len(value) >= MIN_REDACTED and value != MASK:
                self.values.add(value)
            elif isinstance(value, str) and value and value != MASK:
                self.short.add(value)

    def learn_spec(self, graph: Graph, spec: Any) -> None:
        """The values of ``graph``'s secret spec fields in ``spec``."""
        self.learn_paths(secret_paths(graph), spec)

    def learn_paths(self, paths: Iterable[list[str]], spec: Any) -> None:
        """The values at ``paths`` (split dotted spec paths, ``*`` for list items and map values) in ``spec``."""
        for path in paths:
            self.add(_values_at(spec, path))

    def learn_graph(self, graph: Graph) -> None:
        """Literal values of the graph's Secret templates."""
        for res in graph.resources:
            template = res.template or {}
            if not is_secret(template):
                continue
            for key in ("data", "stringData"):
                values = template.get(key)
                items = values.values() if isinstance(values, dict) else [values]
                self.add(v for v in items if _literal_secret(v))

    def learn_object(self, obj: Any) -> None:
        """The values of a Secret (``data`` also base64-decoded)."""
        if not is_secret(obj):
            return
        self.add(((obj.get("stringData") or {}) if isinstance(obj.get("stringData"), dict) else {}).values())
        data = obj.get("data") if isinstance(obj.get("data"), dict) else {}
        for value in data.values():
            self.add([value])
            try:
                self.add([base64.b64decode(str(value), validate=True).decode()])
            except (binascii.Error, UnicodeDecodeError, ValueError):
                continue

    def text(self, text: str) -> str:
        """``text`` with every known secret value replaced by ``***``."""
        if not (self.values or self.short) or not text:
            return text
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, MASK)
        for value in self.short:  # only where quoted or assigned (`"12"`, `pin=12`): a word could be anything
            text = re.sub(rf"(?<=[\"'=]){re.escape(value)}(?=[\"'\s:,;.]|\Z)", MASK, text)
        return text

    def data(self, value: Any) -> Any:
        """A copy of ``value`` (mappings, lists, scalars) with known secret values removed from every string."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v) for v in value]
        return value

    def error(self, exc: PykroError) -> PykroError:
        """The error with its what/where/fix redacted (in place)."""
        if self.values or self.short:
            exc.what = self.text(exc.what)
            exc.where = self.text(exc.where) if exc.where else exc.where
            exc.fix = self.text(exc.fix) if exc.fix else exc.fix
            exc.args = (exc.render(),)
        return exc


__all__ = ["MASK", "SECRET_FIELDS", "Redactor", "is_secret", "mask_object", "mask_pair", "mask_rgd", "mask_spec"]
