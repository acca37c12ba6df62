"""Incremental reads (changed_column) against the emulator over HTTP, rows in SQLite, PostgreSQL and MariaDB: an
incremental sync reads the rows changed since the last one, deletes only for rows it read (inactive now), and every
full_every-th sync reads every row so that deleted rows are seen."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from pykro.emulator._cluster import LocalCluster

WRITES = frozenset({"create", "update", "patch", "apply", "delete", "deletecollection"})


def actions(report: Any) -> dict[str | None, str]:
    return {o.uid: o.action for o in report.outcomes}


def table(db: Any) -> None:
    db.run(
        "CREATE TABLE {t} (node_id VARCHAR(63) PRIMARY KEY, is_active BOOLEAN, image VARCHAR(100), "
        "replicas INTEGER, version INTEGER)"
    )
    for version, uid in enumerate("abc", start=1):
        db.run("INSERT INTO {t} VALUES (:u, :a, 'img:1', 1, :v)", u=uid, a=True, v=version)


def spec(row: Any) -> dict[str, Any]:
    return {"name": row.node_id, "image": row.image, "replicas": row.replicas}


def test_incremental_syncs_and_a_full_one_every_n(make: Any, db: Any, comps: ModuleType, cluster: LocalCluster) -> None:
    table(db)
    hub = make.hub(db, changed_column="version", full_every=3)
    hub.form(comps.app, spec=spec)
    first = hub.sync()  # the first sync reads every row
    assert not first.incremental and actions(first) == dict.fromkeys("abc", "created")

    db.run("UPDATE {t} SET image = 'img:2', version = 4 WHERE node_id = 'b'")
    db.run("DELETE FROM {t} WHERE node_id = 'c'")
    second = hub.sync()
    assert second.incremental and second.rows == 1, second.render()  # only b (version >= 3): c is not seen gone
    assert actions(second) == {"b": "updated"}
    assert "incremental" in second.render()

    db.run("UPDATE {t} SET is_active = :f, version = 5 WHERE node_id = 'a'", f=False)
    third = hub.sync()
    assert third.incremental and actions(third) == {"a": "deleted", "b": "unchanged"}

    mark = len(cluster.request_log())
    fourth = hub.sync()  # the third sync since the full one: every row again, and c's deletion is seen
    assert not fourth.incremental and actions(fourth) == {"b": "unchanged", "c": "deleted"}
    deleted = {i.name for _, i, _ in cluster.request_log()[mark:] if i.verb == "delete"}
    assert {"c-cfg", "pykro.app.c"} <= deleted, deleted

    mark = len(cluster.request_log())
    fifth = hub.sync()
    assert fifth.incremental and fifth.rows == 1 and actions(fifth) == {}  # only a (version 5), inactive
    assert [i for _, i, _ in cluster.request_log()[mark:] if i.verb in WRITES] == []
    hub.close()


def test_incremental_query_and_a_wrong_changed_column(make: Any, db: Any, comps: ModuleType) -> None:
    table(db)
    query = "SELECT node_id, is_active, image, replicas, version FROM " + db.table
    hub = make.hub(db, table=None, query=query, changed_column="version")
    hub.form(comps.app, spec=spec)
    assert hub.sync().ok
    db.run("UPDATE {t} SET image = 'img:3', version = 7 WHERE node_id = 'a'")
    second = hub.sync()
    # c (version 3) is read again: rows at the last newest value are, in case one changed at that very value
    assert second.incremental and actions(second) == {"a": "updated", "c": "unchanged"}
    hub.close()

    wrong = make.hub(db, changed_column="nope")
    wrong.form(comps.app, spec=spec, instance_name="{uid}-w")
    report = wrong.sync()
    assert report.error is not None and "changed column 'nope'" in report.error and report.outcomes == []
    wrong.close()
