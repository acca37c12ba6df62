"""Writes: create, and the common tail of every write (keep the server's fields, admit, bump generation, record
managedFields, store)."""

from __future__ import annotations

import builtins
import copy
import re
from typing import Any

from pykro._kube import SAFE_ALPHABET, ResourceType, now
from pykro.emulator import _admission as admission
from pykro.emulator import _validation as validation
from pykro.emulator._apply import record_update
from pykro.emulator._engine.base import WriteOptions
from pykro.emulator._engine.deletion import Deletion
from pykro.emulator._status import StatusError

__all__ = ["Writes"]


class Writes(Deletion):
    """POST and the admission, storage and no-op detection every PUT, PATCH and apply shares."""

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
            raise admission.bad_metadata(rt, meta)
        admission.decodable(rt, obj)  # the apiserver decodes (400) before anything else
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
                meta["name"] = meta["generateName"] + "".join(self.rng.choice(SAFE_ALPHABET) for _ in range(5))
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
            from pykro.schema import _structural as structural

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
                raise admission.bad_metadata(rt, meta)
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


def _drop(obj: dict[str, Any], path: str) -> None:
    """Remove a dotted field path with optional [n] indexes (as reported for unknown fields)."""
    parts = [p for p in re.split(r"\.|\[(\d+)\]", path) if p]
    cur: Any = obj
    for part in parts[:-1]:
        cur = cur[int(part)] if isinstance(cur, list) and part.isdigit() else (cur or {}).get(part)
        if cur is None:
            return
    if isinstance(cur, dict):
        cur.pop(parts[-1], None)
