"""An instance as the API server and kro would hold it: spec defaulted and validated against the generated CRD,
metadata completed (namespace, uid, generation), kro's labels and finalizer set."""

from __future__ import annotations

import uuid
from typing import Any

from pykro import _memo as memo
from pykro import _yamlio as yamlio
from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.graph._depth import check_depth
from pykro.runtime import _labels as kl
from pykro.schema import _structural as structural

__all__ = ["prepare_instance"]

DEFAULT_NAMESPACE = "default"


def prepare_instance(graph: Graph, instance: dict[str, Any], source: str | None = None) -> dict[str, Any]:
    """A defaulted, validated copy of ``instance``; raises ValidationError for what the API server would reject."""
    if not isinstance(instance, dict):
        raise ValidationError("an instance must be a YAML mapping", where=source, fix=f"Write a {graph.kind} object.")
    check_depth(instance, "the instance", source=source)
    obj: dict[str, Any] = yamlio.copy_data(instance)
    if obj.get("apiVersion") != graph.instance_api_version or obj.get("kind") != graph.kind:
        raise ValidationError(
            f"the instance is {obj.get('apiVersion')}/{obj.get('kind')}, but the RGD defines "
            f"{graph.instance_api_version}/{graph.kind}",
            where=source,
            fix=f"Set apiVersion: {graph.instance_api_version} and kind: {graph.kind}.",
        )
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
        raise ValidationError("the instance has no metadata.name", where=source, fix="Name the instance.")
    if graph.namespaced:
        meta.setdefault("namespace", DEFAULT_NAMESPACE)
    else:
        meta.pop("namespace", None)
    if "uid" not in meta:
        meta["uid"] = _uid(
            f"pykro:{graph.instance_api_version}/{graph.kind}/{meta.get('namespace', '')}/{meta['name']}"
        )
    meta.setdefault("generation", 1)
    spec = obj.get("spec")
    if spec is None:
        spec = {}
    obj["spec"] = structural.apply_defaults(graph.openapi, spec)
    causes = structural.validate(graph.openapi, obj["spec"], "spec") or structural.int_misfits(
        graph.openapi, obj["spec"], "spec"
    )
    if causes:
        details = "; ".join(cause.message for cause in causes)
        raise ValidationError(
            f"{graph.kind} {meta['name']!r} is invalid: {details}",
            where=source,
            fix="Fix the instance spec to match the RGD's schema (see `pykro rgd crd`).",
        )
    rgd_uid = str(graph.metadata_extra.get("uid", ""))
    obj_labels = meta.setdefault("labels", {})
    obj_labels.update(kl.instance_labels(graph.name, rgd_uid))
    obj_labels[kl.APPLYSET_ID] = kl.applyset_id(meta["name"], meta.get("namespace", ""), graph.kind, graph.group)
    finalizers = meta.setdefault("finalizers", [])
    if kl.FINALIZER not in finalizers:
        finalizers.append(kl.FINALIZER)
    return obj


@memo.cached(maxsize=4096)
def _uid(key: str) -> str:
    """The stable uid pykro gives an instance that has none (a name-based UUID of its identity)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))
