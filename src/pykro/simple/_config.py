"""Configuration and storage factories: ConfigMap, Secret, PersistentVolumeClaim, Namespace, ServiceAccount."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from pykro.authoring._location import fail
from pykro.authoring._refs import Ref, is_ref
from pykro.authoring._resource import ResourceRef, resource
from pykro.simple._keywords import checked
from pykro.simple._values import (
    Bool,
    Labels,
    Obj,
    Str,
    Strs,
    check_size,
    compact,
    label_selector,
    metadata,
    name_of,
    one_of,
    text_keys,
    texts,
)

__all__ = ["ConfigMap", "Namespace", "PersistentVolumeClaim", "Secret", "ServiceAccount"]


def _encoded(what: str, values: Any) -> Any:
    """``data`` of a Secret / ``binaryData`` of a ConfigMap: bytes are base64-encoded, strings are already encoded.

    Other values are refused naming their type only (they may be secret)."""
    if values is None or is_ref(values):
        return values
    text_keys(what, values)
    for key, value in values.items():
        if not (isinstance(value, str | bytes) or is_ref(value)):
            raise fail(f"{what} {key!r} must be bytes or base64 text, got a {type(value).__name__}", "pass bytes")
    return {
        key: base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
        for key, value in values.items()
    }


@checked
def ConfigMap(
    name: Str,
    *,
    id: str | None = None,
    namespace: Str | None = None,
    data: Mapping[str, Any] | Ref | None = None,
    binary_data: Mapping[str, Any] | Ref | None = None,
    immutable: Bool | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """A v1 ConfigMap; ``data`` values may be references, numbers and bools become text."""
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata(name, namespace, labels, annotations)}
    fields = compact(
        immutable=immutable,
        data=texts("ConfigMap data", data),
        binaryData=_encoded("ConfigMap binary_data", binary_data),
    )
    return resource({**obj, **fields}, id=id)


@checked
def Secret(
    name: Str,
    *,
    id: str | None = None,
    namespace: Str | None = None,
    string_data: Mapping[str, Any] | Ref | None = None,
    data: Mapping[str, Any] | Ref | None = None,
    type: Str | None = None,
    immutable: Bool | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """A v1 Secret. ``string_data`` takes plain text and references (the apiserver encodes it); ``data`` takes
    base64 text, or bytes that are encoded here."""
    if isinstance(string_data, Mapping) and isinstance(data, Mapping):
        both = sorted(set(map(str, string_data)) & set(map(str, data)))
        if both:
            raise fail(
                f"Secret key {both[0]!r} is in both string_data and data: the API server keeps string_data's value",
                "give each key once",
            )
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": metadata(name, namespace, labels, annotations)}
    fields = compact(
        type=type,
        immutable=immutable,
        stringData=texts("Secret string_data", string_data, secret=True),
        data=_encoded("Secret data", data),
    )
    return resource({**obj, **fields}, id=id)


@checked
def PersistentVolumeClaim(
    name: Str,
    *,
    size: Str,
    id: str | None = None,
    namespace: Str | None = None,
    access_modes: Strs = ("ReadWriteOnce",),
    storage_class: Str | None = None,
    volume_mode: Str | None = None,
    volume_name: Str | None = None,
    selector: Labels | None = None,
    data_source: Obj | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """A v1 PersistentVolumeClaim requesting ``size`` (``"10Gi"``), ReadWriteOnce unless ``access_modes`` says."""
    known = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
    modes = access_modes if is_ref(access_modes) else [one_of(m, "access mode", known) for m in access_modes]
    spec = compact(
        accessModes=modes,
        storageClassName=storage_class,
        volumeMode=volume_mode,
        volumeName=volume_name,
        selector=label_selector(selector),
        dataSource=data_source,
        resources={"requests": {"storage": check_size(size, "PersistentVolumeClaim size")}},
    )
    obj = {"apiVersion": "v1", "kind": "PersistentVolumeClaim"}
    return resource({**obj, "metadata": metadata(name, namespace, labels, annotations), "spec": spec}, id=id)


@checked
def Namespace(
    name: Str, *, id: str | None = None, labels: Labels | None = None, annotations: Labels | None = None
) -> ResourceRef:
    """A v1 Namespace."""
    return resource(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata(name, None, labels, annotations)}, id=id
    )


@checked
def ServiceAccount(
    name: Str,
    *,
    id: str | None = None,
    namespace: Str | None = None,
    automount_service_account_token: Bool | None = None,
    image_pull_secrets: Strs | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """A v1 ServiceAccount; ``image_pull_secrets`` are Secret names (or Secret resources)."""
    pulls: Any = image_pull_secrets
    if pulls is not None and not is_ref(pulls):
        pulls = [{"name": name_of(secret)} for secret in pulls]
    fields = compact(automountServiceAccountToken=automount_service_account_token, imagePullSecrets=pulls)
    obj = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata(name, namespace, labels, annotations)}
    return resource({**obj, **fields}, id=id)
