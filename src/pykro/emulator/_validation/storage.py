"""PersistentVolumeClaims: access modes and the storage request."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from pykro.schema._causes import FieldCause, forbidden, invalid, not_supported, required

__all__ = ["pvc"]

ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]


def pvc(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [required("spec.accessModes", "at least 1 access mode is required"), required("spec.resources[storage]")]
    out: list[FieldCause] = []
    modes = spec.get("accessModes") or []
    if not modes:
        out.append(required("spec.accessModes", "at least 1 access mode is required"))
    for mode in modes if isinstance(modes, list) else []:
        if mode not in ACCESS_MODES:
            out.append(not_supported("spec.accessModes", mode, ACCESS_MODES))
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    if storage is None:
        out.append(required("spec.resources[storage]"))
    elif _amount(storage) <= 0:
        out.append(invalid("spec.resources[storage]", str(storage).strip(), "must be greater than zero"))
    before = (old or {}).get("spec") or {}
    if old is not None and _fixed(spec, before) != _fixed(before, before):
        out.append(forbidden("spec", _IMMUTABLE))
    return out


_IMMUTABLE = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"


def _fixed(spec: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """The part of a claim's spec that may not change (binding may set a volumeName that was empty)."""
    out = {k: v for k, v in spec.items() if k != "volumeAttributesClassName"}
    if not before.get("volumeName"):
        out.pop("volumeName", None)
    resources = {k: v for k, v in (spec.get("resources") or {}).items() if k != "requests"}
    out["resources"] = resources
    return out


def _amount(value: Any) -> Fraction:
    """A decoded quantity's value (one that does not parse was refused by the decoder already)."""
    from pykro.cel._library.base import LibraryError  # the one quantity parser (imported on first use)
    from pykro.cel._library.quantity import parse_quantity

    try:
        return parse_quantity(str(value).strip())
    except LibraryError:
        return Fraction(1)
