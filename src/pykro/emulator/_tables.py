"""Server-side printing: the `meta.k8s.io/v1` Table that `kubectl get` asks for, with the columns kubectl shows
for the common built-in kinds and a CRD's additionalPrinterColumns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pykro._kube import ResourceType, condition_true

__all__ = ["human_age", "table", "wants_table"]

Row = Callable[[dict[str, Any]], list[Any]]
TABLE_ACCEPT = "as=table"


def wants_table(accept: str) -> bool:
    """True when the Accept header asks for a meta.k8s.io Table first."""
    first = accept.split(",")[0].replace(" ", "").lower()
    return TABLE_ACCEPT in first and "g=meta.k8s.io" in first


def human_age(ts: str | None, now: datetime | None = None) -> str:
    """kubectl's age format (`45s`, `3m20s`, `5h`, `12d`)."""
    if not ts:
        return "<unknown>"
    then = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    s = max(int(((now or datetime.now(UTC)) - then).total_seconds()), 0)
    m, h, d = s // 60, s // 3600, s // 86400
    if s < 120:
        return f"{s}s"
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    if d < 8:
        return f"{d}d{h % 24}h" if h % 24 else f"{d}d"
    return f"{d}d"


def _status(o: dict[str, Any]) -> dict[str, Any]:
    return o.get("status") or {}


def _spec(o: dict[str, Any]) -> dict[str, Any]:
    return o.get("spec") or {}


def _pod(o: dict[str, Any]) -> list[Any]:
    st = _status(o)
    statuses = st.get("containerStatuses") or []
    ready = sum(1 for c in statuses if c.get("ready"))
    total = len(_spec(o).get("containers") or [])
    restarts = sum(int(c.get("restartCount", 0)) for c in statuses)
    phase = "Terminating" if o["metadata"].get("deletionTimestamp") else st.get("phase", "Pending")
    return [f"{ready}/{total}", phase, restarts, st.get("podIP", "<none>"), _spec(o).get("nodeName", "<none>")]


def _deployment(o: dict[str, Any]) -> list[Any]:
    st = _status(o)
    return [
        f"{st.get('readyReplicas', 0)}/{_spec(o).get('replicas', 1)}",
        st.get("updatedReplicas", 0),
        st.get("availableReplicas", 0),
    ]


def _replicaset(o: dict[str, Any]) -> list[Any]:
    st = _status(o)
    return [_spec(o).get("replicas", 1), st.get("replicas", 0), st.get("readyReplicas", 0)]


def _statefulset(o: dict[str, Any]) -> list[Any]:
    return [f"{_status(o).get('readyReplicas', 0)}/{_spec(o).get('replicas', 1)}"]


def _daemonset(o: dict[str, Any]) -> list[Any]:
    st = _status(o)
    return [
        st.get("desiredNumberScheduled", 0),
        st.get("currentNumberScheduled", 0),
        st.get("numberReady", 0),
        st.get("updatedNumberScheduled", 0),
        st.get("numberAvailable", 0),
    ]


def _service(o: dict[str, Any]) -> list[Any]:
    spec = _spec(o)
    ingress = (_status(o).get("loadBalancer") or {}).get("ingress") or []
    external = ",".join(i.get("ip") or i.get("hostname", "") for i in ingress) or (
        "<pending>" if spec.get("type") == "LoadBalancer" else "<none>"
    )
    ports = (
        ",".join(
            f"{p.get('port')}{':' + str(p['nodePort']) if p.get('nodePort') else ''}/{p.get('protocol', 'TCP')}"
            for p in spec.get("ports") or []
        )
        or "<none>"
    )
    return [spec.get("type", "ClusterIP"), spec.get("clusterIP", "<none>"), external, ports]


def _job(o: dict[str, Any]) -> list[Any]:
    st = _status(o)
    state = "Complete" if condition_true(o, "Complete") else "Failed" if condition_true(o, "Failed") else "Running"
    return [state, f"{st.get('succeeded', 0)}/{_spec(o).get('completions', 1)}"]


def _node(o: dict[str, Any]) -> list[Any]:
    info = _status(o).get("nodeInfo") or {}
    return ["Ready" if condition_true(o, "Ready") else "NotReady", "<none>", info.get("kubeletVersion", "")]


def _pvc(o: dict[str, Any]) -> list[Any]:
    st = _status(o)
    return [
        st.get("phase", "Pending"),
        _spec(o).get("volumeName", ""),
        (st.get("capacity") or {}).get("storage", ""),
        ",".join(st.get("accessModes") or []),
        _spec(o).get("storageClassName", "<unset>"),
    ]


_COLUMNS: dict[str, tuple[list[str], Row]] = {
    "Pod": (["Ready", "Status", "Restarts", "IP", "Node"], _pod),
    "Deployment": (["Ready", "Up-to-date", "Available"], _deployment),
    "ReplicaSet": (["Desired", "Current", "Ready"], _replicaset),
    "StatefulSet": (["Ready"], _statefulset),
    "DaemonSet": (["Desired", "Current", "Ready", "Up-to-date", "Available"], _daemonset),
    "Service": (["Type", "Cluster-IP", "External-IP", "Port(s)"], _service),
    "Job": (["Status", "Completions"], _job),
    "Node": (["Status", "Roles", "Version"], _node),
    "PersistentVolumeClaim": (["Status", "Volume", "Capacity", "Access Modes", "StorageClass"], _pvc),
    "Namespace": (["Status"], lambda o: [_status(o).get("phase", "Active")]),
    "ConfigMap": (["Data"], lambda o: [len(o.get("data") or {}) + len(o.get("binaryData") or {})]),
    "Secret": (["Type", "Data"], lambda o: [o.get("type", "Opaque"), len(o.get("data") or {})]),
}
_WIDE = {"IP", "Node"}


def _jsonpath(obj: Any, path: str) -> Any:
    cur = obj
    for seg in path.strip().lstrip(".").split("."):
        if not seg:
            continue
        if "[" in seg and seg.endswith("]"):
            name, _, index = seg[:-1].partition("[")
            cur = cur.get(name) if isinstance(cur, dict) else None
            cur = cur[int(index)] if isinstance(cur, list) and index.isdigit() and int(index) < len(cur) else None
        else:
            cur = cur.get(seg) if isinstance(cur, dict) else None
    return cur


def table(rt: ResourceType, objects: list[dict[str, Any]], resource_version: str, include: str) -> dict[str, Any]:
    """A Table for `objects`; `include` is includeObject (None, Metadata (default) or Object)."""
    names, row = _COLUMNS.get(rt.kind, ([], lambda o: [])) if rt.crd is None else ([], lambda o: [])
    printer = (rt.printer_columns or []) if rt.crd is not None else []
    columns = [{"name": "Name", "type": "string", "format": "name", "description": "Name of the object", "priority": 0}]
    columns += [
        {"name": n, "type": "string", "format": "", "description": n, "priority": 1 if n in _WIDE else 0} for n in names
    ]
    columns += [
        {
            "name": c.get("name", ""),
            "type": c.get("type", "string"),
            "format": c.get("format", ""),
            "description": c.get("description", ""),
            "priority": c.get("priority", 0),
        }
        for c in printer
    ]
    has_age = not any(c.get("type") == "date" and c.get("jsonPath") == ".metadata.creationTimestamp" for c in printer)
    if has_age:
        columns.append({"name": "Age", "type": "string", "format": "", "description": "Age", "priority": 0})
    rows = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        cells: list[Any] = [meta.get("name", ""), *row(obj)]
        for c in printer:
            value = _jsonpath(obj, str(c.get("jsonPath", "")))
            cells.append(human_age(value) if c.get("type") == "date" and isinstance(value, str) else value)
        if has_age:
            cells.append(human_age(meta.get("creationTimestamp")))
        entry: dict[str, Any] = {"cells": cells}
        if include == "Object":
            entry["object"] = obj
        elif include != "None":
            entry["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}
        rows.append(entry)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": columns,
        "rows": rows,
    }
