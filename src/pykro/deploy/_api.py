"""`Cluster`: the deploy engine's view of an API server, on lightkube's async client. Objects are plain dicts (every
kind goes through unregistered generic resource classes, so nothing is lost in model conversion); kinds are
resolved from lightkube's built-in table or the cluster's CRDs; every call is retried per `RetryPolicy` and every
refusal becomes a one-paragraph `DeployError` naming the verb and the resource."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import httpx2
from lightkube import AsyncClient
from lightkube.config.client_adapter import verify_cluster
from lightkube.config.kubeconfig import SingleConfig
from lightkube.core import resource as lk_resource
from lightkube.core.exceptions import ApiError, ConfigError, LoadResourceError
from lightkube.core.resource_registry import resource_registry
from lightkube.generic_resource import (
    Generic,
    GenericGlobalResource,
    GenericNamespacedResource,
    create_api_info,
)
from lightkube.types import CascadeType, OnErrorAction, OnErrorResult, PatchType

from pykro._kube import ResourceType as ResourceType  # the deploy modules' name for it
from pykro.deploy import _inventory as inventory
from pykro.deploy._errors import ApiFailure, ClusterUnreachable, DeployError
from pykro.deploy._kubeconfig import load as load_kubeconfig
from pykro.deploy._names import check_namespace, check_segment
from pykro.deploy._retry import RetryPolicy, call, retry_after, retryable, status_code
from pykro.deploy._transport import KubeTransport, fast_transport

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
_CLASSES: dict[ResourceType, type[Any]] = {}


def _lk_class(rt: ResourceType) -> type[Any]:
    """An unregistered lightkube generic resource class for ``rt`` (objects stay plain dicts)."""
    cls = _CLASSES.get(rt)
    if cls is None:
        group, _, version = rt.api_version.rpartition("/")
        base = GenericNamespacedResource if rt.namespaced else GenericGlobalResource
        cls = type(rt.kind, (base,), {"_api_info": create_api_info(group, version, rt.kind, rt.plural)})
        _CLASSES[rt] = cls
    return cls


def _plain(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict) and not isinstance(obj, Generic):
        return obj
    out: dict[str, Any] = cast(Any, obj).to_dict()
    return dict(out)


def _builtin(api_version: str, kind: str) -> ResourceType | None:
    try:
        cls = resource_registry.load(api_version, kind)
    except (LoadResourceError, ImportError, ValueError):
        return None
    if issubclass(cls, Generic):
        return None
    info = cls._api_info
    return ResourceType.of(api_version, kind, info.plural, issubclass(cls, lk_resource.NamespacedResource))


def _transport(single: SingleConfig) -> KubeTransport | None:
    """pykro's own HTTP/1.1 transport (see `pykro.deploy._transport`), with the TLS context lightkube would use;
    None (httpx2's transport) behind a proxy or when the kubeconfig names no user (lightkube refuses it itself)."""
    if single.user is None:
        return None
    server = str(single.cluster.server)
    verify = verify_cluster(single.cluster, single.user, single.abs_file) if server.startswith("https:") else None
    return fast_transport(server, verify)


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
        single = load_kubeconfig(kubeconfig, context)
        self.server = str(single.cluster.server)
        self.context = single.context_name
        self.namespace = check_namespace(namespace or single.namespace or "default")
        self.retry = retry or RetryPolicy()
        self.rng = random.Random(self.retry.seed)
        self.field_manager = field_manager
        self.transport: KubeTransport | None = None  # pykro's HTTP transport, None when httpx2's is used
        try:
            self.transport = _transport(single)
            self.client = AsyncClient(
                config=single, namespace=self.namespace, field_manager=field_manager, transport=self.transport
            )
        except (ConfigError, OSError, ValueError) as exc:  # certificate files missing or unreadable, bad PEM
            detail = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) and exc.filename else str(exc)
            raise ClusterUnreachable(
                f"no usable kubeconfig: cannot set up TLS for context {self.context!r}: {detail}",
                where=str(single.fname or kubeconfig or "kubeconfig"),
                fix="Fix the certificate paths or data in the kubeconfig, or pass another --kubeconfig/--context.",
            ) from None
        self._types: dict[tuple[str, str], ResourceType] = {}
        self._crds: dict[tuple[str, str], ResourceType] | None = None
        self.writes = 0
        self.namespaces: set[str] = set()  # namespaces seen to exist (see `reachable`)

    async def close(self) -> None:
        await self.client.close()

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
        if name is not None:  # lightkube puts both in the URL as they are
            check_segment(name, f"{rt.kind} name")
        if ns is not None and ns != "*":
            check_segment(ns, "namespace")
        try:
            return await call(fn, retry or self.retry, self.rng)
        except (httpx2.HTTPError, OSError) as exc:
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
        message = str(exc.status.message) if isinstance(exc, ApiError) and exc.status.message else str(exc)
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
    async def get(
        self, rt: ResourceType, name: str, namespace: str | None = None, *, retry: RetryPolicy | None = None
    ) -> dict[str, Any] | None:
        """The object, or None when it does not exist (``retry``: another policy than the connection's)."""
        ns = namespace if rt.namespaced else None

        async def fn() -> dict[str, Any] | None:
            try:
                return _plain(await self.client.get(_lk_class(rt), name, namespace=ns))
            except ApiError as exc:
                if exc.status.code == 404:
                    return None
                raise

        return await self._call(fn, "get", rt, name, ns, retry)

    async def list(
        self, rt: ResourceType, namespace: str | None = None, labels: dict[str, str] | None = None
    ) -> tuple[list[dict[str, Any]], str]:
        """Objects (all namespaces when ``namespace`` is None) and the list's resourceVersion."""
        ns = (namespace or "*") if rt.namespaced else None

        async def fn() -> tuple[list[dict[str, Any]], str]:
            result = self.client.list(_lk_class(rt), namespace=ns, labels=cast(Any, labels or None))
            items = [_plain(obj) async for obj in result]
            for item in items:  # the API server leaves apiVersion/kind out of list items
                item.setdefault("apiVersion", rt.api_version)
                item.setdefault("kind", rt.kind)
            return items, str(result.resourceVersion or "")

        return await self._call(fn, "list", rt, None, namespace)

    async def apply(
        self, rt: ResourceType, obj: dict[str, Any], *, force: bool = False, dry_run: bool = False
    ) -> dict[str, Any]:
        """Server-side apply with pykro's field manager."""
        meta = obj.get("metadata") or {}
        name, ns = str(meta.get("name", "")), meta.get("namespace") if rt.namespaced else None

        async def fn() -> dict[str, Any]:
            out = await self.client.patch(
                _lk_class(rt),
                name,
                obj,
                namespace=ns,
                patch_type=PatchType.APPLY,
                field_manager=self.field_manager,
                force=force,
                dry_run=dry_run,
            )
            return _plain(out)

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
        name, ns = str(meta.get("name", "")), meta.get("namespace") if rt.namespaced else None
        write = self.client.create if verb == "create" else self.client.replace

        async def fn() -> dict[str, Any]:
            return _plain(await write(_lk_class(rt)(obj)))

        self.writes += 1
        return await self._call(fn, verb, rt, name, ns)

    async def merge_patch(self, rt: ResourceType, name: str, namespace: str | None, patch: dict[str, Any]) -> None:
        ns = namespace if rt.namespaced else None

        async def fn() -> None:
            await self.client.patch(_lk_class(rt), name, patch, namespace=ns, patch_type=PatchType.MERGE)

        self.writes += 1
        await self._call(fn, "patch", rt, name, ns)

    async def delete(self, rt: ResourceType, name: str, namespace: str | None = None) -> bool:
        """Delete (background propagation); False when it was already gone."""
        ns = namespace if rt.namespaced else None

        async def fn() -> bool:
            try:
                await self.client.delete(_lk_class(rt), name, namespace=ns, cascade=CascadeType.BACKGROUND)
            except ApiError as exc:
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
        """Watch events from ``resource_version`` on; lightkube resumes dropped streams, retryable errors back off."""
        ns = (namespace or "*") if rt.namespaced else None
        if ns is not None and ns != "*":
            check_segment(ns, "namespace")

        def on_error(exc: Exception, count: int) -> OnErrorResult:
            if status_code(exc) == 410 or retryable(exc):
                if count > self.retry.attempts:
                    return OnErrorResult(OnErrorAction.RAISE)
                return OnErrorResult(OnErrorAction.RETRY, self.retry.delay(count, retry_after(exc), self.rng))
            return OnErrorResult(OnErrorAction.RAISE)

        async def events() -> AsyncIterator[tuple[str, dict[str, Any]]]:
            stream = self.client.watch(
                _lk_class(rt),
                namespace=ns,
                labels=cast(Any, labels or None),
                fields=cast(Any, fields or None),
                resource_version=resource_version,
                on_error=on_error,
            )
            async for kind, obj in stream:
                yield kind, _plain(obj)

        return events()

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
