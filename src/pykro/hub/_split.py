"""kro mode's split of a form: the resources kro's controller cannot honour — a Secret (its data would sit in plain
text in the instance CR's spec), ``creationPolicy: Once``, ``ignoreFields``, a per-resource readiness timeout,
``deletionPolicy: Retain`` — and the resources they depend on are applied by the hub itself, per tenant, with
pykro's deploy engine and the policies of direct mode (the *hub part*, an instance of a graph of those resources
with an inventory record of its own); the rest is the form's RGD, where the hub part's resources that kro's
resources depend on are ``externalRef`` nodes (kro waits until they exist). `pykro.hub._kro` writes the hub part
first, then the instance CR; a tenant is ready when both are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pykro.graph import Graph
from pykro.hub._model import Form, spec_hash

__all__ = ["Split", "has_value", "hashes"]


@dataclass
class Split:
    """A form split for kro mode (see the module docstring)."""

    part: Form
    """The hub part: a form over the graph of the hub-applied resources (a direct-mode factory), same instance names."""
    graph: Graph
    """What kro reconciles: the form's RGD without the hub part (its resources kro's depend on as externalRefs)."""
    hub_ids: tuple[str, ...]
    kro_ids: tuple[str, ...]
    hub_spec: Callable[[dict[str, Any]], dict[str, Any]]
    """The hub part's spec, from the form's checked spec."""
    kro_spec: Callable[[dict[str, Any]], dict[str, Any]]
    """The instance CR's spec, from the form's checked spec (never a generated secret)."""
    hashed: Callable[[dict[str, Any]], dict[str, Any]]
    """The hub part's spec as its hash sees it (a ``creationPolicy: Once`` body left out: a row change never
    updates it)."""

    def describe(self) -> str:
        """``hub applies a, b; kro applies c, d`` (resource ids)."""
        kro = f"; kro applies {', '.join(self.kro_ids)}" if self.kro_ids else ""
        return f"hub applies {', '.join(self.hub_ids)}{kro}"


def hashes(form: Form, spec: dict[str, Any]) -> tuple[str, str]:
    """The instance CR's spec hash and the hub part's (split forms only)."""
    split = form.split
    assert split is not None
    return (
        spec_hash(split.kro_spec(spec), form.kro_digest()),
        spec_hash(split.hashed(spec), split.part.digest()),
    )


def has_value(tree: Any, values: set[str]) -> bool:
    """True when a string of ``tree`` is one of ``values`` or holds one."""
    if isinstance(tree, str):
        return any(v in tree for v in values)
    if isinstance(tree, dict):
        return any(has_value(v, values) for v in tree.values())
    if isinstance(tree, list):
        return any(has_value(v, values) for v in tree)
    return False
