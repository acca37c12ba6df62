"""`Cluster`: the deploy engine's view of an API server: JSON over HTTP/1.1 (see `pykro.deploy._client` for how a
kubeconfig context is reached). Objects are plain dicts, so nothing is lost in model conversion; kinds are resolved
from pykro's table of built-in kinds (`pykro.schema._kubernetes`) or the cluster's CRDs; every call is retried per
`RetryPolicy` and every refusal becomes a one-paragraph `DeployError` naming the verb and the resource."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

from pykro._kube import ResourceType as ResourceType  # the deploy modules' name for it
from pykro.deploy import _inventory as inventory
from pykro.deploy import _transport as http
from pykro.deploy._client import Connection
from pykro.deploy._errors import ApiFailure, ClusterUnreachable, DeployError
from pykro.deploy._kubeconfig import load as load_kubeconfig
from pykro.deploy._names import check_namespace, check_segment
from pykro.deploy._retry import RetryPolicy, call, status_code
from pykro.schema import _kubernetes as k8s

__all__ = [
    "CONFIGMAP_TYPE",
    "CRD_TYPE",
    "EVENT_TYPE",
    "LEASE_TYPE",
    "NAMESPACE_TYPE",
    "SECRET_TYPE",
    "Cluster",
    "ResourceType",
]

T = TypeVar("T")


CRD_TYPE = ResourceType.of("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", False)
NAMESPACE_TYPE = ResourceType.of("v1", "Namespace", "namespaces", False)
CONFIGMAP_TYPE = ResourceType.of("v1", "ConfigMap", "configmaps", True)
SECRET_TYPE = ResourceType.of("v1", "Secret", "secrets", True)
EVENT_TYPE = ResourceType.of("v1", "Event", "events", True)
LEASE_TYPE = ResourceType.of("coordination.k8s.io/v1", "Lease", "leases", True)
APPLY = "application/apply-patch+yaml"
MERGE_PATCH = "application/merge-patch+json"


def _builtin(api_version: str, kind: str) -> ResourceType | None:
    """A built-in kind of the Kubernetes version pykro's schemas come from."""
    info = k8s.resource_for(api_version, kind)
    return None if info is None else ResourceType.of(api_version, kind, info.plural, info.namespaced)


def _selector(pairs: dict[str, str] | None) -> str | None:
    return ",".join(f"{k}={v}" for k, v in pairs.items()) if pairs else None


def _identity(rt: ResourceType, name: str | None, namespace: str | None) -> str:
    where = f" in namespace {namespace!r}" if namespace and rt.namespaced else ""
    return f"{rt.kind} {name!r}{where}" if name else f"{rt.description}{where}"


class Cluster:
    """An API server reached through a kubeconfig (``kubeconfig`` path or the environment's, ``context``)."""

    def __init__(
        self,
        *,
        kubeconfig: str | Path | None = None,
        context: str | None = None,
        namespace: str | None = None,
        retry: RetryPolicy | None = None,
        field_manager: str = inventory.FIELD_MANAGER,
    ) -> None:
        settings = load_kubeconfig(kubeconfig, context)
        self.server = settings.server
        self.context = settings.context_name
        self.namespace = check_namespace(namespace or settings.namespace or "default")
        self.retry = retry or RetryPolicy()
        self.rng = random.Random(self.retry.seed)
        self.field_manager = field_manager
        try:
            self.http = Connection(settings, field_manager)
        except (OSError, ValueError) as exc:  # certificate files missing or unreadable, bad PEM, lightkube refusing
            detail = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) and exc.filename else str(exc)
            raise ClusterUnreachable(
                f"no usable kubeconfig: cannot set up TLS for context {self.context!r}: {detail}",
                where=str(settings.fname or kubeconfig or "kubeconfig"),
                fix="Fix the certificate paths or data in the kubeconfig, or pass another --kubeconfig/--context.",
            ) from None
        self.transport = self.http.transport  # pykro's HTTP transport, None when lightkube's httpx client sends
        self._types: dict[tuple[str, str], ResourceType] = {}
        self._crds: dict[tuple[str, str], ResourceType] | None = None
        self.writes = 0
        self.namespaces: set[str] = set()  # namespaces seen to exist (see `reachable`)

    async def close(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Cluster:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------------------------------ calls and errors
    async def _call(
        self,
        fn: Callable[[], Awaitable[T]],
        verb: str,
        rt: ResourceType,
        name: str | None,
        ns: str | None,
        retry: RetryPolicy | None = None,
    ) -> T:
        if name is not None:  # both go in the URL as they are
            check_segment(name, f"{rt.kind} name")
        if ns is not None and ns != "*":
            check_segment(ns, "namespace")
        try:
            return await call(fn, retry or self.retry, self.rng)
        except (http.HTTPError, OSError) as exc:
            raise self.failure(exc, verb, rt, name, ns) from exc

    def failure(self, exc: BaseException, verb: str, rt: ResourceType, name: str | None, ns: str | None) -> DeployError:
        """The one-paragraph error for a failed request."""
        code = status_code(exc)
        target = _identity(rt, name, ns)
        if code is None:
            return ClusterUnreachable(
                f"cannot reach the API server at {self.server} ({type(exc).__name__}: {exc}) while trying to "
                f"{verb} {target}",
                where=f"context {self.context}",
                fix="Check that the cluster is running and the kubeconfig points at it (or use --local).",
            )
        message = str(exc.status.message) if isinstance(exc, http.ApiError) and exc.status.message else str(exc)
        if code == 401:
            fix = "Refresh your credentials (the kubeconfig's token or certificate was rejected)."
        elif code == 403:
            return ApiFailure(
                f"forbidden: cannot {verb} {target} ({rt.description}): {message}",
                code=code,
                where=f"context {self.context}",
                fix=f"Ask for RBAC permission to {verb} {rt.description}, or use another --context.",
            )
        elif code == 409 and verb == "apply":
            fix = "Another field manager owns these fields: re-run with --force-conflicts to take them over."
        elif code == 422:
            fix = "Fix the template or the spec value that produced this field."
        elif code in (429, 500, 502, 503, 504):
            fix = f"The server kept failing after {self.retry.attempts} attempts; try again later."
        else:
            fix = "See the server's message above."
        return ApiFailure(f"cannot {verb} {target}: HTTP {code}: {message}", code=code, fix=fix)

    # ------------------------------------------------------------------------------------------ kinds
    async def resolve(self, api_version: str, kind: str) -> ResourceType:
        """The resource type of a kind, or a DeployError when the cluster does not serve it (missing CRD)."""
        found = await self.find_type(api_version, kind)
        if found is None:
            raise DeployError(
                f"the cluster does not serve {kind} ({api_version}): no built-in kind or CustomResourceDefinition "
                "defines it",
                where=f"context {self.context}",
                fix="Install the CRD (or the operator that provides it) before deploying.",
            )
        return found

    async def find_type(self, api_version: str, kind: str, *, refresh: bool = False) -> ResourceType | None:
        key = (api_version, kind)
        if key in self._types:
            return self._types[key]
        found = _builtin(api_version, kind)
        if found is None:
            if self._crds is None or refresh:
                self._crds = await self._load_crds()
            found = self._crds.get(key)
        if found is not None:
            self._types[key] = found
        return found

    async def _load_crds(self) -> dict[tuple[str, str], ResourceType]:
        out: dict[tuple[str, str], ResourceType] = {}
        for crd in (await self.list(CRD_TYPE))[0]:
            spec = crd.get("spec") or {}
            names = spec.get("names") or {}
            for version in spec.get("versions") or []:
                if not version.get("served", True):
                    continue
                api_version = f"{spec.get('group')}/{version.get('name')}"
                rt = ResourceType.of(
                    api_version, str(names.get("kind")), str(names.get("plural")), spec.get("scope") != "Cluster"
                )
                out[(api_version, rt.kind)] = rt
        return out

    def type_of_crd(self, crd: dict[str, Any]) -> list[ResourceType]:
        """The resource types a CRD object defines (registered so later resolution needs no lookup)."""
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        found = []
        for version in spec.get("versions") or []:
            api_version = f"{spec.get('group')}/{version.get('name')}"
            rt = ResourceType.of(
                api_version, str(names.get("kind")), str(names.get("plural")), spec.get("scope") != "Cluster"
            )
            self._types[(api_version, rt.kind)] = rt
            found.append(rt)
        return found

    # ------------------------------------------------------------------------------------------ verbs
    def _where(self, rt: ResourceType, namespace: str | None) -> str | None:
        """The namespace of a namespaced type's object (the connection's when None), None for cluster-scoped."""
        return (namespace or self.namespace) if rt.namespaced else None

    async def get(
        self, rt: ResourceType, name: str, namespace: str | None = None, *, retry: RetryPolicy | None = None
    ) -> dict[str, Any] | None:
        """The object, or None when it does not exist (``retry``: another policy than the connection's)."""
        ns = self._where(rt, namespace)

        async def fn() -> dict[str, Any] | None:
            try:
                found: dict[str, Any] = await self.http.json("GET", self.http.path(rt, ns, name))
            except http.ApiError as exc:
                if exc.status.code == 404:
                    return None
                raise
            return found

        return await self._call(fn, "get", rt, name, ns, retry)

    async def list(
        self, rt: ResourceType, namespace: str | None = None, labels: dict[str, str] | None = None
    ) -> tuple[list[dict[str, Any]], str]:
        """Objects (all namespaces when ``namespace`` is None) and the list's resourceVersion."""
        ns = namespace if rt.namespaced else None

        async def fn() -> tuple[list[dict[str, Any]], str]:
            items: list[dict[str, Any]] = []
            params: dict[str, str | None] = {"labelSelector": _selector(labels)}
            while True:  # pages, when the server splits the list
                page = await self.http.json("GET", self.http.path(rt, ns), params) or {}
                meta = page.get("metadata") or {}
                items += page.get("items") or []
                if not meta.get("continue"):
                    break
                params["continue"] = str(meta["continue"])
            for item in items:  # the API server leaves apiVersion/kind out of list items
                item.setdefault("apiVersion", rt.api_version)
                item.setdefault("kind", rt.kind)
            return items, str(meta.get("resourceVersion") or "")

        return await self._call(fn, "list", rt, None, namespace)

    async def apply(
        self, rt: ResourceType, obj: dict[str, Any], *, force: bool = False, dry_run: bool = False
    ) -> dict[str, Any]:
        """Server-side apply with pykro's field manager."""
        meta = obj.get("metadata") or {}
        name, ns = str(meta.get("name", "")), self._where(rt, meta.get("namespace"))
        params = self.http.write_params(force="true" if force else None, dryRun="All" if dry_run else None)

        async def fn() -> dict[str, Any]:
            out: dict[str, Any] = await self.http.json(
                "PATCH", self.http.path(rt, ns, name), params, body=obj, content_type=APPLY
            )
            return out

        if not dry_run:
            self.writes += 1
        return await self._call(fn, "apply" if not dry_run else "dry-run apply", rt, name, ns)

    async def create(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        """Create ``obj`` (an ApiFailure with code 409 when it already exists)."""
        return await self._write_whole(rt, obj, "create")

    async def replace(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        """Replace ``obj``; its metadata.resourceVersion makes this optimistic (ApiFailure 409 when stale)."""
        return await self._write_whole(rt, obj, "replace")

    async def _write_whole(
        self, rt: ResourceType, obj: dict[str, Any], verb: Literal["create", "replace"]
    ) -> dict[str, Any]:
        meta = obj.get("metadata") or {}
        name, ns = str(meta.get("name", "")), self._where(rt, meta.get("namespace"))
        body = {"apiVersion": rt.api_version, "kind": rt.kind, **obj}

        async def fn() -> dict[str, Any]:
            if verb == "create":
                out: dict[str, Any] = await self.http.json(
                    "POST", self.http.path(rt, ns), self.http.write_params(), body=body
                )
            else:
                out = await self.http.json("PUT", self.http.path(rt, ns, name), self.http.write_params(), body=body)
            return out

        self.writes += 1
        return await self._call(fn, verb, rt, name, ns)

    async def merge_patch(self, rt: ResourceType, name: str, namespace: str | None, patch: dict[str, Any]) -> None:
        ns = self._where(rt, namespace)

        async def fn() -> None:
            await self.http.json(
                "PATCH", self.http.path(rt, ns, name), self.http.write_params(), body=patch, content_type=MERGE_PATCH
            )

        self.writes += 1
        await self._call(fn, "patch", rt, name, ns)

    async def delete(self, rt: ResourceType, name: str, namespace: str | None = None) -> bool:
        """Delete (background propagation); False when it was already gone."""
        ns = self._where(rt, namespace)

        async def fn() -> bool:
            try:
                answer = await self.http.send(
                    "DELETE", self.http.path(rt, ns, name), {"propagationPolicy": "Background"}
                )
                await answer.aread()
            except http.ApiError as exc:
                if exc.status.code == 404:
                    return False
                raise
            return True

        self.writes += 1
        return await self._call(fn, "delete", rt, name, ns)

    def watch(
        self,
        rt: ResourceType,
        namespace: str | None,
        labels: dict[str, str] | None,
        resource_version: str | None,
        fields: dict[str, str] | None = None,
    ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Watch events from ``resource_version`` on (resumed and retried: see `Connection.stream`)."""
        ns = namespace if rt.namespaced else None
        if ns is not None:
            check_segment(ns, "namespace")
        params = {"watch": "true", "labelSelector": _selector(labels), "fieldSelector": _selector(fields)}
        return self.http.stream(self.http.path(rt, ns), params, resource_version, self.retry, self.rng)

    async def reachable(self, namespace: str) -> bool:
        """Check the API server answers (raises ClusterUnreachable/ApiFailure); True if ``namespace`` exists. A
        namespace this connection has seen exist or written is not read again (a connection shared by many deploys,
        e.g. a hub's sync, reads it once)."""
        if namespace in self.namespaces:
            return True
        quick = RetryPolicy(attempts=min(3, self.retry.attempts), base=self.retry.base, cap=1.0)
        found = await self.get(NAMESPACE_TYPE, namespace, retry=quick) is not None
        if found:
            self.namespaces.add(namespace)
        return found
