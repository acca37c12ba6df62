"""Seed 002's Lynq YAML, unchanged, in kro mode against the emulator's kro double: one RGD per LynqForm, one
instance CR per row × form; what kro cannot honour (the data tier's generated Secret, its creationPolicy: Once and
deletionPolicy: Retain StatefulSet, the API's timeoutSeconds) and what it depends on applied by the hub itself.
All tenants get ready, an unchanged resync writes nothing, Once objects are not written again, Retain keeps the
StatefulSet (re-adopted when the row returns), and the generated password is nowhere but in its Secrets."""

from __future__ import annotations

import base64
import copy
import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from tests.hub.lynq_docs import FORM
from tests.hub.test_lynq_sync import SEED_FILES, _files, _table, actions, add_node, objects, seed_table, writes
from typer.testing import CliRunner

from pykro.deploy import DeployOptions, RetryPolicy
from pykro.emulator._cluster import LocalCluster
from pykro.hub._cli import app
from pykro.hub._manifests import hub_manifests
from pykro.hub.lynq import load
from pykro.hub.lynq._hub import LynqHub


@pytest.fixture(scope="module")
def cluster_options() -> dict[str, Any]:
    """This module's emulator runs the kro double."""
    return {"bookmark_interval": 0.5, "kro": True}


TIERS = ("data-tier", "api-tier", "web-tier", "worker-tier")


def kro_hub(cluster: LocalCluster, db: Any, namespace: str) -> LynqHub:
    hub = load(SEED_FILES)["multi-tier-nodes"]
    hub.retry = RetryPolicy(base=0.01, cap=0.2, seed=1)
    hub.options = DeployOptions(timeout=60)
    hub.target(source=db.url, kubeconfig=cluster.kubeconfig_path, namespace=namespace, mode="kro")
    return hub


def sync_until_ready(hub: LynqHub, cluster: LocalCluster, tenants: int) -> dict[tuple[str, str | None], str]:
    """Sync until every tenant × form is ready (a dependent tier's CR is written once its dependency is ACTIVE:
    a few syncs); what each sync did, the first action other than blocked/unchanged kept."""
    done: dict[tuple[str, str | None], str] = {}
    for _ in range(60):
        report = hub.sync()  # blocked (waiting for the data tier) is expected on the way
        assert report.error is None and "failed" not in report.counts(), report.render()
        for key, action in actions(report).items():
            if action not in ("blocked", "unchanged"):
                done.setdefault(key, action)
        cluster.settle()
        status = hub.status()
        if status.totals()["ready"] == status.totals()["desired"] == tenants * len(TIERS):
            return done
        time.sleep(0.2)
    raise AssertionError(status.render())


def stored(cluster: LocalCluster) -> list[dict[str, Any]]:
    """Every object of the emulator's store."""

    async def collect(api: Any) -> list[dict[str, Any]]:
        return [copy.deepcopy(o) for _, o in cluster.engine.store.all_objects()]

    return cluster.run(collect)


def password_of(cluster: LocalCluster, uid: str) -> str:
    secret = objects(cluster, "Secret", f"node-{uid}")[f"node-{uid}/{uid}-db-credentials"]
    return base64.b64decode(secret["data"]["password"]).decode()


def test_seed_002_runs_unchanged_in_kro_mode(
    db: Any, cluster: LocalCluster, namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seed_table(db)
    a, b = f"{namespace}-a", f"{namespace}-b"
    add_node(db, a)
    add_node(db, b, api=5)
    hub = kro_hub(cluster, db, namespace)

    mark = len(cluster.request_log())
    plan = hub.plan()
    assert writes(cluster, mark) == []
    data_plan = plan.of("data-tier", a)
    assert data_plan is not None and data_plan.action == "created", plan.render()
    assert "hub applies postgres, dbCredentials, ns; kro applies redis, postgresSvc, redisSvc" in data_plan.message
    assert "hub applies postgres, dbCredentials, ns" in plan.render()

    done = sync_until_ready(hub, cluster, 2)
    assert done == {(t, u): "created" for t in TIERS for u in (a, b)}

    # the RGDs: the hub-applied resources kro's depend on are externalRefs; no Secret, no Once object in them
    rgds = {n.strip("/"): o for n, o in objects(cluster, "ResourceGraphDefinition").items()}
    data_rgd = rgds["lynq-multi-tier-nodes-data-tier"]["spec"]["resources"]
    assert {r["id"]: ("externalRef" in r) for r in data_rgd} == {
        "ns": True,
        "postgres": True,
        "redis": False,
        "redisSvc": False,
        "postgresSvc": False,
    }
    assert next(r for r in data_rgd if r["id"] == "postgres")["externalRef"]["kind"] == "StatefulSet"
    api_rgd = rgds["lynq-multi-tier-nodes-api-tier"]["spec"]["resources"]
    assert {r["id"]: ("externalRef" in r) for r in api_rgd} == {"api": True, "apiSvc": False}
    # kro made its part, the hub its own: every object of seed 002 is there
    for u, api in ((a, 3), (b, 5)):
        deployments = objects(cluster, "Deployment", f"node-{u}")
        assert sorted(deployments) == sorted(f"node-{u}/{u}-{t}" for t in ("api", "redis", "web", "worker"))
        assert deployments[f"node-{u}/{u}-api"]["spec"]["replicas"] == api
        services = objects(cluster, "Service", f"node-{u}")
        assert sorted(services) == sorted(f"node-{u}/{u}-{t}" for t in ("api", "postgres", "redis", "web"))
        assert f"node-{u}/{u}-ingress" in objects(cluster, "Ingress", f"node-{u}")
        sts = objects(cluster, "StatefulSet", f"node-{u}")[f"node-{u}/{u}-postgres"]
        assert sts["metadata"]["annotations"]["pykro.io/deletion-policy"] == "Retain"
    crs = objects(cluster, "LynqMultiTierNodesDataTier", namespace)
    assert sorted(crs) == sorted(f"{namespace}/{u}-data-tier" for u in (a, b))
    assert crs[f"{namespace}/{a}-data-tier"]["spec"]["ns"] == {"metadata": {"name": f"node-{a}"}}
    assert "dbCredentials" not in crs[f"{namespace}/{a}-data-tier"]["spec"]  # no Secret in the CR's spec
    passwords = {u: password_of(cluster, u) for u in (a, b)}
    assert all(len(p) == 32 and p.isalnum() for p in passwords.values())

    # an unchanged resync: not a single write, to either part
    mark = len(cluster.request_log())
    again = hub.sync()
    assert again.counts() == {"unchanged": 8}, again.render()
    assert writes(cluster, mark) == []

    # a row change: the Once StatefulSet and Secret are not written; the API tier's Deployment (hub-applied for its
    # timeoutSeconds) is updated
    db.run("UPDATE {t} SET db_cpu_request = :c, api_replicas = :r WHERE node_id = :u", c="2000m", r=4, u=b)
    mark = len(cluster.request_log())
    changed = hub.sync()
    assert changed.ok, changed.render()
    assert actions(changed)[("data-tier", b)] == "unchanged"  # Once: a row change does not touch it
    assert actions(changed)[("api-tier", b)] == "updated"
    assert [w for w in writes(cluster, mark) if w[1] in ("statefulsets", "secrets")] == []
    cluster.settle()
    sts = objects(cluster, "StatefulSet", f"node-{b}")[f"node-{b}/{b}-postgres"]
    assert sts["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "500m"
    assert objects(cluster, "Deployment", f"node-{b}")[f"node-{b}/{b}-api"]["spec"]["replicas"] == 4
    assert password_of(cluster, b) == passwords[b]

    # the row deactivated: kro's part deleted, the hub's too but for what Retain keeps (the StatefulSet and its
    # namespace); the Secret is deleted (deletionPolicy Delete), the generated value stays in the hub's store
    sts_uid = objects(cluster, "StatefulSet", f"node-{a}")[f"node-{a}/{a}-postgres"]["metadata"]["uid"]
    db.run("UPDATE {t} SET is_active = :f WHERE node_id = :u", f=False, u=a)
    gone = hub.sync()
    assert gone.ok, gone.render()
    assert {k: v for k, v in actions(gone).items() if k[1] == a} == {(t, a): "deleted" for t in TIERS}
    cluster.settle()
    assert objects(cluster, "Deployment", f"node-{a}") == {}
    assert objects(cluster, "Secret", f"node-{a}") == {}
    assert objects(cluster, "LynqMultiTierNodesDataTier", namespace).keys() == {f"{namespace}/{b}-data-tier"}
    assert f"node-{a}/{a}-postgres" in objects(cluster, "StatefulSet", f"node-{a}")
    assert f"/node-{a}" in objects(cluster, "Namespace")

    # the row back: the retained StatefulSet is adopted again (the same object), the password is the same
    db.run("UPDATE {t} SET is_active = :t WHERE node_id = :u", t=True, u=a)
    back = sync_until_ready(hub, cluster, 2)
    assert {k: v for k, v in back.items() if k[1] == a} == {(t, a): "created" for t in TIERS}
    sts = objects(cluster, "StatefulSet", f"node-{a}")[f"node-{a}/{a}-postgres"]
    assert sts["metadata"]["uid"] == sts_uid
    assert password_of(cluster, a) == passwords[a]

    # the generated passwords are in their Secrets (and the hub's store of generated values) only
    for obj in stored(cluster):
        if obj.get("kind") == "Secret":
            continue
        text = json.dumps(obj)
        for p in passwords.values():
            assert p not in text, (obj.get("kind"), obj["metadata"].get("name"))
    assert all(p not in caplog.text for p in passwords.values())
    runner = CliRunner()
    target = [*map(str, SEED_FILES), "--source", db.url, "--kubeconfig", str(cluster.kubeconfig_path)]
    target += ["-n", namespace, "--mode", "kro"]
    shown = [
        runner.invoke(app, [verb, *target, *extra])
        for verb in ("plan", "sync", "status")
        for extra in ([], ["-o", "json"])
    ]
    for out in shown:
        assert out.exit_code == 0, out.output
        assert all(p not in out.output for p in passwords.values())
    hub.close()


def test_kro_mode_manifests_grant_the_hub_parts(db: Any) -> None:
    """The hub runs in the cluster with the rights its hub parts need (the data tier's Namespace, Secret and
    StatefulSet, the API tier's Deployment) besides the RGDs and instance CRs; kro applies the rest."""
    hub = load(SEED_FILES)["multi-tier-nodes"]
    hub.target(source=db.url, mode="kro")
    found = hub_manifests(hub, image="img", files_in_image=["/app/hub.yaml"], namespace="hub")
    rules = [r for o in found if o["kind"] in ("Role", "ClusterRole") for r in o["rules"]]
    granted = {(g, p) for r in rules if "create" in r["verbs"] for g in r["apiGroups"] for p in r["resources"]}
    for wanted in (
        ("", "namespaces"),
        ("", "secrets"),
        ("apps", "statefulsets"),
        ("apps", "deployments"),
        ("kro.run", "resourcegraphdefinitions"),
        ("lynq.pykro.io", "lynqmultitiernodesdatatiers"),
    ):
        assert wanted in granted, (wanted, rules)
    assert ("", "services") not in granted and ("networking.k8s.io", "ingresses") not in granted  # kro's
    hub.close()


def test_a_form_kro_can_apply_none_of(tmp_path: Path, db: Any, cluster: LocalCluster, namespace: str) -> None:
    """A LynqForm whose only resource is creationPolicy: Once runs in kro mode all the same: the hub applies it, the
    RGD kro gets has no resources (the instance CR only marks the tenant), a changed row writes nothing."""
    _table(db)
    uid = f"{namespace}-o"
    db.run("INSERT INTO {t} VALUES (:u, :a, :i, :r)", u=uid, a=True, i="img:1", r=1)
    hub = load(_files(tmp_path, FORM.format(name="app", hub="tenants") + "      creationPolicy: Once\n"))["tenants"]
    hub.target(source=db.url, kubeconfig=cluster.kubeconfig_path, namespace=namespace, mode="kro")
    first = hub.sync()
    assert actions(first) == {("app", uid): "created"}, first.render()
    cluster.settle()
    cfg = objects(cluster, "ConfigMap", namespace)[f"{namespace}/{uid}-cfg"]
    assert cfg["data"] == {"image": "img:1", "replicas": "1"}
    assert objects(cluster, "LynqTenantsApp", namespace)[f"{namespace}/{uid}-app"]["spec"] == {}
    assert hub.status().totals()["ready"] == 1
    db.run("UPDATE {t} SET image = :i WHERE node_id = :u", i="img:2", u=uid)
    mark = len(cluster.request_log())
    again = hub.sync()
    assert actions(again) == {("app", uid): "unchanged"}, again.render()
    assert writes(cluster, mark) == []
    assert objects(cluster, "ConfigMap", namespace)[f"{namespace}/{uid}-cfg"]["data"]["image"] == "img:1"
    db.run("UPDATE {t} SET is_active = :f WHERE node_id = :u", f=False, u=uid)
    gone = hub.sync()
    assert actions(gone) == {("app", uid): "deleted"}, gone.render()
    cluster.settle()
    assert f"{namespace}/{uid}-cfg" not in objects(cluster, "ConfigMap", namespace)
    assert objects(cluster, "LynqTenantsApp", namespace) == {}
    hub.close()


def test_seed_002_deployed_directly_is_not_taken_over_in_kro_mode(
    db: Any, cluster: LocalCluster, namespace: str
) -> None:
    """A LynqForm's kro RGD keeps the form's composition name and kind, so kro mode must tell the direct-mode
    records of the same name from its own: it stops before writing, naming the direct instances; the data tier's
    StatefulSet and generated Secret keep their uids."""
    seed_table(db)
    a = f"{namespace}-a"
    add_node(db, a)
    hub = kro_hub(cluster, db, namespace)
    hub.target(mode="direct")
    first = hub.sync()
    assert actions(first)[("data-tier", a)] == "created", first.render()
    cluster.settle()
    kept = {
        kind: {n: o["metadata"]["uid"] for n, o in objects(cluster, kind, f"node-{a}").items()}
        for kind in ("StatefulSet", "Secret")
    }
    assert kept["StatefulSet"] and kept["Secret"], kept

    hub.target(mode="kro")
    mark = len(cluster.request_log())
    report = hub.sync()
    assert report.error is not None and report.outcomes == [], report.render()
    assert f"form 'data-tier' has 1 instance(s) this hub deployed in direct mode ({a}-data-tier" in report.error
    assert writes(cluster, mark) == []
    for kind, before in kept.items():
        assert {n: o["metadata"]["uid"] for n, o in objects(cluster, kind, f"node-{a}").items()} == before
    hub.close()
