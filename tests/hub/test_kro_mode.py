"""Hubs in kro mode against the emulator's kro double over HTTP: one RGD per form (applied once), one instance CR
per row × form, kro reconciling them; an unchanged resync writes nothing; changed, gone and dependent rows."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

import pytest

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._simulation import Rule, SimulationRules
from pykro.hub._model import HUB, HUB_FORM, HUB_ROW

WRITES = frozenset({"create", "update", "patch", "apply", "delete", "deletecollection"})


@pytest.fixture(scope="module")
def cluster_options() -> dict[str, Any]:
    """This module's emulator (tests/conftest.py's `cluster`) runs the kro double."""
    rules = SimulationRules(rules=[Rule(kind="Deployment", name="stuck*", outcome="never")])
    return {"bookmark_interval": 0.5, "rules": rules, "kro": True}


def writes(cluster: LocalCluster, since: int) -> list[tuple[str, str, str | None]]:
    return [(i.verb, i.resource, i.name) for _, i, _ in cluster.request_log()[since:] if i.verb in WRITES]


def objects(cluster: LocalCluster, namespace: str, kind: str) -> dict[str, dict[str, Any]]:
    async def collect(api: Any) -> dict[str, dict[str, Any]]:
        return {
            o["metadata"]["name"]: copy.deepcopy(o)
            for _, o in cluster.engine.store.all_objects()
            if o.get("kind") == kind
            and o["metadata"].get("namespace") == namespace
            and not o["metadata"].get("deletionTimestamp")
        }

    return cluster.run(collect)


def app_spec(row: Any) -> dict[str, Any]:
    return {"name": row.node_id, "image": row.image, "replicas": row.replicas}


def actions(report: Any) -> dict[tuple[str, str | None], str]:
    return {(o.form, o.uid): o.action for o in report.outcomes}


def test_kro_mode_writes_one_cr_per_row_and_nothing_when_unchanged(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "img:1", 1), ("b", True, "img:1", 2), ("c", True, "img:1", 1))
    hub = make.hub(db, mode="kro")
    hub.form(comps.app, spec=app_spec)
    mark = len(cluster.request_log())
    first = hub.sync()
    assert first.ok, first.render()
    assert actions(first) == {("app", u): "created" for u in "abc"}
    done = writes(cluster, mark)
    rgd_writes = [w for w in done if w[1] == "resourcegraphdefinitions"]
    assert rgd_writes in ([], [("apply", "resourcegraphdefinitions", "app")])  # once per cluster (module-scoped)
    assert sorted(w[2] or "" for w in done if w[1] == "hubapps") == ["a", "b", "c"]  # one write per row
    crs = objects(cluster, make.namespace, "HubApp")
    assert {n: (o["metadata"]["labels"][HUB], o["metadata"]["labels"][HUB_FORM]) for n, o in crs.items()} == {
        u: ("tenants", "app") for u in "abc"
    }
    assert crs["b"]["spec"] == {"name": "b", "image": "img:1", "replicas": 2}
    assert crs["b"]["metadata"]["annotations"][HUB_ROW] == "b"

    mark = len(cluster.request_log())
    again = hub.sync()  # at once, while kro may still be working: unchanged all the same
    assert actions(again) == {("app", u): "unchanged" for u in "abc"}
    assert [w for w in writes(cluster, mark) if w[1] in ("hubapps", "resourcegraphdefinitions")] == []
    cluster.settle()
    assert {n[: -len("-cfg")] for n in objects(cluster, make.namespace, "ConfigMap") if n.endswith("-cfg")} == set(
        "abc"
    )  # kro made each row's ConfigMap
    mark2 = len(cluster.request_log())
    third = hub.sync()
    assert actions(third) == {("app", u): "unchanged" for u in "abc"}
    assert writes(cluster, mark2) == []  # settled: not a single write

    db.run("UPDATE {t} SET image = 'img:2' WHERE node_id = 'b'")
    db.run("DELETE FROM {t} WHERE node_id = 'c'")
    mark = len(cluster.request_log())
    fourth = hub.sync()
    assert actions(fourth) == {("app", "a"): "unchanged", ("app", "b"): "updated", ("app", "c"): "deleted"}
    hub_writes = [w for w in writes(cluster, mark) if w[1] in ("hubapps", "resourcegraphdefinitions")]
    assert sorted(hub_writes) == [("apply", "hubapps", "b"), ("delete", "hubapps", "c")]
    cluster.settle()
    data = {n: o.get("data") for n, o in objects(cluster, make.namespace, "ConfigMap").items() if n.endswith("-cfg")}
    assert data == {"a-cfg": {"image": "img:1", "replicas": "1"}, "b-cfg": {"image": "img:2", "replicas": "2"}}

    found = hub.status()
    assert found.totals() == {"desired": 2, "ready": 2, "failed": 0, "blocked": 0}
    hub.close()


def test_kro_mode_dependent_forms_wait_for_an_active_dependency(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("alpha", True, "img:1", 1))
    hub = make.hub(db, mode="kro")
    database = hub.form(comps.db, spec=lambda row: {"name": row.node_id})
    hub.form(
        comps.monitor, spec=lambda row: {"name": row.node_id, "target": f"{row.node_id}-db"}, depends_on=[database]
    )
    first = hub.sync()
    assert actions(first) == {("db", "alpha"): "created", ("monitor", "alpha"): "blocked"}
    assert "HubMonitor" not in {o["kind"] for o in objects(cluster, make.namespace, "HubMonitor").values()}
    cluster.settle()
    second = hub.sync()
    assert actions(second) == {("db", "alpha"): "unchanged", ("monitor", "alpha"): "created"}, second.render()
    hub.close()


def test_kro_mode_plan_and_guard_write_nothing(make: Any, db: Any, comps: ModuleType, cluster: LocalCluster) -> None:
    db.nodes(*[(u, True, "img:1", 1) for u in "abcdef"])
    hub = make.hub(db, mode="kro")
    hub.form(comps.app, spec=app_spec)
    mark = len(cluster.request_log())
    planned = hub.plan()
    assert writes(cluster, mark) == [] and actions(planned) == {("app", u): "created" for u in "abcdef"}
    assert hub.sync().ok
    db.run("DELETE FROM {t}")
    mark = len(cluster.request_log())
    stopped = hub.sync()
    assert stopped.error is not None and "6 tenants" in stopped.error
    assert writes(cluster, mark) == []
    assert len(objects(cluster, make.namespace, "HubApp")) == 6
    hub.close()


def test_cli_mode_kro_and_a_wrong_mode(tmp_path: Any, cluster: LocalCluster, namespace: str) -> None:
    import shutil
    from pathlib import Path

    import sqlalchemy as sa
    from typer.testing import CliRunner

    from pykro.hub._cli import app

    here = Path(__file__).resolve().parent
    shutil.copy(here / "compositions.py", tmp_path / "compositions.py")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT PRIMARY KEY, image TEXT)"))
        conn.execute(sa.text("INSERT INTO nodes VALUES ('acme', 'web:1')"))
    hub_file = tmp_path / "hub.py"
    hub_file.write_text(
        "from compositions import app\nfrom pykro.hub import Hub\n"
        f"hub = Hub('t', 'sqlite:///{tmp_path / 'n.db'}', table='nodes', uid='node_id')\n"
        "hub.form(app, spec=lambda row: {'name': row.node_id, 'image': row.image})\n"
    )
    target = [str(hub_file), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    done = CliRunner().invoke(app, ["sync", *target, "--mode", "kro"])
    assert done.exit_code == 0, done.output
    assert "1 created" in done.output and set(objects(cluster, namespace, "HubApp")) == {"acme"}
    wrong = CliRunner().invoke(app, ["plan", *target, "--mode", "helm"])
    assert wrong.exit_code != 0 and "mode='helm' is not a hub mode" in str(wrong.exception)


def test_kro_mode_keeps_secret_spec_fields_out_of_every_output(
    tmp_path: Any, cluster: LocalCluster, namespace: str
) -> None:
    """A SecretStr spec field is kept out of the instance CR: the hub applies the resource reading it (the form's
    hub part, whose record keeps the spec in a Secret) and leaves the field out of kro's schema. The value is in the
    Secret the composition renders and nowhere else: not in the CR, its RGD, events, the hub's records or the CLI's
    text and JSON output (a row failing after it learnt the value included)."""
    import json
    import shutil
    from pathlib import Path

    import sqlalchemy as sa
    from typer.testing import CliRunner

    from pykro.hub._cli import app

    here = Path(__file__).resolve().parent
    shutil.copy(here / "compositions.py", tmp_path / "compositions.py")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'v.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT PRIMARY KEY, pw TEXT)"))
        conn.execute(sa.text("INSERT INTO nodes VALUES ('acme', 'hunter2-acme-pw'), ('Bad_Uid', 'hunter2-bad-pw')"))
    hub_file = tmp_path / "hub.py"
    hub_file.write_text(
        "from compositions import vault\nfrom pykro.hub import Hub\n"
        f"hub = Hub('v', 'sqlite:///{tmp_path / 'v.db'}', table='nodes', uid='node_id')\n"
        "hub.form(vault, spec=lambda row: {'name': row.node_id, 'password': row.pw, 'note': 'n'})\n"
    )
    target = [str(hub_file), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace, "--mode", "kro"]
    text = CliRunner().invoke(app, ["sync", *target])
    assert "1 created" in text.output and "Bad_Uid" in text.output, text.output
    cluster.settle()
    as_json = CliRunner().invoke(app, ["sync", *target, "--output", "json"])
    shown = CliRunner().invoke(app, ["status", *target])
    for out in (text.output, as_json.output, shown.output):
        assert "hunter2" not in out, out
    assert any(o["uid"] == "acme" for o in json.loads(as_json.stdout)["outcomes"]), as_json.stdout
    cr = objects(cluster, namespace, "HubVaultVVault")["acme"]  # the split form's own RGD and kind
    assert cr["spec"] == {"name": "acme", "note": "n"}
    assert "hunter2" not in json.dumps(cr)
    rgd = objects(cluster, None, "ResourceGraphDefinition")["vault-v-vault"]  # type: ignore[arg-type]
    assert "password" not in rgd["spec"]["schema"]["spec"]
    assert [r["id"] for r in rgd["spec"]["resources"]] == ["info"]  # kro applies the ConfigMap, the hub the Secret
    assert objects(cluster, namespace, "ConfigMap")["acme-info"]["data"] == {"note": "n"}
    secret = objects(cluster, namespace, "Secret")["acme-creds"]
    got = secret.get("stringData") or {}
    if not got:
        import base64

        got = {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}
    assert got == {"password": "hunter2-acme-pw"}  # the tenant gets the value where the composition puts it
    everything = [o for n, o in objects(cluster, namespace, "Event").items()]
    everything += [o for n, o in objects(cluster, namespace, "ConfigMap").items()]
    assert "hunter2" not in json.dumps(everything)


def test_kro_mode_labels_that_are_a_whole_map_from_the_spec(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "blue", 1))
    hub = make.hub(db, mode="kro")
    hub.form(comps.tagged, spec=lambda row: {"name": row.node_id, "tags": {"team": row.image}, "notes": {"n": "1"}})
    report = hub.sync()
    assert report.ok, report.render()
    cluster.settle()
    cm = objects(cluster, make.namespace, "ConfigMap")["a-cfg"]
    assert cm["metadata"]["labels"]["team"] == "blue" and cm["metadata"]["annotations"]["n"] == "1"
    hub.close()


def test_kro_mode_splits_a_form_with_timeouts(make: Any, db: Any, comps: ModuleType, cluster: LocalCluster) -> None:
    """``timeouts`` in kro mode: the hub deploys the resource with the limit itself (its part, a direct-mode
    instance: the limit holds), kro the rest, reading it as an externalRef (the status reads it too)."""
    db.nodes(("a", True, "img:1", 1), ("stuck2", True, "img:1", 1))
    hub = make.hub(db, mode="kro")
    form = hub.form(comps.pair, spec=lambda row: {"name": row.node_id}, timeouts={"db": 2})
    assert form.split is not None and form.split.describe() == "hub applies db; kro applies cfg"
    rgd = form.split.graph.to_rgd()
    assert (rgd["metadata"]["name"], form.split.graph.kind) == ("pair-tenants-pair", "HubPairTenantsPair")
    resources = rgd["spec"]["resources"]
    assert [(r["id"], "externalRef" in r) for r in resources] == [("cfg", False), ("db", True)]
    planned = hub.plan()
    assert "hub applies db; kro applies cfg" in planned.render()
    first = hub.sync()
    ok, stuck = first.of("pair", "a"), first.of("pair", "stuck2")
    assert ok is not None and ok.action == "created", first.render()
    assert stuck is not None and stuck.action == "failed", first.render()
    assert "its hub part:" in stuck.message and "resource 'db' was not ready after 2s" in stuck.message
    assert "stuck2" not in objects(cluster, make.namespace, "HubPairTenantsPair")  # the CR waits for its hub part
    cluster.settle()
    assert {"a-cfg", "a-db"} <= set(objects(cluster, make.namespace, "ConfigMap")) | set(
        objects(cluster, make.namespace, "Deployment")
    )
    assert objects(cluster, make.namespace, "HubPairTenantsPair")["a"]["metadata"]["labels"][HUB] == "tenants"
    status = {t.uid: t.state for t in hub.status().tenants}
    assert status["a"] == "ACTIVE" and status["stuck2"] == "FAILED", hub.status().render()
    mark = len(cluster.request_log())
    again = hub.sync()
    assert again.of("pair", "a").action == "unchanged"
    assert [w for w in writes(cluster, mark) if w[2] is not None and w[2].startswith("a")] == []
    db.run("DELETE FROM {t} WHERE node_id = 'a'")
    gone = hub.sync()
    assert gone.of("pair", "a").action == "deleted", gone.render()
    cluster.settle()
    assert "a-db" not in objects(cluster, make.namespace, "Deployment")
    assert "a" not in objects(cluster, make.namespace, "HubPairTenantsPair")
    hub.close()


def test_kro_mode_ignore_fields_and_resource_timeout(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    """``ignore_fields``: the hub applies that resource itself and keeps the fields from the live object (here the
    whole form: its RGD has no resources left). ``resource_timeout`` (a limit on kro's resources too) is refused
    before anything is written."""
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db, mode="kro")
    hub.form(comps.app, spec=app_spec, ignore_fields={"cfg": ["$.data.replicas"]})
    assert hub.sync().ok
    cluster.settle()
    assert objects(cluster, make.namespace, "ConfigMap")["a-cfg"]["data"] == {"image": "img:1", "replicas": "1"}
    db.run("UPDATE {t} SET image = 'img:2', replicas = 5 WHERE node_id = 'a'")
    changed = hub.sync()
    assert changed.of("app", "a").action == "updated", changed.render()
    cluster.settle()
    assert objects(cluster, make.namespace, "ConfigMap")["a-cfg"]["data"] == {"image": "img:2", "replicas": "1"}
    assert objects(cluster, make.namespace, "HubAppTenantsApp")["a"]["spec"]["replicas"] == 5  # the CR holds the spec
    hub.close()

    other = make.hub(db, mode="kro")
    other.form(comps.app, spec=app_spec, resource_timeout=30)
    mark = len(cluster.request_log())
    report = other.sync()
    assert report.error is not None and "resource_timeout, which kro mode cannot honour" in report.error
    assert writes(cluster, mark) == []
    other.close()


def test_the_example_hub_in_kro_mode(monkeypatch: Any, db: Any, cluster: LocalCluster, namespace: str) -> None:
    """examples/hub_tenants.py (seed 002 in Python, its password generated by random_password) in kro mode: the hub
    applies the credentials Secret, which reads the password, kro the rest of the data tier and the other tiers;
    every tier gets ready, an unchanged resync writes nothing, the password is in no CR, RGD or other object."""
    import base64
    import importlib.util
    import json
    import sys
    from pathlib import Path

    monkeypatch.setenv("TENANTS_DB", db.url)
    path = Path(__file__).resolve().parents[2] / "examples" / "hub_tenants.py"
    spec = importlib.util.spec_from_file_location("pykro_example_hub_tenants_kro", path)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = example
    spec.loader.exec_module(example)
    db.table = "nodes"
    db.drop()
    example.seed(db.url)
    hub = example.hub
    hub.target(kubeconfig=cluster.kubeconfig_path, namespace=namespace, mode="kro")
    data = hub.forms["data-tier"]
    assert data.split is not None
    assert data.split.describe() == "hub applies dbCredentials; kro applies postgres, postgresSvc, redis, redisSvc"
    for _ in range(40):  # the tiers after the data tier are written once it is ACTIVE: a few syncs
        report = hub.sync()
        assert report.error is None and "failed" not in report.counts(), report.render()
        cluster.settle()
        if hub.status().totals()["ready"] == 4:
            break
    assert hub.status().totals() == {"desired": 4, "ready": 4, "failed": 0, "blocked": 0}, hub.status().render()
    mark = len(cluster.request_log())
    again = hub.sync()
    assert again.counts() == {"unchanged": 4}, again.render()
    assert writes(cluster, mark) == []
    kept = objects(cluster, namespace, "Secret")["acme-corp-db-credentials"]
    password = base64.b64decode(kept["data"]["password"]).decode()
    assert len(password) == 32
    cr = objects(cluster, namespace, "DataTierMultiTierNodesDataTier")["acme-corp"]
    assert "dbPassword" not in cr["spec"] and cr["spec"]["dbCpu"] == "500m"

    async def everything(_: Any) -> list[dict[str, Any]]:
        return [o for _, o in cluster.engine.store.all_objects()]

    others = [o for o in cluster.run(everything) if o["kind"] != "Secret"]
    assert [(o["kind"], o["metadata"]["name"]) for o in others if password in json.dumps(o)] == []
    hub.close()


def test_kro_mode_refuses_a_split_kro_cannot_read(make: Any, db: Any) -> None:
    """A forEach collection with timeouts that kro's resources read cannot be an externalRef: refused at the
    user's line, naming the form and the resource."""
    from pykro.errors import PykroError
    from pykro.graph import Graph

    many = Graph.from_rgd(
        {
            "apiVersion": "kro.run/v1alpha1",
            "kind": "ResourceGraphDefinition",
            "metadata": {"name": "many"},
            "spec": {
                "schema": {"apiVersion": "v1alpha1", "kind": "Many", "spec": {"names": "[]string"}},
                "resources": [
                    {
                        "id": "cms",
                        "forEach": [{"n": "${schema.spec.names}"}],
                        "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "${n}"}},
                    },
                    {
                        "id": "first",
                        "template": {
                            "apiVersion": "v1",
                            "kind": "ConfigMap",
                            "metadata": {"name": "first"},
                            "data": {"of": "${cms[0].metadata.name}"},
                        },
                    },
                ],
            },
        }
    )
    hub = make.hub(db, mode="kro")
    with pytest.raises(PykroError) as err:
        hub.form(many, spec=lambda row: {"names": [row.node_id]}, timeouts={"cms": 10})
    assert "form 'many': resource 'cms'" in err.value.what and "a forEach collection" in err.value.what
    assert err.value.where is not None and err.value.where.startswith(f"{__file__}:")
    assert hub.forms == {}
    hub.close()


def test_kro_mode_retains_both_parts_of_a_split_form(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    """deletion=Retain on a split form: a deactivated row's CR and hub part are both kept and let go of (no longer
    marked as the hub's); nothing of theirs is deleted."""
    from pykro.hub import Retain

    db.nodes(("r", True, "img:1", 1))
    hub = make.hub(db, mode="kro")
    hub.form(comps.pair, spec=lambda row: {"name": row.node_id}, timeouts={"db": 30}, deletion=Retain)
    assert hub.sync().ok
    cluster.settle()
    db.run("UPDATE {t} SET is_active = FALSE WHERE node_id = 'r'")
    mark = len(cluster.request_log())
    gone = hub.sync()
    outcome = gone.of("pair", "r")
    assert outcome is not None and outcome.action == "retained", gone.render()
    assert "its hub part kept, no longer managed by the hub" in outcome.message
    assert [w for w in writes(cluster, mark) if w[0] == "delete"] == []
    cluster.settle()
    cr = objects(cluster, make.namespace, "HubPairTenantsPair")["r"]
    assert HUB not in (cr["metadata"].get("labels") or {})
    record = objects(cluster, make.namespace, "ConfigMap")["pykro.pair-tenants-pair-hub.r"]
    assert HUB not in (record["metadata"].get("labels") or {})
    assert "r-db" in objects(cluster, make.namespace, "Deployment")
    assert "r-cfg" in objects(cluster, make.namespace, "ConfigMap")
    assert hub.sync().counts() == {}  # the hub has let go of both: nothing to do
    hub.close()


def test_kro_mode_status_shows_hub_part_counts_and_kro_conditions(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    """`hub status` in kro mode: a split form's READY is its hub part's ready/desired resources (the hub deploys
    them) and kro's verdict on the CR; a plain form's is kro's verdict: ``ready``, or the first of kro's
    conditions that is not True, with its message as the error."""
    a, stuck = f"a{make.namespace}", f"stuck{make.namespace}"  # the space form's Namespace is cluster-wide
    db.nodes((a, True, "img:1", 1), (stuck, True, "img:1", 1))
    hub = make.hub(db, mode="kro")
    hub.form(comps.app, spec=app_spec)
    hub.form(comps.waits, spec=lambda row: {"name": row.node_id})  # kro waits for its Deployment
    hub.form(comps.space, spec=lambda row: {"name": row.node_id}, timeouts={"ns": 30})  # all the hub's
    report = hub.sync()
    assert report.error is None and "failed" not in report.counts(), report.render()
    cluster.settle()
    status = hub.status()
    by = {(t.form, t.uid): t for t in status.tenants}
    assert by[("app", a)].ready_column() == "kro:ready" and by[("app", a)].state == "ACTIVE"
    assert by[("app", a)].conditions.get("Ready") == "True"
    assert by[("space", a)].ready_column() == "1/1 kro:ready", status.render()
    stuck_status = by[("waits", stuck)]
    assert stuck_status.state != "ACTIVE" and stuck_status.ready_column() == "kro:ResourcesReady", status.render()
    assert stuck_status.conditions["ResourcesReady"] == "False", status.render()
    assert 'waiting for node "web"' in stuck_status.error, status.render()
    text = status.render()
    assert "READY" in text and "kro:ResourcesReady" in text and "1/1 kro:ready" in text
    assert all(t.ready_column() != "-" for t in status.tenants)  # every instance shows what is known
    hub.close()
