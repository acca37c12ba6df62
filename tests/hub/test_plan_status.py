"""`pykro hub plan` and `pykro hub status` (and `Hub.plan` / `Hub.status`) against the emulator over HTTP, rows in
SQLite (PostgreSQL / MariaDB too for the Python API): what a sync would do, where each tenant stands, and that
neither writes anything to the cluster (the emulator's request log)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from typer.testing import CliRunner

from pykro.emulator._cluster import LocalCluster
from pykro.hub._cli import app

HERE = Path(__file__).resolve().parent
WRITES = frozenset({"create", "update", "patch", "apply", "delete", "deletecollection"})


def writes(cluster: LocalCluster, since: int) -> list[tuple[str, str, str | None]]:
    return [(i.verb, i.resource, i.name) for _, i, _ in cluster.request_log()[since:] if i.verb in WRITES]


def actions(report: Any) -> dict[tuple[str, str | None], str]:
    return {(o.form, o.uid): o.action for o in report.outcomes}


HUB_FILE = """
from compositions import app
from pykro.hub import Hub

hub = Hub("{name}", "sqlite:///{db}", table="{table}", uid="node_id", active="is_active")
hub.form(app, spec=lambda row: {{"name": row.node_id, "image": row.image}}, instance_name="{{uid}}-{name}")
"""


def _hub_file(tmp_path: Path, name: str, rows: dict[str, str]) -> tuple[Path, sa.Engine]:
    shutil.copy(HERE / "compositions.py", tmp_path / "compositions.py")
    db = tmp_path / f"{name}.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT PRIMARY KEY, is_active BOOLEAN, image TEXT)"))
        for uid, image in rows.items():
            conn.execute(sa.text("INSERT INTO nodes VALUES (:u, 1, :i)"), {"u": uid, "i": image})
    path = tmp_path / f"{name}.py"
    path.write_text(HUB_FILE.format(name=name, db=db, table="nodes"))
    return path, engine


def test_plan_shows_what_a_sync_would_do_and_writes_nothing(
    tmp_path: Path, cluster: LocalCluster, namespace: str
) -> None:
    red, red_db = _hub_file(tmp_path, "red", {"a": "web:1", "b": "web:1", "c": "web:1"})
    blue, _ = _hub_file(tmp_path, "blue", {"x": "web:1"})
    runner = CliRunner()
    target = ["--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    assert runner.invoke(app, ["sync", str(red), *target]).exit_code == 0
    with red_db.begin() as conn:
        conn.execute(sa.text("UPDATE nodes SET image = 'web:2' WHERE node_id = 'a'"))
        conn.execute(sa.text("DELETE FROM nodes WHERE node_id = 'b'"))
        conn.execute(sa.text("INSERT INTO nodes VALUES ('d', 1, 'web:1')"))

    mark = len(cluster.request_log())
    shown = runner.invoke(app, ["plan", str(red), str(blue), *target])
    assert shown.exit_code == 0, shown.output
    as_json = runner.invoke(app, ["plan", str(red), str(blue), *target, "-o", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert writes(cluster, mark) == []  # a plan reads; it never writes

    assert "hub red: 3 rows, 3 active (dry run: nothing written)" in shown.output
    assert "would be updated: the row or the composition changed" in shown.output
    plans = {p["hub"]: p for p in json.loads(as_json.output)}
    assert {(o["uid"], o["action"]) for o in plans["red"]["outcomes"]} == {
        ("a", "updated"),
        ("b", "deleted"),
        ("c", "unchanged"),
        ("d", "created"),
    }
    assert plans["red"]["dry_run"] is True and plans["red"]["counts"] == {
        "updated": 1,
        "deleted": 1,
        "unchanged": 1,
        "created": 1,
    }
    assert [(o["uid"], o["action"]) for o in plans["blue"]["outcomes"]] == [("x", "created")]

    again = runner.invoke(app, ["sync", str(red), *target])  # the plan was right: the sync does just that
    assert again.exit_code == 0 and "1 created, 1 deleted, 1 unchanged, 1 updated" in again.output, again.output


def test_plan_of_two_files_with_one_hub_name_is_an_error(tmp_path: Path) -> None:
    one, _ = _hub_file(tmp_path, "red", {"a": "web:1"})
    other = tmp_path / "other"
    other.mkdir()
    two, _ = _hub_file(other, "red", {"a": "web:1"})
    result = CliRunner().invoke(app, ["plan", str(one), str(two)])
    assert result.exit_code != 0
    assert f"hub 'red' is defined in both {one} and {two}" in str(result.exception)


def test_status_per_tenant_and_form(make: Any, db: Any, comps: ModuleType, cluster: LocalCluster) -> None:
    db.nodes(("alpha", True, "img:1", 1), ("stuck", True, "img:1", 1), ("Bad_Uid", True, "img:1", 1))
    db.add("gone", True, "img:1")
    hub = make.hub(db)
    database = hub.form(comps.db, spec=lambda row: {"name": row.node_id}, timeout=1.0)
    hub.form(
        comps.monitor, spec=lambda row: {"name": row.node_id, "target": f"{row.node_id}-db"}, depends_on=[database]
    )
    first = hub.sync()
    assert actions(first)[("db", "stuck")] == "failed"
    db.run("DELETE FROM {t} WHERE node_id = 'gone'")
    db.add("newcomer", True, "img:1")

    mark = len(cluster.request_log())
    found = hub.status()
    assert writes(cluster, mark) == []
    assert found.error is None
    by = {(t.form, t.uid): t for t in found.tenants}
    alpha = by[("db", "alpha")]
    assert (alpha.state, alpha.ready_resources, alpha.desired_resources, alpha.error) == ("ACTIVE", 1, 1, "")
    assert alpha.since.endswith("Z") and alpha.in_table
    stuck = by[("db", "stuck")]
    assert (stuck.state, stuck.ready_resources, stuck.desired_resources) == ("FAILED", 0, 1)
    assert "was not ready after 1s" in stuck.error, stuck.error
    assert by[("monitor", "stuck")].state == "BLOCKED"
    assert by[("db", "newcomer")].state == "PENDING" and by[("monitor", "newcomer")].state == "BLOCKED"
    assert by[("db", "Bad_Uid")].state == "INVALID" and "DNS-1123" in by[("db", "Bad_Uid")].error
    assert not by[("db", "gone")].in_table and by[("db", "gone")].state == "ACTIVE"
    assert found.totals() == {"desired": 8, "ready": 2, "failed": 3, "blocked": 2}
    text = found.render()
    assert text.startswith("hub tenants: 8 desired, 2 ready, 3 failed, 2 blocked\n  FORM ")
    header = text.splitlines()[1].split()
    assert header == ["FORM", "UID", "STATE", "READY", "SINCE", "ERROR"]
    alpha_line = next(line for line in text.splitlines() if " alpha " in line and line.split()[0] == "db")
    assert alpha_line.split()[2:4] == ["ACTIVE", "1/1"]
    assert "(row gone or inactive)" in text
    hub.close()


def test_status_cli_json_and_an_unreadable_database(tmp_path: Path, cluster: LocalCluster, namespace: str) -> None:
    red, red_db = _hub_file(tmp_path, "red", {"a": "web:1", "b": "web:1"})
    runner = CliRunner()
    target = [str(red), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    assert runner.invoke(app, ["sync", *target]).exit_code == 0
    shown = runner.invoke(app, ["status", *target, "-o", "json"])
    assert shown.exit_code == 0, shown.output
    (data,) = json.loads(shown.output)
    assert data["totals"] == {"desired": 2, "ready": 2, "failed": 0, "blocked": 0}
    assert {(t["uid"], t["state"], t["ready_resources"], t["desired_resources"]) for t in data["tenants"]} == {
        ("a", "ACTIVE", 1, 1),
        ("b", "ACTIVE", 1, 1),
    }
    with red_db.begin() as conn:
        conn.execute(sa.text("DROP TABLE nodes"))
    broken = runner.invoke(app, ["status", *target])
    assert broken.exit_code == 1
    assert "cannot read the rows" in broken.output and "ACTIVE" in broken.output  # the cluster side still shows
