"""Kubernetes' opaque CEL values (quantity, url, ip, cidr, semver) as tagged maps the engine can carry.

cel-expr-python cannot declare new value types, so ``quantity("1Gi")`` is the map ``{TAG: "quantity", "v": ...}``
and every method checks the tag. Such a value cannot end up in a manifest (kro cannot convert them either).
"""

from __future__ import annotations

from typing import Any

__all__ = ["TAG", "OpaqueValueError", "check_plain", "describe", "kind_of", "make", "unwrap"]

TAG = "\uf8ffpykro.type"
KINDS = {"quantity": "Quantity", "url": "URL", "ip": "IP", "cidr": "CIDR", "semver": "Semver", "omit": "kro.omit"}


class OpaqueValueError(Exception):
    """A wrong value was given where an opaque Kubernetes value was expected."""


def make(kind: str, **fields: Any) -> dict[str, Any]:
    return {TAG: kind, **fields}


def unwrap(value: Any, kind: str, function: str) -> dict[str, Any]:
    """The fields of an opaque value of ``kind``; a clear error for anything else."""
    if isinstance(value, dict) and value.get(TAG) == kind:
        return value
    raise OpaqueValueError(f"no such overload: {function} expects a {KINDS[kind]}, got {describe(value)}")


def kind_of(value: Any) -> str | None:
    return value.get(TAG) if isinstance(value, dict) else None


def describe(value: Any) -> str:
    kind = kind_of(value)
    if kind is not None:
        return KINDS.get(kind, kind)
    return type(value).__name__


def check_plain(value: dict[Any, Any]) -> None:
    """Refuse to turn an opaque value into manifest data."""
    kind = kind_of(value)
    if kind is not None:
        raise OpaqueValueError(
            f"a {KINDS.get(kind, kind)} value cannot be converted to plain data; convert it explicitly first"
        )
