"""`Hub.sync` against the emulator over HTTP, rows in SQLite (and PostgreSQL / MariaDB when given): create, update,
delete, inactive rows, a bad row failing alone, no deletion when the database cannot be read, the mass-deletion
guard, cross-form order, creation="once", Retain, max_skew and dry runs."""

from __future__ import annotations

import asyncio
import copy
import re
from types import ModuleType
from typing import Any

import pytest

from pykro.deploy import _inventory as inv
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._controller import ClusterAPI
from pykro.hub import Retain
from pykro.hub._hub import HUB, HUB_FORM

WRITES = frozenset({"create", "update", "patch", "apply", "delete", "deletecollection"})


def objects(cluster: LocalCluster, namespace: str, kind: str) -> dict[str, dict[str, Any]]:
    """The objects of ``kind`` in ``namespace`` (records included for ConfigMaps), by name."""

    async def collect(api: ClusterAPI) -> dict[str, dict[str, Any]]:
        out = {}
        for _, obj in cluster.engine.store.all_objects():
            meta = obj.get("metadata") or {}
            if obj.get("kind") == kind and meta.get("namespace") == namespace and not meta.get("deletionTimestamp"):
                out[meta["name"]] = copy.deepcopy(obj)
        return out

    return cluster.run(collect)


def app_data(cluster: LocalCluster, namespace: str) -> dict[str, dict[str, str]]:
    """data of the app ConfigMaps (``<uid>-cfg``) in ``namespace``."""
    found = objects(cluster, namespace, "ConfigMap")
    return {name[: -len("-cfg")]: obj.get("data") or {} for name, obj in found.items() if name.endswith("-cfg")}


def writes(cluster: LocalCluster, since: int) -> list[tuple[str, str, str | None]]:
    return [(i.verb, i.resource, i.name) for _, i, _ in cluster.request_log()[since:] if i.verb in WRITES]


def app_spec(row: Any) -> dict[str, Any]:
    return {"name": row.node_id, "image": row.image, "replicas": row.replicas}


def actions(report: Any) -> dict[tuple[str, str | None], str]:
    return {(o.form, o.uid): o.action for o in report.outcomes}


def test_rows_become_instances_and_follow_the_table(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "img:1", 1), ("b", True, "img:1", 2), ("c", True, "img:1", 1), ("d", True, "img:1", 1))
    db.add("e", False, "img:1")
    db.add("f", None, "img:1")  # NULL: inactive, as in Lynq
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec)

    report = hub.sync()
    assert report.ok, report.render()
    assert (report.rows, report.active) == (6, 4)
    assert actions(report) == {("app", u): "created" for u in "abcd"}
    assert app_data(cluster, make.namespace) == {
        u: {"image": "img:1", "replicas": "2" if u == "b" else "1"} for u in "abcd"
    }

    mark = len(cluster.request_log())
    again = hub.sync()
    assert actions(again) == {("app", u): "unchanged" for u in "abcd"}
    assert writes(cluster, mark) == []  # an unchanged row costs no write at all

    db.run("UPDATE {t} SET image = 'img:2' WHERE node_id = 'b'")
    db.run("UPDATE {t} SET is_active = :f WHERE node_id = 'a'", f=False)
    db.run("DELETE FROM {t} WHERE node_id = 'c'")
    db.run("UPDATE {t} SET is_active = :t WHERE node_id = 'e'", t=True)
    third = hub.sync()
    assert third.ok, third.render()
    assert actions(third) == {
        ("app", "a"): "deleted",
        ("app", "b"): "updated",
        ("app", "c"): "deleted",
        ("app", "d"): "unchanged",
        ("app", "e"): "created",
    }
    assert app_data(cluster, make.namespace) == {
        "b": {"image": "img:2", "replicas": "2"},
        "d": {"image": "img:1", "replicas": "1"},
        "e": {"image": "img:1", "replicas": "1"},
    }
    records = objects(cluster, make.namespace, "ConfigMap")
    ours = {n: r for n, r in records.items() if (r["metadata"].get("labels") or {}).get(HUB) == "tenants"}
    assert sorted(ours) == ["pykro.app.b", "pykro.app.d", "pykro.app.e"]
    assert {r["metadata"]["labels"][HUB_FORM] for r in ours.values()} == {"app"}
    hub.close()


def test_a_bad_row_fails_alone_and_keeps_its_instance(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("good", True, "img:1", 1), ("later-bad", True, "img:1", 1), ("Bad_Uid", True, "img:1", 1))
    db.add("no-image", True, None)
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec)
    report = hub.sync()
    got = {o.uid: o for o in report.outcomes}
    assert (got["good"].action, got["later-bad"].action) == ("created", "created")
    assert got["Bad_Uid"].action == "failed" and "DNS-1123" in got["Bad_Uid"].message
    assert got["no-image"].action == "failed" and "image" in got["no-image"].message, got["no-image"].message
    assert not report.ok
    assert set(app_data(cluster, make.namespace)) == {"good", "later-bad"}

    db.run("UPDATE {t} SET image = NULL WHERE node_id = 'later-bad'")
    db.run("UPDATE {t} SET image = 'img:2' WHERE node_id = 'good'")
    second = hub.sync()
    got = {o.uid: o for o in second.outcomes}
    assert got["later-bad"].action == "failed" and "image" in got["later-bad"].message
    assert got["good"].action == "updated"
    # the row that went bad keeps its instance as it was (a broken row never deletes anything)
    assert app_data(cluster, make.namespace)["later-bad"] == {"image": "img:1", "replicas": "1"}
    assert app_data(cluster, make.namespace)["good"]["image"] == "img:2"
    hub.close()


def test_a_spec_function_error_names_the_row_and_the_form(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.app, spec=lambda row: {"name": row.node_id, "image": row.imagee})
    report = hub.sync(dry_run=True)
    (outcome,) = report.outcomes
    assert (outcome.uid, outcome.action) == ("a", "failed")
    assert "test_sync.py" in outcome.message and "imagee" in outcome.message and "image, " in outcome.message
    hub.close()


def _bad_spec(row: Any) -> dict[str, Any]:
    if row.node_id == "v":
        raise ValueError(f"replicas must be even, got {row.replicas}")
    return {"name": row.node_id, "image": {"x": 1}["image"]}  # KeyError: 'image'


def test_a_spec_function_error_reads_as_one_sentence(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(("k", True, "img:1", 1), ("v", True, "img:1", 3))
    hub = make.hub(db)
    hub.form(comps.app, spec=_bad_spec)
    got = {o.uid: o.message for o in hub.sync(dry_run=True).outcomes}
    here = __file__
    line = _bad_spec.__code__.co_firstlineno
    assert got["k"] == (
        f"row uid 'k' of form 'app': the spec function reads key 'image', which is not there (in {here}:{line + 3})."
        " Fix the spec function, or the row's values it reads."
    )
    assert got["v"].startswith(
        f"row uid 'v' of form 'app': the spec function failed: replicas must be even, got 3 (in {here}:{line + 2})"
    )
    assert not any(word in m for m in got.values() for word in ("KeyError", "ValueError", "Traceback"))
    hub.close()


def _some_rows(row: Any) -> dict[str, Any] | None:
    if row.replicas > 1:
        return app_spec(row)
    return None  # forgotten: no spec for this row


def test_a_spec_function_returning_none_names_its_line(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(("one", True, "img:1", 1), ("two", True, "img:1", 2))
    hub = make.hub(db)
    hub.form(comps.app, spec=_some_rows)
    got = {o.uid: (o.action, o.message) for o in hub.sync(dry_run=True).outcomes}
    assert got["two"] == ("created", "")
    assert got["one"] == (
        "failed",
        f"row uid 'one' of form 'app': the spec function returned None (in {__file__}:"
        f"{_some_rows.__code__.co_firstlineno}). Return the spec (a mapping, or the composition's spec model) for "
        "every row.",
    )
    hub.close()


def test_no_deletion_when_the_database_cannot_be_read(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "img:1", 1), ("b", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec)
    assert hub.sync().ok
    db.drop()
    mark = len(cluster.request_log())
    report = hub.sync(allow_mass_delete=True)
    assert report.error is not None and db.table in report.error and "Nothing was changed" in report.error
    assert report.outcomes == []
    assert writes(cluster, mark) == []
    assert set(app_data(cluster, make.namespace)) == {"a", "b"}
    hub.close()


def test_an_unreachable_database_changes_nothing(make: Any, db: Any, comps: ModuleType, cluster: LocalCluster) -> None:
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec)
    assert hub.sync().ok
    broken = make.hub(db)
    broken.source.url = broken.source.url.replace("sqlite:///", "sqlite:////nonexistent-dir/")
    broken.source.url = (
        broken.source.url.replace("@", "@nonexistent.invalid.", 1) if "@" in db.url else broken.source.url
    )
    broken.form(comps.app, spec=app_spec)
    report = broken.sync(allow_mass_delete=True)
    assert report.error is not None and "cannot read" in report.error
    assert set(app_data(cluster, make.namespace)) == {"a"}
    hub.close()
    broken.close()


def test_the_mass_deletion_guard(make: Any, db: Any, comps: ModuleType, cluster: LocalCluster) -> None:
    """At most max(5, 10% of the tenants) tenants lose their instances in one sync without --allow-mass-delete."""
    db.nodes(*[(u, True, "img:1", 1) for u in "abcdefg"])
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec)
    hub.form(comps.monitor, spec=lambda row: {"name": row.node_id, "target": row.node_id})
    assert hub.sync().ok
    db.run("DELETE FROM {t}")  # an emptied table: what makes Lynq delete every tenant
    db.add("z", True, "img:1")
    mark = len(cluster.request_log())
    stopped = hub.sync()
    assert stopped.error is not None and "would delete the instances of 7 tenants, more than 5" in stopped.error
    assert "--allow-mass-delete" in stopped.error
    assert writes(cluster, mark) == []  # nothing at all, not even the create of z
    assert set(app_data(cluster, make.namespace)) == set("abcdefg")
    assert {o.action for o in stopped.outcomes} == {"kept", "blocked"}

    db.add("a", True, "img:1")
    db.add("b", True, "img:1")  # 5 tenants gone (10 instances): within the floor of 5 tenants
    within = hub.sync()
    assert within.ok, within.render()
    assert within.counts() == {"deleted": 10, "created": 2, "unchanged": 4}
    assert set(app_data(cluster, make.namespace)) == {"a", "b", "z"}

    db.run("DELETE FROM {t}")
    assert hub.sync().error is None  # 3 tenants: within the floor
    hub.close()


def test_the_guard_allows_ten_percent_and_mass_delete_once(make: Any, db: Any, comps: ModuleType) -> None:
    from pykro.hub._planner import delete_limit

    db.nodes(("a", True, "img:1", 1), ("b", True, "img:1", 1))
    hub = make.hub(db)
    assert [delete_limit(hub, n) for n in (0, 10, 59, 60, 1000)] == [5, 5, 5, 6, 100]
    assert delete_limit(make.hub(db, max_delete_fraction=0.5), 30) == 15
    strict = make.hub(db, max_delete=0, sync_every="1s")
    assert delete_limit(strict, 1000) == 0
    strict.form(comps.app, spec=app_spec)
    assert strict.sync().ok
    db.run("DELETE FROM {t} WHERE node_id = 'a'")
    seen: list[Any] = []

    def then_delete_b(report: Any) -> None:
        seen.append(report)
        db.run("DELETE FROM {t} WHERE node_id = 'b'")

    strict.run(syncs=2, allow_mass_delete=True, on_report=then_delete_b)
    assert actions(seen[0]) == {("app", "a"): "deleted", ("app", "b"): "unchanged"}
    assert seen[1].error is not None and "max_delete=0" in seen[1].error  # allowed for the first sync only
    assert actions(seen[1]) == {("app", "b"): "kept"}
    strict.close()
    hub.close()


def test_max_delete_counts_too(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(*[(u, True, "img:1", 1) for u in "abcdef"])
    hub = make.hub(db, max_delete=1)
    hub.form(comps.app, spec=app_spec)
    assert hub.sync().ok
    db.run("DELETE FROM {t} WHERE node_id IN ('a', 'b')")
    report = hub.sync()
    assert report.error is not None and "more than 1" in report.error
    hub.close()


def test_dependent_forms_wait_for_their_dependency(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster, tmp_path: Any
) -> None:
    db.nodes(("alpha", True, "img:1", 1), ("stuck", True, "img:1", 1))
    hub = make.hub(db)
    database = hub.form(comps.db, spec=lambda row: {"name": row.node_id}, timeout=1.0)
    hub.form(
        comps.monitor, spec=lambda row: {"name": row.node_id, "target": f"{row.node_id}-db"}, depends_on=[database]
    )
    mark = len(cluster.request_log())
    report = hub.sync()
    got = actions(report)
    assert got[("db", "alpha")] == "created" and got[("monitor", "alpha")] == "created"
    assert got[("db", "stuck")] == "failed"  # never ready (the simulator's rule): readiness timeout
    assert got[("monitor", "stuck")] == "blocked"
    assert "db" in (report.of("monitor", "stuck") or pytest.fail()).message
    assert "stuck-mon" not in objects(cluster, make.namespace, "ConfigMap")
    log = writes(cluster, mark)
    first_monitor = log.index(("apply", "configmaps", "alpha-mon"))
    assert log.index(("apply", "deployments", "alpha-db")) < first_monitor
    # the db instance was ACTIVE (its record says so) before the monitor was applied
    record_writes = [i for i, w in enumerate(log) if w[2] == "pykro.db.alpha"]
    assert record_writes and record_writes[-1] < first_monitor

    db.run("DELETE FROM {t} WHERE node_id = 'alpha'")
    mark = len(cluster.request_log())
    gone = hub.sync(allow_mass_delete=True)
    assert actions(gone)[("monitor", "alpha")] == "deleted" and actions(gone)[("db", "alpha")] == "deleted"
    log = writes(cluster, mark)
    assert log.index(("delete", "configmaps", "alpha-mon")) < log.index(("delete", "deployments", "alpha-db"))
    hub.close()


def test_creation_once_and_retain(make: Any, db: Any, comps: ModuleType, cluster: LocalCluster) -> None:
    db.nodes(("keep", True, "img:1", 1), ("other", True, "img:1", 1), ("third", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec, creation="once", deletion=Retain)
    assert hub.sync().ok
    db.run("UPDATE {t} SET image = 'img:2' WHERE node_id = 'keep'")
    second = hub.sync()
    outcome = second.of("app", "keep")
    assert outcome is not None and outcome.action == "unchanged" and "once" in outcome.message
    assert app_data(cluster, make.namespace)["keep"]["image"] == "img:1"

    db.run("DELETE FROM {t} WHERE node_id = 'keep'")
    third = hub.sync()
    assert actions(third)[("app", "keep")] == "retained"
    assert app_data(cluster, make.namespace)["keep"]["image"] == "img:1"  # still there
    record = objects(cluster, make.namespace, "ConfigMap")["pykro.app.keep"]
    assert HUB not in (record["metadata"].get("labels") or {})  # released: no longer the hub's
    assert ("app", "keep") not in actions(hub.sync())
    # a row coming back under a retained instance's name is refused (the instance is no longer the hub's)
    db.add("keep", True, "img:3")
    back = hub.sync()
    assert actions(back)[("app", "keep")] == "failed"
    assert "already exists" in (back.of("app", "keep") or pytest.fail()).message
    hub.close()


def test_max_skew_bounds_the_instances_in_progress(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(*[(f"n{i}", True, "img:1", 1) for i in range(4)])
    hub = make.hub(db, concurrency=4)
    form = hub.form(comps.db, spec=lambda row: {"name": row.node_id}, max_skew=1)
    real = form.factory.adeploy
    running, peak = 0, 0

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        try:
            await asyncio.sleep(0.05)
            return await real(*args, **kwargs)
        finally:
            running -= 1

    form.factory.adeploy = counted
    assert hub.sync().ok
    assert peak == 1
    hub.close()


def test_without_max_skew_rows_deploy_concurrently(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(*[(f"n{i}", True, "img:1", 1) for i in range(4)])
    hub = make.hub(db, concurrency=4)
    form = hub.form(comps.db, spec=lambda row: {"name": row.node_id})
    real = form.factory.adeploy
    running, peak = 0, 0

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        try:
            await asyncio.sleep(0.05)
            return await real(*args, **kwargs)
        finally:
            running -= 1

    form.factory.adeploy = counted
    assert hub.sync().ok
    assert peak > 1
    hub.close()


def test_a_dry_run_writes_nothing(make: Any, db: Any, comps: ModuleType, cluster: LocalCluster) -> None:
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec)
    mark = len(cluster.request_log())
    report = hub.sync(dry_run=True)
    assert actions(report) == {("app", "a"): "created"}
    assert "would be created" in report.render()
    assert writes(cluster, mark) == []
    assert inv.INSTANCE  # the inventory labels are pykro's (sanity of the import)
    hub.close()


def test_a_query_source_with_a_duplicate_uid_and_an_unreadable_flag(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "img:1", 1), ("b", True, "img:1", 1), ("c", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec)
    assert hub.sync().ok
    text = "CHAR(10)" if db.engine.dialect.name == "mysql" else "VARCHAR(10)"
    columns = f"node_id, CAST(is_active AS {text}) AS is_active, image, replicas"
    # a: twice in the result; b: activation 'maybe'; c: fine. Neither a nor b may lose its instance.
    query = (
        f"SELECT {columns} FROM {db.table} WHERE node_id <> 'b' "
        f"UNION ALL SELECT {columns} FROM {db.table} WHERE node_id = 'a' "
        f"UNION ALL SELECT node_id, CAST('maybe' AS {text}), image, replicas FROM {db.table} WHERE node_id = 'b'"
    )
    by_query = make.hub(db, table=None, query=query)
    by_query.form(comps.app, spec=app_spec)
    report = by_query.sync()
    got = {o.uid: o for o in report.outcomes}
    assert got["a"].action == "failed"
    assert re.search(r"uid 'a' \(column node_id\) is in rows [12] and 3 ", got["a"].message), got["a"].message
    assert got["b"].action == "failed" and "'maybe'" in got["b"].message
    assert got["c"].action == "unchanged"
    assert set(app_data(cluster, make.namespace)) == {"a", "b", "c"}
    hub.close()
    by_query.close()


def test_a_read_failing_after_some_rows_changes_nothing(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    """The database fails while rows stream (here SQLite's integer overflow at the third row): the rows read so far
    are not a partial truth, nothing is created, updated or deleted."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the failure is provoked with SQLite's abs() overflow")
    db.nodes(("a", True, "img:1", 1), ("b", True, "img:1", 1), ("c", True, "img:1", 1), ("d", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec)
    assert hub.sync().ok
    db.run("UPDATE {t} SET image = 'img:2'")
    failing = make.hub(
        db,
        table=None,
        query="SELECT node_id, is_active, image, replicas, "
        "CASE WHEN node_id = 'c' THEN abs(-9223372036854775807 - 1) ELSE 0 END AS boom FROM " + db.table,
    )
    failing.form(comps.app, spec=app_spec)
    mark = len(cluster.request_log())
    report = failing.sync(allow_mass_delete=True)
    assert report.error is not None and "overflow" in report.error and report.outcomes == []
    assert 0 < report.rows < 4  # some rows were read before the failure
    assert writes(cluster, mark) == []
    assert {u: d["image"] for u, d in app_data(cluster, make.namespace).items()} == dict.fromkeys("abcd", "img:1")
    hub.close()
    failing.close()


def test_without_an_active_column_every_row_is_active(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(("a", False, "img:1", 1), ("b", None, "img:1", 1))
    hub = make.hub(db, active=None)
    hub.form(comps.app, spec=app_spec)
    report = hub.sync(dry_run=True)
    assert actions(report) == {("app", "a"): "created", ("app", "b"): "created"}
    hub.close()


def test_labels_that_are_a_whole_map_from_the_spec(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "blue", 1))
    hub = make.hub(db)
    hub.form(comps.tagged, spec=lambda row: {"name": row.node_id, "tags": {"team": row.image}, "notes": {"n": "1"}})
    report = hub.sync()
    assert report.ok, report.render()
    cm = objects(cluster, make.namespace, "ConfigMap")["a-cfg"]
    assert cm["metadata"]["labels"]["team"] == "blue" and cm["metadata"]["annotations"]["n"] == "1"
    db.run("UPDATE {t} SET image = 'red' WHERE node_id = 'a'")
    again = hub.sync()
    assert actions(again) == {("tagged", "a"): "updated"}, again.render()
    assert objects(cluster, make.namespace, "ConfigMap")["a-cfg"]["metadata"]["labels"]["team"] == "red"
    hub.close()


def test_run_refuses_a_number_of_syncs_below_one(make: Any, db: Any, comps: ModuleType, cluster: LocalCluster) -> None:
    from pykro.errors import PykroError

    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec)
    mark = len(cluster.request_log())
    for bad in (0, -1, True):
        with pytest.raises(PykroError, match=r"syncs=.* is not a whole number >= 1") as caught:
            hub.run(syncs=bad)
        assert "test_sync.py:" in caught.value.render()
    assert writes(cluster, mark) == []
    hub.close()


@pytest.mark.parametrize(
    ("keywords", "words"),
    [
        ({"concurrency": "8"}, "concurrency='8' is not a whole number >= 1"),
        ({"concurrency": 0}, "concurrency=0 is not a whole number >= 1"),  # was taken as 1
        ({"max_delete_fraction": "0.1"}, "max_delete_fraction='0.1' is not a number"),
        ({"max_delete": True}, "max_delete=True is not a whole number >= 0"),
        ({"options": {"timeout": 5}}, "options={'timeout': 5} is not a DeployOptions"),
        ({"retry": 3}, "retry=3 is not a RetryPolicy"),
    ],
)
def test_hub_keywords_of_the_wrong_type_are_named_at_the_users_line(tmp_path: Any, keywords: Any, words: str) -> None:
    """A keyword of the wrong type is refused at the Hub(...) line, not a TypeError from deep inside a sync."""
    from pykro.errors import PykroError
    from pykro.hub import Hub

    with pytest.raises(PykroError) as caught:
        Hub("t", f"sqlite:///{tmp_path / 'x.db'}", table="nodes", uid="node_id", **keywords)
    assert words in caught.value.render() and "test_sync.py:" in caught.value.render(), caught.value.render()


def test_a_form_timeout_is_a_duration_checked_at_the_users_line(make: Any, db: Any, comps: ModuleType) -> None:
    """timeout="5m" is 300 seconds; a negative or unreadable one is refused where the form is declared (it was
    accepted, and every row's deploy failed at sync while plan said "would be created")."""
    from pykro.errors import PykroError

    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db)
    assert hub.form(comps.app, spec=app_spec, timeout="5m").timeout == 300.0
    for bad in (-5, "5 minutes", True):
        with pytest.raises(PykroError, match=r"timeout=.* is not a duration") as caught:
            hub.form(comps.app, spec=app_spec, name=f"app{len(hub.forms)}", instance_name="{uid}-x", timeout=bad)
        assert "test_sync.py:" in caught.value.render()
    hub.close()
