"""The labels kro v0.9.3 puts on instances and on the objects it creates for them (pkg/metadata, applyset)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from pykro import _memo as memo

__all__ = [
    "APPLYSET_ID",
    "APPLYSET_PART_OF",
    "COLLECTION_INDEX",
    "COLLECTION_SIZE",
    "FINALIZER",
    "INSTANCE_GROUP",
    "INSTANCE_ID",
    "INSTANCE_KIND",
    "INSTANCE_NAME",
    "INSTANCE_NAMESPACE",
    "INSTANCE_VERSION",
    "KRO_VERSION_LABEL",
    "MANAGED_BY",
    "NODE_ID",
    "OWNED",
    "applyset_id",
    "child_labels",
    "instance_labels",
]

KRO_VERSION = "v0.9.3"
PREFIX = "kro.run/"
OWNED = PREFIX + "owned"
KRO_VERSION_LABEL = PREFIX + "kro-version"
NODE_ID = PREFIX + "node-id"
COLLECTION_INDEX = PREFIX + "collection-index"
COLLECTION_SIZE = PREFIX + "collection-size"
INSTANCE_ID = PREFIX + "instance-id"
INSTANCE_NAME = PREFIX + "instance-name"
INSTANCE_NAMESPACE = PREFIX + "instance-namespace"
INSTANCE_GROUP = PREFIX + "instance-group"
INSTANCE_VERSION = PREFIX + "instance-version"
INSTANCE_KIND = PREFIX + "instance-kind"
RGD_ID = PREFIX + "resource-graph-definition-id"
RGD_NAME = PREFIX + "resource-graph-definition-name"
MANAGED_BY = "app.kubernetes.io/managed-by"
APPLYSET_ID = "applyset.kubernetes.io/id"
APPLYSET_PART_OF = "applyset.kubernetes.io/part-of"
FINALIZER = "kro.run/finalizer"


@memo.cached(maxsize=4096)
def applyset_id(name: str, namespace: str, kind: str, group: str) -> str:
    """The ApplySet id of an instance (KEP-3659 v1 format, as kro computes it)."""
    digest = hashlib.sha256(".".join((name, namespace, kind, group)).encode()).digest()
    return "applyset-" + base64.urlsafe_b64encode(digest).decode().rstrip("=") + "-v1"


def instance_labels(rgd_name: str, rgd_uid: str) -> dict[str, str]:
    """Labels kro sets on the instance itself."""
    return {OWNED: "true", KRO_VERSION_LABEL: KRO_VERSION, RGD_ID: rgd_uid, RGD_NAME: rgd_name}


def child_labels(instance: dict[str, Any], namespaced: bool, node_id: str) -> dict[str, str]:
    """Labels kro sets on every object it applies for ``instance`` (collection labels are added separately)."""
    meta = instance.get("metadata") or {}
    group, _, version = str(instance.get("apiVersion", "")).rpartition("/")
    labels = {
        INSTANCE_ID: str(meta.get("uid", "")),
        INSTANCE_NAME: str(meta.get("name", "")),
        INSTANCE_GROUP: group,
        INSTANCE_VERSION: version,
        INSTANCE_KIND: str(instance.get("kind", "")),
    }
    if namespaced:
        labels[INSTANCE_NAMESPACE] = str(meta.get("namespace", ""))
    labels.update({MANAGED_BY: "kro", OWNED: "true", KRO_VERSION_LABEL: KRO_VERSION, NODE_ID: node_id})
    labels[APPLYSET_PART_OF] = applyset_id(
        str(meta.get("name", "")), str(meta.get("namespace", "")), str(instance.get("kind", "")), group
    )
    return labels
