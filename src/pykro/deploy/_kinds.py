"""The resource types of one direct-mode deploy: which kinds are served (by ``apiVersion/kind``), which the
instance uses, which wait for a CRD of the same graph to be Established, and the watches on their objects."""

from __future__ import annotations

from typing import Any

from pykro.deploy import _readiness as readiness
from pykro.deploy._api import ResourceType
from pykro.deploy._ledger import RunContext

__all__ = ["Kinds"]


class Kinds:
    """Served types, used kinds and deferred kinds of one deploy."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.types: dict[str, ResourceType] = {}  # "apiVersion/kind" -> its served type
        self.used: set[tuple[str, str]] = set()  # (apiVersion, kind) of the graph and the previous record
        self.deferred: set[tuple[str, str]] = set()  # kinds defined by a CRD of this graph not served yet

    async def preflight(self) -> None:
        """Every kind of the graph is served, or defined by one of its CRDs (deferred until Established)."""
        graph, cluster = self.ctx.graph, self.ctx.cluster
        crd_kinds = {
            (
                f"{(r.template or {}).get('spec', {}).get('group')}",
                str(((r.template or {}).get("spec") or {}).get("names", {}).get("kind")),
            )
            for r in graph.resources
            if r.kind == "CustomResourceDefinition" and r.template
        }
        for res in graph.resources:
            api_version, kind = res.api_version, res.kind
            if "${" in api_version or "${" in kind:
                continue
            rt = await cluster.find_type(api_version, kind)
            if rt is None:
                if (api_version.rpartition("/")[0], kind) in crd_kinds:
                    self.deferred.add((api_version, kind))
                    continue
                await cluster.resolve(api_version, kind)
            else:
                self.types[f"{api_version}/{kind}"] = rt
            self.used.add((api_version, kind))

    async def tracked(self, obj: dict[str, Any]) -> ResourceType:
        """The type of ``obj``, its objects watched from the first time it is seen."""
        key = f"{obj.get('apiVersion')}/{obj.get('kind')}"
        rt = self.types.get(key)
        if rt is None:
            cluster = self.ctx.cluster
            rt = await cluster.find_type(str(obj.get("apiVersion")), str(obj.get("kind")), refresh=True)
            if rt is None:
                rt = await cluster.resolve(str(obj.get("apiVersion")), str(obj.get("kind")))
            self.types[key] = rt
            await self.track(rt)
        elif (str(obj.get("apiVersion")), str(obj.get("kind"))) in self.deferred:
            await self.track(rt)  # `served` learnt the type from its CRD; watching starts here (idempotent)
        return rt

    async def resolve(self, obj: dict[str, Any]) -> ResourceType:
        """The type of ``obj`` (an error when it is not served), without watching it."""
        key = f"{obj.get('apiVersion')}/{obj.get('kind')}"
        if key not in self.types:
            self.types[key] = await self.ctx.cluster.resolve(str(obj.get("apiVersion")), str(obj.get("kind")))
        return self.types[key]

    def _scope(self, rt: ResourceType) -> str | None:
        cross = any(
            "namespace" in ((r.template or {}).get("metadata") or {})
            for r in self.ctx.graph.resources
            if r.api_version == rt.api_version and r.kind == rt.kind
        )
        return None if cross or not rt.namespaced else self.ctx.ref.namespace

    async def track(self, rt: ResourceType) -> None:
        """Watch the instance's objects of type ``rt`` (in its namespace unless the graph names others)."""
        await self.ctx.live.track(rt, self._scope(rt), self.ctx.ref.selector)

    def served(self, obj: dict[str, Any]) -> bool:
        """False while ``obj``'s kind is defined by a CRD of this graph that is not Established yet."""
        pair = (str(obj.get("apiVersion")), str(obj.get("kind")))
        if pair not in self.deferred or f"{pair[0]}/{pair[1]}" in self.types:
            return True
        for crd in self.ctx.live.objects.values():
            if crd.get("kind") == "CustomResourceDefinition" and readiness.assess(crd).ready:
                for defined in self.ctx.cluster.type_of_crd(crd):
                    self.types[f"{defined.api_version}/{defined.kind}"] = defined
        return f"{pair[0]}/{pair[1]}" in self.types
