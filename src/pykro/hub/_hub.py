"""`Hub`: one instance of each form (a composition) per active row of a table, a view or a query, kept in step with
the database by `Hub.sync` (direct mode: pykro's deploy engine deploys each instance).

A sync reads every row first; when the read fails (connection, missing table, bad query) it writes nothing and
deletes nothing. It then plans, per form and row: create, update (the row's spec or the form's composition
changed, or the instance is not ACTIVE), unchanged, delete or retain (the row is gone or inactive). A row whose
mapping or spec is wrong fails alone and keeps its instance as it is. A plan deleting the instances of more
tenants than `planner.delete_limit` allows (10% of them, at least 5, or ``max_delete``) stops the whole sync unless
``allow_mass_delete``. Within a row, a form's instance is created or updated only once the instances of the forms
it ``depends_on`` are ACTIVE, and deleted before them; ``max_skew`` bounds how many instances of one form are being
deployed at once, ``concurrency`` how many rows are worked on at once.

The hub marks the instance records it manages (the inventory ConfigMaps of `pykro.deploy._inventory`) with its own
field manager: labels ``pykro.io/hub`` and ``pykro.io/hub-form``, annotations ``pykro.io/hub-row`` (the uid) and
``pykro.io/hub-spec-hash`` (a hash of the checked spec and of the composition). Instances without these labels are
never touched by a hub.

Planning is in `pykro.hub._planner`, carrying the steps out in `pykro.hub._apply`, the vocabulary in
`pykro.hub._model`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pykro.deploy import DeployOptions, DirectFactory, NullReporter, Reporter, RetryPolicy, factory
from pykro.deploy._api import Cluster
from pykro.deploy._names import check_namespace
from pykro.errors import PykroError
from pykro.hub import _apply as apply
from pykro.hub import _generated as generated
from pykro.hub import _kro as kro
from pykro.hub import _modes as modes
from pykro.hub import _planner as planner
from pykro.hub._model import (
    DNS_LABEL,
    FIELD_MANAGER,
    HUB,
    HUB_FORM,
    HUB_HASH,
    HUB_ROW,
    Action,
    Creation,
    Delete,
    DeletionPolicy,
    Form,
    Outcome,
    Retain,
    SyncReport,
    caller,
    parse_interval,
)
from pykro.hub._policies import Policies, check_policies, duration
from pykro.hub._rendered import Renderer
from pykro.hub._source import Row, Source, check_identifier
from pykro.hub._split import Split, graph_split
from pykro.hub._status import HubStatus, hub_status

__all__ = [
    "FIELD_MANAGER",
    "HUB",
    "HUB_FORM",
    "HUB_HASH",
    "HUB_ROW",
    "Action",
    "Delete",
    "Form",
    "Hub",
    "Outcome",
    "Retain",
    "SyncReport",
    "parse_interval",
]


def _check_mode(mode: str, where: str) -> str:
    if mode not in ("direct", "kro"):
        raise PykroError(f"mode={mode!r} is not a hub mode", where=where, fix='Use "direct" or "kro".')
    return mode


class Hub:
    """Rows of a database table (``table=``, a view too) or query (``query=``) → instances of the hub's forms.

    ``source`` is an SQLAlchemy URL (``sqlite:///FILE``, ``postgresql+psycopg://…``, ``mysql+pymysql://…``);
    ``uid`` names the column identifying a row (instance names derive from it), ``active`` the activation column
    (true, 1, yes → active; false, 0, no, NULL → inactive; anything else fails that row); ``mode`` is ``direct``
    (pykro deploys each instance) or ``kro`` (one RGD per form, one instance CR per row: `pykro.hub._kro`)."""

    def __init__(
        self,
        name: str,
        source: str = "sqlite:///hub.db",
        *,
        table: str | None = None,
        query: str | None = None,
        uid: str,
        active: str | None = None,
        sync_every: str = "30s",
        namespace: str | None = None,
        kubeconfig: str | Path | None = None,
        context: str | None = None,
        concurrency: int = 8,
        max_delete_fraction: float = 0.1,
        max_delete: int | None = None,
        reporter: Reporter | None = None,
        retry: RetryPolicy | None = None,
        options: DeployOptions | None = None,
        mode: str = "direct",
        changed_column: str | None = None,
        full_every: int = 10,
    ) -> None:
        if not isinstance(name, str) or not DNS_LABEL.fullmatch(name):
            raise PykroError(
                f"hub name {name!r} is not a DNS label", where=caller(), fix="Use lowercase letters, digits and '-'."
            )
        self.name = name
        here = caller()
        self.source, self.uid_column, self.active_column, self.interval, self.namespace = _declared(
            here, source, table, query, uid, active, sync_every, namespace
        )
        self.wording = planner.Wording.of(here, uid, active)
        self.kubeconfig = kubeconfig
        self.context = context
        _check_keywords(caller(), concurrency, max_delete_fraction, max_delete, options, retry)
        self.concurrency = concurrency
        self.max_delete_fraction = max_delete_fraction
        self.max_delete = max_delete
        self.reporter = reporter
        self.retry = retry
        self.options = options
        self.forms: dict[str, Form] = {}
        self.mode = _check_mode(mode, caller())
        self.changed_column = check_identifier(changed_column, "changed column") if changed_column else None
        if not isinstance(full_every, int) or isinstance(full_every, bool) or full_every < 1:
            raise PykroError(f"full_every={full_every!r} is not a whole number >= 1", where=caller())
        self.full_every = full_every
        self._newest: Any = None  # the newest changed_column value a sync has gone through with
        self._reads = 0  # syncs that went through (every full_every-th reads every row)
        self.probed: dict[str, Split | None] = {}  # direct mode: each form's kro-mode split (`_modes.probe_split`)

    # ------------------------------------------------------------------------------------------ declaring forms
    def form(
        self,
        composition: Any,
        *,
        spec: Callable[[Row], Any],
        name: str | None = None,
        instance_name: str = "{uid}",
        depends_on: Iterable[Any] = (),
        deletion: DeletionPolicy | str = Delete,
        creation: Creation | str = "when_needed",
        max_skew: int | None = None,
        timeout: float | str | None = None,
        conflict: str = "stuck",
        ignore_fields: Mapping[str, Sequence[str]] | None = None,
        resource_timeout: float | None = None,
        timeouts: Mapping[str, float | str] | None = None,
    ) -> Form:
        """Deploy ``composition`` once per active row with the spec ``spec(row)`` returns (a mapping by Python or
        CRD field names, or the composition's spec model); see the module docstring for the options."""
        where = caller()
        made = self._factory(composition)
        form_name = name or made.graph.name
        policies, problems = check_policies(
            made.graph,
            creation=creation,
            deletion=deletion,
            conflict=conflict,
            ignore_fields=ignore_fields or {},
            resource_timeout=resource_timeout,
            timeouts=timeouts,
        )
        deps, seconds = _form_problems(
            problems,
            self.forms,
            self._find_form,
            (made.graph.name, form_name, spec, instance_name, depends_on, max_skew, timeout),
        )
        if problems:
            what, fix = problems[0]
            raise PykroError(what, where=where, fix=fix)
        made_form = Form(
            name=form_name,
            factory=made,
            spec=spec,
            instance_name=instance_name,
            depends_on=tuple(deps),
            deletion="Retain" if policies.deletion == "Retain" else "Delete",
            creation="once" if policies.creation == "once" else "when_needed",
            max_skew=max_skew,
            timeout=seconds,
            where=where,
            source=composition,
            policies=policies,
        )
        made_form.factory = self._factory(composition, policies)
        made_form.renderer = Renderer(made_form.factory.graph)
        made_form.split = self.split_of(made_form) if self.mode == "kro" else None  # its errors name `where`
        self.forms[form_name] = made_form
        return made_form

    def target(
        self,
        *,
        source: str | None = None,
        kubeconfig: str | Path | None = None,
        context: str | None = None,
        namespace: str | None = None,
        mode: str | None = None,
    ) -> None:
        """Read another database (same table or query), or deploy to another cluster or namespace or in another
        mode, than the hub was declared with (the CLI's options)."""
        self.mode = _check_mode(mode, "--mode") if mode is not None else self.mode
        if source is not None:
            old = self.source
            self.source = Source(source, table=old.table_name, query=old.query)
            old.close()
        self.kubeconfig = kubeconfig if kubeconfig is not None else self.kubeconfig
        self.context = context if context is not None else self.context
        self.namespace = namespace if namespace is not None else self.namespace
        self.probed.clear()
        for form in self.forms.values():
            form.factory = self._factory(form.source, form.policies)
            form.split = self.split_of(form) if self.mode == "kro" else None

    def split_of(self, form: Form) -> Split | None:
        """``form`` split for kro mode (`pykro.hub._split`; None when kro can honour all of it)."""
        return graph_split(form, self.name, lambda graph: self._factory(graph, form.policies))

    def _factory(self, composition: Any, policies: Policies | None = None) -> DirectFactory:
        options = self.options
        if policies is not None:
            options = (options or DeployOptions()).with_changes(**policies.deploy_changes())
            # many instances share the namespace: Events are read when a deploy fails, not followed by each
            options = options.with_changes(follow_events=False)
        made = factory(
            composition,
            "direct",
            namespace=self.namespace,
            kubeconfig=self.kubeconfig,
            context=self.context,
            reporter=self.reporter or NullReporter(),
            retry=self.retry,
            options=options,
        )
        assert isinstance(made, DirectFactory)
        return made

    def _find_form(self, ref: Any) -> Form | None:
        if isinstance(ref, Form):
            return self.forms.get(ref.name) if self.forms.get(ref.name) is ref else None
        if isinstance(ref, str):
            return self.forms.get(ref)
        matches = [f for f in self.forms.values() if f.source is ref]
        return matches[0] if len(matches) == 1 else None

    # ------------------------------------------------------------------------------------------ sync
    def sync(self, *, dry_run: bool = False, allow_mass_delete: bool = False) -> SyncReport:
        """One sync (see the module docstring); never raises for a database, row or deploy failure: the report
        says what happened."""
        started = time.monotonic()
        report = asyncio.run(self.async_sync(dry_run=dry_run, allow_mass_delete=allow_mass_delete))
        report.seconds = time.monotonic() - started
        return report

    def run(self, *, syncs: int | None = None, allow_mass_delete: bool = False,
            on_report: Callable[[SyncReport], None] | None = None) -> None:  # fmt: skip
        """Sync every ``sync_every`` (``syncs`` times, or until interrupted); ``allow_mass_delete`` applies to the first
        sync only (the deletions one has looked at), never to the ones after it."""
        if syncs is not None and (isinstance(syncs, bool) or not isinstance(syncs, int) or syncs < 1):
            raise PykroError(
                f"syncs={syncs!r} is not a whole number >= 1",
                where=caller(),
                fix="Give the number of syncs to run, or leave it out to run until interrupted.",
            )
        done = 0
        while syncs is None or done < syncs:
            started = time.monotonic()
            report = self.sync(allow_mass_delete=allow_mass_delete and done == 0)
            if on_report is not None:
                on_report(report)
            done += 1
            if syncs is None or done < syncs:
                time.sleep(max(0.0, self.interval - (time.monotonic() - started)))

    def close(self) -> None:
        """Close the database connections."""
        self.source.close()

    def ordered(self) -> list[Form]:
        """Forms in dependency order (a form is declared after the forms it depends on)."""
        return list(self.forms.values())

    def cluster(self) -> Cluster:
        """A connection to the hub's cluster and namespace (close it), with the hub's field manager."""
        return Cluster(
            kubeconfig=self.kubeconfig,
            context=self.context,
            namespace=self.namespace,
            retry=self.retry,
            field_manager=FIELD_MANAGER,
        )

    def plan(self) -> SyncReport:
        """What a sync would do now (a dry run: reads the rows and the instances, writes nothing)."""
        return self.sync(dry_run=True)

    def status(self) -> HubStatus:
        """Where each tenant × form stands now and the hub's totals (`pykro.hub._status`); writes nothing."""
        return asyncio.run(hub_status(self))

    async def async_sync(self, *, dry_run: bool = False, allow_mass_delete: bool = False) -> SyncReport:
        """`sync`, in a running event loop."""
        report = SyncReport(self.name, dry_run=dry_run)
        if not self.forms:
            report.error = "the hub has no forms; add one with hub.form(composition, spec=...)"
            return report
        report.error = kro.refusal(self) if self.mode == "kro" else None
        if report.error:
            return report
        cluster = self.cluster()
        try:
            try:
                vault = generated.Vault(await generated.load(self, cluster), kro=self.mode == "kro")
            except PykroError as exc:
                report.error = f"cannot read the generated secrets: {exc} Nothing was changed."
                return report
            reading = planner.Reading()
            full = self.changed_column is None or self._newest is None or dry_run or self._reads % self.full_every == 0
            if not full:
                assert self.changed_column is not None
                reading.since, report.incremental = (self.changed_column, self._newest), True
            try:
                wanted, keep = await asyncio.to_thread(planner.plan_rows, self, report, vault, reading)
            except PykroError as exc:  # the database could not be read: nothing is written, nothing deleted
                report.outcomes = []
                report.error = f"{exc} Nothing was changed."
                return report
            try:
                report.error = await modes.other_mode(self, cluster)
                if report.error:
                    report.outcomes = []
                    return report
                if self.mode == "kro":
                    live = await kro.live_state(self, cluster, wanted)
                    existing = live.existing()
                else:
                    existing = await planner.existing_instances(cluster, self.forms.values())
            except PykroError as exc:
                report.error = f"cannot list the instances: {exc} Nothing was changed."
                return report
            steps = planner.steps_of(self, report, wanted, keep, existing, None if full else reading.seen)
            kro.describe_split(steps)  # kro mode: which resources the hub applies and which kro does
            stop = planner.guard(self, steps, existing)
            if stop and not allow_mass_delete:
                report.error = stop
                for s in steps:
                    kept: Action = "kept" if s.action == "deleted" else "blocked"
                    report.add(s.form.name, s.uid, s.name, kept, "the sync stopped: too many deletions")
                return report
            if dry_run:
                report.outcomes += [Outcome(s.form.name, s.uid, s.name, s.action, s.note) for s in steps]
                return report
            self._reads += 1
            self._newest = reading.newest if reading.newest is not None else self._newest
            steps = await generated.keep_pending(self, cluster, report, steps, vault)
            if self.mode == "kro":
                await kro.execute_kro(self, cluster, report, steps, live)
            else:
                await apply.execute(self, cluster, report, steps, existing)
        finally:
            await cluster.close()
        return report


def _check_keywords(
    where: str, concurrency: Any, max_delete_fraction: Any, max_delete: Any, options: Any, retry: Any
) -> None:
    """Refuse a `Hub` keyword of the wrong type or out of range (at the user's ``Hub(...)`` line)."""

    def whole(value: Any, least: int) -> bool:
        return not isinstance(value, bool) and isinstance(value, int) and value >= least

    if not whole(concurrency, 1):
        fix = "Give how many rows are worked on at once, e.g. 8."
        raise PykroError(f"concurrency={concurrency!r} is not a whole number >= 1", where=where, fix=fix)
    if isinstance(max_delete_fraction, bool) or not isinstance(max_delete_fraction, int | float):
        raise PykroError(f"max_delete_fraction={max_delete_fraction!r} is not a number", where=where)
    if not 0 <= max_delete_fraction <= 1:
        raise PykroError(f"max_delete_fraction={max_delete_fraction} is not between 0 and 1", where=where)
    if max_delete is not None and not whole(max_delete, 0):
        raise PykroError(f"max_delete={max_delete!r} is not a whole number >= 0", where=where)
    for keyword, value, kind in (("options", options, DeployOptions), ("retry", retry, RetryPolicy)):
        if value is not None and not isinstance(value, kind):
            fix = f"Pass {kind.__name__}(...) from pykro.deploy, or leave it out."
            raise PykroError(f"{keyword}={value!r} is not a {kind.__name__}", where=where, fix=fix)


def _declared(
    here: str,
    source: str,
    table: str | None,
    query: str | None,
    uid: str,
    active: str | None,
    sync_every: str,
    namespace: str | None,
) -> tuple[Source, str, str | None, float, str | None]:
    """A hub's source, uid and active columns, interval and namespace, checked; an error names ``here`` (the
    user's ``Hub(...)`` line) and the keyword when it knows it."""
    try:
        return (
            Source(source, table=table, query=query),
            check_identifier(uid, "uid column"),
            check_identifier(active, "active column") if active is not None else None,
            parse_interval(sync_every),
            check_namespace(namespace) if namespace is not None else None,
        )
    except PykroError as exc:
        raise PykroError(exc.what, where=f"{here}: {exc.where}" if exc.where else here, fix=exc.fix) from None


def _form_problems(
    problems: list[tuple[str, str]],
    forms: dict[str, Form],
    find: Callable[[Any], Form | None],
    given: tuple[str, str, Any, str, Iterable[Any], Any, Any],
) -> tuple[list[str], float | None]:
    """Add what is wrong with a new form (``given``: its composition's and its own name, spec function, instance
    name, depends_on, max_skew and timeout) to ``problems`` (what, fix); the names of the forms it depends on and
    its timeout in seconds."""
    graph_name, form_name, spec, instance_name, depends_on, max_skew, timeout = given
    seconds = None
    try:
        seconds = None if timeout is None else duration(timeout, "timeout")
    except PykroError as exc:
        problems.append((exc.what, exc.fix or ""))
    if not DNS_LABEL.fullmatch(form_name):
        problems.append(
            (f"form name {form_name!r} is not a DNS label", "Pass name= with lowercase letters, digits, '-'.")
        )
    if form_name in forms:
        problems.append((f"the hub already has a form named {form_name!r}", "Pass name= to tell them apart."))
    if max_skew is not None and (not isinstance(max_skew, int) or max_skew < 1):
        problems.append((f"max_skew={max_skew!r} is not a positive integer", "Use 1 or more, or None (no limit)."))
    if not callable(spec):
        problems.append(("spec= is not a function of the row", "Pass spec=lambda row: {...}."))
    try:
        instance_name.format(uid="x", form="x")
    except (KeyError, IndexError, ValueError, AttributeError):
        problems.append(
            (f"instance_name={instance_name!r} may only use {{uid}} and {{form}}", 'Write e.g. "{uid}-db".')
        )
    deps = []
    for dep in depends_on:
        found = find(dep)
        if found is None:
            problems.append(
                (
                    f"depends_on names {dep!r}, which is not a form of this hub yet",
                    "Declare the forms it depends on first.",
                )
            )
        else:
            deps.append(found.name)
    for other in forms.values():
        if other.factory.graph.name == graph_name and other.instance_name == instance_name:
            problems.append(
                (
                    f"forms {other.name!r} and {form_name!r} deploy the same composition with the same instance names",
                    'Give one of them another instance_name, e.g. "{uid}-' + form_name + '".',
                )
            )
    return deps, seconds
