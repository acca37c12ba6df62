"""The kwok-style workload simulator: a `Controller` that watches every change in the emulator and drives the
objects it knows (workloads, pods, claims, load balancers, CRDs, rule-selected custom kinds) the way the real
controllers and kubelet would, after configurable delays. Reconciliation is level-triggered and idempotent: each
object key is reconciled by at most one task at a time, and status is written only when it changes. `settled()`
waits until the simulation has nothing left to do (see `idle`)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from pykro._kube import SAFE_ALPHABET
from pykro.emulator._controller import ClusterAPI, WatchEvent
from pykro.emulator._registry import BUILTINS
from pykro.emulator._simulation.cache import ObjectCache
from pykro.emulator._simulation.objects import (
    Key,
    Obj,
    controller_ref,
    key_of,
    meta,
    uid,
)
from pykro.emulator._simulation.queue import WorkQueue
from pykro.emulator._simulation.rules import Rule, SimulationRules
from pykro.emulator._status import StatusError

__all__ = ["Handler", "Simulator"]

log = logging.getLogger("pykro.emulator._simulation")

Handler = Callable[["Simulator", Obj], Awaitable[None]]
BUILTIN_KINDS = frozenset(t.kind for t in BUILTINS)
_IGNORED_KINDS = frozenset({"Event", "Lease", "Endpoints", "EndpointSlice", "ConfigMap", "Secret"})
_RETRIED = frozenset({409, 429, 500, 503, 504})


class Simulator(WorkQueue):
    """Drives simulated workloads to their outcome (see `SimulationRules`); deterministic for a given seed and
    sequence of requests."""

    name = "simulation"

    def __init__(self, rules: SimulationRules | None = None, seed: int = 0) -> None:
        super().__init__()
        self.rules = rules if rules is not None else SimulationRules()
        self.seed = seed
        self._api: ClusterAPI | None = None
        self._seen: dict[str, dict[str, float]] = {}  # uid -> token -> loop time first seen
        self._name_counters: dict[str, int] = {}
        self._ip_counters: dict[str, int] = {}
        self._roots: dict[str, tuple[Rule | None, float, str]] = {}
        self.claim_waiters: dict[tuple[str, str], set[Key]] = {}
        self.cache = ObjectCache()
        self._handlers: dict[str, Handler] = {}
        self._fallback: Handler | None = None
        self._on_deleted: Callable[[Simulator, Obj], None] | None = None

    # -- the loop -------------------------------------------------------------------------------------------------

    @property
    def api(self) -> ClusterAPI:
        if self._api is None:
            raise RuntimeError("the simulator is not running")
        return self._api

    async def run(self, api: ClusterAPI) -> None:
        from pykro.emulator._simulation import handlers  # the handlers import this module

        self._handlers, self._fallback, self._on_deleted = (
            handlers.HANDLERS,
            handlers.reconcile_custom,
            handlers.on_deleted,
        )
        ensure_node = handlers.ensure_node
        self._api = api
        stream = api.watch()  # subscribe before looking at what exists, so nothing falls in between
        self._backlog = getattr(stream, "backlog", lambda: 0)  # EngineAPI's streams tell what is still queued
        try:
            for step in (ensure_node(self), self._resync()):
                try:
                    await step
                except StatusError as exc:
                    log.warning("simulator start-up step failed: %s", exc.message)
            self._synced = True
            self._wake.set()
            async for event in stream:
                try:
                    self._observe(event)
                except Exception:  # one odd object must not stop the simulation of everything else
                    log.exception("simulator: cannot handle a %s event", event.type)
                self._wake.set()
        finally:
            await self._stop()

    async def _resync(self) -> None:
        """Enqueue what already exists (an emulator restored from a state file)."""
        for t in BUILTINS:
            if t.kind in self._handlers:
                for obj in await self.api.list(t.api_version, t.kind):
                    self.cache.remember(obj)
                    self.enqueue(key_of(obj))
        for crd in await self.api.list("apiextensions.k8s.io/v1", "CustomResourceDefinition"):
            kind = str(crd.get("spec", {}).get("names", {}).get("kind", ""))
            if not (self.rules.custom_kind_selected(kind) or kind in self._handlers):  # rules, simulated operators
                continue
            group = crd["spec"].get("group", "")
            for version in crd["spec"].get("versions") or []:
                if version.get("storage"):
                    for obj in await self.api.list(f"{group}/{version['name']}", kind):
                        self.cache.remember(obj)
                        self.enqueue(key_of(obj))

    def _observe(self, event: WatchEvent) -> None:
        obj = event.object
        kind = str(obj.get("kind", ""))
        if kind in _IGNORED_KINDS:
            return
        handled = self.handles(kind)
        key = key_of(obj)
        if kind == "Pod":
            self._enqueue_services(obj)
        if event.type == "DELETED":
            self._forget(obj)
            if self._on_deleted is not None:
                self._on_deleted(self, obj)
        elif handled:
            self.cache.remember(obj)
            self.enqueue(key)
        ref = controller_ref(obj)
        if ref is not None and ref.get("kind") in self._handlers:
            self.enqueue((str(ref.get("apiVersion", "")), str(ref["kind"]), key[2], str(ref.get("name", ""))))
        if kind == "PersistentVolumeClaim":
            for waiter in self.claim_waiters.pop((key[2], key[3]), set()):
                self.enqueue(waiter)

    def _enqueue_services(self, pod: Obj) -> None:
        """Services whose selector matches the pod now or matched it before get their endpoints recomputed."""
        from pykro.emulator._simulation.endpoints import selects

        namespace = meta(pod).get("namespace")
        before = self.cache.get("v1", "Pod", meta(pod)["name"], namespace)
        label_sets = [meta(pod).get("labels"), meta(before).get("labels") if before is not None else None]
        for svc in self.cache.in_namespace("Service", namespace):
            if any(selects(svc, labels) for labels in label_sets):
                self.enqueue(key_of(svc))

    def handles(self, kind: str) -> bool:
        """True for the kinds the simulator drives (and caches)."""
        return kind in self._handlers or (kind not in BUILTIN_KINDS and self.rules.custom_kind_selected(kind))

    def _forget(self, obj: Obj) -> None:
        self.cache.forget(obj)
        self._seen.pop(uid(obj), None)
        self._roots.pop(uid(obj), None)
        for volume in (obj.get("spec") or {}).get("volumes") or [] if obj.get("kind") == "Pod" else []:
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            waiters = self.claim_waiters.get((key_of(obj)[2], str(claim)))
            if waiters is not None:
                waiters.discard(key_of(obj))
        timer = self._timers.pop(key_of(obj), None)
        if timer is not None:
            timer[1].cancel()
            self._wake.set()

    async def _reconcile_once(self, key: Key) -> None:
        api_version, kind, namespace, name = key
        try:
            obj = await self.get(api_version, kind, name, namespace or None)
            handler = self._handlers.get(kind, self._fallback)
            if obj is not None and handler is not None:
                await handler(self, obj)
            self._failures.pop(key, None)
        except asyncio.CancelledError:
            raise
        except StatusError as exc:
            if exc.code in _RETRIED:
                self._retry(key, f"{exc.code} {exc.message}")
            else:  # gone, forbidden (a terminating namespace) or invalid: a later change will bring it back
                log.debug("not simulating %s %s/%s: %s", kind, namespace, name, exc.message)
        except Exception as exc:  # a simulator bug must not stop the simulation of everything else
            log.exception("simulating %s %s/%s failed", kind, namespace, name)
            self._retry(key, repr(exc))

    def _tokens(self, token: str) -> dict[str, float]:
        """The first-seen times of one object, found from a token that starts with its uid."""
        return self._seen.setdefault(token.split("/", 1)[0], {})

    def first_time(self, token: str) -> bool:
        """True the first time `token` (an object's uid, optionally followed by "/what") is asked about."""
        seen = self._tokens(token)
        if token in seen:
            return False
        seen[token] = 0.0
        return True

    # -- helpers for handlers -------------------------------------------------------------------------------------

    def elapsed(self, key: Key, token: str, delay_s: float) -> bool:
        """True once `delay_s` has passed since `token` (the object's uid, optionally followed by "/what") was first
        seen; otherwise arranges a reconcile of `key` for that moment and returns False."""
        loop = asyncio.get_running_loop()
        start = self._tokens(token).setdefault(token, loop.time())
        remaining = start + delay_s - loop.time()
        if remaining <= 0:
            return True
        self.requeue_after(key, remaining)
        return False

    def plan(self, obj: Obj) -> tuple[Rule | None, float]:
        """The rule and delay (seconds) for `obj` itself."""
        rule = self.rules.rule_for(obj)
        return rule, self.rules.delay_s(obj, rule, self.seed)

    async def pod_plan(self, pod: Obj) -> tuple[Rule | None, float, str]:
        """Rule, delay and root kind for a pod: those of the workload at the top of its controller chain (a
        Deployment for a ReplicaSet's pod, a CronJob's Job...), or the pod's own when it has no controller."""
        token = uid(pod)
        cached = self._roots.get(token)
        if cached is not None:
            return cached
        root = pod
        namespace = meta(pod).get("namespace")
        for _ in range(3):
            ref = controller_ref(root)
            if ref is None:
                break
            owner = await self.get(str(ref.get("apiVersion", "")), str(ref["kind"]), str(ref["name"]), namespace)
            if owner is None:
                break
            root = owner
        rule = self.rules.rule_for(root)
        delay = self.rules.delay_s(root, rule, self.seed, jitter_key="" if root is pod else str(meta(pod)["name"]))
        result = (rule, delay, str(root.get("kind", "")))
        self._roots[token] = result
        return result

    # -- reads from the cache, writes that keep it current ---------------------------------------------------------

    async def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> Obj | None:
        """An object as last seen (from the cache for the kinds the simulator drives, else from the store)."""
        if self.handles(kind):
            cached = self.cache.get(api_version, kind, name, namespace)
            if cached is not None:
                return cached
        found = await self.api.get(api_version, kind, name, namespace)
        if found is not None and self.handles(kind):
            self.cache.remember(found)
        return found

    async def fresh(self, obj: Obj) -> Obj | None:
        """The stored object now (for full updates, so that nothing newer is overwritten)."""
        return await self.api.get(
            str(obj["apiVersion"]), str(obj["kind"]), meta(obj)["name"], meta(obj).get("namespace")
        )

    def owned(self, owner: Obj, kind: str) -> list[Obj]:
        """Live objects of `kind` controlled by `owner`."""
        return self.cache.owned(owner, kind)

    def _keep(self, obj: Obj) -> Obj:
        if self.handles(str(obj.get("kind", ""))):
            self.cache.remember(obj)
        return obj

    async def create(self, obj: Obj) -> Obj:
        return self._keep(await self.api.create(obj))

    async def update(self, obj: Obj) -> Obj:
        return self._keep(await self.api.update(obj))

    async def update_status(self, obj: Obj) -> Obj:
        return self._keep(await self.api.update_status(obj))

    async def delete(self, obj: Obj) -> None:
        await self.api.delete(str(obj["apiVersion"]), str(obj["kind"]), meta(obj)["name"], meta(obj).get("namespace"))
        self._forget(obj)

    async def write_status(self, obj: Obj, status: dict[str, Any]) -> bool:
        """Write `status` unless it is what the object already has; True when written."""
        if obj.get("status") == status:
            return False
        body = {k: v for k, v in obj.items() if k != "status"}
        body["metadata"] = {k: v for k, v in meta(obj).items() if k != "resourceVersion"}
        body["status"] = status
        await self.update_status(body)
        return True

    async def event(self, involved: Obj, reason: str, message: str, component: str, type_: str = "Normal") -> None:
        if self.rules.events:
            await self.api.record_event(involved, reason, message, type=type_, component=component)

    def suffix(self, scope: str) -> str:
        """The next deterministic 5-character name suffix for names made under `scope`."""
        n = self._name_counters.get(scope, 0)
        self._name_counters[scope] = n + 1
        rng = random.Random(f"{self.seed}|{scope}|{n}")
        return "".join(rng.choice(SAFE_ALPHABET) for _ in range(5))

    async def create_named(self, obj: Obj, base: str) -> Obj:
        """Create `obj` named `base-<suffix>`, trying further suffixes when a name is taken."""
        for _ in range(10):
            obj["metadata"]["name"] = f"{base}-{self.suffix(base)}"
            try:
                return await self.create(obj)
            except StatusError as exc:
                if exc.code != 409:
                    raise
        raise StatusError(409, f"could not find a free name for {base}-*")

    def next_ip(self, pool: str) -> str:
        """Addresses handed out in order from a /24 `pool` such as "172.18.255" (load balancers, ingresses)."""
        n = self._ip_counters.get(pool, 0) + 1
        self._ip_counters[pool] = n
        return f"{pool}.{n % 254 + 1}"
