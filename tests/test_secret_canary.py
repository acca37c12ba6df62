"""A canary sweep: one distinctive secret value, planted as a ``SecretStr`` spec value, a Secret's data and a hub's
source password and generated password, must appear nowhere but in the Secret objects themselves (and in render
output that prints or writes Secrets: ``--manifests``, or the files with ``--include-secrets``). One case per
user-facing path; each checks the plain value and its base64 forms."""

from __future__ import annotations

import base64
import copy
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.helpers import REPO

from pykro import _yamlio as yamlio
from pykro.cli.main import main
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._controller import ClusterAPI
from pykro.emulator._simulation import Rule, SimulationRules

CANARY = "CANARY-7f3a9-secret"
NEXT = "CANARY-7f3a9-rotated"
LITERAL = "CANARY-7f3a9-literal"
NUMBER = "7319024651"  # a SecretStr field given a number: the wrong type
ALL = (CANARY, NEXT, LITERAL, NUMBER)

COMPOSITION = f'''
from pydantic import Field, SecretStr

from pykro import Spec, Status, composition
from pykro.simple import ConfigMap, Deployment, Secret


class VaultSpec(Spec):
    name: str
    password: SecretStr
    pin: SecretStr | None = Field(default=None, min_length=12)
    broken: str = "no"


class VaultStatus(Status):
    ready: bool
    echo: str


@composition(api_version="example.com/v1alpha1", kind="Vault")
def vault(spec: VaultSpec) -> VaultStatus:
    creds = Secret(id="creds", name=f"{{spec.name}}-creds", string_data={{"password": spec.password}})
    Secret(id="fixed", name=f"{{spec.name}}-fixed", string_data={{"token": "{LITERAL}"}})
    app = Deployment(
        id="app",
        name=spec.name,
        image="nginx",
        labels={{"broken": spec.broken}},
        env={{"PASSWORD": {{"secretKeyRef": {{"name": creds.metadata.name, "key": "password"}}}}}},
    )
    ConfigMap(id="info", name=f"{{spec.name}}-info", data={{"secret": creds.metadata.name}})
    return VaultStatus(ready=app.status.readyReplicas >= 1, echo=spec.password)
'''

pytestmark = pytest.mark.cluster(
    rules=SimulationRules(rules=[Rule(kind="Deployment", labels={"broken": "yes"}, outcome="fail", delay_ms=30)])
)


def _needles(values: tuple[str, ...] = ALL) -> list[str]:
    """The values and the base64 text of each at the three byte alignments (inside a longer encoded text)."""
    out = list(values)
    for value in values:
        for skip in range(3):
            out.append(base64.b64encode(value[skip:].encode()).decode()[:-4])
    return [n for n in out if len(n) >= 8]


def leaks(text: str) -> list[str]:
    return [n for n in _needles() if n in text]


class Cli:
    """Runs `pykro` in-process, keeping everything it printed."""

    def __init__(self, capsys: pytest.CaptureFixture[str], where: list[str]) -> None:
        self.capsys = capsys
        self.where = where

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        try:
            main([*argv, *self.where])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture()
def source(tmp_path: Path) -> str:
    path = tmp_path / "vault.py"
    path.write_text(COMPOSITION, encoding="utf-8")
    return str(path)


@pytest.fixture()
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """pykro's own logging at DEBUG: no record of any case may quote the canary."""
    caplog.set_level(logging.DEBUG)
    yield caplog
    for record in caplog.records:
        assert not leaks(record.getMessage()), record.getMessage()


def _store(cluster: LocalCluster) -> list[dict[str, Any]]:
    async def collect(api: ClusterAPI) -> list[dict[str, Any]]:
        return [copy.deepcopy(o) for _, o in cluster.engine.store.all_objects()]

    return cluster.run(collect)


def _cluster_leaks(cluster: LocalCluster) -> list[str]:
    """Non-Secret objects (records, events, Deployments...) and request-log entries quoting a canary."""
    found = [
        f"{o['kind']}/{o['metadata'].get('namespace')}/{o['metadata']['name']}"
        for o in _store(cluster)
        if o.get("kind") != "Secret" and leaks(json.dumps(o))
    ]
    return found + [repr(entry) for entry in cluster.request_log() if leaks(repr(entry))]


def _only_in_secrets(text: str) -> None:
    """Every YAML document of ``text`` quoting a canary is a Secret."""
    for doc in yamlio.load_all(text):
        if isinstance(doc, dict) and doc.get("kind") != "Secret":
            assert not leaks(json.dumps(doc)), doc


def _tree(path: Path) -> str:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return "\n".join(f"{p}:\n{p.read_text(encoding='utf-8')}" for p in files)


# --- render ---------------------------------------------------------------------------------------------------


def test_render_manifests_prints_the_canary_only_in_secrets(
    source: str, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    cli = Cli(capsys, [])
    code, out, err = cli("render", source, "--manifests", "--set", "name=v", "--set", f"password={CANARY}")
    assert code == 0, err
    assert CANARY in out and LITERAL in out  # --manifests prints the objects as they are (docs/outputs.md)
    _only_in_secrets(out)
    assert not leaks(err)
    spec = ("--set", "name=v", "--set", f"password={CANARY}")
    code, out, err = cli("render", source, "--manifests", "--include-secrets", *spec)
    assert code == 1 and "--include-secrets only applies to" in err and not leaks(out + err)


def test_render_rgd_masks_literal_secret_values(source: str, capsys: pytest.CaptureFixture[str], logs: Any) -> None:
    code, out, err = Cli(capsys, [])("render", source, "--rgd")
    assert code == 0, err
    assert "${schema.spec.password}" in out
    rgd = yamlio.load(out)
    templates = [r["template"] for r in rgd["spec"].pop("resources")]
    # the RGD is applied as printed (like --manifests): a literal value stays in its Secret template only
    assert [t["kind"] for t in templates if leaks(json.dumps(t))] == ["Secret"]
    assert not leaks(json.dumps(rgd) + err)


def test_rgd_expand_errors_name_no_secret_field_value(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    """`pykro rgd expand` of a rendered RGD: an instance whose secret field (listed in the RGD's
    pykro.io/secret-fields) is invalid is refused naming the field, not the value."""
    cli = Cli(capsys, [])
    code, rgd, err = cli("render", source, "--rgd")
    assert code == 0, err
    (tmp_path / "rgd.yaml").write_text(rgd, encoding="utf-8")
    instance = tmp_path / "instance.yaml"
    short = CANARY[:9]
    instance.write_text(
        "apiVersion: example.com/v1alpha1\nkind: Vault\nmetadata:\n  name: v\n"
        f"spec:\n  name: v\n  password: {CANARY}\n  pin: {short}\n",
        encoding="utf-8",
    )
    code, out, err = cli("rgd", "expand", str(tmp_path / "rgd.yaml"), "-i", str(instance))
    assert code == 1 and "spec.pin" in err and short not in err and not leaks(out + err), out + err


@pytest.mark.parametrize("output", ["json", "yaml", "report"])
def test_rgd_expand_prints_the_instance_masked(
    output: str, source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    """`pykro rgd expand` prints the objects as they are (like --manifests: the Secrets hold the values) and the
    instance with its secret spec fields masked and no secret echoed by its status (was printed as given)."""
    cli = Cli(capsys, [])
    code, rgd, err = cli("render", source, "--rgd")
    assert code == 0, err
    (tmp_path / "rgd.yaml").write_text(rgd, encoding="utf-8")
    instance = tmp_path / "instance.yaml"
    instance.write_text(
        "apiVersion: example.com/v1alpha1\nkind: Vault\nmetadata:\n  name: v\n"
        f"spec:\n  name: v\n  password: {CANARY}\n",
        encoding="utf-8",
    )
    extra = [] if output == "report" else ["-o", output]
    code, out, err = cli("rgd", "expand", str(tmp_path / "rgd.yaml"), "-i", str(instance), "--simulate-ready", *extra)
    assert code == 0, err
    assert not leaks(err)
    if output == "report":  # each object under a rule line `Kind name`, then the instance's status
        parts = out.split("Resources")
        assert leaks(parts[0]) and not leaks(parts[1]), out
        assert "echo: '***'" in parts[1]
        return
    shown: Any = json.loads(out) if output == "json" else list(yamlio.load_all(out))
    objects, inst = (shown["objects"], shown["instance"]) if output == "json" else (shown[:-1], shown[-1])
    assert [o["kind"] for o in objects if leaks(json.dumps(o))] == ["Secret", "Secret"]
    assert inst["spec"]["password"] == "***" and inst["status"]["echo"] == "***"
    assert not leaks(json.dumps(inst))
    if output == "json":
        assert not leaks(json.dumps(shown["states"]))


@pytest.mark.parametrize("kind", ["helm", "kustomize", "compose"])
def test_render_files_hold_secrets_only_with_include_secrets(
    kind: str, source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    cli = Cli(capsys, [])
    values = tmp_path / "prod.yaml"
    values.write_text(f"name: v\npassword: {CANARY}\n", encoding="utf-8")
    spec = {
        "helm": [],
        "kustomize": ["--overlay", f"prod={values}"],
        "compose": ["-f", str(values)],
    }[kind]
    plain, full = tmp_path / "plain", tmp_path / "full"
    for out_dir, extra in ((plain, []), (full, ["--include-secrets"])):
        target = out_dir / "compose.yaml" if kind == "compose" else out_dir
        out_dir.mkdir()
        code, out, err = cli("render", source, f"--{kind}", str(target), *spec, *extra)
        assert code == 0, err
        assert not leaks(out + err), out + err
    assert not leaks(_tree(plain)), _tree(plain)
    written = _tree(full)
    assert LITERAL in written or base64.b64encode(LITERAL.encode()).decode() in written  # with --include-secrets
    if kind != "helm":  # a chart's spec values are the user's at install time, not in the chart
        assert CANARY in written or base64.b64encode(CANARY.encode()).decode() in written


def test_builders_serialize_refuses_secret_values(logs: Any) -> None:
    from pykro.builders import App, Secret, serialize
    from pykro.errors import PykroError

    secret = Secret("creds").add("password", CANARY)
    app = App("web").image("nginx").add_secret(secret)
    for builder in (secret, app):
        with pytest.raises(PykroError) as info:
            serialize(builder)
        assert not leaks(str(info.value)), str(info.value)
        assert CANARY in serialize(builder, include_secrets=True)
    for mistake in (
        lambda: Secret("creds").add("bad key!", CANARY),
        lambda: Secret("creds").add("k", [CANARY]),
        lambda: Secret("creds").add("k", {"a": CANARY}),
    ):
        with pytest.raises(PykroError) as info:
            mistake()
        assert "Secret" in str(info.value) and not leaks(str(info.value)), str(info.value)


# --- deploy, diff, status, list against the emulator -------------------------------------------------------------


def test_deploy_verbose_status_list_and_diff(
    cluster: LocalCluster, source: str, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    cli = Cli(capsys, ["--kubeconfig", str(cluster.kubeconfig_path), "-n", "deployed"])
    base = ("--set", "name=v", "--set", f"password={CANARY}")
    seen: list[str] = []
    code, out, err = cli("deploy", source, *base, "-v")
    assert code == 0, err
    assert yamlio.load(out)["status"]["echo"] == "***"
    seen += [out, err]
    for argv in (("status", "v"), ("status", "v", "-o", "json"), ("list",), ("list", "-o", "json")):
        code, out, err = cli(*argv)
        assert code == 0 and "v" in out, err
        seen += [out, err]
    rotated = ("--set", "name=v", "--set", f"password={NEXT}")
    code, out, err = cli("diff", source, *rotated)
    assert code == 1 and "*** (after)" in out, out + err
    seen += [out, err]
    code, out, err = cli("diff", source, *rotated, "-o", "json")
    assert code == 1 and out.strip(), err
    seen += [out, err]
    for text in seen:
        assert not leaks(text), text
    secret = next(o for o in _store(cluster) if o["kind"] == "Secret" and o["metadata"]["name"] == "v-creds")
    assert base64.b64decode(secret["data"]["password"]).decode() == CANARY  # where it must be
    assert _cluster_leaks(cluster) == []


@pytest.mark.parametrize(
    ("broken", "words"), [("yes", "failed"), ("not valid!", "HTTP 422")], ids=["workload-fails", "apiserver-refuses"]
)
def test_a_failed_deploy_after_the_secret_is_written_names_no_secret(
    broken: str, words: str, cluster: LocalCluster, source: str, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    """The Deployment, applied after the Secret, fails (the simulator) or is refused (an invalid label); the
    failure, its progress lines, the record (state FAILED), `status` and Events name no secret."""
    ns = "failing" if broken == "yes" else "refused"
    cli = Cli(capsys, ["--kubeconfig", str(cluster.kubeconfig_path), "-n", ns])
    spec = ("--set", "name=f", "--set", f"password={CANARY}", "--set", f"broken={broken}")
    code, out, err = cli("deploy", source, *spec, "-v")
    assert code == 1 and words in err, out + err
    code, status, status_err = cli("status", "f")
    assert "FAILED" in status + status_err, status + status_err
    out, err = out + status, err + status_err
    assert any(o["kind"] == "Secret" and o["metadata"] == {**o["metadata"], "name": "f-creds", "namespace": ns}
               for o in _store(cluster))  # fmt: skip
    assert not leaks(out + err), out + err
    assert _cluster_leaks(cluster) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("pin", CANARY[:10]), ("pin", NUMBER), ("pin", "12"), ("password.inner", CANARY)],
    ids=["too-short", "number", "a-short-pin", "mapping"],
)
@pytest.mark.parametrize("how", ["--set", "-f"])
def test_spec_errors_for_secret_fields_name_no_value(
    how: str, field: str, value: str, source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    """A wrong value for a SecretStr field, by --set or in a values file: the error names the field only."""
    others = ["--set", "name=v"] + ([] if field.startswith("password") else ["--set", f"password={NEXT}"])
    given = ["--set", f"{field}={value}"]
    if how == "-f":
        values = tmp_path / "values.yaml"
        head, _, tail = field.partition(".")
        values.write_text(f"{head}:\n  {tail}: {value}\n" if tail else f"{field}: {value!r}\n", encoding="utf-8")
        given = ["-f", str(values)]
    code, out, err = Cli(capsys, [])("render", source, "--manifests", *others, *given)
    assert code == 1 and out == "" and ("spec.pin" in err or "spec.password" in err), err
    assert f"={value}" not in err and f'"{value}"' not in err and not leaks(err), err


# --- hub -------------------------------------------------------------------------------------------------------

HUB_COMPOSITION = """
from pydantic import Field, SecretStr

from pykro import Spec, Status, composition
from pykro.simple import ConfigMap, Secret


class TenantSpec(Spec):
    name: str
    password: SecretStr
    note: str = Field(default="", max_length=8)


class TenantStatus(Status):
    ready: bool


@composition(api_version="hub.canary.test/v1", kind="CanaryTenant")
def tenant(spec: TenantSpec) -> TenantStatus:
    Secret(id="creds", name=f"{spec.name}-creds", string_data={"password": spec.password})
    ConfigMap(id="info", name=f"{spec.name}-info", data={"note": spec.note})
    return TenantStatus(ready=True)
"""


def _hub_file(tmp_path: Path, url: str) -> Path:
    (tmp_path / "tenant_comp.py").write_text(HUB_COMPOSITION, encoding="utf-8")
    hub = tmp_path / "hub.py"
    hub.write_text(
        "from tenant_comp import tenant\nfrom pykro.hub import Hub, random_password\n"
        f"hub = Hub('t', {url!r}, table='nodes', uid='node_id')\n"
        "hub.form(tenant, spec=lambda row: {'name': row.node_id, 'password': random_password(24), 'note': row.note})\n",
        encoding="utf-8",
    )
    return hub


def _generated(cluster: LocalCluster, namespace: str) -> list[str]:
    out = []
    for obj in _store(cluster):
        meta = obj["metadata"]
        if obj["kind"] == "Secret" and meta.get("namespace") == namespace and meta["name"].startswith("pykro-hub."):
            out += [base64.b64decode(v).decode() for v in (obj.get("data") or {}).values()]
    return out


def test_hub_sync_plan_status_never_print_a_generated_password(
    cluster: LocalCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT PRIMARY KEY, note TEXT)"))
        conn.execute(sa.text("INSERT INTO nodes VALUES ('acme', 'n1')"))
    engine.dispose()
    hub = _hub_file(tmp_path, f"sqlite:///{tmp_path / 'n.db'}")
    cli = Cli(capsys, ["--kubeconfig", str(cluster.kubeconfig_path), "-n", "hub"])
    code, first, err = cli("hub", "sync", str(hub))
    assert code == 0, first + err
    generated = _generated(cluster, "hub")
    assert len(generated) == 1 and len(generated[0]) == 24
    seen = [first, err]
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE nodes SET note = 'n2'"))
    for argv in (("plan",), ("plan", "-o", "json"), ("sync", "-o", "json"), ("status",), ("status", "-o", "json")):
        code, out, err = cli("hub", argv[0], str(hub), *argv[1:])
        assert code == 0, out + err
        seen += [out, err]
    needles = generated + [base64.b64encode(v.encode()).decode() for v in generated]
    for text in seen:
        assert not any(n in text for n in needles), text
    for record in logs.records:
        assert not any(n in record.getMessage() for n in needles), record.getMessage()
    for obj in _store(cluster):
        if obj["kind"] != "Secret":
            assert not any(n in json.dumps(obj) for n in needles), obj


def test_a_failing_hub_row_names_no_generated_password(
    cluster: LocalCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    """One row's spec is invalid (its note is too long), after its password was generated: the row's error, in
    sync, plan and status, names the field, never the password."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT PRIMARY KEY, note TEXT)"))
        conn.execute(sa.text("INSERT INTO nodes VALUES ('good', 'n1'), ('bad', 'much-too-long-a-note')"))
    engine.dispose()
    hub = _hub_file(tmp_path, f"sqlite:///{tmp_path / 'n.db'}")
    cli = Cli(capsys, ["--kubeconfig", str(cluster.kubeconfig_path), "-n", "hubbad"])
    seen = []
    for argv in (("sync",), ("sync", "-o", "json"), ("plan",), ("plan", "-o", "json"), ("status", "-o", "json")):
        _, out, err = cli("hub", argv[0], str(hub), *argv[1:])
        seen += [out, err]
    assert "spec.note" in "".join(seen) and "bad" in "".join(seen), seen
    generated = _generated(cluster, "hubbad")
    assert generated, "no password was generated"
    needles = generated + [base64.b64encode(v.encode()).decode() for v in generated]
    for text in seen + [r.getMessage() for r in logs.records]:
        assert not any(n in text for n in needles), text
    for obj in _store(cluster):
        if obj["kind"] != "Secret":
            assert not any(n in json.dumps(obj) for n in needles), obj


URLS = {
    "in-the-url": f"postgresql+psycopg://app:{CANARY}@127.0.0.1:1/tenants?connect_timeout=1",
    "a-query-parameter": f"postgresql+psycopg://app@127.0.0.1:1/tenants?password={CANARY}&connect_timeout=1",
    "mysql": f"mysql+pymysql://app:{CANARY}@127.0.0.1:1/tenants?connect_timeout=1",
}


@pytest.mark.parametrize("url", list(URLS))
@pytest.mark.parametrize("command", ["sync", "plan", "status"])
def test_hub_source_url_password_is_never_printed(
    command: str, url: str, cluster: LocalCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    """A database that cannot be reached (nothing listens on port 1): the error names the URL without its
    password."""
    shutil.rmtree(tmp_path / "__pycache__", ignore_errors=True)
    hub = _hub_file(tmp_path, URLS[url])
    cli = Cli(capsys, ["--kubeconfig", str(cluster.kubeconfig_path), "-n", "hubdown"])
    code, out, err = cli("hub", command, str(hub))
    assert code != 0, out + err
    assert "127.0.0.1" in out + err, out + err
    assert not leaks(out + err), out + err


# --- Lynq hubs: randAlphaNum values and passwordRef ------------------------------------------------------------


def test_lynq_rand_alpha_num_values_stay_in_their_secrets(
    cluster: LocalCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    """The seed's data tier generates ``{{ randAlphaNum 32 }}`` passwords: plan, sync and status never show one,
    nor does any object but their Secret."""
    examples = REPO / "examples" / "hub" / "lynq"
    db = tmp_path / "nodes.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        for statement in (examples / "nodes.sql").read_text(encoding="utf-8").split(";"):
            if statement.strip():
                conn.execute(sa.text(statement))
    engine.dispose()
    files = [str(p) for p in sorted(examples.glob("*.yaml"))]
    cli = Cli(capsys, ["--source", f"sqlite:///{db}", "--kubeconfig", str(cluster.kubeconfig_path), "-n", "lynq"])
    seen = []
    for argv in (("plan",), ("sync",), ("sync", "-o", "json"), ("plan", "-o", "json"), ("status", "-o", "json")):
        code, out, err = cli("hub", argv[0], *files, *argv[1:])
        assert code == 0, out + err
        seen += [out, err]
    generated = [
        base64.b64decode(o["data"]["password"]).decode()
        for o in _store(cluster)
        if o["kind"] == "Secret" and o["metadata"]["name"].endswith("-db-credentials")
    ]
    assert len(generated) >= 2 and all(len(p) == 32 for p in generated)
    needles = generated + [base64.b64encode(v.encode()).decode() for v in generated]
    for text in seen + [r.getMessage() for r in logs.records]:
        assert not any(n in text for n in needles), text
    for obj in _store(cluster):
        if obj["kind"] != "Secret":
            assert not any(n in json.dumps(obj) for n in needles), obj


@pytest.mark.parametrize("command", ["sync", "plan", "status"])
def test_lynq_password_ref_is_never_printed(
    command: str, cluster: LocalCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    """passwordRef's Secret holds the canary; the MySQL server cannot be reached: the error names the host, not
    the password."""
    from lightkube import ApiError, codecs
    from tests.hub.lynq_docs import FORM, HUB

    hub = tmp_path / "hub.yaml"
    hub.write_text(HUB.format(name="tenants", table="nodes").replace("host: mysql.internal", "host: 127.0.0.1")
                   .replace("port: 3306", "port: 1"), encoding="utf-8")  # fmt: skip
    form = tmp_path / "form.yaml"
    form.write_text(FORM.format(name="app", hub="tenants"), encoding="utf-8")
    client = cluster.client()
    for obj in (
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "lynqref"}},
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "mysql-credentials", "namespace": "lynqref"},
            "data": {"password": base64.b64encode(CANARY.encode()).decode()},
        },
    ):
        try:
            client.create(codecs.from_dict(obj))
        except ApiError as exc:
            assert exc.status.code == 409, exc
    cli = Cli(capsys, ["--kubeconfig", str(cluster.kubeconfig_path), "-n", "lynqref"])
    code, out, err = cli("hub", command, str(hub), str(form))
    assert code == 1 and "spec.source.mysql" in out + err and "127.0.0.1" in out + err, out + err
    assert "lynq_reader:***@" in out + err and not leaks(out + err), out + err


@pytest.mark.slow
def test_deploy_local_verbose(source: str, tmp_path: Path) -> None:
    """`pykro deploy --local -v` (a background emulator in a private state directory): its output, the emulator's
    log, Events and every non-Secret object name no secret."""
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    home = tmp_path / "state" / "pykro" / "emulator"

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pykro", *argv], env=env, capture_output=True, text=True)

    try:
        done = run("deploy", source, "--local", "-v", "-n", "loc", "--set", "name=v", "--set", f"password={CANARY}")
        assert done.returncode == 0, done.stderr
        failed = run("deploy", source, "--local", "-v", "-n", "loc", "--set", "name=v", "--set", f"password={NEXT}",
                     "--set", "broken=not valid!")  # fmt: skip
        assert failed.returncode == 1 and "HTTP 422" in failed.stderr, failed.stderr
        texts = [done.stdout, done.stderr, failed.stdout, failed.stderr]
        kinds = ("events", "configmaps", "deployments", "replicasets", "pods")
        for kind in kinds:
            got = run("emulator", "get", kind, "-A", "-o", "json")
            assert got.returncode == 0, got.stderr
            texts.append(got.stdout)
        secret = run("emulator", "get", "secrets", "v-creds", "-n", "loc", "-o", "json")
        assert base64.b64decode(json.loads(secret.stdout)["data"]["password"]).decode() in (CANARY, NEXT)
        texts.append((home / "emulator.log").read_text(encoding="utf-8"))
        for text in texts:
            assert not leaks(text), text
    finally:
        pid = home / "pid"
        if pid.exists():
            os.kill(int(pid.read_text()), signal.SIGTERM)
