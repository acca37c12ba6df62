"""Plain manifests for one concrete spec: the graph run offline with kro's semantics and the real CEL engine
(pykro.runtime), objects fed back as observed until nothing changes. Values only a live cluster knows (a Service's
clusterIP, a Deployment's status) cannot be resolved; they are listed in one error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pykro import yamlio
from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.graph.depth import check_depth
from pykro.graph.templates import check_object
from pykro.runtime import labels as kro_labels
from pykro.runtime import reconcile_passes

__all__ = ["manifests", "write_objects"]

_KRO_LABEL_PREFIXES = ("kro.run/", "applyset.kubernetes.io/")


def manifests(
    graph: Graph,
    spec: dict[str, Any],
    *,
    name: str,
    namespace: str | None = None,
    observed: dict[str, Any] | None = None,
    node_ids: dict[tuple[str, str], str] | None = None,
) -> list[dict[str, Any]]:
    """The objects ``graph`` creates for an instance with ``spec``, in apply order, without kro's bookkeeping
    labels, each checked against its kind's schema (ValidationError naming the object and field). ``observed`` maps
    resource ids to live objects (or fields) a cluster would report; ``node_ids``, when given, is filled with
    (kind, name) -> the id of the resource that made the object."""
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    instance = {"apiVersion": graph.instance_api_version, "kind": graph.kind, "metadata": meta, "spec": spec}
    check_depth(observed or {}, "the observed objects", prefix="observed")
    live = dict(observed or {})
    external = {r.id: live[r.id] for r in graph.resources if r.is_external and r.id in live}

    def apply(obj: dict[str, Any]) -> dict[str, Any]:
        """The object as the cluster would report it: what we sent, plus the live fields given for its id."""
        rid = ((obj.get("metadata") or {}).get("labels") or {}).get(kro_labels.NODE_ID, "")
        extra = live.get(rid)
        return _merge(obj, extra) if isinstance(extra, dict) else obj

    result = reconcile_passes(graph, instance, apply, observed=external)
    failed = [f"{s.id} ({_reason(s.message)})" for s in result.states.values() if s.state == "error"]
    if failed:
        raise ValidationError(
            f"{graph.kind} {name!r} cannot be rendered: {len(failed)} resource(s) fail to resolve: "
            + "; ".join(failed),
            where=graph.name,
            fix="Fix the expression or the spec value it reads.",
        )
    unresolved = [
        f"{state.id} ({_reason(state.message)})"
        for state in result.states.values()
        if state.state == "pending" and not state.objects
    ]
    if unresolved:
        raise ValidationError(
            f"{graph.kind} {name!r} cannot be rendered offline: {len(unresolved)} resource(s) need values only a "
            "live cluster knows: " + "; ".join(unresolved),
            where=graph.name,
            fix="Pass the live values with observed={id: object} (CLI: --observed FILE), or deploy to a cluster.",
        )
    objects = result.objects  # built by this call's last expansion and held by nothing else: cleaned in place
    declared = _kinds_declaring_namespace(graph)
    for obj in objects:
        if node_ids is not None:
            meta = obj.get("metadata") or {}
            rid = (meta.get("labels") or {}).get(kro_labels.NODE_ID, "")
            node_ids[(str(obj.get("kind")), str(meta.get("name")))] = rid
        _clean(obj, keep_namespace=bool(namespace) or obj.get("kind") in declared)
        # values from the spec are known only now: check the concrete object against its kind's schema
        check_object(obj, f"{obj.get('kind')} {(obj.get('metadata') or {}).get('name')}")
    return objects


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = yamlio.copy_data(base)
    for key, value in extra.items():
        current = out.get(key)
        out[key] = _merge(current, value) if isinstance(current, dict) and isinstance(value, dict) else value
    return out


def _reason(message: str) -> str:
    found = re.search(r"failed to evaluate expression '(.*?)'", message)
    return f"reads {found.group(1)}" if found else message


def _clean(obj: dict[str, Any], *, keep_namespace: bool) -> None:
    """Drop what only kro's controller adds: its labels, and the defaulted namespace when none was asked for."""
    meta = obj.get("metadata") or {}
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if not k.startswith(_KRO_LABEL_PREFIXES)}
    if labels.get(kro_labels.MANAGED_BY) == "kro":
        del labels[kro_labels.MANAGED_BY]
    if labels:
        meta["labels"] = labels
    else:
        meta.pop("labels", None)
    if not keep_namespace:
        meta.pop("namespace", None)


def _kinds_declaring_namespace(graph: Graph) -> list[Any]:
    """Kinds of which some resource template sets metadata.namespace itself."""
    return [
        body.get("kind")
        for res in graph.resources
        if "namespace" in ((body := res.template or {}).get("metadata") or {})
    ]


def write_objects(objects: list[dict[str, Any]], directory: str | Path) -> list[Path]:
    """Write one YAML file per object (``NN-kind-name.yaml``), returning the paths in order."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for index, obj in enumerate(objects, start=1):
        meta = obj.get("metadata") or {}
        stem = f"{index:02d}-{str(obj.get('kind', 'object')).lower()}-{meta.get('name', 'unnamed')}"
        path = out / (re.sub(r"[^A-Za-z0-9_.-]+", "-", stem) + ".yaml")
        path.write_text(yamlio.dump(obj), encoding="utf-8")
        paths.append(path)
    return paths
