"""ConfigMap and Secret: data keys, total size, the data a Secret's type requires."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pykro import _kubenames as names
from pykro.schema._causes import FieldCause, forbidden, invalid, required, too_long

__all__ = ["configmap", "secret"]

MAX_SIZE = 1024 * 1024  # ConfigMap data + binaryData, Secret data (bytes)

# Secret types and the data keys each requires (all of them, or, for basic-auth, one of them)
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def _keys(data: Any, path: str) -> list[FieldCause]:
    if not isinstance(data, dict):
        return []
    return [invalid(f"{path}[{k}]", k, m) for k in data for m in names.config_key(str(k))]


def configmap(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    data = obj.get("data") or {}
    binary = obj.get("binaryData") or {}
    out = _keys(data, "data") + _keys(binary, "binaryData")
    if isinstance(data, dict) and isinstance(binary, dict):
        for key in binary:
            if key in data:
                out.append(invalid(f"binaryData[{key}]", key, "duplicate of key present in data"))
        size = sum(len(str(v).encode()) for v in data.values())
        size += sum(len(_decoded(v)) for v in binary.values())
        if size > MAX_SIZE:
            out.append(too_long("[]", MAX_SIZE))  # the apiserver reports the whole object, as the path "[]"
    out += _immutable(obj, old, ("data", "binaryData"))
    return out


def _decoded(value: Any) -> bytes:
    """The bytes base64 text stands for (Go's decoder skips line breaks)."""
    try:
        return base64.b64decode(str(value).replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        return str(value).encode()


def secret(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    data = obj.get("data") or {}
    out = _keys(data, "data")
    if not isinstance(data, dict):
        return out
    if sum(len(_decoded(v)) for v in data.values()) > MAX_SIZE:
        out.append(too_long("data", MAX_SIZE))
    kind = obj.get("type") or "Opaque"
    if kind == "kubernetes.io/service-account-token":
        found = (obj.get("metadata") or {}).get("annotations") or {}
        if not found.get("kubernetes.io/service-account.name"):
            out.append(required("metadata.annotations[kubernetes.io/service-account.name]"))
    elif kind == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            out += [required("data[username]"), required("data[password]")]
    else:
        out += [required(f"data[{key}]") for key in REQUIRED_KEYS.get(kind, ()) if key not in data]
    if old is not None and (old.get("type") or "Opaque") != kind:
        out.append(invalid("type", kind, "field is immutable"))
    out += _immutable(obj, old, ("data",))
    return out


def _immutable(obj: dict[str, Any], old: dict[str, Any] | None, fields: tuple[str, ...]) -> list[FieldCause]:
    """`immutable: true` freezes the data (and can not be unset)."""
    if old is None or not old.get("immutable"):
        return []
    out: list[FieldCause] = []
    if not obj.get("immutable"):
        out.append(forbidden("immutable", "field is immutable when `immutable` is set"))
    for name in fields:
        if (obj.get(name) or {}) != (old.get(name) or {}):
            out.append(forbidden(name, "field is immutable when `immutable` is set"))
    return out
