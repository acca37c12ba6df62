"""Generated secrets against the emulator over HTTP: random_password() is one value per tenant, made once, kept in
a Secret in the cluster (stable across syncs and a restarted hub), and never in any other object (records,
events, statuses), a report, or the CLI's output."""

from __future__ import annotations

import base64
import copy
import json
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner

from pykro.emulator._cluster import LocalCluster
from pykro.errors import PykroError
from pykro.hub._cli import app
from pykro.hub._generated import random_password

HERE = Path(__file__).resolve().parent
WRITES = frozenset({"create", "update", "patch", "apply", "delete", "deletecollection"})


def everything(cluster: LocalCluster) -> list[dict[str, Any]]:
    async def collect(api: Any) -> list[dict[str, Any]]:
        return [copy.deepcopy(o) for _, o in cluster.engine.store.all_objects()]

    return cluster.run(collect)


def stored(cluster: LocalCluster, namespace: str) -> dict[str, dict[str, str]]:
    """The hub's generated values by uid (from its Secrets)."""
    out = {}
    for obj in everything(cluster):
        meta = obj["metadata"]
        if obj["kind"] == "Secret" and meta.get("namespace") == namespace and meta["name"].startswith("pykro-hub."):
            out[meta["annotations"]["pykro.io/hub-row"]] = {
                k: base64.b64decode(v).decode() for k, v in (obj.get("data") or {}).items()
            }
    return out


def creds(cluster: LocalCluster, namespace: str, uid: str) -> str:
    for obj in everything(cluster):
        meta = obj["metadata"]
        if obj["kind"] == "Secret" and meta.get("namespace") == namespace and meta["name"] == f"{uid}-creds":
            return base64.b64decode(obj["data"]["password"]).decode()
    raise AssertionError(f"no {uid}-creds")


def leaks(cluster: LocalCluster, values: list[str]) -> list[str]:
    """Objects other than Secrets whose text holds one of ``values`` (plain or base64)."""
    needles = values + [base64.b64encode(v.encode()).decode() for v in values]
    return [
        f"{o['kind']}/{o['metadata'].get('name')}"
        for o in everything(cluster)
        if o["kind"] != "Secret" and any(n in json.dumps(o) for n in needles)
    ]


def vault_spec(row: Any) -> dict[str, Any]:
    return {"name": row.node_id, "password": random_password(24), "note": row.image}


def test_one_value_per_tenant_made_once_and_kept_in_the_cluster(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "n1", 1), ("b", True, "n1", 1))
    hub = make.hub(db)
    hub.form(comps.vault, spec=vault_spec)
    first = hub.sync()
    assert first.ok, first.render()
    values = stored(cluster, make.namespace)
    assert set(values) == {"a", "b"}
    pa, pb = values["a"]["vault.password"], values["b"]["vault.password"]
    assert pa != pb and len(pa) == len(pb) == 24 and pa.isalnum()
    assert (creds(cluster, make.namespace, "a"), creds(cluster, make.namespace, "b")) == (pa, pb)

    mark = len(cluster.request_log())
    again = hub.sync()
    assert {o.action for o in again.outcomes} == {"unchanged"}
    assert [i for _, i, _ in cluster.request_log()[mark:] if i.verb in WRITES] == []
    hub.close()

    restarted = make.hub(db)  # a new process: nothing in memory
    restarted.form(comps.vault, spec=vault_spec)
    db.run("UPDATE {t} SET image = 'n2' WHERE node_id = 'a'")
    db.add("c", True, "n1")
    report = restarted.sync()
    assert {(o.uid, o.action) for o in report.outcomes} == {("a", "updated"), ("b", "unchanged"), ("c", "created")}
    after = stored(cluster, make.namespace)
    assert (after["a"]["vault.password"], after["b"]["vault.password"]) == (pa, pb)
    assert creds(cluster, make.namespace, "a") == pa
    pc = after["c"]["vault.password"]
    assert pc not in (pa, pb)

    secrets = [pa, pb, pc]
    assert leaks(cluster, secrets) == []  # not in records, events, statuses or any other object
    for text in (first.render(), report.render(), json.dumps(restarted.status().to_dict())):
        assert not any(s in text for s in secrets)
    restarted.close()


def test_the_cli_never_prints_a_generated_value(tmp_path: Path, cluster: LocalCluster, namespace: str) -> None:
    import sqlalchemy as sa

    shutil.copy(HERE / "compositions.py", tmp_path / "compositions.py")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT PRIMARY KEY, image TEXT)"))
        conn.execute(sa.text("INSERT INTO nodes VALUES ('acme', 'n1')"))
    hub_file = tmp_path / "hub.py"
    hub_file.write_text(
        "from compositions import vault\nfrom pykro.hub import Hub, random_password\n"
        f"hub = Hub('t', 'sqlite:///{tmp_path / 'n.db'}', table='nodes', uid='node_id')\n"
        "hub.form(vault, spec=lambda row: {'name': row.node_id, 'password': random_password(16), 'note': row.image})\n"
    )
    target = [str(hub_file), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    runner = CliRunner()
    outputs = [runner.invoke(app, ["sync", *target, "-o", "json"])]
    assert outputs[0].exit_code == 0, outputs[0].output
    value = stored(cluster, namespace)["acme"]["vault.password"]
    for args in (["plan", *target], ["plan", *target, "-o", "json"], ["status", *target, "-o", "json"]):
        outputs.append(runner.invoke(app, args))
    outputs.append(runner.invoke(app, ["sync", *target]))
    assert all(r.exit_code == 0 for r in outputs), [r.output for r in outputs]
    assert not any(value in r.output for r in outputs)


def test_a_generated_value_only_goes_to_a_secret_field(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.app, spec=lambda row: {"name": row.node_id, "image": random_password(12)})
    report = hub.sync()
    (outcome,) = report.outcomes
    assert outcome.action == "failed"
    assert "random_password() goes to spec field image of HubApp, which is not typed SecretStr" in outcome.message
    with pytest.raises(PykroError, match="from 8 to 256"):
        random_password(4)
    hub.close()


def test_kro_mode_keeps_generated_values_out_of_the_instance_cr(make: Any, db: Any, comps: ModuleType) -> None:
    """In kro mode the resource reading the SecretStr field is the hub's (tests/hub/test_kro_mode.py runs it):
    the plan says so, and the value is not in the CR's spec."""
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db, mode="kro")
    form = hub.form(comps.vault, spec=vault_spec)
    report = hub.plan()
    (outcome,) = report.outcomes
    assert outcome.action == "created" and outcome.message == "hub applies creds; kro applies info", report.render()
    assert form.split is not None and "password" not in form.split.kro_spec({"name": "a", "password": "p"})
    hub.close()


def test_kro_mode_refuses_a_generated_value_kro_would_read(make: Any, db: Any) -> None:
    """A SecretStr field the status reads stays in the CR's spec (kro computes the status from the CR): a generated
    value there is refused, the row failing alone."""
    from pykro.graph import Graph
    from pykro.graph._secrets import SECRET_FIELDS

    leaky = Graph.from_rgd(
        {
            "apiVersion": "kro.run/v1alpha1",
            "kind": "ResourceGraphDefinition",
            "metadata": {"name": "leaky", "annotations": {SECRET_FIELDS: "password"}},
            "spec": {
                "schema": {
                    "apiVersion": "v1alpha1",
                    "kind": "Leaky",
                    "spec": {"name": "string", "password": "string"},
                    "status": {"size": "${size(schema.spec.password)}"},
                },
                "resources": [
                    {
                        "id": "cfg",
                        "template": {
                            "apiVersion": "v1",
                            "kind": "Secret",
                            "metadata": {"name": "${schema.spec.name}"},
                            "stringData": {"p": "${schema.spec.password}"},
                        },
                    }
                ],
            },
        }
    )
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db, mode="kro")
    form = hub.form(leaky, spec=lambda row: {"name": row.node_id, "password": random_password(16)})
    assert form.split is None  # kro applies the Secret, the field stays in the CR's spec
    (outcome,) = hub.plan().outcomes
    assert outcome.action == "failed" and "random_password() cannot be used in kro mode" in outcome.message
    hub.close()
    split = make.hub(db, mode="kro")  # split for ignore_fields: the field still goes to the CR
    form = split.form(leaky, spec=lambda row: {"name": row.node_id, "password": random_password(16)},
                      ignore_fields={"cfg": ["$.stringData"]})  # fmt: skip
    assert form.split is not None and form.split.hub_ids == ("cfg",)
    (outcome,) = split.plan().outcomes
    assert outcome.action == "failed" and "would be in the instance CR's spec in kro mode" in outcome.message
    split.close()
