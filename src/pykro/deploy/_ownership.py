"""Ownership checks of a direct-mode deploy: an existing object it would write must be this instance's
(`inventory.foreign_owner`), unless the deploy takes it over deliberately (``force_takeover``)."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from pykro.deploy import _inventory as inventory
from pykro.deploy._api import ResourceType
from pykro.deploy._errors import OwnershipConflict
from pykro.deploy._kinds import Kinds
from pykro.deploy._ledger import Ledger, RunContext
from pykro.graph._analysis import EXTERNAL, EXTERNAL_COLLECTION
from pykro.runtime import Expansion, identity

__all__ = ["Ownership"]


class Ownership:
    """Checks objects before their first write; a taken-over object is kept in the ledger's snapshot."""

    def __init__(self, ctx: RunContext, ledger: Ledger, kinds: Kinds) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.kinds = kinds

    async def check_first(self, first: Expansion | None, *, namespace_exists: bool = True) -> None:
        """Before the first write: every object the spec already names (the first expansion) that exists must be
        this instance's. Objects named later (from other resources' data) are checked just before their first
        apply. Without ``namespace_exists`` (the instance's namespace is missing) its objects cannot exist and are
        not read."""
        pending = []
        for rid, st in (first.states if first else {}).items():
            if self.ctx.nodes[rid].type in (EXTERNAL, EXTERNAL_COLLECTION) or st.state in ("skipped", "error"):
                continue
            for obj in st.objects:
                rt = self.kinds.types.get(f"{obj.get('apiVersion')}/{obj.get('kind')}")
                where = (obj.get("metadata") or {}).get("namespace") or self.ctx.ref.namespace
                if rt is not None and not namespace_exists and rt.namespaced and where == self.ctx.ref.namespace:
                    self.ledger.checked.add(identity(obj))
                elif rt is not None:
                    pending.append(self.foreign(rt, obj))
        clashes = [c for c in await asyncio.gather(*pending) if c]
        if clashes:
            raise self.takeover_error(clashes)

    async def foreign(self, rt: ResourceType, obj: dict[str, Any]) -> str | None:
        """Why ``obj`` may not be written by this instance, or None (it does not exist, is ours, or is taken over
        with ``force_takeover``)."""
        ctx = self.ctx
        meta = obj.get("metadata") or {}
        self.ledger.checked.add(identity(obj))
        async with ctx.sem:
            live = await ctx.cluster.get(rt, str(meta.get("name")), meta.get("namespace") or ctx.ref.namespace)
        clash = None if live is None else inventory.foreign_owner(live, ctx.ref)
        if clash and ctx.opts.force_takeover:
            ctx.report.emit("takeover", kind=rt.kind, name=str(meta.get("name")), message=f"taking over: {clash}")
            self.ledger.snapshot[identity(obj)] = copy.deepcopy(live or {})  # a rollback restores it, never deletes it
            return None
        return clash

    def takeover_error(self, clashes: list[str]) -> OwnershipConflict:
        ctx = self.ctx
        shown = "; ".join(clashes[:5]) + (f"; and {len(clashes) - 5} more" if len(clashes) > 5 else "")
        return OwnershipConflict(
            f"deploying {ctx.graph.kind} {ctx.ref.name!r} would take over objects it does not own: {shown}",
            where=f"namespace {ctx.ref.namespace}",
            fix=(
                "Choose another instance name or namespace, or remove those objects; to take them over deliberately "
                "pass --force-takeover (force_takeover=True)."
            ),
        )
