"""Planning a sync: read the rows into wanted instances (`plan_rows`), list the instances there are
(`existing_instances`), compare both into steps (`steps_of`) and check the mass-deletion guard (`guard`). Nothing
here writes to the cluster."""

from __future__ import annotations

import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pykro.deploy import _inventory as inv
from pykro.deploy._api import CONFIGMAP_TYPE, Cluster
from pykro.deploy._direct import spec_dict
from pykro.errors import PykroError
from pykro.graph._naming import did_you_mean
from pykro.hub._generated import Vault, mask, misplaced
from pykro.hub._model import (
    DNS_LABEL,
    HUB,
    HUB_ERROR,
    HUB_FORM,
    HUB_HASH,
    HUB_ROW,
    HUB_SINCE,
    MISSING,
    Delete,
    Form,
    Have,
    Step,
    SyncReport,
    Want,
    active_flag,
    spec_hash,
)
from pykro.hub._source import URL_PARTS, MissingColumn, Row, SourceError
from pykro.hub._split import has_value
from pykro.runtime._values import check_spec

_NOT_USER: Final = (
    Path(__file__).resolve().parents[1],
    *{Path(sysconfig.get_paths()[k]).resolve() for k in ("stdlib", "platstdlib", "purelib", "platlib")},
)

__all__ = [
    "MissingColumns",
    "Reading",
    "Wording",
    "check_columns",
    "delete_limit",
    "existing_instances",
    "guard",
    "plan_rows",
    "row_problem",
    "source_problem",
    "steps_of",
]

if TYPE_CHECKING:
    from pykro.hub._hub import Hub

NAME_FIX: Final = "fix the row's uid or the form's instance_name"
_ROLES: Final = {"uid": "uid column", "active": "active column"}


@dataclass
class Wording:
    """How a hub's messages name what its user wrote: the ``Hub(...)`` line and keywords (Python), the file, line
    and YAML paths (a LynqHub), or the CLI option that replaced the database URL."""

    declared_at: str  # file:line of the hub's declaration
    columns: list[tuple[str, str, str]]  # (where, column, SourceError part) of each column every row must have
    parts: dict[str, tuple[str, str]] = field(default_factory=dict)  # SourceError part → (where, fix) instead
    source_option: str | None = None  # the CLI option that gave the database URL, if one did
    name_fix: str = NAME_FIX  # how to fix an instance name that is not a DNS label

    @classmethod
    def of(cls, declared_at: str, uid: str, active: str | None) -> Wording:
        """A Python hub's: ``hub.py:12: uid=`` and so on."""
        columns = [(f"{declared_at}: uid=", uid, "uid")]
        return cls(declared_at, columns + ([(f"{declared_at}: active=", active, "active")] if active else []))


def source_problem(hub: Hub, error: SourceError) -> SourceError:
    """``error`` naming where the user wrote the part of the source it is about (`Wording`)."""
    words = hub.wording
    if words.source_option is not None and error.part in URL_PARTS:
        where, fix = words.source_option, error.fix
    elif error.part in words.parts:
        where, fix = words.parts[error.part]
    elif isinstance(error, MissingColumns):  # named already
        return error
    else:
        where, fix = (f"{words.declared_at}: {error.where}" if error.where else words.declared_at), error.fix
    return SourceError(error.what, where=where, fix=fix, part=error.part)


class MissingColumns(SourceError):
    """The rows lack a column the hub names (`check_columns`)."""


def check_columns(hub: Hub, columns: list[str]) -> None:
    """Raise MissingColumns when the rows (their ``columns``) lack a column the hub names."""
    for where, column, part in hub.wording.columns:
        if column not in columns:
            raise MissingColumns(
                f"the rows have no {_ROLES.get(part, 'column')} {column!r} (columns: {', '.join(columns)})",
                where=where,
                fix="Name a column of the table." + did_you_mean(column, columns),
                part=part,
            )


MIN_DELETE: Final = 5
"""Without ``max_delete``, a sync may always delete the instances of this many tenants."""


@dataclass
class Reading:
    """How rows are read: all of them, or (``since``) those whose changed column is at least a value; the uids
    read and the newest changed value seen are noted."""

    since: tuple[str, Any] | None = None
    seen: set[str] = field(default_factory=set)
    newest: Any = None


def plan_rows(
    hub: Hub, report: SyncReport, vault: Vault | None = None, reading: Reading | None = None
) -> tuple[dict[str, dict[str, Want]], dict[str, set[str]]]:
    """The wanted instances per form (name → want) and, per form, the uids whose instances must be kept as they
    are (their row failed). Raises SourceError when the database cannot be read, naming the part of the source
    in the hub's words (`Hub.source_problem`)."""
    try:
        return _plan_rows(hub, report, vault, reading)
    except SourceError as exc:
        raise source_problem(hub, exc) from None


def _plan_rows(
    hub: Hub, report: SyncReport, vault: Vault | None, reading: Reading | None
) -> tuple[dict[str, dict[str, Want]], dict[str, set[str]]]:
    reading = reading if reading is not None else Reading()
    wanted: dict[str, dict[str, Want]] = {name: {} for name in hub.forms}
    keep: dict[str, set[str]] = {name: set() for name in hub.forms}
    digests = {name: form.digest() for name, form in hub.forms.items()}
    seen: dict[str, int] = {}
    first_row: dict[str, int] = {}  # uid → the number of the row (in read order) it was first seen in
    checked = False
    for row in hub.source.rows(reading.since):
        report.rows += 1
        if not checked:  # every row has the same columns
            check_columns(hub, list(row))
            checked = True
        if hub.changed_column is not None:
            _note_change(hub.changed_column, row, reading)
        raw_uid = row[hub.uid_column]
        uid = "" if raw_uid is None else str(raw_uid)
        reading.seen.add(uid)
        flag_value = None if hub.active_column is None else row[hub.active_column]
        flag = True if hub.active_column is None else active_flag(flag_value)
        if raw_uid is None or uid == "":
            for form in hub.forms.values():
                report.add(form.name, None, None, "failed", f"row {report.rows} has no uid ({hub.uid_column} is empty)")
            continue
        seen[uid] = seen.get(uid, 0) + 1
        first_row.setdefault(uid, report.rows)
        if seen[uid] == 2:
            for form in hub.forms.values():
                wanted[form.name].pop(form.instance_name.format(uid=uid, form=form.name), None)
                keep[form.name].add(uid)
                report.add(
                    form.name,
                    uid,
                    None,
                    "failed",
                    f"uid {uid!r} (column {hub.uid_column}) is in rows {first_row[uid]} and {report.rows} "
                    "(in read order); its instances are kept as they are until the uid is unique",
                )
        if seen[uid] > 1:
            continue
        if flag is None:
            for form in hub.forms.values():
                keep[form.name].add(uid)
                report.add(
                    form.name,
                    uid,
                    None,
                    "failed",
                    f"column {hub.active_column}: {flag_value!r} is neither true (1, true, yes) "
                    "nor false (0, false, no, NULL); the instance is kept as it is",
                )
            continue
        if not flag:
            continue
        report.active += 1
        for form in hub.ordered():
            name = form.instance_name.format(uid=uid, form=form.name)
            problem = row_problem(form, row, uid, name, vault, hub.wording.name_fix, hub.namespace)
            if isinstance(problem, str):
                keep[form.name].add(uid)
                report.add(form.name, uid, None if "instance name" in problem else name, "failed", problem)
                continue
            wanted[form.name][name] = Want(uid, problem, spec_hash(problem, digests[form.name]))
    return wanted, keep


def _note_change(column: str, row: Row, reading: Reading) -> None:
    """Keep the newest value of the changed column (a missing column or NULL stops the read: it would be missed)."""
    value = row.get(column, MISSING)
    if value is MISSING or value is None:
        raise SourceError(
            f"the changed column {column!r} is {'missing' if value is MISSING else 'NULL in a row'} "
            f"(columns: {', '.join(row)})",
            where="changed_column=",
            fix="Name a column every row has a value in, one that grows whenever the row changes.",
            part="changed_column",
        )
    try:
        if reading.newest is None or value > reading.newest:
            reading.newest = value
    except TypeError:
        raise SourceError(
            f"the changed column {column!r} holds values that cannot be compared ({value!r})",
            where="changed_column=",
            fix="Use a timestamp or a number column.",
            part="changed_column",
        ) from None


def spec_failure(form: Form, uid: str, exc: Exception) -> str:
    """One sentence on a spec function's failure for a row: its uid and form, what went wrong and where (the user's
    ``file:line``, or the template's file and path), how to fix it; no Python class name unless nothing else."""
    if isinstance(exc, PykroError):
        what, where, fix = exc.what, exc.where, exc.fix
    else:
        what, where = _described(exc), _user_line(exc) or form.where
        fix = "Fix the spec function, or the row's values it reads."
    text = f"row uid {uid!r} of form {form.name!r}: {what}" + (f" (in {where})" if where else "")
    return f"{text.rstrip('.')}. {fix}" if fix else text


def _spec_line(form: Form) -> str:
    """``file:line`` of the form's spec function (the form's line when it has none, e.g. a builtin)."""
    code = getattr(form.spec, "__code__", None)
    return f"{code.co_filename}:{code.co_firstlineno}" if code is not None else form.where


def _described(exc: Exception) -> str:
    """What ``exc`` says, in words (a KeyError's bare key made a sentence)."""
    if isinstance(exc, MissingColumn):
        return f"the spec function reads {exc.args[0]}"
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        return f"the spec function reads key {exc.args[0]!r}, which is not there"
    text = str(exc).strip()
    return f"the spec function failed: {text}" if text else f"the spec function raised {type(exc).__name__}"


def _user_line(exc: BaseException) -> str | None:
    """``file:line`` of the innermost traceback frame outside pykro, Python and installed libraries (the user's
    code), if any."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith("<") and not any(Path(filename).resolve().is_relative_to(p) for p in _NOT_USER):
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def row_problem(
    form: Form,
    row: Row,
    uid: str,
    name: str,
    vault: Vault | None = None,
    name_fix: str | None = None,
    namespace: str | None = None,
) -> dict[str, Any] | str:
    """The checked spec of ``form`` for ``row`` (generated secrets filled in from ``vault``), or why there is
    none (generated values masked): its spec, or an object its composition computes from the spec
    (`pykro.hub._rendered`; ``namespace`` is the instance's); ``name_fix`` says how to fix an instance name that is
    not a DNS label."""
    if not DNS_LABEL.fullmatch(name):
        return (
            f"instance name {name!r} (from uid {uid!r}) is not a DNS-1123 label (lowercase letters, digits and "
            f"'-', at most 63 characters); {name_fix or NAME_FIX}"
        )
    try:
        values = form.spec(row)
    except Exception as exc:  # the user's function: its failure is this row's
        return spec_failure(form, uid, exc)
    if values is None:  # e.g. a function without a return for some rows
        what = "the spec function returned None"
        fix = "Return the spec (a mapping, or the composition's spec model) for every row."
        return spec_failure(form, uid, PykroError(what, where=_spec_line(form), fix=fix))
    used: dict[str, str] = {}
    if vault is not None:
        values, used = vault.fill(form.name, uid, values)
        if used and vault.kro and form.split is None:
            return (
                "random_password() cannot be used in kro mode (the value would be in the instance CR's spec); "
                "use --mode direct"
            )
    try:
        checked = check_spec(
            form.factory.graph.openapi, spec_dict(values), model=form.factory.spec_model, what=f"{form.kind} spec"
        )
    except PykroError as exc:  # the row's values do not fit the composition's spec: at the form's line
        return mask(spec_failure(form, uid, PykroError(exc.what, where=exc.where or form.where, fix=exc.fix)), used)
    if used and vault is not None and vault.kro and has_value(form.split.kro_spec(checked), set(used.values())):
        return (  # the hub part keeps it (in a Secret it applies itself); the instance CR must not hold it
            "a generated secret would be in the instance CR's spec in kro mode; use --mode direct"
        )
    wrong = misplaced(form.factory.graph, checked, set(used.values())) if used else []
    if wrong:
        return (
            f"random_password() goes to spec field {wrong[0]} of {form.kind}, which is not typed SecretStr (its "
            "value would be kept in plain text); type the field SecretStr in the composition's spec"
        )
    if form.renderer is not None:
        found = form.renderer.problem(checked, name, namespace or "default")
        if found is not None:  # what the API server would refuse, before anything is written
            rid, (field, what, fix) = found
            at = f"resource {rid!r}" + (f", field {field}" if field else "")
            redactor = form.factory.redactor
            redactor.learn_spec(form.factory.graph, checked)  # a SecretStr value never shows
            text = spec_failure(form, uid, PykroError(f"{at}: {what}", where=form.where, fix=fix))
            return mask(redactor.text(text), used)
    return checked


async def existing_instances(cluster: Cluster, forms: Iterable[Form]) -> dict[str, dict[str, Have]]:
    """Per form, the instances of its composition in the namespace (the hub's and others')."""
    out: dict[str, dict[str, Have]] = {}
    for form in forms:
        items, _ = await cluster.list(
            CONFIGMAP_TYPE, cluster.namespace, {inv.ROLE: "instance", inv.COMPOSITION: form.factory.graph.name}
        )
        found: dict[str, Have] = {}
        for rec in items:
            meta = rec.get("metadata") or {}
            labels, notes = meta.get("labels") or {}, meta.get("annotations") or {}
            name = str(labels.get(inv.RECORD_OF, ""))
            found[name] = Have(
                name=name,
                uid=notes.get(HUB_ROW),
                hash=str(notes.get(HUB_HASH, "")),
                state=str(notes.get(inv.STATE, "")),
                hub=labels.get(HUB),
                form=labels.get(HUB_FORM),
                since=str(notes.get(HUB_SINCE, "")),
                error=str(notes.get(HUB_ERROR, "")),
            )
        out[form.name] = found
    return out


def delete_limit(hub: Hub, tenants: int) -> int:
    """How many tenants one sync may delete the instances of: ``max_delete`` when set, else
    ``max_delete_fraction`` of the hub's tenants (rounded down) but at least `MIN_DELETE`."""
    if hub.max_delete is not None:
        return hub.max_delete
    return max(MIN_DELETE, int(hub.max_delete_fraction * tenants))


def guard(hub: Hub, steps: list[Step], existing: dict[str, dict[str, Have]]) -> str | None:
    """Why ``steps`` delete too much (None when they do not): they count in tenants (rows), not instances."""
    doomed = {s.uid for s in steps if s.action == "deleted"}
    tenants = {h.uid or h.name for have in existing.values() for h in have.values() if h.hub == hub.name}
    limit = delete_limit(hub, len(tenants))
    if len(doomed) <= limit:
        return None
    how = (
        f"max_delete={hub.max_delete}"
        if hub.max_delete is not None
        else f"{hub.max_delete_fraction:.0%} of its {len(tenants)} tenants, at least {MIN_DELETE}"
    )
    return (
        f"the sync would delete the instances of {len(doomed)} tenants, more than {limit} ({how}); it stopped "
        "before changing anything (an emptied table or a wrong query looks like this). If the deletions are meant, "
        "sync again with --allow-mass-delete (allow_mass_delete=True), which allows them for that one sync."
    )


def steps_of(
    hub: Hub,
    report: SyncReport,
    wanted: dict[str, dict[str, Want]],
    keep: dict[str, set[str]],
    existing: dict[str, dict[str, Have]],
    only: set[str] | None = None,
) -> list[Step]:
    """The steps from the wanted to the existing instances; with ``only`` (an incremental read), instances are
    deleted only for the rows read (inactive now): the rows not read are not known to be gone."""
    steps: list[Step] = []
    for form in hub.ordered():
        have = existing[form.name]
        for name, want in wanted[form.name].items():
            old = have.get(name)
            if old is None:
                steps.append(Step(form, want.uid, name, "created", want))
            elif old.hub != hub.name or old.form != form.name:
                owner = f"hub {old.hub!r} (form {old.form!r})" if old.hub else "no hub"
                report.add(
                    form.name,
                    want.uid,
                    name,
                    "failed",
                    f"a {form.kind} instance named {name!r} already exists and belongs to {owner}; the hub "
                    f"never takes over an instance: delete it (pykro delete {name}), change the form's "
                    f"instance_name, or label its record pykro.{form.factory.graph.name}.{name} "
                    f"{HUB}={hub.name} {HUB_FORM}={form.name} to hand it to this hub",
                )
            elif form.creation == "once":
                note = "creation='once': the row changed, the instance is not updated" if old.hash != want.hash else ""
                report.add(form.name, want.uid, name, "unchanged", note)
            elif old.hash == want.hash and not old.stale and (old.state == "ACTIVE" or hub.mode == "kro"):
                report.add(form.name, want.uid, name, "unchanged")  # kro mode: kro works on it
            else:
                why = old.stale or (
                    "the row or the composition changed"
                    if old.hash != want.hash
                    else f"the instance is {old.state or 'of unknown state'}: deployed again"
                )
                steps.append(Step(form, want.uid, name, "updated", want, old.state, why))
        for name, old in have.items():
            if old.hub != hub.name or old.form != form.name or name in wanted[form.name]:
                continue
            uid = old.uid or name
            if uid in keep[form.name] or (only is not None and uid not in only):
                continue  # the row failed (its instance stays as it is), or was not read
            steps.append(Step(form, uid, name, "deleted" if form.deletion == Delete else "retained"))
    return steps
