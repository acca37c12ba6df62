"""Changes to an existing object: update (PUT), patch (merge, JSON, strategic merge) and server-side apply."""

from __future__ import annotations

import copy
from typing import Any

from pykro._kube import ResourceType
from pykro.emulator import _admission as admission
from pykro.emulator._apply import apply as ssa_apply
from pykro.emulator._engine.base import WriteOptions
from pykro.emulator._engine.scale import Scaling
from pykro.emulator._patch import json_patch, merge_patch, strategic_merge
from pykro.emulator._status import StatusError

__all__ = ["JSON_PATCH", "MERGE_PATCH", "STRATEGIC_PATCH", "Updates"]

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"


class Updates(Scaling):
    """PUT, PATCH and apply of an object, its status or its scale."""

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
        old = self._stored(rt, ns, name)
        meta_in = body.get("metadata") or {}
        self._check_name(meta_in, name)
        self._check_fresh(rt, old, meta_in, name)
        if not meta_in.get("resourceVersion") and require_rv and rt.crd is not None:
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
        old = self._stored(rt, ns, name)
        new = self._patched(rt, self.view(rt, old), content_type, patch)
        if not isinstance(new, dict):
            raise StatusError.bad_request("the patch did not result in an object")
        self._check_fresh(rt, old, new.get("metadata") or {}, name)
        self._check_identity(rt, new)
        try:
            return self._replace(rt, old, new, opts, subresource)
        except admission.Undecodable as err:
            raise admission.patch_invalid(err, new, patch, content_type) from None

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
        self._check_name(meta, name)
        old = self.store.get(rt.key, self._ns(rt, ns), name)
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
        self._check_fresh(rt, old, meta, name)
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
