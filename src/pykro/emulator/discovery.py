"""Discovery documents (legacy /api, /apis and APIResourceLists; aggregated discovery apidiscovery.k8s.io/v2 as
kubectl asks for it), /version, and the OpenAPI v3 index and per-group-version documents kubectl reads to learn
that the server validates fields itself (fieldValidation)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pykro.emulator.registry import Registry, ResourceType, version_priority

KUBERNETES_VERSION = ("1", "35", "v1.35.0")
AGGREGATED_TYPES = ("apidiscovery.k8s.io", ("v2", "v2beta1"))


def version_info() -> dict[str, str]:
    major, minor, git = KUBERNETES_VERSION
    return {
        "major": major,
        "minor": minor,
        "gitVersion": f"{git}+pykro",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-12-17T00:00:00Z",
        "goVersion": "go1.25.5",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def api_versions(server_address: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def api_group_list(registry: Registry) -> dict[str, Any]:
    groups = []
    for group, versions in sorted(registry.group_versions().items()):
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        groups.append({"name": group, "versions": entries, "preferredVersion": entries[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(registry: Registry, group: str) -> dict[str, Any] | None:
    versions = registry.group_versions().get(group)
    if not versions:
        return None
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": entries, "preferredVersion": entries[0]}


def wants_aggregated(accept: str) -> str | None:
    """The aggregated discovery version the Accept header asks for first (v2 or v2beta1), if any."""
    for part in accept.split(","):
        params = dict(p.strip().split("=", 1) for p in part.split(";")[1:] if "=" in p)
        if params.get("g") == AGGREGATED_TYPES[0] and params.get("v") in AGGREGATED_TYPES[1]:
            return params["v"]
        if part.split(";")[0].strip() in ("application/json", "*/*") and "g" not in params:
            return None
    return None


def _resource_entry(t: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": t.plural,
        "responseKind": {"group": t.group, "version": t.version, "kind": t.kind},
        "scope": "Namespaced" if t.namespaced else "Cluster",
        "singularResource": t.singular,
        "verbs": list(t.verbs),
    }
    if t.short_names:
        entry["shortNames"] = list(t.short_names)
    if t.categories:
        entry["categories"] = list(t.categories)
    subs = []
    if t.status:
        subs.append(
            {
                "subresource": "status",
                "responseKind": {"group": t.group, "version": t.version, "kind": t.kind},
                "verbs": ["get", "patch", "update"],
            }
        )
    if t.scale:
        subs.append(
            {
                "subresource": "scale",
                "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"},
                "verbs": ["get", "patch", "update"],
            }
        )
    if subs:
        entry["subresources"] = subs
    return entry


def aggregated(registry: Registry, core: bool, version: str) -> dict[str, Any]:
    """APIGroupDiscoveryList for /api (core=True) or /apis."""
    by_group: dict[str, dict[str, list[ResourceType]]] = {}
    for t in registry.types():
        if (t.group == "") == core:
            by_group.setdefault(t.group, {}).setdefault(t.version, []).append(t)
    items = []
    for group in sorted(by_group):
        versions = []
        for v in sorted(by_group[group], key=version_priority, reverse=True):
            resources = [_resource_entry(t) for t in sorted(by_group[group][v], key=lambda t: t.plural)]
            versions.append({"version": v, "resources": resources, "freshness": "Current"})
        meta = {"name": group} if group else {}
        items.append({"metadata": meta, "versions": versions})
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": f"apidiscovery.k8s.io/{version}",
        "metadata": {},
        "items": items,
    }


# OpenAPI v3 ---------------------------------------------------------------------------------------------------
_QUERY_PARAMS = ("dryRun", "fieldManager", "fieldValidation", "force")


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _types_of(registry: Registry, group: str, version: str) -> list[ResourceType]:
    return sorted((t for t in registry.types() if t.group == group and t.version == version), key=lambda t: t.plural)


def openapi_v3_doc(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    """An OpenAPI v3 document for one group-version: the resource paths with their operations (marked with
    x-kubernetes-group-version-kind and the write query parameters) and each kind's schema when known."""
    types = _types_of(registry, group, version)
    if not types:
        return None
    params = [
        {"name": p, "in": "query", "schema": {"type": "string" if p != "force" else "boolean"}, "uniqueItems": True}
        for p in _QUERY_PARAMS
    ]
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    base = "/" + _gv_path(group, version)
    for t in types:
        gvk = {"group": t.group, "version": t.version, "kind": t.kind}
        ext = {"x-kubernetes-group-version-kind": gvk}
        ref = _schema_name(t)
        body = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}
        ok = {"responses": {"200": body}}
        prefix = f"{base}/namespaces/{{namespace}}/{t.plural}" if t.namespaced else f"{base}/{t.plural}"
        paths[prefix] = {
            "get": {**ok, "x-kubernetes-action": "list", **ext},
            "post": {**ok, "requestBody": body, "parameters": params, "x-kubernetes-action": "post", **ext},
        }
        paths[f"{prefix}/{{name}}"] = {
            "get": {**ok, "x-kubernetes-action": "get", **ext},
            "put": {**ok, "requestBody": body, "parameters": params, "x-kubernetes-action": "put", **ext},
            "patch": {**ok, "parameters": params, "x-kubernetes-action": "patch", **ext},
            "delete": {**ok, "x-kubernetes-action": "delete", **ext},
        }
        schemas[ref] = _kind_schema(t)
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION[2]},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _schema_name(t: ResourceType) -> str:
    group = ".".join(reversed(t.group.split("."))) if t.group else "core"
    return f"{group}.{t.version}.{t.kind}"


def _kind_schema(t: ResourceType) -> dict[str, Any]:
    gvk = [{"group": t.group, "version": t.version, "kind": t.kind}]
    if t.schema is not None:
        return {**t.schema, "x-kubernetes-group-version-kind": gvk}
    return {"type": "object", "description": f"{t.kind} ({t.api_version})", "x-kubernetes-group-version-kind": gvk}


def openapi_v3_index(registry: Registry) -> dict[str, Any]:
    """`/openapi/v3`: one entry per served group-version, with a hash that changes when its document does."""
    paths: dict[str, Any] = {}
    gvs = sorted({(t.group, t.version) for t in registry.types()})
    for group, version in gvs:
        doc = openapi_v3_doc(registry, group, version)
        digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32].upper()
        path = _gv_path(group, version)
        paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}
