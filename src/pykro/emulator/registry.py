"""Resource types the emulator serves: the built-in kinds (a discovery table) plus one type per served version of
each CustomResourceDefinition, and the discovery documents built from them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


@dataclass(frozen=True)
class ResourceType:
    """One served (group, version, resource)."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    status: bool = False
    scale: bool = False
    schema: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    scale_paths: tuple[str, str, str | None] = (".spec.replicas", ".status.replicas", None)
    crd: str | None = None  # name of the CRD serving this type

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def key(self) -> tuple[str, str]:
        """Storage key: one store per (group, plural), shared by all versions."""
        return (self.group, self.plural)


def _t(
    gv: str, kind: str, plural: str, namespaced: bool = True, short: str = "", sub: str = "", cat: str = ""
) -> ResourceType:
    group, _, version = gv.rpartition("/")
    return ResourceType(
        group=group,
        version=version,
        kind=kind,
        plural=plural,
        namespaced=namespaced,
        short_names=tuple(short.split()) if short else (),
        categories=("all",) if cat else (),
        status="status" in sub,
        scale="scale" in sub,
    )


BUILTINS: tuple[ResourceType, ...] = (
    _t("v1", "Namespace", "namespaces", False, "ns", "status"),
    _t("v1", "Pod", "pods", True, "po", "status", "all"),
    _t("v1", "Service", "services", True, "svc", "status", "all"),
    _t("v1", "ConfigMap", "configmaps", True, "cm"),
    _t("v1", "Secret", "secrets"),
    _t("v1", "ServiceAccount", "serviceaccounts", True, "sa"),
    _t("v1", "Event", "events", True, "ev"),
    _t("v1", "Node", "nodes", False, "no", "status"),
    _t("v1", "PersistentVolume", "persistentvolumes", False, "pv", "status"),
    _t("v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, "pvc", "status"),
    _t("v1", "Endpoints", "endpoints", True, "ep"),
    _t("v1", "ReplicationController", "replicationcontrollers", True, "rc", "status scale", "all"),
    _t("v1", "LimitRange", "limitranges", True, "limits"),
    _t("v1", "ResourceQuota", "resourcequotas", True, "quota", "status"),
    _t("apps/v1", "Deployment", "deployments", True, "deploy", "status scale", "all"),
    _t("apps/v1", "StatefulSet", "statefulsets", True, "sts", "status scale", "all"),
    _t("apps/v1", "DaemonSet", "daemonsets", True, "ds", "status", "all"),
    _t("apps/v1", "ReplicaSet", "replicasets", True, "rs", "status scale", "all"),
    _t("apps/v1", "ControllerRevision", "controllerrevisions"),
    _t("batch/v1", "Job", "jobs", True, "", "status", "all"),
    _t("batch/v1", "CronJob", "cronjobs", True, "cj", "status", "all"),
    _t("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True, "hpa", "status", "all"),
    _t("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", True, "pdb", "status"),
    _t("networking.k8s.io/v1", "Ingress", "ingresses", True, "ing", "status"),
    _t("networking.k8s.io/v1", "IngressClass", "ingressclasses", False),
    _t("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", True, "netpol"),
    _t("discovery.k8s.io/v1", "EndpointSlice", "endpointslices"),
    _t("rbac.authorization.k8s.io/v1", "Role", "roles"),
    _t("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings"),
    _t("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", False),
    _t("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", False),
    _t("storage.k8s.io/v1", "StorageClass", "storageclasses", False, "sc"),
    _t("storage.k8s.io/v1", "CSIDriver", "csidrivers", False),
    _t("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", False, "pc"),
    _t("coordination.k8s.io/v1", "Lease", "leases"),
    _t("events.k8s.io/v1", "Event", "events", True, "ev"),
    _t("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", False),
    _t("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", False),
    _t("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", False, "crd crds", "status"),
)

_BUILTIN_BY_GVR = {(t.group, t.version, t.plural): t for t in BUILTINS}


def builtin_kind(group: str, version: str, resource: str) -> str | None:
    """The kind of a built-in (group, version, resource), or None."""
    t = _BUILTIN_BY_GVR.get((group, version, resource))
    return t.kind if t else None


def split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


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

    def versions_of(self, group: str, plural: str) -> list[ResourceType]:
        return [t for t in self._by_gvr.values() if t.group == group and t.plural == plural]

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
                "verbs": VERBS,
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
