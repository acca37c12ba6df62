"""Discovery documents (legacy /api, /apis and APIResourceLists; aggregated discovery apidiscovery.k8s.io/v2 as
kubectl asks for it), /version, and the OpenAPI v3 index and per-group-version documents kubectl reads to learn
that the server validates fields itself (fieldValidation)."""

from __future__ import annotations

import hashlib
import json
import weakref
from typing import Any

from pykro._kube import ResourceType
from pykro.emulator._registry import Registry, version_priority

__all__ = [
    "aggregated",
    "api_group",
    "api_group_list",
    "api_versions",
    "openapi_v2",
    "openapi_v3_doc",
    "openapi_v3_index",
    "version_info",
    "wants_aggregated",
]

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


OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"  # as kube-openapi answers


def openapi_v2(protobuf: bool) -> tuple[bytes, str]:
    """/openapi/v2: a Swagger 2.0 document without definitions (the schemas are served by /openapi/v3). kubectl
    reads it, as gnostic's openapi_v2.Document in protobuf, when a kind is missing from the v3 document (a custom
    resource whose CRD is not installed); it then finds no schema and reports the missing kind itself."""
    title, version = "Kubernetes", KUBERNETES_VERSION[2]
    if not protobuf:
        doc = {"swagger": "2.0", "info": {"title": title, "version": version}, "paths": {}, "definitions": {}}
        return json.dumps(doc).encode(), "application/json"

    def field(number: int, data: bytes) -> bytes:  # a length-delimited field (all of them are short here)
        return bytes([number << 3 | 2, len(data)]) + data

    info = field(1, title.encode()) + field(2, version.encode())
    body = field(1, b"2.0") + field(2, info) + field(8, b"") + field(9, b"")
    return body, OPENAPI_V2_PROTOBUF


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
    x-kubernetes-group-version-kind and the write query parameters) and the kinds' schemas (for `kubectl
    explain`): the Kubernetes definitions for built-ins, the openAPIV3Schema for custom kinds."""
    types = _types_of(registry, group, version)
    if not types:
        return None
    key = (registry.generation, group, version)
    cached = _DOCS.get(registry, {}).get(key)
    if cached is not None:
        return cached
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
        _add_kind_schema(t, ref, schemas)
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION[2]},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    _DOCS.setdefault(registry, {})[key] = doc
    return doc


_DOCS: weakref.WeakKeyDictionary[Registry, dict[tuple[int, str, str], dict[str, Any]]] = weakref.WeakKeyDictionary()
_REF = "#/$defs/"


def _schema_name(t: ResourceType) -> str:
    if t.crd is None:
        from pykro.schema import _kubernetes as kubernetes

        for name, schema in kubernetes.definitions().items():
            for gvk in schema.get("x-kubernetes-group-version-kind") or []:
                if (gvk.get("group"), gvk.get("version"), gvk.get("kind")) == (t.group, t.version, t.kind):
                    return name
    group = ".".join(reversed(t.group.split("."))) if t.group else "core"
    return f"{group}.{t.version}.{t.kind}"


def _add_kind_schema(t: ResourceType, ref: str, schemas: dict[str, Any]) -> None:
    gvk = [{"group": t.group, "version": t.version, "kind": t.kind}]
    if t.crd is not None:
        schemas[ref] = {**(t.schema or {"type": "object"}), "x-kubernetes-group-version-kind": gvk}
        return
    from pykro.schema import _kubernetes as kubernetes

    defs = kubernetes.definitions()
    pending = [ref]
    while pending:
        name = pending.pop()
        if name in schemas or name not in defs:
            continue
        schemas[name] = _openapi(defs[name], pending)
    if ref not in schemas:
        schemas[ref] = {"type": "object", "x-kubernetes-group-version-kind": gvk}


def _openapi(node: Any, refs: list[str]) -> Any:
    """A bundled JSON schema as OpenAPI v3: `$defs` references, single types, int-or-string."""
    if isinstance(node, list):
        return [_openapi(n, refs) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF):
        name = ref[len(_REF) :]
        refs.append(name)
        out: dict[str, Any] = {"allOf": [{"$ref": f"#/components/schemas/{name}"}]}
        if "description" in node:
            out["description"] = node["description"]
        return out
    one_of = node.get("oneOf")
    if isinstance(one_of, list) and {json.dumps(o.get("type")) for o in one_of} == {
        '["string", "null"]',
        '["integer", "null"]',
    }:
        return {"type": "string", "format": "int-or-string", "x-kubernetes-int-or-string": True}
    result: dict[str, Any] = {}
    for k, v in node.items():
        if k == "type" and isinstance(v, list):
            kinds = [x for x in v if x != "null"]
            result[k] = kinds[0] if len(kinds) == 1 else kinds
        elif k in ("properties", "patternProperties"):
            result[k] = {name: _openapi(sub, refs) for name, sub in v.items()}
        else:
            result[k] = _openapi(v, refs)
    return result


def openapi_v3_index(registry: Registry) -> dict[str, Any]:
    """`/openapi/v3`: one entry per served group-version, with a hash that changes when its document does."""
    paths: dict[str, Any] = {}
    by_gv: dict[tuple[str, str], list[ResourceType]] = {}
    for t in registry.types():
        by_gv.setdefault((t.group, t.version), []).append(t)
    for (group, version), types in sorted(by_gv.items()):
        facts = sorted((t.kind, t.plural, t.namespaced, t.schema or {}) for t in types)
        text = json.dumps([KUBERNETES_VERSION, facts], sort_keys=True, default=str)
        digest = hashlib.sha256(text.encode()).hexdigest()[:32].upper()
        path = _gv_path(group, version)
        paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}
