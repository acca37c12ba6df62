"""The emulated apiserver's operations on the store — create, get, list, update, patch, apply, delete — with
admission, optimistic concurrency, generation, managedFields, finalizers, garbage collection and namespace
lifecycle. HTTP handlers and the in-process ClusterAPI both call this; every method runs on the event loop and
never awaits, so each request is atomic."""

from __future__ import annotations

import asyncio
import base64
import builtins
import copy
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pykro.emulator import admission, validation
from pykro.emulator.apply import apply as ssa_apply
from pykro.emulator.apply import record_update
from pykro.emulator.patch import (
    ListKeys,
    builtin_list_keys,
    json_patch,
    merge_patch,
    schema_list_keys,
    strategic_merge,
)
from pykro.emulator.registry import Registry, ResourceType, split_api_version
from pykro.emulator.selectors import fields_match, parse_field_selector, parse_label_selector
from pykro.emulator.status import StatusError, status_body
from pykro.emulator.store import Store, TypeKey

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_GC_FINALIZERS = ("orphan", "foregroundDeletion")
_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    items: list[dict[str, Any]]
    resource_version: str
    continue_token: str | None = None
    remaining: int | None = None


class Engine:
    """All cluster state and the apiserver's write semantics."""

    def __init__(self, registry: Registry | None = None, store: Store | None = None, seed: int = 0) -> None:
        self.registry = registry or Registry()
        self.store = store or Store()
        self.rng = random.Random(seed)
        self.ips = admission.IPAllocator(seed)
        self._gc_scheduled = False
        self._gone_uids: set[str] = set()
        self._finalizing: set[tuple[TypeKey, str, str]] = set()

    # bootstrap ---------------------------------------------------------------------------------------------------
    def bootstrap(self) -> None:
        """The objects every cluster has: system namespaces, the `kubernetes` service, one node."""
        ns_type = self._type("v1", "Namespace")
        for name in SYSTEM_NAMESPACES:
            if self.store.get(ns_type.key, "", name) is None:
                self.create(ns_type, None, {"metadata": {"name": name}}, WriteOptions(manager="kube-apiserver"))
        svc = self._type("v1", "Service")
        if self.store.get(svc.key, "default", "kubernetes") is None:
            ip = str(self.ips.net.network_address + 1)
            self.ips.used.discard(ip)  # reserved for this service
            body = {
                "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
                "spec": {"clusterIP": ip, "ports": [{"name": "https", "port": 443, "targetPort": 6443}]},
            }
            self.create(svc, "default", body, WriteOptions(manager="kube-apiserver"))

    def restore(self) -> None:
        """Rebuild derived state after objects were loaded into the store (CRDs served, IPs reserved)."""
        crd = self._type("apiextensions.k8s.io/v1", "CustomResourceDefinition")
        svc = self._type("v1", "Service")
        for tkey, obj in list(self.store.all_objects()):
            if tkey == crd.key:
                self.registry.serve_crd(obj)
            elif tkey == svc.key:
                self.ips.restore(obj)

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

    def get(self, rt: ResourceType, ns: str | None, name: str) -> dict[str, Any]:
        obj = self.store.get(rt.key, self._ns(rt, ns), name)
        if obj is None:
            raise StatusError.not_found(rt.plural, rt.group, name)
        return self.view(rt, obj)

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
        items: list[dict[str, Any]] = []
        next_token: str | None = None
        remaining: int | None = None
        if table is not None:
            scope = self._ns(rt, ns) if rt.namespaced and ns else None
            source = table.select(scope, reqs)
            for obj in source:
                meta = obj["metadata"]
                key = (meta.get("namespace", ""), meta["name"])
                if start is not None and key <= start:
                    continue
                if freqs and not fields_match(freqs, obj):
                    continue
                if limit and len(items) >= limit:
                    last = items[-1]["metadata"]
                    payload = {"rv": rv, "ns": last.get("namespace", ""), "name": last["name"]}
                    next_token = base64.b64encode(json.dumps(payload).encode()).decode()
                    remaining = 1 + sum(1 for o in source if not freqs or fields_match(freqs, o))
                    break
                items.append(self.view(rt, obj))
        return ListResult(items, rv, next_token, remaining)

    # writes -----------------------------------------------------------------------------------------------------
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

    def _uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def create(
        self,
        rt: ResourceType,
        ns: str | None,
        body: dict[str, Any],
        opts: WriteOptions,
        managed: builtins.list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """POST; `managed` (from server-side apply) replaces the Update entry the creating manager would get."""
        self._check_identity(rt, body)
        obj = copy.deepcopy(body)
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        obj = {"apiVersion": obj.pop("apiVersion"), "kind": obj.pop("kind"), **obj}
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise StatusError.bad_request("metadata must be an object")
        space = self._ns(rt, ns or meta.get("namespace"))
        if rt.namespaced:
            if meta.get("namespace") and ns and meta["namespace"] != ns:
                raise StatusError.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = space
        else:
            meta.pop("namespace", None)
        if not meta.get("name"):
            if meta.get("generateName"):
                meta["name"] = meta["generateName"] + "".join(self.rng.choice(_NAME_CHARS) for _ in range(5))
            else:
                raise StatusError.invalid(
                    rt.kind,
                    rt.group,
                    "",
                    [
                        (
                            "metadata.name",
                            "FieldValueRequired",
                            "metadata.name: Required value: name or generateName is required",
                        )
                    ],
                )
        name = meta["name"]
        self._check_namespace(rt, space, name)
        admission.decodable(rt, obj)  # the apiserver decodes (400) and validates (422) before it finds a twin (409)
        for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"):
            meta.pop(k, None)
        meta["uid"] = self._uid()
        meta["creationTimestamp"] = now()
        meta["generation"] = 1
        if rt.status and rt.crd is not None:
            obj.pop("status", None)
        obj = self._admit(rt, obj, None, opts, None)
        if managed is not None:
            obj["metadata"]["managedFields"] = managed
        else:
            record_update(None, obj, opts.manager, self.list_keys(rt))
        return self._store(rt, obj, opts)

    def _admit(
        self,
        rt: ResourceType,
        obj: dict[str, Any],
        old: dict[str, Any] | None,
        opts: WriteOptions,
        subresource: str | None,
    ) -> dict[str, Any]:
        """Defaults, pruning, validation and the per-kind rules; returns the object to store."""
        name = obj["metadata"]["name"]
        admission.decodable(rt, obj)
        causes: builtins.list[admission.Cause] = []
        if rt.crd is not None:
            obj, dropped = admission.prune_and_default(rt, obj)
        else:
            admission.builtin_defaults(rt.kind, obj)
            dropped = admission.builtin_unknown_fields(obj)
            for path in dropped:  # unknown fields of built-ins are dropped like the decoder does (even with Ignore)
                _drop(obj, path)
        if dropped and opts.field_validation == "Strict":
            text = ", ".join(f'unknown field "{p}"' for p in dropped)
            raise admission.Undecodable(rt, f"strict decoding error: {text}")
        if dropped and opts.field_validation == "Warn":
            opts.warnings.extend(f'unknown field "{p}"' for p in dropped)
        if rt.crd is not None and rt.schema is not None:
            from pykro.schema import structural

            # metadata is validated on its own; it stays in the body only where the schema declares it (so that
            # a root ``required: [metadata, spec]``, as CloudNativePG's CRDs have, holds as on a real API server)
            skipped = {"apiVersion", "kind", "metadata"} - set(rt.schema.get("properties") or {})
            body = {k: v for k, v in obj.items() if k not in skipped}
            old_body = {k: v for k, v in old.items() if k not in skipped} if old else None
            found = (
                structural.validate(rt.schema, body, old=old_body)
                if old_body is not None
                else structural.validate(rt.schema, body)
            )
            causes += [(c.field, c.reason, c.message) for c in found]
        elif rt.crd is None:
            causes += admission.schema_causes(rt, obj, typed_only=validation.has_rules(rt.kind, rt.group))
        causes = admission.merge_causes(causes, validation.validate(rt.kind, rt.group, obj, old))
        if rt.kind == "CustomResourceDefinition" and rt.group == "apiextensions.k8s.io":
            causes += admission.crd_causes(obj)
        if causes:
            raise StatusError.invalid(rt.kind, rt.group, name, causes)
        if old is None and self.store.get(rt.key, obj["metadata"].get("namespace", ""), name) is not None:
            raise StatusError.already_exists(rt.plural, rt.group, name)
        if rt.group == "" and rt.kind == "Service":
            admission.service_admission(obj, old, self.ips, opts.dry_run)
        elif rt.group == "" and rt.kind == "Namespace":
            admission.namespace_status(obj)
        elif rt.kind == "CustomResourceDefinition" and rt.group == "apiextensions.k8s.io":
            admission.crd_defaults_and_status(obj, now())
        return obj

    def _store(self, rt: ResourceType, obj: dict[str, Any], opts: WriteOptions) -> dict[str, Any]:
        if opts.dry_run:
            return obj
        meta = obj["metadata"]
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            return self._remove(rt, obj)
        self.store.write(rt.key, obj, rt.namespaced)
        if rt.kind == "CustomResourceDefinition" and rt.group == "apiextensions.k8s.io":
            self.registry.serve_crd(obj)
        if meta.get("deletionTimestamp"):
            self._finalizing.add((rt.key, meta.get("namespace", ""), meta["name"]))
            self._schedule_gc()
        return obj

    def _generation(self, rt: ResourceType, old: dict[str, Any], new: dict[str, Any]) -> None:
        ignore = {"metadata", "apiVersion", "kind"} | ({"status"} if rt.status else set())

        def body(o: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in o.items() if k not in ignore}

        gen = old["metadata"].get("generation", 1)
        new["metadata"]["generation"] = gen + 1 if body(old) != body(new) else gen

    def update(
        self,
        rt: ResourceType,
        ns: str | None,
        name: str,
        body: dict[str, Any],
        opts: WriteOptions,
        subresource: str | None = None,
        require_rv: bool = True,
    ) -> dict[str, Any]:
        """PUT: replace the object (or only its status for the status subresource); 409 on a stale
        resourceVersion; custom kinds require one when `require_rv`."""
        if subresource == "scale":
            return self._update_scale(rt, ns, name, body, opts)
        self._check_identity(rt, body)
        space = self._ns(rt, ns)
        old = self.store.get(rt.key, space, name)
        if old is None:
            raise StatusError.not_found(rt.plural, rt.group, name)
        meta_in = body.get("metadata") or {}
        if meta_in.get("name") and meta_in["name"] != name:
            raise StatusError.bad_request("the name of the object does not match the name on the URL")
        rv = meta_in.get("resourceVersion")
        if rv:
            if str(rv) != old["metadata"]["resourceVersion"]:
                raise StatusError.stale(rt.plural, rt.group, name)
        elif require_rv and rt.crd is not None:
            raise StatusError.invalid(
                rt.kind,
                rt.group,
                name,
                [
                    (
                        "metadata.resourceVersion",
                        "FieldValueInvalid",
                        "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update",
                    )
                ],
            )
        return self._replace(rt, old, copy.deepcopy(body), opts, subresource)

    def _replace(
        self, rt: ResourceType, old: dict[str, Any], new: dict[str, Any], opts: WriteOptions, subresource: str | None
    ) -> dict[str, Any]:
        """The common tail of PUT and PATCH: keep server fields, apply subresource rules, admit, store."""
        old_meta = old["metadata"]
        if subresource == "status":
            status = new.get("status")
            new = copy.deepcopy(old)
            if status is None:
                new.pop("status", None)
            else:
                new["status"] = status
        else:
            meta = new.setdefault("metadata", {})
            if not isinstance(meta, dict):
                raise StatusError.bad_request("metadata must be an object")
            for k in (
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "namespace",
                "name",
                "generation",
            ):
                if k in old_meta:
                    meta[k] = old_meta[k]
                else:
                    meta.pop(k, None)
            if rt.status:
                if "status" in old:
                    new["status"] = copy.deepcopy(old["status"])
                else:
                    new.pop("status", None)
            if "managedFields" not in meta and "managedFields" in old_meta:
                meta["managedFields"] = copy.deepcopy(old_meta["managedFields"])
        new["apiVersion"], new["kind"] = rt.api_version, rt.kind
        new = {"apiVersion": new.pop("apiVersion"), "kind": new.pop("kind"), "metadata": new.pop("metadata"), **new}
        new = self._admit(rt, new, old, opts, subresource)
        self._generation(rt, old, new)
        record_update(old, new, opts.manager, self.list_keys(rt), subresource)
        if self._same(old, new):
            return self.view(rt, old)
        return self.view(rt, self._store(rt, new, opts))

    @staticmethod
    def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
        """A write that changes nothing (managedFields times aside) keeps the resourceVersion, as the apiserver."""

        def strip(o: dict[str, Any]) -> dict[str, Any]:
            meta = {k: v for k, v in o["metadata"].items() if k not in ("resourceVersion", "managedFields")}
            mf = [{k: v for k, v in e.items() if k != "time"} for e in o["metadata"].get("managedFields") or []]
            return {**o, "metadata": {**meta, "mf": mf}}

        return strip(old) == strip(new)

    def patch(
        self,
        rt: ResourceType,
        ns: str | None,
        name: str,
        content_type: str,
        patch: Any,
        opts: WriteOptions,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        if subresource == "scale":
            scale = self._scale_of(rt, self.get(rt, ns, name))
            return self._update_scale(rt, ns, name, self._patched(rt, scale, content_type, patch), opts)
        old = self.store.get(rt.key, self._ns(rt, ns), name)
        if old is None:
            raise StatusError.not_found(rt.plural, rt.group, name)
        new = self._patched(rt, self.view(rt, old), content_type, patch)
        if not isinstance(new, dict):
            raise StatusError.bad_request("the patch did not result in an object")
        rv = (new.get("metadata") or {}).get("resourceVersion")
        if rv and str(rv) != old["metadata"]["resourceVersion"]:
            raise StatusError.stale(rt.plural, rt.group, name)
        self._check_identity(rt, new)
        try:
            return self._replace(rt, old, new, opts, subresource)
        except admission.Undecodable as err:
            raise admission.patch_invalid(err, new) from None

    def _patched(self, rt: ResourceType, current: dict[str, Any], content_type: str, patch: Any) -> Any:
        if content_type == MERGE_PATCH:
            return merge_patch(current, patch)
        if content_type == JSON_PATCH:
            return json_patch(current, patch)
        if content_type == STRATEGIC_PATCH and rt.crd is None:
            return strategic_merge(current, patch, self.list_keys(rt))
        raise StatusError(
            415,
            f"the body of the request was in an unknown format - accepted media types include: "
            f"{JSON_PATCH}, {MERGE_PATCH}, application/apply-patch+yaml"
            + ("" if rt.crd is not None else f", {STRATEGIC_PATCH}"),
            "UnsupportedMediaType",
        )

    def apply(
        self,
        rt: ResourceType,
        ns: str | None,
        name: str,
        body: dict[str, Any],
        opts: WriteOptions,
        subresource: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Server-side apply; returns (object, created)."""
        self._check_identity(rt, body)
        if not body.get("apiVersion") or not body.get("kind"):
            raise StatusError.bad_request("apply patches must include apiVersion and kind")
        meta = body.get("metadata") or {}
        if meta.get("name") and meta["name"] != name:
            raise StatusError.bad_request("the name of the object does not match the name on the URL")
        space = self._ns(rt, ns)
        old = self.store.get(rt.key, space, name)
        keys = self.list_keys(rt)
        admission.typed_patch_check(rt, name, body, keys)
        if old is None:
            if subresource:
                raise StatusError.not_found(rt.plural, rt.group, name)
            merged = ssa_apply(
                None, body, opts.manager, opts.force, keys, rt.plural, rt.group, status_subresource=rt.status
            )
            merged["metadata"]["name"] = name
            managed = merged["metadata"].pop("managedFields", None)
            return self.create(rt, ns, merged, opts, managed=managed), True
        rv = meta.get("resourceVersion")
        if rv and str(rv) != old["metadata"]["resourceVersion"]:
            raise StatusError.stale(rt.plural, rt.group, name)
        merged = ssa_apply(
            self.view(rt, old), body, opts.manager, opts.force, keys, rt.plural, rt.group, subresource, rt.status
        )
        return self._commit_apply(rt, old, merged, opts, subresource), False

    def _commit_apply(
        self, rt: ResourceType, old: dict[str, Any], new: dict[str, Any], opts: WriteOptions, subresource: str | None
    ) -> dict[str, Any]:
        managed = new["metadata"].get("managedFields")
        new_meta = new["metadata"]
        for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
            if k in old["metadata"]:
                new_meta[k] = old["metadata"][k]
        new = self._admit(rt, new, old, opts, subresource)
        self._generation(rt, old, new)
        if managed is not None:
            new["metadata"]["managedFields"] = managed
        if self._same(old, new):
            return self.view(rt, old)
        return self.view(rt, self._store(rt, new, opts))

    # scale ------------------------------------------------------------------------------------------------------
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
        rv = ((scale or {}).get("metadata") or {}).get("resourceVersion")
        if rv and str(rv) != old["metadata"]["resourceVersion"]:
            raise StatusError.stale(f"{rt.plural}", rt.group, name)
        new = copy.deepcopy(old)
        _set_path(new, rt.scale_paths[0], replicas)
        stored = self._replace(rt, self.store.get(rt.key, self._ns(rt, ns), name) or old, new, opts, None)
        return self._scale_of(rt, stored)

    # delete -----------------------------------------------------------------------------------------------------
    def delete(
        self,
        rt: ResourceType,
        ns: str | None,
        name: str,
        propagation: str | None = None,
        preconditions: dict[str, Any] | None = None,
        dry_run: bool = False,
    ) -> tuple[dict[str, Any], bool]:
        """Delete one object; returns (body, gone) — the Status of an object removed at once, or the object with
        its deletionTimestamp while finalizers (or dependents, for Foreground) hold it."""
        space = self._ns(rt, ns)
        obj = self.store.get(rt.key, space, name)
        if obj is None:
            raise StatusError.not_found(rt.plural, rt.group, name)
        meta = obj["metadata"]
        for key, actual in (("uid", meta.get("uid")), ("resourceVersion", meta.get("resourceVersion"))):
            wanted = (preconditions or {}).get(key)
            if wanted and wanted != actual:
                label = "UID" if key == "uid" else "ResourceVersion"
                raise StatusError.conflict(
                    rt.plural,
                    rt.group,
                    name,
                    f"Precondition failed: {label} in precondition: {wanted}, {label} in object meta: {actual}",
                )
        if rt.group == "" and rt.kind == "Namespace" and name in SYSTEM_NAMESPACES[:3]:
            raise StatusError.forbidden(rt.plural, rt.group, name, "this namespace may not be deleted")
        if dry_run:
            return self.view(rt, obj), False
        new = copy.deepcopy(obj)
        new_meta = new["metadata"]
        finalizers = list(new_meta.get("finalizers") or [])
        has_dependents = bool(self.store.dependents(meta.get("uid", "")))
        policy = propagation or "Background"
        if policy in ("Orphan", "Foreground") and has_dependents:
            gc = "orphan" if policy == "Orphan" else "foregroundDeletion"
            if gc not in finalizers:
                finalizers.append(gc)
        is_namespace = rt.group == "" and rt.kind == "Namespace"
        if is_namespace:
            new.setdefault("status", {})["phase"] = "Terminating"
        if finalizers or is_namespace:
            if not new_meta.get("deletionTimestamp"):
                new_meta["deletionTimestamp"] = now()
                new_meta["deletionGracePeriodSeconds"] = 0
            if finalizers:
                new_meta["finalizers"] = finalizers
            if new != obj:
                self.store.write(rt.key, new, rt.namespaced)
            self._finalizing.add((rt.key, space, name))
            self._schedule_gc()
            return self.view(rt, new), False
        self._remove(rt, obj)
        details = {"name": name, "group": rt.group, "kind": rt.plural, "uid": meta.get("uid")}
        if not rt.group:
            del details["group"]
        return {**status_body(200, "", "", details), "status": "Success"}, True

    def delete_collection(
        self,
        rt: ResourceType,
        ns: str | None,
        label_selector: str | None,
        field_selector: str | None,
        propagation: str | None = None,
        dry_run: bool = False,
    ) -> ListResult:
        found = self.list(rt, ns, label_selector, field_selector)
        for obj in found.items:
            meta = obj["metadata"]
            self.delete(rt, meta.get("namespace"), meta["name"], propagation, dry_run=dry_run)
        return found

    def _remove(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        meta = obj["metadata"]
        gone = self.store.remove(rt.key, meta.get("namespace", "") if rt.namespaced else "", meta["name"])
        if gone is None:
            return obj
        if rt.group == "" and rt.kind == "Service":
            self.ips.release(gone)
        if rt.kind == "CustomResourceDefinition" and rt.group == "apiextensions.k8s.io":
            self._drop_crd(gone)
        if meta.get("uid") and self.store.dependents(meta["uid"]):
            self._gone_uids.add(meta["uid"])
            self._schedule_gc()
        if self._finalizing:  # an owner waiting for its dependents, or a terminating namespace
            self._schedule_gc()
        return gone

    def _drop_crd(self, crd: dict[str, Any]) -> None:
        """Deleting a CRD deletes all its custom objects and stops serving the kind."""
        spec = crd.get("spec") or {}
        tkey = (spec.get("group", ""), (spec.get("names") or {}).get("plural", ""))
        table = self.store.tables.get(tkey)
        if table is not None:
            for space, names in list(table.by_ns.items()):
                for name in list(names):
                    self.store.remove(tkey, space, name)
        self.registry.unserve_crd(crd["metadata"]["name"])

    # garbage collection and namespace finalization ------------------------------------------------------------------
    def _schedule_gc(self) -> None:
        if self._gc_scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.collect_garbage()
            return
        self._gc_scheduled = True
        loop.call_soon(self.collect_garbage)

    def _type_by_key(self, tkey: TypeKey) -> ResourceType | None:
        for rt in self.registry.types():
            if rt.key == tkey:
                return rt
        return None

    def collect_garbage(self) -> None:
        """One GC pass (repeated until nothing changes): orphan or delete dependents of deleted owners, finish
        Foreground/Orphan deletions, empty and remove terminating namespaces."""
        self._gc_scheduled = False
        for _ in range(1000):
            if not self._gc_step():
                break

    def _gc_step(self) -> bool:
        progress = False
        for uid in list(self._gone_uids):
            self._gone_uids.discard(uid)
            for tkey, space, name in self.store.dependents(uid):
                dep = self.store.get(tkey, space, name)
                rt = self._type_by_key(tkey)
                if dep is None or rt is None or dep["metadata"].get("deletionTimestamp"):
                    continue
                refs = dep["metadata"].get("ownerReferences") or []
                if all(not self._uid_exists(r.get("uid", ""), r, space) for r in refs):
                    self.delete(rt, space, name, "Background")
                    progress = True
        for key in sorted(self._finalizing):
            tkey, space, name = key
            obj = self.store.get(tkey, space, name)
            rt = self._type_by_key(tkey)
            if obj is None or rt is None:
                self._finalizing.discard(key)
                continue
            if self._finalize(rt, obj):
                progress = True
        return progress

    def _uid_exists(self, uid: str, ref: dict[str, Any], space: str) -> bool:
        group, _ = split_api_version(str(ref.get("apiVersion", "")))
        rt = self.registry.by_kind(str(ref.get("apiVersion", "")), str(ref.get("kind", "")))
        if rt is None:
            return False
        obj = self.store.get(rt.key, space if rt.namespaced else "", str(ref.get("name", "")))
        return obj is not None and obj["metadata"].get("uid") == uid and group == rt.group

    def _finalize(self, rt: ResourceType, obj: dict[str, Any]) -> bool:
        """Advance the deletion of one object held by GC finalizers or namespace termination."""
        meta = obj["metadata"]
        uid = meta.get("uid", "")
        finalizers = list(meta.get("finalizers") or [])
        changed = False
        if "orphan" in finalizers:
            for tkey, space, name in self.store.dependents(uid):
                dep = self.store.get(tkey, space, name)
                drt = self._type_by_key(tkey)
                if dep is None or drt is None:
                    continue
                dep = copy.deepcopy(dep)
                refs = [r for r in dep["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
                if refs:
                    dep["metadata"]["ownerReferences"] = refs
                else:
                    dep["metadata"].pop("ownerReferences", None)
                self.store.write(tkey, dep, drt.namespaced)
            finalizers.remove("orphan")
            changed = True
        if "foregroundDeletion" in finalizers:
            deps = self.store.dependents(uid)
            for tkey, space, name in deps:
                dep = self.store.get(tkey, space, name)
                drt = self._type_by_key(tkey)
                if dep is not None and drt is not None and not dep["metadata"].get("deletionTimestamp"):
                    self.delete(drt, space, name, "Foreground")
                    changed = True
            if not self.store.dependents(uid):
                finalizers.remove("foregroundDeletion")
                changed = True
        if rt.group == "" and rt.kind == "Namespace":
            ns = meta["name"]
            if self.store.ns_counts.get(ns):
                changed |= self._empty_namespace(ns)
            elif (obj.get("spec") or {}).get("finalizers"):
                new = copy.deepcopy(obj)
                new["spec"]["finalizers"] = []
                self.store.write(rt.key, new, False)
                obj = new
                changed = True
        if changed or not finalizers:
            new = copy.deepcopy(
                self.store.get(rt.key, meta.get("namespace", "") if rt.namespaced else "", meta["name"]) or obj
            )
            if finalizers:
                new["metadata"]["finalizers"] = finalizers
            else:
                new["metadata"].pop("finalizers", None)
            spec_finalizers = (new.get("spec") or {}).get("finalizers") if rt.kind == "Namespace" else None
            if not finalizers and not spec_finalizers:
                self._finalizing.discard((rt.key, meta.get("namespace", "") if rt.namespaced else "", meta["name"]))
                self._remove(rt, new)
                return True
            if new != obj:
                self.store.write(rt.key, new, rt.namespaced)
        return changed

    def _empty_namespace(self, ns: str) -> bool:
        progress = False
        for tkey, table in list(self.store.tables.items()):
            names = table.by_ns.get(ns)
            rt = self._type_by_key(tkey)
            if not names or rt is None or not rt.namespaced:
                continue
            for name, obj in list(names.items()):
                if not obj["metadata"].get("deletionTimestamp"):
                    self.delete(rt, ns, name, "Background")
                    progress = True
        return progress

    # events -----------------------------------------------------------------------------------------------------
    def record_event(
        self, involved: dict[str, Any], reason: str, message: str, type: str, component: str
    ) -> dict[str, Any]:
        """Write a v1 Event about `involved` and its events.k8s.io/v1 twin (same name)."""
        meta = involved.get("metadata") or {}
        ns = meta.get("namespace") or "default"
        name = f"{meta.get('name', 'object')}.{self.rng.getrandbits(64):016x}"
        ts = now()
        micro = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        ref = {
            "kind": involved.get("kind"),
            "namespace": meta.get("namespace"),
            "name": meta.get("name"),
            "uid": meta.get("uid"),
            "apiVersion": involved.get("apiVersion"),
            "resourceVersion": meta.get("resourceVersion"),
        }
        ref = {k: v for k, v in ref.items() if v}
        core = {
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": ref,
            "reason": reason,
            "message": message,
            "source": {"component": component},
            "firstTimestamp": ts,
            "lastTimestamp": ts,
            "count": 1,
            "type": type,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": "",
        }
        opts = WriteOptions(manager=component, field_validation="Ignore")
        created = self.create(self._type("v1", "Event"), ns, core, opts)
        twin = {
            "metadata": {"name": name, "namespace": ns},
            "eventTime": micro,
            "reportingController": component,
            "reportingInstance": component,
            "action": reason,
            "reason": reason,
            "regarding": ref,
            "note": message,
            "type": type,
        }
        self.create(self._type("events.k8s.io/v1", "Event"), ns, twin, opts)
        return created


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


def _drop(obj: dict[str, Any], path: str) -> None:
    """Remove a dotted field path with optional [n] indexes (as reported for unknown fields)."""
    import re

    parts = [p for p in re.split(r"\.|\[(\d+)\]", path) if p]
    cur: Any = obj
    for part in parts[:-1]:
        cur = cur[int(part)] if isinstance(cur, list) and part.isdigit() else (cur or {}).get(part)
        if cur is None:
            return
    if isinstance(cur, dict):
        cur.pop(parts[-1], None)
