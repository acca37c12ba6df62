"""The inventory pykro keeps in the cluster (ApplySet-style) so any process can list, diff, hydrate and delete an
instance: labels on every object it applies, and one parent record per instance (a ConfigMap) holding the spec,
the graph and the group-kinds the instance has objects of.

Labels on applied objects:
  ``pykro.io/instance``     instance name
  ``pykro.io/composition``  graph (RGD) name
  ``pykro.io/resource-id``  the graph resource id the object came from
  ``app.kubernetes.io/managed-by: pykro``
Annotations on applied objects:
  ``pykro.io/instance-namespace``  namespace of the instance (for cluster-scoped objects)
  ``pykro.io/applied-hash``        hash of the desired object last applied (re-deploys skip unchanged objects)
  ``pykro.io/deletion-policy``     ``Retain`` keeps the object when the instance is deleted (read from templates)
  ``pykro.io/released-from``       ``namespace/composition/instance`` a Retain object was released from (only
                                   that instance adopts it again; see `foreign_owner`)
Parent record: ConfigMap ``pykro.<composition>.<instance>`` labelled ``pykro.io/role: instance``,
``pykro.io/record-of: <instance>`` and ``pykro.io/composition`` (so the children's selector never matches it),
data ``spec`` (JSON) and ``rgd`` (YAML) — both with secrets masked (``***``: the graph's ``SecretStr`` spec fields
and the literal values of its Secret templates) — annotations ``pykro.io/contains-kinds``
(``apiVersion/Kind`` comma-separated, like ApplySet's contains-group-kinds but with the version, so no discovery
is needed), ``pykro.io/state`` and ``pykro.io/mode``. When the graph has ``SecretStr`` spec fields, the spec with
their values is kept in a Secret of the same name and labels (``data.spec``), read back for status and diff. The
instance's lock is a Lease of the same name (`pykro.deploy._lock`)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pykro import _yamlio as yamlio
from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.graph import _secrets as secrets
from pykro.runtime import _labels as kro_labels

__all__ = [
    "APPLIED_HASH",
    "COMPOSITION",
    "CONTAINS_KINDS",
    "DELETION_POLICY",
    "FIELD_MANAGER",
    "INSTANCE",
    "INSTANCE_NAMESPACE",
    "MANAGED_BY",
    "MODE",
    "PREFIX",
    "RECORD_OF",
    "RELEASED_FROM",
    "RESOURCE_ID",
    "ROLE",
    "STATE",
    "InstanceRef",
    "decorate",
    "foreign_owner",
    "kind_key",
    "object_hash",
    "parse_kinds",
    "record",
    "record_content",
    "record_secret",
    "retained",
    "spec_of_secret",
]

PREFIX = "pykro.io/"
INSTANCE = PREFIX + "instance"
COMPOSITION = PREFIX + "composition"
RESOURCE_ID = PREFIX + "resource-id"
ROLE = PREFIX + "role"
RECORD_OF = PREFIX + "record-of"
INSTANCE_NAMESPACE = PREFIX + "instance-namespace"
APPLIED_HASH = PREFIX + "applied-hash"
DELETION_POLICY = PREFIX + "deletion-policy"
CONTAINS_KINDS = PREFIX + "contains-kinds"
STATE = PREFIX + "state"
MODE = PREFIX + "mode"
MANAGED_BY = "app.kubernetes.io/managed-by"
RELEASED_FROM = PREFIX + "released-from"
FIELD_MANAGER = "pykro"
LABEL_VALUE_MAX = 63

_KRO_CHILD_LABELS = frozenset(
    {
        kro_labels.INSTANCE_ID,
        kro_labels.INSTANCE_NAME,
        kro_labels.INSTANCE_NAMESPACE,
        kro_labels.INSTANCE_GROUP,
        kro_labels.INSTANCE_VERSION,
        kro_labels.INSTANCE_KIND,
        kro_labels.OWNED,
        kro_labels.KRO_VERSION_LABEL,
        kro_labels.NODE_ID,
        kro_labels.COLLECTION_INDEX,
        kro_labels.COLLECTION_SIZE,
        kro_labels.APPLYSET_PART_OF,
    }
)


@dataclass(frozen=True)
class InstanceRef:
    """Which instance objects belong to: composition (graph name), instance name and namespace."""

    composition: str
    name: str
    namespace: str

    def __post_init__(self) -> None:
        # both names are label values on every object and on the record (so the record name, at most
        # 6 + 63 + 1 + 63 characters, is never cut and two instances never share one)
        for what, value in (("instance name", self.name), ("composition name", self.composition)):
            if len(value) > LABEL_VALUE_MAX:
                raise ValidationError(
                    f"the {what} is {len(value)} characters long; pykro records it in labels, which hold at most "
                    f"{LABEL_VALUE_MAX}",
                    where=f"{what} {value[:32]}...",
                    fix=f"Use a {what} of at most {LABEL_VALUE_MAX} characters.",
                )

    @property
    def selector(self) -> dict[str, str]:
        """Label selector matching every object applied for this instance."""
        return {INSTANCE: self.name, COMPOSITION: self.composition}

    @property
    def record_name(self) -> str:
        return f"pykro.{self.composition}.{self.name}"

    @property
    def key(self) -> str:
        """``namespace/composition/name``: how the instance is named in errors and release markers."""
        return f"{self.namespace}/{self.composition}/{self.name}"

    def owns_record(self, rec: dict[str, Any]) -> bool:
        """True when ``rec`` (read by `record_name`) is this instance's record, not one whose dotted names join
        to the same text (composition ``a.b`` + instance ``c`` vs ``a`` + ``b.c``)."""
        labels = (rec.get("metadata") or {}).get("labels") or {}
        return labels.get(RECORD_OF) == self.name and labels.get(COMPOSITION) == self.composition


def object_hash(obj: dict[str, Any]) -> str:
    """A stable hash of a desired object (without the hash annotation itself)."""
    body = obj
    meta = obj.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict):  # a copy without the hash: only this
        annotations = {k: v for k, v in meta["annotations"].items() if k != APPLIED_HASH}
        body = {**obj, "metadata": {**meta, "annotations": annotations}}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:20]


def decorate(
    obj: dict[str, Any], ref: InstanceRef, resource_id: str, template_labels: dict[str, str]
) -> dict[str, Any]:
    """The object as pykro applies it: kro's child labels (added by the runtime) replaced by pykro's inventory
    labels; labels written in the template itself are kept; the applied-hash annotation set."""
    out = copy.deepcopy(obj)
    meta = out.setdefault("metadata", {})
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k not in _KRO_CHILD_LABELS or k in template_labels}
    if labels.get(MANAGED_BY) == "kro" and MANAGED_BY not in template_labels:
        labels.pop(MANAGED_BY)
    labels.update({INSTANCE: ref.name, COMPOSITION: ref.composition, RESOURCE_ID: resource_id, MANAGED_BY: "pykro"})
    meta["labels"] = labels
    annotations = dict(meta.get("annotations") or {})
    annotations[INSTANCE_NAMESPACE] = ref.namespace
    meta["annotations"] = annotations
    annotations[APPLIED_HASH] = object_hash(out)
    return out


def kind_key(api_version: str, kind: str) -> str:
    """``apiVersion/Kind``, e.g. ``apps/v1/Deployment``."""
    return f"{api_version}/{kind}"


def parse_kinds(text: str) -> list[tuple[str, str]]:
    """``(apiVersion, kind)`` pairs of a contains-kinds annotation."""
    pairs = {part.strip().rpartition("/") for part in text.split(",") if part.strip()}
    return sorted((api, kind) for api, _, kind in pairs if api and kind)


def record(
    ref: InstanceRef, spec: dict[str, Any], rgd_yaml: str, kinds: list[tuple[str, str]], state: str, mode: str
) -> dict[str, Any]:
    """The parent record of an instance (a ConfigMap)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": ref.record_name,
            "namespace": ref.namespace,
            "labels": {RECORD_OF: ref.name, COMPOSITION: ref.composition, ROLE: "instance", MANAGED_BY: "pykro"},
            "annotations": {CONTAINS_KINDS: ",".join(sorted({kind_key(*k) for k in kinds})), STATE: state, MODE: mode},
        },
        "data": {"spec": json.dumps(spec, sort_keys=True), "rgd": rgd_yaml},
    }


def record_content(graph: Graph, spec: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """What a record may hold of an instance: its spec with the secret fields masked, and the graph's YAML with
    the literal values of its Secret templates masked."""
    return secrets.mask_spec(graph, spec), yamlio.dump(secrets.mask_rgd(graph.to_rgd()))


def record_secret(ref: InstanceRef, record_obj: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """The Secret keeping the full spec of an instance whose graph has secret spec fields (beside its record)."""
    meta = record_obj["metadata"]
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": ref.record_name, "namespace": ref.namespace, "labels": dict(meta["labels"])},
        "type": "Opaque",
        "data": {"spec": base64.b64encode(json.dumps(spec, sort_keys=True).encode()).decode()},
    }


def spec_of_secret(obj: dict[str, Any] | None) -> dict[str, Any] | None:
    """The spec a `record_secret` holds (``stringData`` too, for servers that do not convert it), or None."""
    if obj is None:
        return None
    text = (obj.get("stringData") or {}).get("spec")
    if text is None and (obj.get("data") or {}).get("spec"):
        text = base64.b64decode(obj["data"]["spec"]).decode()
    try:
        found = json.loads(text) if text else None
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def retained(obj: dict[str, Any]) -> bool:
    """True when the object asks to be kept when its instance is deleted."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(DELETION_POLICY, "")).lower() == "retain"


def foreign_owner(obj: dict[str, Any], ref: InstanceRef) -> str | None:
    """Why a live object is not ``ref``'s to write (None when it is): it belongs to another pykro instance, or it
    was not created by pykro at all (no inventory labels; an object `Retain` released from ``ref`` is ``ref``'s)."""
    meta = obj.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    where = f" in namespace {meta['namespace']}" if meta.get("namespace") else ""
    what = f"{obj.get('kind')} {meta.get('name')!r}{where}"
    owner = labels.get(INSTANCE)
    if owner:
        owner_ns = annotations.get(INSTANCE_NAMESPACE) or meta.get("namespace") or ref.namespace
        composition = labels.get(COMPOSITION, "")
        if owner == ref.name and composition == ref.composition and owner_ns == ref.namespace:
            return None
        return f"{what} belongs to instance {owner!r} ({composition} in namespace {owner_ns})"
    if annotations.get(RELEASED_FROM) == ref.key:
        return None
    managers = sorted({str(m.get("manager")) for m in meta.get("managedFields") or [] if m.get("manager")})
    by = f" (field managers: {', '.join(managers)})" if managers else ""
    return f"{what} exists and was not created by pykro{by}"
