"""Lynq YAML hubs synced in direct mode against the emulator over HTTP: seed 002's four LynqForms unchanged
(rows in SQLite, and PostgreSQL / MariaDB when given), row values landing verbatim, a bad row failing alone, the
CLI with --source, and passwordRef read from the cluster without ever showing the password."""

from __future__ import annotations

import base64
import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from lightkube import ApiError, codecs
from tests.hub.lynq_docs import FORM, HUB, assert_located
from typer.testing import CliRunner

from pykro.deploy import DeployOptions, RetryPolicy
from pykro.emulator._cluster import LocalCluster
from pykro.hub._cli import app
from pykro.hub.lynq import load
from pykro.hub.lynq._hub import LynqHub

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "hub" / "lynq"
SEED_FILES = sorted(EXAMPLES.glob("*.yaml"))
WRITES = frozenset({"create", "update", "patch", "apply", "delete", "deletecollection"})


def objects(cluster: LocalCluster, kind: str, namespace: str | None = None) -> dict[str, dict[str, Any]]:
    async def collect(api: Any) -> dict[str, dict[str, Any]]:
        return {
            f"{o['metadata'].get('namespace') or ''}/{o['metadata']['name']}": copy.deepcopy(o)
            for _, o in cluster.engine.store.all_objects()
            if o.get("kind") == kind
            and (namespace is None or o["metadata"].get("namespace") == namespace)
            and not o["metadata"].get("deletionTimestamp")
        }

    return cluster.run(collect)


def writes(cluster: LocalCluster, since: int) -> list[tuple[str, str, str | None]]:
    return [(i.verb, i.resource, i.name) for _, i, _ in cluster.request_log()[since:] if i.verb in WRITES]


def actions(report: Any) -> dict[tuple[str, str | None], str]:
    return {(o.form, o.uid): o.action for o in report.outcomes}


def seed_table(db: Any) -> None:
    """The seed's nodes table (nodes.sql's CREATE TABLE, unchanged) in the test database, without its rows."""
    db.table = "nodes"
    db.drop()
    create = (EXAMPLES / "nodes.sql").read_text().split(";")[0]
    create = "\n".join(line for line in create.splitlines() if not line.startswith("-- Seed"))
    db.run(create)


def add_node(db: Any, uid: str, active: bool = True, api: int = 3) -> None:
    db.run("INSERT INTO {t} (node_id, is_active, api_replicas) VALUES (:u, :a, :r)", u=uid, a=active, r=api)


def seed_hub(cluster: LocalCluster, db: Any, namespace: str, files: list[Path] = SEED_FILES) -> LynqHub:
    hub = load(files)["multi-tier-nodes"]
    hub.retry = RetryPolicy(base=0.01, cap=0.2, seed=1)
    hub.options = DeployOptions(timeout=60)
    hub.target(source=db.url, kubeconfig=cluster.kubeconfig_path, namespace=namespace)
    return hub


def test_seed_002_runs_unchanged(db: Any, cluster: LocalCluster, namespace: str) -> None:
    """All four tiers per row, in order; typed replicas; a generated password kept; resync writes nothing; a new
    row is created and a deactivated one deleted (its PostgreSQL StatefulSet retained)."""
    seed_table(db)
    a, b = f"{namespace}-a", f"{namespace}-b"
    add_node(db, a)
    add_node(db, b, api=5)
    hub = seed_hub(cluster, db, namespace)
    plan = hub.plan()
    assert plan.ok and plan.counts() == {"created": 8}, plan.render()
    report = hub.sync()
    assert report.ok and report.counts() == {"created": 8}, report.render()
    deployments = objects(cluster, "Deployment", f"node-{b}")
    assert sorted(deployments) == sorted(f"node-{b}/{b}-{t}" for t in ("api", "redis", "web", "worker"))
    assert deployments[f"node-{b}/{b}-api"]["spec"]["replicas"] == 5  # {{ .apiReplicas | int }}: a number
    api_env = deployments[f"node-{b}/{b}-api"]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "ENABLE_ANALYTICS", "value": "false"} in api_env  # a typed column printed as Go prints it
    sts = objects(cluster, "StatefulSet", f"node-{b}")[f"node-{b}/{b}-postgres"]
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "20Gi"
    assert sts["metadata"]["annotations"]["pykro.io/deletion-policy"] == "Retain"
    ingress = objects(cluster, "Ingress", f"node-{a}")[f"node-{a}/{a}-ingress"]
    assert ingress["spec"]["rules"][0]["host"] == f"{a}.example.com"
    secret = objects(cluster, "Secret", f"node-{a}")[f"node-{a}/{a}-db-credentials"]
    password = base64.b64decode(secret["data"]["password"]).decode()
    assert len(password) == 32 and password.isalnum()
    assert password not in report.render() and password not in json.dumps(hub.status().to_dict())

    status = hub.status()
    assert status.error is None and status.totals()["ready"] == status.totals()["desired"] == 8, status.render()

    mark = len(cluster.request_log())
    again = hub.sync()
    assert again.counts() == {"unchanged": 8}, again.render()
    assert writes(cluster, mark) == []
    secret = objects(cluster, "Secret", f"node-{a}")[f"node-{a}/{a}-db-credentials"]
    assert base64.b64decode(secret["data"]["password"]).decode() == password  # made once

    c = f"{namespace}-c"
    add_node(db, c)
    db.run("UPDATE {t} SET is_active = :f WHERE node_id = :u", f=False, u=a)
    third = hub.sync()
    assert third.ok, third.render()
    got = actions(third)
    assert {k: v for k, v in got.items() if k[1] == c} == {
        (t, c): "created" for t in ("data-tier", "api-tier", "web-tier", "worker-tier")
    }
    assert {k: v for k, v in got.items() if k[1] == a} == {
        (t, a): "deleted" for t in ("data-tier", "api-tier", "web-tier", "worker-tier")
    }
    assert {k: v for k, v in got.items() if k[1] == b} == {
        (t, b): "unchanged" for t in ("data-tier", "api-tier", "web-tier", "worker-tier")
    }
    assert objects(cluster, "Deployment", f"node-{a}") == {}
    # deletionPolicy: Retain keeps the StatefulSet, and so its namespace too (Lynq deletes the namespace with it)
    assert f"node-{a}/{a}-postgres" in objects(cluster, "StatefulSet", f"node-{a}")
    assert f"/node-{a}" in objects(cluster, "Namespace")
    assert objects(cluster, "Secret", f"node-{a}") == {}

    # creationPolicy: Once — a changed row updates the tier, but the StatefulSet keeps what it was created with
    db.run("UPDATE {t} SET db_cpu_request = :c, db_memory_request = :m WHERE node_id = :u", c="2000m", m="4Gi", u=b)
    fourth = hub.sync()
    assert fourth.ok and actions(fourth)[("data-tier", b)] == "updated", fourth.render()
    sts = objects(cluster, "StatefulSet", f"node-{b}")[f"node-{b}/{b}-postgres"]
    assert sts["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "500m", "memory": "1Gi"}
    hub.close()


def test_the_example_database_script_and_the_cli(tmp_path: Path, cluster: LocalCluster, namespace: str) -> None:
    """create_db.py makes the seed's table and rows; `pykro hub plan|sync|status FILE… --source` run the seed."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        import create_db  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(EXAMPLES))
    db = create_db.create(tmp_path / "nodes.db")
    runner = CliRunner()
    # acme-corp, globex and initech are fixed names: this cluster runs them once (the other tests use own names)
    target = [*map(str, SEED_FILES), "--source", f"sqlite:///{db}", "--kubeconfig", str(cluster.kubeconfig_path)]
    target += ["-n", namespace]
    plan = runner.invoke(app, ["plan", *target])
    assert plan.exit_code == 0, plan.output
    assert plan.output.count("would be created") == 8 and "initech" not in plan.output
    done = runner.invoke(app, ["sync", *target, "-o", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["counts"] == {"created": 8}
    status = runner.invoke(app, ["status", *target, "-o", "json"])
    assert status.exit_code == 0, status.output
    totals = json.loads(status.output)[0]["totals"]
    assert totals["ready"] == totals["desired"] == 8
    api = objects(cluster, "Deployment", "node-globex")["node-globex/globex-api"]
    assert api["spec"]["replicas"] == 5
    again = runner.invoke(app, ["run", *target, "--syncs", "1"])
    assert again.exit_code == 0 and "8 unchanged" in again.output, again.output


def _files(tmp_path: Path, form: str) -> list[Path]:
    hub = tmp_path / "hub.yaml"
    hub.write_text(HUB.format(name="tenants", table="nodes"))
    path = tmp_path / "form.yaml"
    path.write_text(form)
    return [hub, path]


def _table(db: Any) -> None:
    db.table = "nodes"
    db.drop()
    db.run(
        "CREATE TABLE {t} (node_id VARCHAR(63) PRIMARY KEY, is_active BOOLEAN, image VARCHAR(200), replicas INTEGER)"
    )


TRICKY = "x\nkind: Secret\nmetadata: {name: evil}\n{{ .uid }} ${schema.spec.name} \"q\" 'q' \\"


def test_row_values_are_data_never_structure(tmp_path: Path, db: Any, cluster: LocalCluster, namespace: str) -> None:
    _table(db)
    db.run("INSERT INTO {t} VALUES (:u, :a, :i, :r)", u=f"{namespace}-v", a=True, i=TRICKY, r=2)
    files = _files(tmp_path, FORM.format(name="app", hub="tenants"))
    hub = load(files)["tenants"]
    hub.target(source=db.url, kubeconfig=cluster.kubeconfig_path, namespace=namespace)
    report = hub.sync()
    assert report.ok, report.render()
    maps = objects(cluster, "ConfigMap", namespace)  # no targetNamespace: the hub's namespace (-n), as in Lynq
    cfg = maps[f"{namespace}/{namespace}-v-cfg"]
    assert cfg["data"] == {"image": TRICKY, "replicas": "2"}  # verbatim; int stays text in ConfigMap data
    assert [n for n in objects(cluster, "Secret", namespace) if "evil" in n] == []
    hub.close()


BAD_ROW_FORM = FORM.format(name="app", hub="tenants").replace(
    'image: "{{ .image }}"',
    'image: "{{ if not .image }}{{ fail \\"every node needs an image\\" }}{{ end }}{{ .image }}"',
)


def test_a_row_whose_template_fails_fails_alone(tmp_path: Path, db: Any, cluster: LocalCluster, namespace: str) -> None:
    _table(db)
    good, bad = f"{namespace}-good", f"{namespace}-bad"
    db.run("INSERT INTO {t} VALUES (:u, :a, :i, :r)", u=good, a=True, i="nginx:1", r=1)
    db.run("INSERT INTO {t} VALUES (:u, :a, :i, :r)", u=bad, a=True, i="", r=1)
    files = _files(tmp_path, BAD_ROW_FORM)
    hub = load(files)["tenants"]
    hub.target(source=db.url, kubeconfig=cluster.kubeconfig_path, namespace=namespace)
    report = hub.sync()
    got = actions(report)
    assert got == {("app", good): "created", ("app", bad): "failed"}, report.render()
    message = report.of("app", bad).message  # type: ignore[union-attr]
    for words in (str(files[1]), "spec.configMaps[0].spec.data.image", "'app'", "'cfg'", repr(bad), "needs an image"):
        assert words in message, message
    assert message.startswith(f"row uid {bad!r} of form 'app': resource 'cfg' does not render: "), message
    assert "RowError" not in message and message.count(str(files[1])) == 1, message
    hub.close()


def test_rand_alpha_num_outside_a_secret_fails_the_rows(
    tmp_path: Path, db: Any, cluster: LocalCluster, namespace: str
) -> None:
    _table(db)
    db.run("INSERT INTO {t} VALUES (:u, :a, :i, :r)", u=f"{namespace}-r", a=True, i="x", r=1)
    form = FORM.format(name="app", hub="tenants").replace('"{{ .image }}"', '"{{ randAlphaNum 16 }}"')
    hub = load(_files(tmp_path, form))["tenants"]
    hub.target(source=db.url, kubeconfig=cluster.kubeconfig_path, namespace=namespace)
    report = hub.sync()
    outcome = report.of("app", f"{namespace}-r")
    assert outcome is not None and outcome.action == "failed"
    assert "spec.configMaps[0].spec.data.image" in outcome.message and "stringData" in outcome.message
    hub.close()


def test_password_ref_is_read_from_the_cluster_and_never_shown(
    tmp_path: Path, cluster: LocalCluster, namespace: str
) -> None:
    files = _files(tmp_path, FORM.format(name="app", hub="tenants"))
    runner = CliRunner()
    target = [*map(str, files), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    missing = runner.invoke(app, ["plan", *target])
    assert missing.exit_code != 0
    text = missing.output + str(missing.exception)
    assert "mysql-credentials" in text and "not found" in text and "spec.source.mysql.passwordRef" in text

    secret = "s3cr3t-Pa55word"
    client = cluster.client()
    for obj in (
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "mysql-credentials", "namespace": namespace},
            "data": {"password": base64.b64encode(secret.encode()).decode()},
        },
    ):
        try:
            client.create(codecs.from_dict(obj))
        except ApiError as exc:
            assert exc.status.code == 409, exc  # the namespace may be there already
    hub = load(files)["tenants"]
    hub.target(kubeconfig=cluster.kubeconfig_path, namespace=namespace)
    hub.use_password_ref()
    assert sa.engine.make_url(hub.source.url).password == secret  # the URL the hub connects with
    planned = runner.invoke(app, ["plan", *target, "-o", "json"])  # mysql.internal does not resolve: an error
    assert planned.exit_code == 1
    assert secret not in planned.output and "mysql.internal" in planned.output
    hub.close()
    # --source replaces the LynqHub's database, so no Secret is read
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT, is_active BOOLEAN, image TEXT, replicas INTEGER)"))
    other = runner.invoke(app, ["plan", *target, "-n", f"{namespace}x", "--source", f"sqlite:///{tmp_path / 'n.db'}"])
    assert other.exit_code == 0, other.output


DEPLOYMENT_FORM = """\
apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata:
  name: app
spec:
  hubId: tenants
  deployments:
    - id: web
      nameTemplate: "{{ .uid }}-{{ .image }}"
      spec:
        apiVersion: apps/v1
        kind: Deployment
        spec:
          replicas: {{ .replicas | int }}
          selector: {matchLabels: {app: "{{ .uid }}"}}
          template:
            metadata: {labels: {app: "{{ .uid }}"}}
            spec: {containers: [{name: web, image: nginx}]}
"""


def test_plan_fails_a_row_the_api_server_would_refuse_as_sync_does(
    tmp_path: Path, db: Any, cluster: LocalCluster, namespace: str
) -> None:
    """A value the kind's schema refuses (a template giving text to an integer field) and a name the API server
    refuses: `hub plan` fails the row with its uid, the file and the YAML path, word for word as `hub sync`, which
    deploys the good row only; the plan writes nothing."""
    _table(db)
    good, bad_name = f"{namespace}-ok", f"{namespace}-name"
    for uid, image in ((good, "web"), (bad_name, "Web_1")):
        db.run("INSERT INTO {t} VALUES (:u, :a, :i, :r)", u=uid, a=True, i=image, r=2)
    text_replicas = DEPLOYMENT_FORM.replace("replicas: {{ .replicas | int }}", 'replicas: "{{ .replicas }}x"')
    runner = CliRunner()
    for form, failing, path, words in (
        (DEPLOYMENT_FORM, [bad_name], "spec.deployments[0].nameTemplate", ["Deployment name", "-Web_1'", "DNS-1123"]),
        (text_replicas, [good], "spec.deployments[0].spec.spec.replicas", ["must be an integer", "'2x'", "| int }}"]),
    ):
        files = _files(tmp_path, form)
        target = [*map(str, files), "--source", db.url, "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
        mark = len(cluster.request_log())
        plan = runner.invoke(app, ["plan", *target, "-o", "json"])
        assert plan.exit_code == 1, plan.output
        assert writes(cluster, mark) == []
        planned = {o["uid"]: o for o in json.loads(plan.output)[0]["outcomes"]}
        done = runner.invoke(app, ["sync", *target, "-o", "json"])
        synced = {o["uid"]: o for o in json.loads(done.output)["outcomes"]}
        for uid in failing:
            message = planned[uid]["message"]
            assert planned[uid]["action"] == synced[uid]["action"] == "failed", message
            assert synced[uid]["message"] == message  # word for word
            assert message.startswith(f"row uid {uid!r} of form 'app': resource 'web': "), message
            for word in [f"form.yaml: {path}", *words]:
                assert_located(message, word, tmp_path)
        if good not in failing:
            assert planned[good]["action"] == "created" and synced[good]["action"] == "created"
    assert list(objects(cluster, "Deployment", namespace)) == [f"{namespace}/{good}-web"]


_NO_PASSWORD = "      passwordRef:\n        name: mysql-credentials\n        key: password\n"
# (case, hub.yaml's text changed by (old, new), use --source (the test's SQLite file), words of the error)
SOURCE_MISTAKES: list[tuple[str, tuple[str, str], bool, list[str]]] = [
    (
        "unreachable host",
        ("host: mysql.internal\n      port: 3306\n", "host: 127.0.0.1\n      port: 1\n"),
        False,
        ["hub.yaml: spec.source.mysql.host", "Connection refused", "127.0.0.1:1, spec.source.mysql.port", "--source"],
    ),
    ("missing table", ("table: nodes", "table: nodez"), True, ["hub.yaml: spec.source.mysql.table", "nodez"]),
    (
        "missing uid column",
        ("uid: node_id", "uid: nodeid"),
        True,
        ["hub.yaml: spec.valueMappings.uid", "'nodeid'", "Did you mean 'node_id'?"],
    ),
    (
        "missing extra column",
        ("image: image", "image: imag"),
        True,
        ["hub.yaml: spec.extraValueMappings.image", "'imag'", "Did you mean 'image'?"],
    ),
    ("activate column", ("activate: is_active", "activate: active"), True, ["hub.yaml: spec.valueMappings.activate"]),
]


@pytest.mark.parametrize(
    ("change", "given", "words"), [c[1:] for c in SOURCE_MISTAKES], ids=[c[0] for c in SOURCE_MISTAKES]
)
def test_a_lynq_hubs_source_errors_name_its_file_and_yaml_path(
    tmp_path: Path, cluster: LocalCluster, namespace: str, change: tuple[str, str], given: bool, words: list[str]
) -> None:
    """Errors about the LynqHub's data source name its file and the YAML path of the field to fix (not the
    Python hub's ``table=``/``source=``), for plan, sync and status alike; nothing is written."""
    files = _files(tmp_path, FORM.format(name="app", hub="tenants"))
    text = files[0].read_text().replace(_NO_PASSWORD, "")
    assert change[0] in text
    files[0].write_text(text.replace(*change))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT, is_active BOOLEAN, image TEXT, replicas INTEGER)"))
        conn.execute(sa.text("INSERT INTO nodes VALUES ('a', 1, 'nginx', 1)"))
    engine.dispose()
    target = [*map(str, files), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    target += ["--source", f"sqlite:///{tmp_path / 'n.db'}"] if given else []
    mark = len(cluster.request_log())
    for command in ("plan", "sync", "status"):
        result = CliRunner().invoke(app, [command, *target])
        assert result.exit_code == 1, result.output
        assert str(files[0]) in result.output, result.output
        for word in words:
            assert_located(result.output, word, tmp_path)
        assert "table=" not in result.output and "source=" not in result.output, result.output
    assert writes(cluster, mark) == []


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("sqlite:///{tmp}/nodez.db", ["--source: cannot read", "nodez.db does not exist"]),
        ("mysql+pymysql://u:s3cret-pw@127.0.0.1:x/db", ["--source: ", "its port is not a number"]),
        ("mysql+pymysql://u:s3cret-pw@127.0.0.1:1/db", ["--source: ", "u:***@127.0.0.1:1", "Check the host and port"]),
        ("nosuch://u:s3cret-pw@h/db", ["--source: ", "nosuch"]),
    ],
)
def test_a_bad_source_option_is_named(
    tmp_path: Path, cluster: LocalCluster, namespace: str, url: str, words: list[str]
) -> None:
    """A database URL given with --source is named as the option (the LynqHub's database is not read), without
    its password."""
    files = _files(tmp_path, FORM.format(name="app", hub="tenants"))
    target = [*map(str, files), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    result = CliRunner().invoke(app, ["plan", *target, "--source", url.format(tmp=tmp_path)])
    assert result.exit_code == 1, result.output
    for word in words:
        assert word in result.output, result.output
    assert "s3cret-pw" not in result.output and "Traceback" not in result.output


def _secret(cluster: LocalCluster, namespace: str, password: str) -> None:
    client = cluster.client()
    for obj in (
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "mysql-credentials", "namespace": namespace},
            "data": {"password": base64.b64encode(password.encode()).decode()},
        },
    ):
        try:
            client.create(codecs.from_dict(obj))
        except ApiError as exc:
            assert exc.status.code == 409, exc
            client.replace(codecs.from_dict(obj))


@pytest.mark.slow
def test_a_lynq_hubs_wrong_password_and_database_on_a_real_server(
    tmp_path: Path, cluster: LocalCluster, namespace: str
) -> None:
    """Against the real MariaDB server: a wrong password (read from passwordRef's Secret) names the passwordRef and
    the Secret, never the password; an unknown database names spec.source.mysql.database."""
    server = os.environ.get("PYKRO_TEST_MYSQL_URL", "")
    if not server:
        pytest.skip("no MySQL server: set PYKRO_TEST_MYSQL_URL (`make databases` starts one)")
    url = sa.engine.make_url(server)
    files = _files(tmp_path, FORM.format(name="app", hub="tenants"))
    text = files[0].read_text().replace("host: mysql.internal", f"host: {url.host}")
    text = text.replace("port: 3306", f"port: {url.port}").replace("username: lynq_reader", f"username: {url.username}")
    target = [*map(str, files), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    wrong = "Wr0ng-pa55word"
    _secret(cluster, namespace, wrong)
    files[0].write_text(text.replace("database: nodes_db", f"database: {url.database}"))
    result = CliRunner().invoke(app, ["plan", *target])
    assert result.exit_code == 1, result.output
    for word in ["hub.yaml: spec.source.mysql.passwordRef", "Access denied", "'mysql-credentials'", "'password'"]:
        assert_located(result.output, word, tmp_path)
    assert wrong not in result.output
    _secret(cluster, namespace, str(url.password))
    files[0].write_text(text.replace("database: nodes_db", "database: nosuchdb"))
    result = CliRunner().invoke(app, ["plan", *target])
    assert result.exit_code == 1, result.output
    assert_located(result.output, "hub.yaml: spec.source.mysql.database", tmp_path)
    assert "nosuchdb" in result.output, result.output
    assert f"{url.username}:***@" in result.output  # the password read from the Secret is masked


def test_a_uid_that_cannot_name_a_lynq_node_fails_its_row(
    tmp_path: Path, cluster: LocalCluster, namespace: str
) -> None:
    """LynqNodes are named <uid>-<form>: a uid that cannot be part of a name fails its row, naming the uid mapping
    (the Python hub's instance_name does not exist in Lynq)."""
    files = _files(tmp_path, FORM.format(name="app", hub="tenants"))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT, is_active BOOLEAN, image TEXT, replicas INTEGER)"))
        conn.execute(sa.text("INSERT INTO nodes VALUES ('Bad_Uid', 1, 'nginx', 1), ('good', 1, 'nginx', 1)"))
    engine.dispose()
    target = [*map(str, files), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    result = CliRunner().invoke(app, ["plan", *target, "--source", f"sqlite:///{tmp_path / 'n.db'}", "-o", "json"])
    assert result.exit_code == 1, result.output
    outcomes = {o["uid"]: o for o in json.loads(result.output)[0]["outcomes"]}
    assert outcomes["good"]["action"] == "created" and outcomes["Bad_Uid"]["action"] == "failed"
    message = outcomes["Bad_Uid"]["message"]
    assert "'Bad_Uid-app'" in message and "LynqNodes are named <uid>-<form>" in message, message
    assert_located(message, "hub.yaml: spec.valueMappings.uid", tmp_path)
    assert "instance_name" not in message


def test_a_second_hub_over_the_same_tenants_takes_nothing_over_and_says_what_to_do(
    db: Any, cluster: LocalCluster, namespace: str
) -> None:
    """The seed's tenant namespaces (node-<uid>) belong to the first hub's tenants: a second hub in another namespace
    fails those rows without changing them, and its fix names what a hub user can do (not `pykro deploy`'s option)."""
    seed_table(db)
    add_node(db, f"{namespace}-t")
    first = seed_hub(cluster, db, namespace)
    assert first.sync().ok
    before = objects(cluster, "Namespace")[f"/node-{namespace}-t"]["metadata"]["resourceVersion"]
    second = seed_hub(cluster, db, f"{namespace}-other")
    report = second.sync()
    failed = [o for o in report.outcomes if o.action == "failed"]
    assert failed and all("would take over objects it does not own" in o.message for o in failed), report.render()
    assert all("A hub never takes over objects" in o.message and "--force-takeover" not in o.message for o in failed)
    assert objects(cluster, "Namespace")[f"/node-{namespace}-t"]["metadata"]["resourceVersion"] == before
