"""The engine's ground floor: its state (store, registry, random source, cluster IPs), the query options of a write,
type lookups and the reads (get, list with selectors and paging)."""

from __future__ import annotations

import base64
import functools
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pykro._kube import ResourceType, split_api_version
from pykro.emulator import _admission as admission
from pykro.emulator._patch import ListKeys, builtin_list_keys, schema_list_keys
from pykro.emulator._registry import Registry
from pykro.emulator._selectors import fields_match, parse_field_selector, parse_label_selector
from pykro.emulator._status import StatusError
from pykro.emulator._store import Store, TypeKey, dumps

__all__ = ["SYSTEM_NAMESPACES", "EngineBase", "ListResult", "WriteOptions"]

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


@dataclass
class WriteOptions:
    """Query options shared by writes: fieldManager, dryRun=All, fieldValidation=Strict|Warn|Ignore, force."""

    manager: str = "unknown"
    dry_run: bool = False
    field_validation: str = "Warn"
    force: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class ListResult:
    """A list: each item's JSON encoding (the bytes an answer joins) and, decoded on first use, the items."""

    encoded: list[bytes]
    resource_version: str
    continue_token: str | None = None
    remaining: int | None = None

    @functools.cached_property
    def items(self) -> list[dict[str, Any]]:
        """The items, decoded afresh (the caller may keep or change them)."""
        return [json.loads(raw) for raw in self.encoded]


class EngineBase:
    """Cluster state, lookups and reads; the classes above it add writes, scale, deletion and events."""

    def __init__(self, registry: Registry | None = None, store: Store | None = None, seed: int = 0) -> None:
        self.registry = registry or Registry()
        self.store = store or Store()
        self.rng = random.Random(seed)
        self.ips = admission.IPAllocator(seed)
        self._gc_scheduled = False
        self._gone_uids: set[str] = set()
        self._finalizing: set[tuple[TypeKey, str, str]] = set()

    # lookups ----------------------------------------------------------------------------------------------------
    def _type(self, api_version: str, kind: str) -> ResourceType:
        rt = self.registry.by_kind(api_version, kind)
        if rt is None:
            group, _ = split_api_version(api_version)
            raise StatusError(
                404,
                f'the server could not find the requested resource (kind "{kind}" in "{api_version}")',
                "NotFound",
                {"group": group, "kind": kind},
            )
        return rt

    def type_of(self, api_version: str, kind: str) -> ResourceType:
        return self._type(api_version, kind)

    def list_keys(self, rt: ResourceType) -> ListKeys:
        return schema_list_keys(rt.schema) if rt.crd is not None else builtin_list_keys

    @staticmethod
    def _ns(rt: ResourceType, ns: str | None) -> str:
        return (ns or "") if rt.namespaced else ""

    def view(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        """The stored object as seen through `rt`'s version (no conversion, as with strategy None)."""
        if obj.get("apiVersion") == rt.api_version:
            return obj
        return {**obj, "apiVersion": rt.api_version}

    def encode(self, rt: ResourceType, obj: dict[str, Any]) -> bytes:
        """The JSON of `view(rt, obj)`; for a stored object as this engine handed it out, the kept encoding."""
        if obj.get("apiVersion") == rt.api_version:
            meta = obj.get("metadata") or {}
            space = meta.get("namespace", "") if rt.namespaced else ""
            raw = self.store.encoding(rt.key, space, meta.get("name", ""), obj)
            if raw is not None:
                return raw
        return dumps(self.view(rt, obj)).encode()

    def _viewer(self, rt: ResourceType) -> Callable[[bytes], bytes]:
        """Maps a stored encoding to the encoding of its view through `rt` (itself unless the version differs)."""
        prefix = b'{"apiVersion":' + dumps(rt.api_version).encode() + b","

        def as_viewed(raw: bytes) -> bytes:
            if raw.startswith(prefix):
                return raw
            obj = json.loads(raw)
            return raw if obj.get("apiVersion") == rt.api_version else dumps(self.view(rt, obj)).encode()

        return as_viewed

    def encoded(self, rt: ResourceType, ns: str | None, name: str) -> bytes:
        """`encode(rt, get(rt, ns, name))` without decoding the stored object."""
        raw = self.store.raw(rt.key, self._ns(rt, ns), name)
        if raw is None:
            raise StatusError.not_found(rt.plural, rt.group, name)
        return self._viewer(rt)(raw)

    def _stored(self, rt: ResourceType, ns: str | None, name: str) -> dict[str, Any]:
        """The object as stored; 404 when there is none."""
        obj = self.store.get(rt.key, self._ns(rt, ns), name)
        if obj is None:
            raise StatusError.not_found(rt.plural, rt.group, name)
        return obj

    def get(self, rt: ResourceType, ns: str | None, name: str) -> dict[str, Any]:
        return self.view(rt, self._stored(rt, ns, name))

    def find(self, rt: ResourceType, ns: str | None, name: str) -> dict[str, Any] | None:
        obj = self.store.get(rt.key, self._ns(rt, ns), name)
        return None if obj is None else self.view(rt, obj)

    def list(
        self,
        rt: ResourceType,
        ns: str | None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_token: str | None = None,
    ) -> ListResult:
        reqs = parse_label_selector(label_selector)
        freqs = parse_field_selector(field_selector)
        start: tuple[str, str] | None = None
        rv = str(self.store.rv)
        if continue_token:
            try:
                token = json.loads(base64.b64decode(continue_token))
                start, rv = (token["ns"], token["name"]), token["rv"]
            except (ValueError, KeyError, TypeError):
                raise StatusError.bad_request(
                    "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
                ) from None
        table = self.store.tables.get(rt.key)
        items: list[bytes] = []
        next_token: str | None = None
        remaining: int | None = None
        if table is not None:
            scope = self._ns(rt, ns) if rt.namespaced and ns else None
            as_viewed = self._viewer(rt)
            if not (reqs or freqs or start or limit):  # the whole table or namespace, in one sweep
                return ListResult([as_viewed(raw) for raw in table.encodings(scope)], rv)
            named_only = all(r.path in ("metadata.name", "metadata.namespace") for r in freqs)

            def fields_ok(space: str, name: str, raw: bytes) -> bool:
                if not freqs:
                    return True
                obj = {"metadata": {"name": name, "namespace": space}} if named_only else json.loads(raw)
                return fields_match(freqs, obj)

            source = table.select(scope, reqs)
            last: tuple[str, str] | None = None
            for space, name, raw in source:
                if start is not None and (space, name) <= start:
                    continue
                if not fields_ok(space, name, raw):
                    continue
                if limit and last is not None and len(items) >= limit:
                    payload = {"rv": rv, "ns": last[0], "name": last[1]}
                    next_token = base64.b64encode(json.dumps(payload).encode()).decode()
                    remaining = 1 + sum(1 for entry in source if fields_ok(*entry))
                    break
                items.append(as_viewed(raw))
                last = (space, name)
        return ListResult(items, rv, next_token, remaining)

    def _check_namespace(self, rt: ResourceType, ns: str, name: str) -> None:
        if not rt.namespaced:
            return
        if not ns:
            raise StatusError.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        nso = self.store.get(("", "namespaces"), "", ns)
        if nso is None:
            raise StatusError.not_found("namespaces", "", ns)
        if nso["metadata"].get("deletionTimestamp"):
            raise StatusError.forbidden(
                rt.plural,
                rt.group,
                name,
                f"unable to create new content in namespace {ns} because it is being terminated",
            )

    def _check_identity(self, rt: ResourceType, body: dict[str, Any]) -> None:
        if not isinstance(body, dict):
            raise StatusError.bad_request("the body of the request is not a JSON object")
        api_version, kind = body.get("apiVersion"), body.get("kind")
        if api_version and api_version != rt.api_version:
            raise StatusError.bad_request(
                f"the API version in the data ({api_version}) does not match the expected "
                f"API version ({rt.api_version})"
            )
        if kind and kind != rt.kind:
            raise StatusError.bad_request(f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})")

    @staticmethod
    def _check_name(meta: dict[str, Any], name: str) -> None:
        if meta.get("name") and meta["name"] != name:
            raise StatusError.bad_request("the name of the object does not match the name on the URL")

    @staticmethod
    def _check_fresh(rt: ResourceType, old: dict[str, Any], meta: dict[str, Any], name: str) -> None:
        """409 when the write names a resourceVersion other than the stored one (optimistic concurrency)."""
        rv = meta.get("resourceVersion")
        if rv and str(rv) != old["metadata"]["resourceVersion"]:
            raise StatusError.stale(rt.plural, rt.group, name)

    def _uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
