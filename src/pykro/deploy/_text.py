"""Small texts and label reads shared by the deploy modes: an object's labels, ``Kind/name`` of an identity,
an object's conditions in one line."""

from __future__ import annotations

from typing import Any

__all__ = ["conditions_text", "labels_of", "short"]


def labels_of(obj: dict[str, Any]) -> dict[str, str]:
    """The labels of ``obj`` (a copy; empty when it has none, or when they are not a map yet: a template whose
    labels are one ``${...}`` expression gets its keys only once the expression is resolved)."""
    labels = (obj.get("metadata") or {}).get("labels")
    return dict(labels) if isinstance(labels, dict) else {}


def short(ident: str) -> str:
    """``Kind/name`` of an identity ``apiVersion/kind/namespace/name``."""
    parts = ident.split("/")
    return f"{parts[-3]}/{parts[-1]}"


def conditions_text(obj: dict[str, Any] | None) -> str:
    """``Type=Status (message); ...`` of an object's status conditions, or ``none``."""
    conds = ((obj or {}).get("status") or {}).get("conditions") or []
    parts = [
        f"{c.get('type')}={c.get('status')}" + (f" ({c.get('message')})" if c.get("message") else "") for c in conds
    ]
    return "; ".join(parts) or "none"
