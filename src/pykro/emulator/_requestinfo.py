"""Classify an HTTP request to the Kubernetes API the way the apiserver's RequestInfoFactory does: verb, group,
version, resource, subresource, namespace, name (and the kind, when discovery knows it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["APPLY_CONTENT_TYPE", "RequestInfo", "parse_request"]

APPLY_CONTENT_TYPE = "application/apply-patch+yaml"

_NAMESPACE_SUBRESOURCES = ("status", "finalize")

KindResolver = Callable[[str, str, str], str | None]
"""(group, version, resource) -> kind, or None when unknown."""


@dataclass(frozen=True)
class RequestInfo:
    """What a request does, in Kubernetes terms (verbs: get list watch create update patch apply delete
    deletecollection; lower-case HTTP methods for non-resource requests)."""

    verb: str
    group: str
    version: str
    resource: str
    subresource: str | None
    namespace: str | None
    name: str | None
    kind: str | None
    is_resource_request: bool


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("true", "1")


def _non_resource(method: str) -> RequestInfo:
    return RequestInfo(method.lower(), "", "", "", None, None, None, None, False)


def parse_request(
    method: str,
    path: str,
    query: Mapping[str, str],
    content_type: str | None,
    *,
    resolve_kind: KindResolver | None = None,
) -> RequestInfo:
    """Classify one request; `resolve_kind` (the server passes its registry's) names the kind, defaulting to the
    built-in kinds' discovery table."""
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    method = method.upper()
    if not parts or parts[0] not in ("api", "apis"):
        return _non_resource(method)
    if parts[0] == "api":
        if len(parts) < 2:
            return _non_resource(method)
        group, version, rest = "", parts[1], parts[2:]
    else:
        if len(parts) < 3:
            return _non_resource(method)
        group, version, rest = parts[1], parts[2], parts[3:]
    if not rest:
        return _non_resource(method)

    watch = False
    if rest[0] == "watch":  # the deprecated /watch/ path prefix
        watch, rest = True, rest[1:]
        if not rest:
            return _non_resource(method)

    namespace: str | None = None
    if rest[0] == "namespaces" and len(rest) > 1:
        namespace = rest[1]  # also set for the namespace object itself, as the apiserver does
        if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
            rest = rest[2:]

    resource = rest[0]
    name = rest[1] if len(rest) > 1 else None
    subresource = rest[2] if len(rest) > 2 else None

    if method == "GET":
        verb = "watch" if watch or _truthy(query.get("watch")) else ("get" if name else "list")
    elif method == "POST":
        verb = "create"
    elif method == "PUT":
        verb = "update"
    elif method == "PATCH":
        ctype = (content_type or "").split(";", 1)[0].strip().lower()
        verb = "apply" if ctype == APPLY_CONTENT_TYPE else "patch"
    elif method == "DELETE":
        verb = "delete" if name else "deletecollection"
    else:
        verb = method.lower()

    if resolve_kind is None:
        from pykro.emulator._registry import builtin_kind

        resolve_kind = builtin_kind
    kind = resolve_kind(group, version, resource)
    return RequestInfo(verb, group, version, resource, subresource, namespace, name, kind, True)
