"""`Hub`: one instance of each form (a composition) per active row of a table, a view or a query, kept in step with
the database by `Hub.sync` (direct mode: pykro's deploy engine deploys each instance).

A sync reads every row first; when the read fails (connection, missing table, bad query) it writes nothing and
deletes nothing. It then plans, per form and row: create, update (the row's spec or the form's composition
changed, or the instance is not ACTIVE), unchanged, delete or retain (the row is gone or inactive). A row whose
mapping or spec is wrong fails alone and keeps its instance as it is. A plan deleting more than
``max_delete_fraction`` of the hub's instances (or more than ``max_delete``) stops the whole sync unless
``allow_mass_delete``. Within a row, a form's instance is created or updated only once the instances of the forms
it ``depends_on`` are ACTIVE, and deleted before them; ``max_skew`` bounds how many instances of one form are being
deployed at once, ``concurrency`` how many rows are worked on at once.

The hub marks the instance records it manages (the inventory ConfigMaps of `pykro.deploy.inventory`) with its own
field manager: labels ``pykro.io/hub`` and ``pykro.io/hub-form``, annotations ``pykro.io/hub-row`` (the uid) and
``pykro.io/hub-spec-hash`` (a hash of the checked spec and of the composition). Instances without these labels are
never touched by a hub."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from pykro import yamlio
from pykro.deploy import DeployOptions, DirectFactory, NullReporter, Reporter, RetryPolicy, factory
from pykro.deploy import inventory as inv
from pykro.deploy.api import CONFIGMAP_TYPE, Cluster
from pykro.deploy.direct import spec_dict
from pykro.deploy.errors import ApiFailure
from pykro.errors import PykroError
from pykro.hub.source import Row, Source, SourceError
from pykro.runtime.values import check_spec

DeletionPolicy = Literal["Delete", "Retain"]
Delete: Final[DeletionPolicy] = "Delete"
Retain: Final[DeletionPolicy] = "Retain"
Creation = Literal["when-needed", "once"]

HUB: Final = inv.PREFIX + "hub"
HUB_FORM: Final = inv.PREFIX + "hub-form"
HUB_ROW: Final = inv.PREFIX + "hub-row"
HUB_HASH: Final = inv.PREFIX + "hub-spec-hash"
FIELD_MANAGER: Final = "pykro-hub"

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z")
_INTERVAL = re.compile(r"^(\d+)(s|m|h)\Z")
_TRUE = frozenset({"1", "true", "yes"})
_FALSE = frozenset({"0", "false", "no", ""})

# What happened to one instance (past tense; a dry run reports what would happen with the same words).
Action = Literal["created", "updated", "unchanged", "deleted", "retained", "failed", "blocked", "kept"]


def parse_interval(text: str) -> float:
    """Seconds of a Lynq-style duration (``30s``, ``1m``, ``2h``)."""
    found = _INTERVAL.match(text.strip()) if isinstance(text, str) else None
    if found is None or int(found.group(1)) == 0:
        raise PykroError(f"sync_every={text!r} is not a duration", fix="Write a positive number and s, m or h: 30s.")
    return int(found.group(1)) * {"s": 1, "m": 60, "h": 3600}[found.group(2)]


def _caller() -> str:
    """``file:line`` of the user's call into the hub."""
    frame = sys._getframe(2)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _active(value: Any) -> bool | None:
    """The activation column's value as a flag (Lynq's truthy values; NULL is inactive); None when unreadable."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return {1: True, 0: False}.get(value)
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


@dataclass
class Outcome:
    """What a sync did (or, in a dry run, would do) to one instance of one form for one row."""

    form: str
    uid: str | None
    instance: str | None
    action: Action
    message: str = ""


@dataclass
class SyncReport:
    """The result of one sync: an outcome per row × form, and the error that stopped the sync (if any)."""

    hub: str
    dry_run: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    error: str | None = None
    rows: int = 0
    active: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and not any(o.action in ("failed", "blocked") for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.outcomes:
            out[o.action] = out.get(o.action, 0) + 1
        return out

    def of(self, form: str, uid: str) -> Outcome | None:
        """The outcome of ``form``'s instance for row ``uid``."""
        return next((o for o in self.outcomes if o.form == form and o.uid == uid), None)

    def render(self, *, changes_only: bool = False) -> str:
        """A plain-text table (user text printed verbatim)."""
        head = f"hub {self.hub}: {self.rows} rows, {self.active} active" + (
            " (dry run: nothing written)" if self.dry_run else ""
        )
        lines = [head]
        for o in self.outcomes:
            if changes_only and o.action == "unchanged":
                continue
            what = (
                f"would be {o.action}"
                if self.dry_run and o.action in ("created", "updated", "deleted", "retained")
                else o.action
            )
            lines.append(
                f"  {o.form:<16} {o.uid or '-':<24} {o.instance or '-':<24} {what}"
                + (f": {o.message}" if o.message else "")
            )
        summary = ", ".join(f"{n} {a}" for a, n in sorted(self.counts().items()))
        lines.append(f"  {summary or 'nothing to do'}")
        if self.error:
            lines.append(f"error: {self.error}")
        return "\n".join(lines) + "\n"


@dataclass
class Form:
    """One composition deployed once per active row; made by `Hub.form`."""

    name: str
    factory: DirectFactory
    spec: Callable[[Row], Any]
    instance_name: str
    depends_on: tuple[str, ...]
    deletion: DeletionPolicy
    creation: Creation
    max_skew: int | None
    timeout: float | None
    where: str
    source: Any = None

    @property
    def kind(self) -> str:
        return self.factory.graph.kind

    def digest(self) -> str:
        """A hash of the composition (a changed composition updates every instance)."""
        return hashlib.sha256(yamlio.dump(self.factory.graph.to_rgd()).encode()).hexdigest()[:16]


@dataclass
class _Want:
    uid: str
    spec: dict[str, Any]
    hash: str


@dataclass
class _Have:
    name: str
    uid: str | None
    hash: str
    state: str
    hub: str | None
    form: str | None


@dataclass
class _Step:
    form: Form
    uid: str
    name: str
    action: Action
    want: _Want | None = None


def _spec_hash(spec: dict[str, Any], digest: str) -> str:
    text = json.dumps({"spec": spec, "composition": digest}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class Hub:
    """Rows of a database table (``table=``, a view too) or query (``query=``) → instances of the hub's forms.

    ``source`` is an SQLAlchemy URL (``sqlite:///FILE``, ``postgresql+psycopg://…``, ``mysql+pymysql://…``);
    ``uid`` names the column identifying a row (instance names derive from it), ``active`` the activation column
    (true, 1, yes → active; false, 0, no, NULL → inactive; anything else fails that row)."""

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
        max_delete_fraction: float = 0.5,
        max_delete: int | None = None,
        reporter: Reporter | None = None,
        retry: RetryPolicy | None = None,
        options: DeployOptions | None = None,
    ) -> None:
        if not isinstance(name, str) or not _DNS_LABEL.fullmatch(name):
            raise PykroError(
                f"hub name {name!r} is not a DNS label", where=_caller(), fix="Use lowercase letters, digits and '-'."
            )
        self.name = name
        self.source = Source(source, table=table, query=query)
        from pykro.hub.source import check_identifier

        self.uid_column = check_identifier(uid, "uid column")
        self.active_column = check_identifier(active, "active column") if active is not None else None
        self.interval = parse_interval(sync_every)
        self.namespace = namespace
        self.kubeconfig = kubeconfig
        self.context = context
        self.concurrency = max(1, concurrency)
        if not 0 <= max_delete_fraction <= 1:
            raise PykroError(f"max_delete_fraction={max_delete_fraction} is not between 0 and 1", where=_caller())
        self.max_delete_fraction = max_delete_fraction
        self.max_delete = max_delete
        self.reporter = reporter
        self.retry = retry
        self.options = options
        self.forms: dict[str, Form] = {}

    # ------------------------------------------------------------------------------------------ declaring forms
    def form(
        self,
        composition: Any,
        *,
        spec: Callable[[Row], Any],
        name: str | None = None,
        instance_name: str = "{uid}",
        depends_on: Iterable[Any] = (),
        deletion: DeletionPolicy = Delete,
        creation: Creation = "when-needed",
        max_skew: int | None = None,
        timeout: float | None = None,
    ) -> Form:
        """Deploy ``composition`` once per active row with the spec ``spec(row)`` returns (a mapping by Python or
        CRD field names, or the composition's spec model); see the module docstring for the options."""
        where = _caller()
        made = self._factory(composition)
        form_name = name or made.graph.name
        problems = []
        if not _DNS_LABEL.fullmatch(form_name):
            problems.append(
                (f"form name {form_name!r} is not a DNS label", "Pass name= with lowercase letters, digits, '-'.")
            )
        if form_name in self.forms:
            problems.append((f"the hub already has a form named {form_name!r}", "Pass name= to tell them apart."))
        if deletion not in (Delete, Retain):
            problems.append((f"deletion={deletion!r} is not a deletion policy", "Use Delete or Retain."))
        if creation not in ("when-needed", "once"):
            problems.append((f"creation={creation!r} is not a creation policy", 'Use "when-needed" or "once".'))
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
            found = self._find_form(dep)
            if found is None:
                problems.append(
                    (
                        f"depends_on names {dep!r}, which is not a form of this hub yet",
                        "Declare the forms it depends on first.",
                    )
                )
            else:
                deps.append(found.name)
        for other in self.forms.values():
            if other.factory.graph.name == made.graph.name and other.instance_name == instance_name:
                problems.append(
                    (
                        f"forms {other.name!r} and {form_name!r} deploy the same composition with the same "
                        "instance names",
                        'Give one of them another instance_name, e.g. "{uid}-' + form_name + '".',
                    )
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
            deletion=deletion,
            creation=creation,
            max_skew=max_skew,
            timeout=timeout,
            where=where,
            source=composition,
        )
        self.forms[form_name] = made_form
        return made_form

    def target(
        self,
        *,
        source: str | None = None,
        kubeconfig: str | Path | None = None,
        context: str | None = None,
        namespace: str | None = None,
    ) -> None:
        """Read another database (same table or query), or deploy to another cluster or namespace, than the hub
        was declared with (the CLI's options)."""
        if source is not None:
            old = self.source
            self.source = Source(source, table=old.table_name, query=old.query)
            old.close()
        self.kubeconfig = kubeconfig if kubeconfig is not None else self.kubeconfig
        self.context = context if context is not None else self.context
        self.namespace = namespace if namespace is not None else self.namespace
        for form in self.forms.values():
            form.factory = self._factory(form.source)

    def _factory(self, composition: Any) -> DirectFactory:
        made = factory(
            composition,
            "direct",
            namespace=self.namespace,
            kubeconfig=self.kubeconfig,
            context=self.context,
            reporter=self.reporter or NullReporter(),
            retry=self.retry,
            options=self.options,
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
        return asyncio.run(self.async_sync(dry_run=dry_run, allow_mass_delete=allow_mass_delete))

    def run(self, *, syncs: int | None = None, allow_mass_delete: bool = False,
            on_report: Callable[[SyncReport], None] | None = None) -> None:  # fmt: skip
        """Sync every ``sync_every`` (``syncs`` times, or until interrupted)."""
        done = 0
        while syncs is None or done < syncs:
            started = time.monotonic()
            report = self.sync(allow_mass_delete=allow_mass_delete)
            if on_report is not None:
                on_report(report)
            done += 1
            if syncs is None or done < syncs:
                time.sleep(max(0.0, self.interval - (time.monotonic() - started)))

    def close(self) -> None:
        """Close the database connections."""
        self.source.close()

    def _order(self) -> list[Form]:
        """Forms in dependency order (a form is declared after the forms it depends on)."""
        return list(self.forms.values())

    def _plan_rows(self, report: SyncReport) -> tuple[dict[str, dict[str, _Want]], dict[str, set[str]]]:
        """The wanted instances per form (name → want) and, per form, the uids whose instances must be kept as they
        are (their row failed). Raises SourceError when the database cannot be read."""
        wanted: dict[str, dict[str, _Want]] = {name: {} for name in self.forms}
        keep: dict[str, set[str]] = {name: set() for name in self.forms}
        digests = {name: form.digest() for name, form in self.forms.items()}
        seen: dict[str, int] = {}
        for row in self.source.rows():
            report.rows += 1
            raw_uid = row.get(self.uid_column, _MISSING)
            if raw_uid is _MISSING:
                raise SourceError(
                    f"the rows have no uid column {self.uid_column!r} (columns: {', '.join(row)})",
                    where="uid=",
                    fix="Name the column that identifies a row.",
                )
            uid = "" if raw_uid is None else str(raw_uid)
            if self.active_column is not None and self.active_column not in row:
                raise SourceError(
                    f"the rows have no active column {self.active_column!r} (columns: {', '.join(row)})",
                    where="active=",
                    fix="Name the activation column, or leave active= out (every row is active).",
                )
            flag_value = None if self.active_column is None else row[self.active_column]
            flag = True if self.active_column is None else _active(flag_value)
            if raw_uid is None or uid == "":
                for form in self.forms.values():
                    report.outcomes.append(
                        Outcome(
                            form.name,
                            None,
                            None,
                            "failed",
                            f"row {report.rows} has no uid ({self.uid_column} is empty)",
                        )
                    )
                continue
            seen[uid] = seen.get(uid, 0) + 1
            if seen[uid] == 2:
                for form in self.forms.values():
                    wanted[form.name].pop(form.instance_name.format(uid=uid, form=form.name), None)
                    keep[form.name].add(uid)
                    report.outcomes.append(
                        Outcome(
                            form.name,
                            uid,
                            None,
                            "failed",
                            f"uid {uid!r} is in more than one row; its instances are kept as they are",
                        )
                    )
            if seen[uid] > 1:
                continue
            if flag is None:
                for form in self.forms.values():
                    keep[form.name].add(uid)
                    report.outcomes.append(
                        Outcome(
                            form.name,
                            uid,
                            None,
                            "failed",
                            f"column {self.active_column}: {flag_value!r} is neither true (1, true, yes) "
                            "nor false (0, false, no, NULL); the instance is kept as it is",
                        )
                    )
                continue
            if not flag:
                continue
            report.active += 1
            for form in self._order():
                name = form.instance_name.format(uid=uid, form=form.name)
                problem = self._row_problem(form, row, uid, name)
                if isinstance(problem, str):
                    keep[form.name].add(uid)
                    report.outcomes.append(
                        Outcome(form.name, uid, None if "instance name" in problem else name, "failed", problem)
                    )
                    continue
                wanted[form.name][name] = _Want(uid, problem, _spec_hash(problem, digests[form.name]))
        return wanted, keep

    def _row_problem(self, form: Form, row: Row, uid: str, name: str) -> dict[str, Any] | str:
        """The checked spec of ``form`` for ``row``, or why there is none."""
        if not _DNS_LABEL.fullmatch(name):
            return (
                f"instance name {name!r} (from uid {uid!r}) is not a DNS-1123 label (lowercase letters, digits and "
                "'-', at most 63 characters); fix the row's uid or the form's instance_name"
            )
        try:
            values = form.spec(row)
        except Exception as exc:  # the user's function: its failure is this row's
            return f"the spec function ({form.where}) failed: {type(exc).__name__}: {exc}"
        try:
            return check_spec(
                form.factory.graph.openapi, spec_dict(values), model=form.factory.spec_model, what=f"{form.kind} spec"
            )
        except PykroError as exc:
            return str(exc)

    async def _existing(self, cluster: Cluster) -> dict[str, dict[str, _Have]]:
        """Per form, the instances of its composition in the namespace (the hub's and others')."""
        out: dict[str, dict[str, _Have]] = {}
        for form in self.forms.values():
            items, _ = await cluster.list(
                CONFIGMAP_TYPE, cluster.namespace, {inv.ROLE: "instance", inv.COMPOSITION: form.factory.graph.name}
            )
            found: dict[str, _Have] = {}
            for rec in items:
                meta = rec.get("metadata") or {}
                labels, notes = meta.get("labels") or {}, meta.get("annotations") or {}
                name = str(labels.get(inv.RECORD_OF, ""))
                found[name] = _Have(
                    name=name,
                    uid=notes.get(HUB_ROW),
                    hash=str(notes.get(HUB_HASH, "")),
                    state=str(notes.get(inv.STATE, "")),
                    hub=labels.get(HUB),
                    form=labels.get(HUB_FORM),
                )
            out[form.name] = found
        return out

    def _cluster(self) -> Cluster:
        return Cluster(
            kubeconfig=self.kubeconfig,
            context=self.context,
            namespace=self.namespace,
            retry=self.retry,
            field_manager=FIELD_MANAGER,
        )

    async def async_sync(self, *, dry_run: bool = False, allow_mass_delete: bool = False) -> SyncReport:
        """`sync`, in a running event loop."""
        report = SyncReport(self.name, dry_run=dry_run)
        if not self.forms:
            report.error = "the hub has no forms; add one with hub.form(composition, spec=...)"
            return report
        try:
            wanted, keep = await asyncio.to_thread(self._plan_rows, report)
        except PykroError as exc:  # the database could not be read: nothing is written, nothing deleted
            report.outcomes = []
            report.error = f"{exc} Nothing was changed."
            return report
        cluster = self._cluster()
        try:
            try:
                existing = await self._existing(cluster)
            except PykroError as exc:
                report.error = f"cannot list the instances: {exc} Nothing was changed."
                return report
            steps = self._steps(report, wanted, keep, existing)
            deletes = sum(1 for s in steps if s.action == "deleted")
            ours = sum(1 for have in existing.values() for h in have.values() if h.hub == self.name)
            guard = self._guard(deletes, ours)
            if guard and not allow_mass_delete:
                report.error = guard
                for s in steps:
                    report.outcomes.append(
                        Outcome(
                            s.form.name,
                            s.uid,
                            s.name,
                            "kept" if s.action == "deleted" else "blocked",
                            "the sync stopped: too many deletions",
                        )
                    )
                return report
            if dry_run:
                report.outcomes += [Outcome(s.form.name, s.uid, s.name, s.action) for s in steps]
                return report
            await self._execute(cluster, report, steps, existing)
        finally:
            await cluster.close()
        return report

    def _guard(self, deletes: int, ours: int) -> str | None:
        too_many = deletes > self.max_delete_fraction * ours or (
            self.max_delete is not None and deletes > self.max_delete
        )
        if deletes == 0 or not too_many:
            return None
        limit = f"{self.max_delete_fraction:.0%} of its {ours} instances"
        if self.max_delete is not None:
            limit += f" or more than {self.max_delete}"
        return (
            f"the sync would delete {deletes} instances, more than {limit}; it stopped before changing anything "
            "(an emptied table or a wrong query looks like this). If the deletions are meant, sync again with "
            "--allow-mass-delete (allow_mass_delete=True)."
        )

    def _steps(
        self,
        report: SyncReport,
        wanted: dict[str, dict[str, _Want]],
        keep: dict[str, set[str]],
        existing: dict[str, dict[str, _Have]],
    ) -> list[_Step]:
        steps: list[_Step] = []
        for form in self._order():
            have = existing[form.name]
            for name, want in wanted[form.name].items():
                old = have.get(name)
                if old is None:
                    steps.append(_Step(form, want.uid, name, "created", want))
                elif old.hub != self.name or old.form != form.name:
                    owner = f"hub {old.hub!r} (form {old.form!r})" if old.hub else "no hub"
                    report.outcomes.append(
                        Outcome(
                            form.name,
                            want.uid,
                            name,
                            "failed",
                            f"a {form.kind} instance named {name!r} already exists and belongs to {owner}; the hub "
                            f"never takes over an instance: delete it (pykro delete {name}), change the form's "
                            f"instance_name, or label its record pykro.{form.factory.graph.name}.{name} "
                            f"{HUB}={self.name} {HUB_FORM}={form.name} to hand it to this hub",
                        )
                    )
                elif form.creation == "once":
                    note = (
                        "creation='once': the row changed, the instance is not updated" if old.hash != want.hash else ""
                    )
                    report.outcomes.append(Outcome(form.name, want.uid, name, "unchanged", note))
                elif old.hash == want.hash and old.state == "ACTIVE":
                    report.outcomes.append(Outcome(form.name, want.uid, name, "unchanged"))
                else:
                    steps.append(_Step(form, want.uid, name, "updated", want))
            for name, old in have.items():
                if old.hub != self.name or old.form != form.name or name in wanted[form.name]:
                    continue
                uid = old.uid or name
                if uid in keep[form.name]:
                    continue  # the row failed: its instance stays as it is
                steps.append(_Step(form, uid, name, "deleted" if form.deletion == Delete else "retained"))
        return steps

    async def _execute(
        self, cluster: Cluster, report: SyncReport, steps: list[_Step], existing: dict[str, dict[str, _Have]]
    ) -> None:
        """Run the steps row by row (``concurrency`` rows at once), forms in dependency order."""
        by_row: dict[str, list[_Step]] = {}
        for s in steps:
            by_row.setdefault(s.uid, []).append(s)
        skew = {f.name: asyncio.Semaphore(f.max_skew or 1_000_000) for f in self.forms.values()}
        queue: asyncio.Queue[str] = asyncio.Queue()
        for uid in by_row:
            queue.put_nowait(uid)

        async def worker() -> None:
            while True:
                try:
                    uid = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await self._row(cluster, report, uid, by_row[uid], existing, skew)

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(by_row)) or 1)))

    async def _row(
        self,
        cluster: Cluster,
        report: SyncReport,
        uid: str,
        steps: list[_Step],
        existing: dict[str, dict[str, _Have]],
        skew: dict[str, asyncio.Semaphore],
    ) -> None:
        """One row's steps: creates and updates in dependency order, then deletions in reverse order."""
        state: dict[str, str] = {}  # form → state of its instance for this row after this sync's step
        for form in self._order():
            name = form.instance_name.format(uid=uid, form=form.name)
            have = existing[form.name].get(name)
            if have is not None and have.hub == self.name:
                state[form.name] = have.state
        order = {f.name: i for i, f in enumerate(self._order())}
        applies = sorted((s for s in steps if s.action in ("created", "updated")), key=lambda s: order[s.form.name])
        for s in applies:
            waiting = [d for d in s.form.depends_on if state.get(d) != "ACTIVE"]
            if waiting:
                report.outcomes.append(
                    Outcome(
                        s.form.name,
                        uid,
                        s.name,
                        "blocked",
                        f"waiting for the {', '.join(waiting)} instance of this row to be ACTIVE",
                    )
                )
                continue
            assert s.want is not None
            async with skew[s.form.name]:
                outcome, new_state = await self._deploy(cluster, s)
            report.outcomes.append(outcome)
            if new_state:
                state[s.form.name] = new_state
        removals = sorted((s for s in steps if s.action in ("deleted", "retained")), key=lambda s: -order[s.form.name])
        failed: set[str] = set()
        for s in removals:
            dependents = [f.name for f in self.forms.values() if s.form.name in f.depends_on and f.name in failed]
            if dependents:
                failed.add(s.form.name)
                report.outcomes.append(
                    Outcome(
                        s.form.name,
                        uid,
                        s.name,
                        "blocked",
                        f"kept: the {', '.join(dependents)} instance of this row could not be removed",
                    )
                )
                continue
            outcome = await self._remove(cluster, s)
            if outcome.action == "failed":
                failed.add(s.form.name)
            report.outcomes.append(outcome)

    async def _deploy(self, cluster: Cluster, s: _Step) -> tuple[Outcome, str]:
        assert s.want is not None
        try:
            instance = await s.form.factory.adeploy(s.want.spec, name=s.name, timeout=s.form.timeout)
        except PykroError as exc:
            await self._mark(cluster, s, missing_ok=True)  # a failed deploy may have left its record: it is ours
            return Outcome(s.form.name, s.uid, s.name, "failed", str(exc)), "FAILED"
        except Exception as exc:  # an unexpected failure stays this row's
            await self._mark(cluster, s, missing_ok=True)
            return Outcome(s.form.name, s.uid, s.name, "failed", f"{type(exc).__name__}: {exc}"), "FAILED"
        try:
            await self._mark(cluster, s)
        except PykroError as exc:
            return Outcome(
                s.form.name, s.uid, s.name, "failed", f"deployed, but not marked as the hub's: {exc}"
            ), instance.state
        message = "" if instance.state == "ACTIVE" else f"state {instance.state}"
        return Outcome(s.form.name, s.uid, s.name, s.action, message), instance.state

    async def _mark(self, cluster: Cluster, s: _Step, *, missing_ok: bool = False) -> None:
        """Label the instance's record as this hub's (row uid and spec hash in annotations)."""
        assert s.want is not None
        patch = {
            "metadata": {
                "labels": {HUB: self.name, HUB_FORM: s.form.name},
                "annotations": {HUB_ROW: s.uid, HUB_HASH: s.want.hash},
            }
        }
        record = f"pykro.{s.form.factory.graph.name}.{s.name}"
        try:
            await cluster.merge_patch(CONFIGMAP_TYPE, record, cluster.namespace, patch)
        except ApiFailure as exc:
            if not (missing_ok and exc.code == 404):
                raise
        except PykroError:
            if not missing_ok:
                raise

    async def _remove(self, cluster: Cluster, s: _Step) -> Outcome:
        if s.action == "retained":  # released: the instance stays, the hub forgets it
            patch = {
                "metadata": {"labels": {HUB: None, HUB_FORM: None}, "annotations": {HUB_ROW: None, HUB_HASH: None}}
            }
            try:
                await cluster.merge_patch(
                    CONFIGMAP_TYPE, f"pykro.{s.form.factory.graph.name}.{s.name}", cluster.namespace, patch
                )
            except PykroError as exc:
                return Outcome(s.form.name, s.uid, s.name, "failed", f"cannot release it: {exc}")
            return Outcome(
                s.form.name, s.uid, s.name, "retained", "deletion=Retain: kept, no longer managed by the hub"
            )
        try:
            await s.form.factory.adelete(s.name, timeout=s.form.timeout)
        except PykroError as exc:
            return Outcome(s.form.name, s.uid, s.name, "failed", f"cannot delete it: {exc}")
        return Outcome(s.form.name, s.uid, s.name, "deleted")


_MISSING: Final = object()
