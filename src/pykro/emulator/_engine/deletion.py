"""Deletion: preconditions, finalizers, propagation (Background, Foreground, Orphan), the garbage collector that
follows ownerReferences, and namespace termination. The collector runs soon after the write that needs it (on
the event loop), as the real one runs after the apiserver answered."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from pykro._kube import ResourceType, now, split_api_version
from pykro.emulator._engine.base import SYSTEM_NAMESPACES, EngineBase, ListResult
from pykro.emulator._status import StatusError, status_body
from pykro.emulator._store import TypeKey

__all__ = ["Deletion"]


class Deletion(EngineBase):
    """DELETE and deletecollection, then everything that finishes a deletion later."""

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
        obj = self._stored(rt, ns, name)
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
            for name in list(names):
                obj = self.store.get(tkey, ns, name)
                if obj is not None and not obj["metadata"].get("deletionTimestamp"):
                    self.delete(rt, ns, name, "Background")
                    progress = True
        return progress
