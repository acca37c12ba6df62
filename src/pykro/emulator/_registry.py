"""Resource types the emulator serves: the built-in kinds (a discovery table) plus one type per served version of
each CustomResourceDefinition, and the discovery documents built from them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pykro._kube import ResourceType

__all__ = ["BUILTINS", "Registry", "builtin_kind", "version_priority"]

# subresources are not in the schema bundle: the kinds that have them in Kubernetes 1.35
STATUS_KINDS = frozenset(
    {
        "Namespace",
        "Pod",
        "Service",
        "Node",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "ReplicationController",
        "ResourceQuota",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "Job",
        "CronJob",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Ingress",
        "IngressClass",
        "CustomResourceDefinition",
        "APIService",
        "CertificateSigningRequest",
        "FlowSchema",
        "PriorityLevelConfiguration",
        "ServiceCIDR",
        "ValidatingAdmissionPolicy",
        "ResourceClaim",
        "VolumeAttachment",
        "StorageVersionMigration",
    }
)
SCALE_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})


def _builtins() -> tuple[ResourceType, ...]:
    """Every built-in resource of the pinned Kubernetes version (pykro.schema._kubernetes's discovery table)."""
    from pykro.schema._kubernetes import builtin_resources

    return tuple(
        ResourceType(
            group=r.group,
            version=r.version,
            kind=r.kind,
            plural=r.plural,
            namespaced=r.namespaced,
            short_names=r.short_names,
            categories=r.categories,
            status=r.kind in STATUS_KINDS,
            scale=r.kind in SCALE_KINDS,
            verbs=r.verbs,
        )
        for r in builtin_resources()
    )


BUILTINS: tuple[ResourceType, ...] = _builtins()
_BUILTIN_BY_GVR = {(t.group, t.version, t.plural): t for t in BUILTINS}


def builtin_kind(group: str, version: str, resource: str) -> str | None:
    """The kind of a built-in (group, version, resource), or None."""
    t = _BUILTIN_BY_GVR.get((group, version, resource))
    return t.kind if t else None


class Registry:
    """The served resource types, indexed by (group, version, plural) and by (apiVersion, kind)."""

    def __init__(self) -> None:
        self._by_gvr: dict[tuple[str, str, str], ResourceType] = {}
        self._by_gvk: dict[tuple[str, str], ResourceType] = {}
        self.generation = 0  # bumped on every change, for discovery caches
        for t in BUILTINS:
            self._add(t)

    def _add(self, t: ResourceType) -> None:
        self._by_gvr[(t.group, t.version, t.plural)] = t
        self._by_gvk[(t.api_version, t.kind)] = t
        self.generation += 1

    def _remove(self, t: ResourceType) -> None:
        self._by_gvr.pop((t.group, t.version, t.plural), None)
        self._by_gvk.pop((t.api_version, t.kind), None)
        self.generation += 1

    def types(self) -> Iterator[ResourceType]:
        return iter(list(self._by_gvr.values()))

    def by_resource(self, group: str, version: str, resource: str) -> ResourceType | None:
        return self._by_gvr.get((group, version, resource))

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        return self._by_gvk.get((api_version, kind))

    def resolve_kind(self, group: str, version: str, resource: str) -> str | None:
        t = self._by_gvr.get((group, version, resource))
        return t.kind if t else None

    # CRDs ---------------------------------------------------------------------------------------------------
    def serve_crd(self, crd: dict[str, Any]) -> list[ResourceType]:
        """Serve (or re-serve) every `served` version of a CustomResourceDefinition."""
        name = crd["metadata"]["name"]
        self.unserve_crd(name)
        spec = crd.get("spec", {})
        names = spec.get("names", {})
        served: list[ResourceType] = []
        for v in spec.get("versions", []):
            if not v.get("served", True):
                continue
            sub = v.get("subresources") or {}
            scale = sub.get("scale") or {}
            t = ResourceType(
                group=spec.get("group", ""),
                version=v["name"],
                kind=names.get("kind", ""),
                plural=names.get("plural", ""),
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                status="status" in sub,
                scale="scale" in sub,
                schema=(v.get("schema") or {}).get("openAPIV3Schema"),
                printer_columns=v.get("additionalPrinterColumns"),
                scale_paths=(
                    scale.get("specReplicasPath", ".spec.replicas"),
                    scale.get("statusReplicasPath", ".status.replicas"),
                    scale.get("labelSelectorPath"),
                ),
                crd=name,
            )
            self._add(t)
            served.append(t)
        return served

    def unserve_crd(self, name: str) -> None:
        for t in [t for t in self._by_gvr.values() if t.crd == name]:
            self._remove(t)

    # discovery ----------------------------------------------------------------------------------------------
    def group_versions(self) -> dict[str, list[str]]:
        """group -> served versions (preferred first), for non-core groups."""
        out: dict[str, list[str]] = {}
        for t in self._by_gvr.values():
            if t.group and t.version not in out.setdefault(t.group, []):
                out[t.group].append(t.version)
        for versions in out.values():
            versions.sort(key=version_priority, reverse=True)
        return out

    def resource_list(self, group: str, version: str) -> dict[str, Any] | None:
        """The APIResourceList of /api/v1 or /apis/{group}/{version}."""
        types = [t for t in self._by_gvr.values() if t.group == group and t.version == version]
        if not types:
            return None
        resources: list[dict[str, Any]] = []
        for t in sorted(types, key=lambda t: t.plural):
            entry: dict[str, Any] = {
                "name": t.plural,
                "singularName": t.singular,
                "namespaced": t.namespaced,
                "kind": t.kind,
                "verbs": list(t.verbs),
            }
            if t.short_names:
                entry["shortNames"] = list(t.short_names)
            if t.categories:
                entry["categories"] = list(t.categories)
            resources.append(entry)
            if t.status:
                resources.append(
                    {
                        "name": f"{t.plural}/status",
                        "singularName": "",
                        "namespaced": t.namespaced,
                        "kind": t.kind,
                        "verbs": ["get", "patch", "update"],
                    }
                )
            if t.scale:
                resources.append(
                    {
                        "name": f"{t.plural}/scale",
                        "singularName": "",
                        "namespaced": t.namespaced,
                        "group": "autoscaling",
                        "version": "v1",
                        "kind": "Scale",
                        "verbs": ["get", "patch", "update"],
                    }
                )
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": t.api_version, "resources": resources}


def version_priority(version: str) -> tuple[int, int, int]:
    """Kubernetes version ordering: GA > beta > alpha, then by numbers (v2 > v1, v1beta2 > v1beta1)."""
    import re

    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not m:
        return (-1, 0, 0)
    stability = {"alpha": 0, "beta": 1, None: 2}[m.group(2)]
    return (stability, int(m.group(1)), int(m.group(3) or 0))
