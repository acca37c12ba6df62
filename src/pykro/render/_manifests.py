"""Plain manifests for one concrete spec: the graph run offline with kro's semantics and the real CEL engine
(pykro.runtime), objects fed back as observed until nothing changes. Values only a live cluster knows (a Service's
clusterIP, a Deployment's status) cannot be resolved; they are listed in one error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pykro import _yamlio as yamlio
from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.graph._depth import check_depth
from pykro.graph._naming import check_names, did_you_mean
from pykro.graph._templates import check_object
from pykro.render._files import check_stale
from pykro.resources._kinds import kind_schema, node
from pykro.resources._suggest import fix_for
from pykro.resources._typing import Step, child, path_text
from pykro.runtime import _labels as kro_labels
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
    check_observed(graph, observed or {})
    live = dict(observed or {})
    external = {r.id: live[r.id] for r in graph.resources if r.is_external and r.id in live}

    def apply(obj: dict[str, Any]) -> dict[str, Any]:
        """The object as the cluster would report it: what we sent, plus the live fields given for its id."""
        rid = ((obj.get("metadata") or {}).get("labels") or {}).get(kro_labels.NODE_ID, "")
        extra = live.get(rid)
        return _merge(obj, extra) if isinstance(extra, dict) else obj

    # no live fields for the objects pykro creates: what is applied is what is rendered (one pass settles it)
    fed_back = any(isinstance(live.get(r.id), dict) for r in graph.resources if not r.is_external)
    result = reconcile_passes(graph, instance, apply if fed_back else None, observed=external, status=False)
    check_names(graph.kind, name, result.objects)  # first: a bad name is wrong whatever the cluster would say
    failed = [f"{s.id} ({_reason(s.message)})" for s in result.states.values() if s.state == "error"]
    if failed:
        raise ValidationError(
            f"{graph.kind} {name!r} cannot be rendered: {len(failed)} resource(s) fail to resolve: "
            + "; ".join(failed),
            where=graph.name,
            fix="Fix the expression or the spec value it reads.",
        )
    pending = [state for state in result.states.values() if state.state == "pending" and not state.objects]
    unset = [f"{state.id} ({_reason(state.message)})" for state in pending if state.waiting_on == ["schema"]]
    if unset:
        raise ValidationError(
            f"{graph.kind} {name!r} cannot be rendered: {len(unset)} resource(s) read a spec field this spec leaves "
            "unset: " + "; ".join(unset),
            where=graph.name,
            fix="Set the spec field the expression reads (it is unset and has no default).",
        )
    unresolved = [f"{state.id} ({_reason(state.message)})" for state in pending]
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


def check_observed(graph: Graph, observed: Any, where: str | None = None) -> None:
    """Refuse observed values that would be ignored: a key that is no resource id of ``graph`` (with the closest
    id), a value that is not a mapping (a list of them for an external collection), or a field the resource's kind
    does not have (for typed kinds, with the closest field); ``where`` names the source (e.g. the --observed file)."""
    if not isinstance(observed, dict):
        raise ValidationError("observed values must be a mapping of resource ids", where=where, fix="id: {...}")
    ids = graph.ids
    for rid, value in observed.items():
        at = f"{where}: {rid}" if where else f"observed.{rid}"
        if rid not in ids:
            hint = did_you_mean(str(rid), ids).strip() or f"The graph's ids: {', '.join(ids)}."
            raise ValidationError(f"{rid!r} is not a resource id of {graph.kind}", where=at, fix=hint)
        res = graph.resource(rid)
        items = value if isinstance(value, list) and res.is_external_collection else [value]
        for index, item in enumerate(items):
            here = f"{at}[{index}]" if items is value else at
            if not isinstance(item, dict):
                raise ValidationError(
                    f"the observed value of {rid!r} must be a mapping of the object's fields, not "
                    f"{type(item).__name__}",
                    where=here,
                    fix="E.g. spec: {clusterIP: 10.96.0.10}.",
                )
            check_fields(res.api_version, res.kind, item, here)


def check_fields(api_version: str, kind: str, value: dict[str, Any], where: str) -> None:
    """Refuse a field (at any depth) that a ``kind`` object cannot have, with the closest one; untyped kinds pass.
    ``where`` is the YAML path of ``value`` (or ``FILE:`` for a whole object)."""
    root = kind_schema(api_version, kind)
    if root is not None:
        _check_fields(root, node(root), value, (), where, kind)


def _check_fields(root: Any, schema: Any, value: Any, path: tuple[Step, ...], where: str, kind: str) -> None:
    """An unknown field anywhere in ``value`` (at ``path`` of a ``kind`` object) -> ValidationError."""
    steps = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for step, item in steps:
        below = child(schema, step)
        here = (*path, step)
        if below is None:
            siblings = sorted(schema.get("properties") or {}) if isinstance(step, str) else []
            raise ValidationError(
                f"{kind} has no field {path_text(here)}",
                where=f"{where}{' ' if where.endswith(':') else '.'}{path_text(here)}",
                fix=fix_for(root, path, str(step), siblings) or "Remove it.",
            )
        if below:
            _check_fields(root, below, item, here, where, kind)


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
    paths: list[Path] = []
    for index, obj in enumerate(objects, start=1):
        meta = obj.get("metadata") or {}
        stem = f"{index:02d}-{str(obj.get('kind', 'object')).lower()}-{meta.get('name', 'unnamed')}"
        paths.append(out / (re.sub(r"[^A-Za-z0-9_.-]+", "-", stem) + ".yaml"))
    check_stale(out, [p.name for p in paths], "kubectl apply -f")
    out.mkdir(parents=True, exist_ok=True)
    for path, obj in zip(paths, objects, strict=True):
        path.write_text(yamlio.dump(obj), encoding="utf-8")
    return paths
