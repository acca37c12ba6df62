"""The scale subresource (autoscaling/v1 Scale) of the kinds that have one, built-in or custom."""

from __future__ import annotations

import copy
from typing import Any

from pykro._kube import ResourceType
from pykro.emulator._engine.base import WriteOptions
from pykro.emulator._engine.writes import Writes
from pykro.emulator._status import StatusError

__all__ = ["Scaling"]


class Scaling(Writes):
    """GET, PUT and PATCH of `/scale`: the replicas of the object, read and written at its scale paths."""

    def _scale_of(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        if not rt.scale:
            raise StatusError.not_found(f"{rt.plural}/scale", rt.group, obj["metadata"]["name"])
        spec_path, status_path, selector_path = rt.scale_paths
        meta = obj["metadata"]
        scale: dict[str, Any] = {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta
            },
            "spec": {"replicas": _get_path(obj, spec_path) or 0},
            "status": {"replicas": _get_path(obj, status_path) or 0},
        }
        if selector_path:
            selector = _get_path(obj, selector_path)
            if selector:
                scale["status"]["selector"] = selector
        elif rt.crd is None:
            match = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
            if match:
                scale["status"]["selector"] = ",".join(f"{k}={v}" for k, v in match.items())
        return scale

    def get_scale(self, rt: ResourceType, ns: str | None, name: str) -> dict[str, Any]:
        return self._scale_of(rt, self.get(rt, ns, name))

    def _update_scale(
        self, rt: ResourceType, ns: str | None, name: str, scale: Any, opts: WriteOptions
    ) -> dict[str, Any]:
        old = self.get(rt, ns, name)
        if not rt.scale:
            raise StatusError.not_found(f"{rt.plural}/scale", rt.group, name)
        replicas = ((scale or {}).get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            raise StatusError.invalid(
                "Scale",
                "autoscaling",
                name,
                [
                    (
                        "spec.replicas",
                        "FieldValueInvalid",
                        f"spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0",
                    )
                ],
            )
        self._check_fresh(rt, old, (scale or {}).get("metadata") or {}, name)
        new = copy.deepcopy(old)
        _set_path(new, rt.scale_paths[0], replicas)
        stored = self._replace(rt, self.store.get(rt.key, self._ns(rt, ns), name) or old, new, opts, None)
        return self._scale_of(rt, stored)


def _get_path(obj: dict[str, Any], path: str) -> Any:
    cur: Any = obj
    for seg in path.strip(".").split("."):
        cur = cur.get(seg) if isinstance(cur, dict) else None
    return cur


def _set_path(obj: dict[str, Any], path: str, value: Any) -> None:
    segs = path.strip(".").split(".")
    cur = obj
    for seg in segs[:-1]:
        cur = cur.setdefault(seg, {})
    cur[segs[-1]] = value
