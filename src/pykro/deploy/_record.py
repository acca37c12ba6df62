"""The parent record of a direct-mode instance as one deploy sees it: a ConfigMap (spec with secret values
masked, RGD, kinds, state) plus, when the graph has secret spec fields, a Secret holding the full spec."""

from __future__ import annotations

import json
from typing import Any

from pykro.deploy import _inventory as inventory
from pykro.deploy._api import CONFIGMAP_TYPE, SECRET_TYPE
from pykro.deploy._errors import DeployError
from pykro.deploy._ledger import RunContext
from pykro.deploy._text import labels_of
from pykro.graph import _secrets as secrets

__all__ = ["InstanceRecord"]


class InstanceRecord:
    """The record as this deploy found it (``original``) and as it last wrote it (``current``)."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.current: dict[str, Any] | None = None
        self.original: dict[str, Any] | None = None
        self.secret_written = False
        self.secret_original: dict[str, Any] | None = None  # the record's Secret as it was before this deploy

    @property
    def existed(self) -> bool:
        return self.original is not None

    def check(self, record: dict[str, Any] | None) -> None:
        """The record name is not taken by another instance (names join composition and instance name)."""
        ref = self.ctx.ref
        if record is not None and not ref.owns_record(record):
            labels = (record.get("metadata") or {}).get("labels") or {}
            raise DeployError(
                f"the record name {ref.record_name!r} is taken by instance {labels.get(inventory.RECORD_OF)!r} "
                f"of composition {labels.get(inventory.COMPOSITION)!r}",
                where=f"namespace {ref.namespace}",
                fix="Use an instance name that does not join with the composition name to the same text.",
            )

    async def read(self) -> dict[str, Any] | None:
        return await self.ctx.cluster.get(CONFIGMAP_TYPE, self.ctx.ref.record_name, self.ctx.ref.namespace)

    async def load(self) -> list[tuple[str, str]]:
        """Read and check the record (the lock held); returns the kinds it lists."""
        record = await self.read()
        self.check(record)
        self.current = self.original = record
        annotations = ((record or {}).get("metadata") or {}).get("annotations", {})
        return inventory.parse_kinds(annotations.get(inventory.CONTAINS_KINDS, ""))

    def absent(self) -> list[tuple[str, str]]:
        """`load` for a record known not to exist (read before the lock, which was created afresh): no kinds."""
        self.current = self.original = None
        return []

    async def write(self, state: str, used: set[tuple[str, str]], *, final: bool = False) -> None:
        """Write the record unless it already says the same (re-deploys write nothing). Its kinds: ``used``, or
        with ``final`` those of the instance's live objects."""
        ctx = self.ctx
        if final:
            kinds = {
                (str(o.get("apiVersion")), str(o.get("kind")))
                for o in ctx.live.objects.values()
                if labels_of(o).get(inventory.INSTANCE) == ctx.ref.name
            }
        else:
            kinds = set(used)
        spec = ctx.instance.get("spec") or {}
        masked, rgd_yaml = inventory.record_content(ctx.graph, spec)
        rec = inventory.record(ctx.ref, masked, rgd_yaml, sorted(kinds), state, ctx.mode)
        await self._write_spec_secret(rec, spec)
        old = self.current
        if old is not None and (old.get("data") or {}) == rec["data"]:
            old_ann = (old.get("metadata") or {}).get("annotations") or {}
            old_kinds = set(inventory.parse_kinds(old_ann.get(inventory.CONTAINS_KINDS, "")))
            if not final and kinds <= old_kinds:
                return
            if final and kinds == old_kinds and old_ann.get(inventory.STATE) == state:
                return
        self.current = await ctx.cluster.apply(CONFIGMAP_TYPE, rec)

    async def _write_spec_secret(self, rec: dict[str, Any], spec: dict[str, Any]) -> None:
        """Keep the full spec in the record's Secret when the graph has secret spec fields (once per deploy)."""
        ctx = self.ctx
        if self.secret_written or not secrets.secret_paths(ctx.graph):
            return
        self.secret_written = True
        self.secret_original = await ctx.cluster.get(SECRET_TYPE, ctx.ref.record_name, ctx.ref.namespace)
        if inventory.spec_of_secret(self.secret_original) != json.loads(json.dumps(spec)):
            await ctx.cluster.apply(SECRET_TYPE, inventory.record_secret(ctx.ref, rec, spec))

    async def restore(self, ready: bool) -> None:
        """The record as it was before this deploy (its spec stays the instance's spec); FAILED if not ready."""
        ctx = self.ctx
        old = self.original or {}
        meta = old.get("metadata") or {}
        annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k.startswith(inventory.PREFIX)}
        if not ready:
            annotations[inventory.STATE] = "FAILED"
        rec = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": ctx.ref.record_name,
                "namespace": ctx.ref.namespace,
                "labels": dict(meta.get("labels") or {}),
                "annotations": annotations,
            },
            "data": dict(old.get("data") or {}),
        }
        self.current = await ctx.cluster.apply(CONFIGMAP_TYPE, rec)
        kept = inventory.spec_of_secret(self.secret_original)
        if self.secret_written and kept is not None:  # the spec with its secret values, as it was
            await ctx.cluster.apply(SECRET_TYPE, inventory.record_secret(ctx.ref, rec, kept))
        elif self.secret_written:
            await ctx.cluster.delete(SECRET_TYPE, ctx.ref.record_name, ctx.ref.namespace)
        ctx.report.emit("rollback", kind="ConfigMap", name=ctx.ref.record_name, message="restored the record")

    async def delete(self) -> None:
        """Delete the record this deploy wrote (and its Secret)."""
        ctx = self.ctx
        if self.current is None:
            return
        if self.secret_written:
            await ctx.cluster.delete(SECRET_TYPE, ctx.ref.record_name, ctx.ref.namespace)
        await ctx.cluster.delete(CONFIGMAP_TYPE, ctx.ref.record_name, ctx.ref.namespace)
        ctx.report.emit("rollback", kind="ConfigMap", name=ctx.ref.record_name, message="deleted the record")
