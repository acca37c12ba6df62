"""What each resource of a direct-mode deploy is doing (its `View`), the state lines shown to the user, and the
failures and timeouts that stop the deploy, each with a diagnosis from the last observed conditions and events."""

from __future__ import annotations

from typing import Literal, NamedTuple

from pykro.deploy import _readiness as readiness
from pykro.deploy._errors import ReadinessTimeout, ResourceFailed
from pykro.deploy._kinds import Kinds
from pykro.deploy._ledger import Ledger, RunContext
from pykro.deploy._text import conditions_text
from pykro.graph._analysis import EXTERNAL, EXTERNAL_COLLECTION
from pykro.runtime import Expansion

__all__ = ["StateBoard", "StateLine", "View"]

ResourceState = Literal["skipped", "failed", "waiting", "applying", "in progress", "ready"]
SETTLED: tuple[ResourceState, ...] = ("ready", "skipped")


class StateLine(NamedTuple):
    """What the user is shown for one resource."""

    state: ResourceState
    detail: str


class View(NamedTuple):
    """One resource now: its state, what it waits for (or why it failed), the kstatus health of each object."""

    state: ResourceState
    detail: str
    healths: list[readiness.Health]


class StateBoard:
    """Computes the views of a deploy's resources and reports each change of state once."""

    def __init__(self, ctx: RunContext, ledger: Ledger, kinds: Kinds) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.kinds = kinds
        self.shown: dict[str, StateLine] = {}

    def views(self, result: Expansion) -> dict[str, View]:
        """Resource id -> its view, for ``result``."""
        views: dict[str, View] = {}
        ledger, live = self.ledger, self.ctx.live.objects
        for rid, st in result.states.items():
            node = self.ctx.nodes[rid]
            keys = ledger.desired_ids.get(rid, []) if st.objects else []
            healths = [readiness.assess(live.get(k)) for k in keys]
            if st.state == "skipped":
                line = StateLine("skipped", "includeWhen is false")
            elif st.state == "error":
                line = StateLine("failed", st.message)
            elif not st.objects and st.waiting_on == ["schema"]:
                line = StateLine("failed", f"the spec does not provide what it needs: {st.message}")
            elif not st.objects and node.type not in (EXTERNAL_COLLECTION,):
                line = StateLine("waiting", ", ".join(st.waiting_on) or st.message)
            elif node.type in (EXTERNAL, EXTERNAL_COLLECTION):
                line = StateLine("ready", "") if st.state == "ready" else StateLine("waiting", st.message)
            elif st.objects and not all(self.kinds.served(o) for o in st.objects):
                line = StateLine("waiting", f"the CRD of {node.resource.kind} to be established")
            elif any(k in ledger.inflight or (k not in ledger.applied and k not in live) for k in keys):
                line = StateLine("applying", "")
            elif any(h.phase == "failed" for h in healths):
                line = StateLine("failed", next(h.message for h in healths if h.phase == "failed"))
            elif not all(h.ready for h in healths):
                line = StateLine("in progress", next(h.message for h in healths if not h.ready))
            elif st.state != "ready":
                line = StateLine("in progress", st.message)
            else:
                line = StateLine("ready", "")
            views[rid] = View(line.state, line.detail, healths)
            self._show(rid, node.resource.kind, keys, line)
        return views

    def _show(self, rid: str, kind: str, keys: list[str], line: StateLine) -> None:
        if self.shown.get(rid) == line:
            return
        self.shown[rid] = line
        name = keys[0].rpartition("/")[2] if len(keys) == 1 else (f"{len(keys)} objects" if keys else "")
        self.ctx.report.emit("state", resource=rid, kind=kind, name=name, state=line.state, waiting_on=line.detail)

    def done(self, views: dict[str, View]) -> bool:
        """No apply is in flight and every resource is ready or skipped."""
        if self.ledger.inflight:
            return False
        return all(v.state in SETTLED for v in views.values())

    def all_shown_settled(self) -> bool:
        return all(line.state in SETTLED for line in self.shown.values())

    def resource_deadlines(self) -> list[float]:
        """When each applied resource not ready yet runs out of its limit (`DeployOptions.resource_limit`)."""
        opts = self.ctx.opts
        return [
            t + limit
            for rid, t in self.ledger.applied_at.items()
            if (limit := opts.resource_limit(rid)) is not None
            and ((line := self.shown.get(rid)) is None or line.state != "ready")
        ]

    def check_failures(self, views: dict[str, View], now: float, deadline: float | None) -> None:
        """Raise for a failed resource, one past its readiness timeout, or the deploy past its deadline."""
        failure = self.failure(views, now, deadline)
        if failure is not None:
            raise failure

    def failure(
        self, views: dict[str, View], now: float, deadline: float | None
    ) -> ResourceFailed | ReadinessTimeout | None:
        """The error `check_failures` raises (None: nothing failed yet)."""
        ctx = self.ctx
        for rid, view in views.items():
            if view.state == "failed":
                return ResourceFailed(
                    f"resource {rid!r} failed: {view.detail}",
                    where=self._where(rid),
                    fix=f"{self._diagnosis(rid)} Fix the cause and deploy again.",
                )
        for rid, since in self.ledger.applied_at.items():
            limit = ctx.opts.resource_limit(rid)
            found = views.get(rid)
            state, detail = (found.state, found.detail) if found else ("", "")
            if limit is not None and state not in SETTLED and now - since >= limit:
                return ReadinessTimeout(
                    f"resource {rid!r} was not ready after {limit:g}s: waiting for {detail or 'readiness'}",
                    where=self._where(rid),
                    fix=f"{self._diagnosis(rid)} Raise the timeout or fix the resource.",
                )
        if deadline is not None and now >= deadline:
            waiting = [f"{rid} ({v.state}: {v.detail})" for rid, v in views.items() if v.state not in SETTLED]
            first = next((rid for rid, v in views.items() if v.state not in (*SETTLED, "waiting")), None)
            return ReadinessTimeout(
                f"{ctx.graph.kind} {ctx.ref.name!r} was not ready after {ctx.opts.timeout:g}s; not ready: "
                + "; ".join(waiting),
                where=f"namespace {ctx.ref.namespace}",
                fix=(self._diagnosis(first) + " " if first else "") + "Raise --timeout or fix the resources above.",
            )
        return None

    def _where(self, rid: str) -> str:
        keys = self.ledger.desired_ids.get(rid, [])
        return keys[0] if keys else f"resource {rid}"

    def _diagnosis(self, rid: str) -> str:
        parts = []
        recent = self.ctx.report.recent
        for key in self.ledger.desired_ids.get(rid, []):
            obj = self.ctx.live.objects.get(key)
            parts.append(f"{key}: conditions {conditions_text(obj)}")
            if recent.get(key):
                parts.append("last events: " + " | ".join(recent[key][-3:]))
        return ("Last observed: " + "; ".join(parts) + ".") if parts else ""
