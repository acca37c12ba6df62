"""parse_request classifies requests like the apiserver's RequestInfoFactory."""

from __future__ import annotations

import pytest

from pykro.emulator._requestinfo import parse_request


@pytest.mark.parametrize(
    ("method", "path", "query", "ctype", "expected"),
    [
        ("GET", "/api/v1/namespaces/ns1/pods", {}, None, ("list", "", "v1", "pods", None, "ns1", None, "Pod")),
        ("GET", "/api/v1/namespaces/ns1/pods/p", {}, None, ("get", "", "v1", "pods", None, "ns1", "p", "Pod")),
        ("GET", "/api/v1/pods", {"watch": "true"}, None, ("watch", "", "v1", "pods", None, None, None, "Pod")),
        ("GET", "/api/v1/watch/namespaces/a/pods", {}, None, ("watch", "", "v1", "pods", None, "a", None, "Pod")),
        (
            "POST",
            "/apis/apps/v1/namespaces/a/deployments",
            {},
            None,
            ("create", "apps", "v1", "deployments", None, "a", None, "Deployment"),
        ),
        (
            "PUT",
            "/apis/apps/v1/namespaces/a/deployments/d/status",
            {},
            None,
            ("update", "apps", "v1", "deployments", "status", "a", "d", "Deployment"),
        ),
        (
            "PATCH",
            "/apis/apps/v1/namespaces/a/deployments/d",
            {},
            "application/apply-patch+yaml",
            ("apply", "apps", "v1", "deployments", None, "a", "d", "Deployment"),
        ),
        (
            "PATCH",
            "/apis/apps/v1/namespaces/a/deployments/d/scale",
            {},
            "application/merge-patch+json",
            ("patch", "apps", "v1", "deployments", "scale", "a", "d", "Deployment"),
        ),
        (
            "DELETE",
            "/api/v1/namespaces/a/configmaps",
            {},
            None,
            ("deletecollection", "", "v1", "configmaps", None, "a", None, "ConfigMap"),
        ),
        ("DELETE", "/api/v1/namespaces/a", {}, None, ("delete", "", "v1", "namespaces", None, "a", "a", "Namespace")),
        (
            "PUT",
            "/api/v1/namespaces/a/finalize",
            {},
            None,
            ("update", "", "v1", "namespaces", "finalize", "a", "a", "Namespace"),
        ),
        (
            "GET",
            "/apis/example.com/v1/widgets",
            {},
            None,
            ("list", "example.com", "v1", "widgets", None, None, None, None),
        ),
    ],
)
def test_resource_requests(
    method: str, path: str, query: dict[str, str], ctype: str | None, expected: tuple[object, ...]
) -> None:
    info = parse_request(method, path, query, ctype)
    assert info.is_resource_request
    got = (info.verb, info.group, info.version, info.resource, info.subresource, info.namespace, info.name, info.kind)
    assert got == expected


@pytest.mark.parametrize("path", ["/version", "/healthz", "/api", "/apis", "/apis/apps/v1", "/api/v1", "/openapi/v3"])
def test_non_resource_requests(path: str) -> None:
    info = parse_request("GET", path, {}, None)
    assert not info.is_resource_request
    assert info.verb == "get"


def test_resolver_names_custom_kinds() -> None:
    info = parse_request("GET", "/apis/example.com/v1/widgets", {}, None, resolve_kind=lambda g, v, r: "Widget")
    assert info.kind == "Widget"
