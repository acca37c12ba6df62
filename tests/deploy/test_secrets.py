"""Secrets never leave the Secret: spec fields typed ``SecretStr`` and Secret values are masked in every CLI
output (progress, status, diff, errors), in the instance's record, in the emulator's Events and in the logs, through
a deploy, a diff, a failed deploy rolled back and a delete (the sweep); `pykro diff` masks like `kubectl diff`."""

from __future__ import annotations

import base64
import copy
import json
import logging
from pathlib import Path
from typing import Any

import pydantic
import pytest

from pykro import _yamlio as yamlio
from pykro.cli.main import main
from pykro.deploy import _inventory as inv
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._controller import ClusterAPI
from pykro.emulator._simulation import Rule, SimulationRules
from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.graph import _secrets as sec

MARKER = "MARKER-s3cr3t-42"
OTHER = "MARKER-other-43"
SHORT = "MK-s3cr3t"  # too short for the pin field: the apiserver's message quotes the value
LITERAL = "MARKER-literal-77"
MARKERS = ("MARKER-", SHORT)

COMPOSITION = f'''

from pydantic import Field, SecretStr

from pykro import Spec, Status, cel, composition
from pykro.simple import ConfigMap, Deployment, Secret


class VaultSpec(Spec):
    name: str
    password: SecretStr
    pin: SecretStr | None = Field(default=None, min_length=12)
    broken: str = "no"
    explode: str = "no"
    replicas: int = 1


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
        replicas=spec.replicas,
        labels={{"broken": spec.broken}},
        env={{"PASSWORD": {{"secretKeyRef": {{"name": creds.metadata.name, "key": "password"}}}}}},
    )
    if spec.explode == "yes":  # a CEL error whose engine message quotes the value
        ConfigMap(id="bad", name=f"{{spec.name}}-bad", data={{"u": cel.expr("string(url(schema.spec.password))", str)}})
    return VaultStatus(ready=app.status.readyReplicas >= spec.replicas, echo=spec.password)
'''
RULES = SimulationRules(rules=[Rule(kind="Deployment", labels={"broken": "yes"}, outcome="fail", delay_ms=30)])


pytestmark = pytest.mark.cluster(rules=RULES, kro=True)


@pytest.fixture()
def source(tmp_path: Path) -> str:
    path = tmp_path / "vault.py"
    path.write_text(COMPOSITION, encoding="utf-8")
    return str(path)


class Cli:
    """Runs `pykro` in-process and keeps everything it printed."""

    def __init__(self, capsys: pytest.CaptureFixture[str], where: list[str]) -> None:
        self.capsys = capsys
        self.where = where
        self.seen: list[str] = []

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        try:
            main([*argv, *self.where])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        self.seen += [out, err]
        return code, out, err


def _store(cluster: LocalCluster) -> list[dict[str, Any]]:
    async def collect(api: ClusterAPI) -> list[dict[str, Any]]:
        return [copy.deepcopy(o) for _, o in cluster.engine.store.all_objects()]

    return cluster.run(collect)


def _leaks(text: str) -> list[str]:
    return [m for m in (MARKER, OTHER, SHORT, LITERAL) if m in text]


def _decoded(obj: dict[str, Any]) -> str:
    """An object as text, with every base64 value of a data map decoded too."""
    extra = []
    for value in (obj.get("data") or {}).values() if isinstance(obj.get("data"), dict) else []:
        try:
            extra.append(base64.b64decode(str(value)).decode(errors="replace"))
        except ValueError:
            continue
    return json.dumps(obj) + "\n".join(extra)


def test_the_sweep_finds_no_secret_anywhere_but_in_the_secrets(
    cluster: LocalCluster, source: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ns = "sweep"
    cli = Cli(capsys, ["--kubeconfig", str(cluster.kubeconfig_path), "-n", ns])
    base = ("--set", "name=v", "--set", f"password={MARKER}")

    code, out, err = cli("deploy", source, *base, "-v")
    assert code == 0, err
    assert yamlio.load(out)["status"] == {"ready": True, "echo": "***"}
    code, out, err = cli("deploy", source, *base, "-o", "json")
    assert code == 0, err
    code, out, _ = cli("status", "v")
    assert code == 0 and yamlio.load(out)["status"]["echo"] == "***"

    record = next(o for o in _store(cluster) if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "pykro.vault.v")
    assert json.loads(record["data"]["spec"])["password"] == "***"
    assert "token: '***'" in record["data"]["rgd"] or "token: ***" in record["data"]["rgd"]

    code, out, _ = cli("diff", source, "--set", "name=v", "--set", f"password={OTHER}")
    assert code == 1
    assert "-  password: '*** (before)'" in out and "+  password: '*** (after)'" in out
    code, out, _ = cli("diff", source, *base)
    assert code == 0 and "update" not in out
    code, out, _ = cli("diff", source, *base, "-o", "json")
    assert code == 0

    # a spec the apiserver would refuse, quoting the value: masked in the error
    code, _, err = cli("deploy", source, *base, "--set", f"pin={SHORT}")
    assert code == 1 and "spec.pin" in err and "***" in err

    code, _, err = cli("deploy", source, *base, "--set", "explode=yes")
    assert code == 1 and "URL parse error" in err and "***" in err

    # a failed update, rolled back, with a new password and more replicas
    failing = ("--set", "broken=yes", "--set", "replicas=2", "--on-failure", "rollback", "-v")
    code, _, err = cli("deploy", source, "--set", "name=v", "--set", f"password={OTHER}", *failing)
    assert code == 1 and "failed" in err

    code, _, err = cli("delete", "v", "-v")
    assert code == 0, err
    records = [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in _store(cluster)]
    assert ("Secret", ns, "pykro.vault.v") not in records and ("ConfigMap", ns, "pykro.vault.v") not in records

    # and in kro mode: progress, status and diff (the instance's own spec holds the value, like a Secret)
    kro = ("--mode", "kro")
    code, out, err = cli("deploy", source, *base, *kro, "-v")
    assert code == 0, err
    code, out, _ = cli("status", "v")
    assert code == 0 and yamlio.load(out)["mode"] == "kro" and yamlio.load(out)["status"]["echo"] == "***"
    code, out, _ = cli("diff", source, "--set", "name=v", "--set", f"password={OTHER}", *kro)
    assert code == 1 and "dbPassword" not in out and "password: '*** (after)'" in out
    code, _, err = cli("delete", "v")  # found without --file: the RGD whose kind has an instance "v"
    assert code == 0, err

    for text in cli.seen:
        assert not _leaks(text), text
    for log in caplog.records:
        assert not _leaks(log.getMessage()), log.getMessage()
    for obj in _store(cluster):
        kind = obj.get("kind")
        if kind == "Secret" and obj["metadata"]["name"] in ("v-creds", "v-fixed", "pykro.vault.v"):
            continue  # where the values must be
        if kind in ("Vault", "ResourceGraphDefinition"):
            continue  # kro mode: the instance's spec and the RGD's template are what kro reads
        assert not _leaks(_decoded(obj)), obj


def test_cel_errors_do_not_quote_secret_spec_values(source: str) -> None:
    from pykro.authoring._loader import load_composition
    from pykro.runtime import expand

    graph = load_composition(source).graph
    instance = {"apiVersion": graph.instance_api_version, "kind": graph.kind, "metadata": {"name": "v"},
                "spec": {"name": "v", "password": MARKER, "explode": "yes"}}  # fmt: skip
    state = expand(graph, instance).states["bad"]
    assert state.state == "error" and "URL parse error" in state.message
    assert MARKER not in state.message and "***" in state.message


def test_secretstr_fields_reach_the_cluster_unmasked(cluster: LocalCluster, source: str) -> None:
    from pykro.authoring._loader import load_composition

    comp = load_composition(source)
    factory = comp.factory("direct", namespace="plain", kubeconfig=cluster.kubeconfig_path)
    spec = comp.spec_model(name="p", password=pydantic.SecretStr(MARKER))
    assert factory.deploy(spec).state == "ACTIVE"
    mark = len(cluster.request_log())
    assert factory.deploy(spec).state == "ACTIVE"  # unchanged: the record's Secret is read, not written
    writes = [
        (i.verb, i.resource) for _, i, _ in cluster.request_log()[mark:] if i.verb not in ("get", "list", "watch")
    ]
    assert not [w for w in writes if w[1] == "secrets"], writes
    secret = next(o for o in _store(cluster) if o["kind"] == "Secret" and o["metadata"]["name"] == "p-creds")
    assert MARKER in _decoded(secret)  # the real value, not pydantic's "**********"
    keeper = next(o for o in _store(cluster) if o["kind"] == "Secret" and o["metadata"]["name"] == "pykro.vault.p")
    assert inv.spec_of_secret(keeper) == {
        "name": "p",
        "password": MARKER,
        "broken": "no",
        "explode": "no",
        "replicas": 1,
    }
    status = factory.status("p")
    assert status.status_data["echo"] == "***" and MARKER not in repr(status)
    factory.delete("p")
    assert not [o for o in _store(cluster) if o["metadata"].get("namespace") == "plain" and o["kind"] == "Secret"
                and o["metadata"]["name"].startswith(("p-", "pykro."))]  # fmt: skip


def test_a_rolled_back_update_keeps_the_previous_secret_spec(cluster: LocalCluster, source: str) -> None:
    """The record's Secret (the full spec) is put back with the record when a failed update is rolled back."""
    from pykro.authoring._loader import load_composition
    from pykro.deploy import DeployOptions
    from pykro.deploy._errors import DeployError

    comp = load_composition(source)
    factory = comp.factory("direct", namespace="rollsecret", kubeconfig=cluster.kubeconfig_path)
    assert factory.deploy({"name": "r", "password": MARKER}).state == "ACTIVE"
    failing = comp.factory(
        "direct",
        namespace="rollsecret",
        kubeconfig=cluster.kubeconfig_path,
        options=DeployOptions(timeout=30, on_failure="rollback"),
    )
    with pytest.raises(DeployError) as info:
        failing.deploy({"name": "r", "password": OTHER, "broken": "yes"})
    assert "Rolled back" in str(info.value) and OTHER not in str(info.value)
    keeper = next(o for o in _store(cluster) if o["kind"] == "Secret" and o["metadata"]["name"] == "pykro.vault.r")
    assert (inv.spec_of_secret(keeper) or {}).get("password") == MARKER
    assert factory.status("r").state == "ACTIVE"
    factory.delete("r")


def test_a_secretstr_default_is_refused() -> None:
    from pykro.schema._models import simple_schema

    class Bad(pydantic.BaseModel):
        token: pydantic.SecretStr = pydantic.SecretStr("x")

    with pytest.raises(ValidationError, match="cannot have a default"):
        simple_schema(Bad)


def test_secret_paths_reach_nested_models_lists_and_maps() -> None:
    from pykro.schema._models import secret_paths

    class Db(pydantic.BaseModel):
        password: pydantic.SecretStr
        user: str

    class Root(pydantic.BaseModel):
        db: Db
        tokens: list[pydantic.SecretStr]
        keys: dict[str, Db]

    assert secret_paths(Root) == ["db.password", "tokens.*", "keys.*.password"]
    graph = Graph(
        name="g", api_version="v1alpha1", kind="G", annotations={sec.SECRET_FIELDS: ",".join(secret_paths(Root))}
    )
    spec = {"db": {"password": "a", "user": "u"}, "tokens": ["t1", "t2"], "keys": {"k": {"password": "b"}}}
    assert sec.mask_spec(graph, spec) == {
        "db": {"password": "***", "user": "u"},
        "tokens": ["***", "***"],
        "keys": {"k": {"password": "***"}},
    }


def test_a_diff_tells_which_secret_key_changed_without_the_values() -> None:
    before = {"apiVersion": "v1", "kind": "Secret", "data": {"a": "eA==", "b": "eQ=="}, "stringData": {"c": "z"}}
    after = {"apiVersion": "v1", "kind": "Secret", "data": {"a": "eA==", "b": "dw==", "n": "bg=="}}
    masked_before, masked_after = sec.mask_pair(before, after)
    assert masked_before == {**before, "data": {"a": "***", "b": "*** (before)"}, "stringData": {"c": "***"}}
    assert masked_after == {**after, "data": {"a": "***", "b": "*** (after)", "n": "***"}}


def test_the_redactor_knows_decoded_data_and_leaves_short_values() -> None:
    r = sec.Redactor()
    r.learn_object({"apiVersion": "v1", "kind": "Secret", "data": {"k": base64.b64encode(MARKER.encode()).decode()}})
    r.add(["abc"])
    assert r.text(f"value {MARKER} abc") == "value *** abc"


def test_set_keeps_a_secretstr_value_as_written(source: str) -> None:
    from pykro.authoring._loader import load_composition
    from pykro.runtime._set import set_value
    from pykro.runtime._values import schema_of

    spec: dict[str, Any] = {}
    schema, model = schema_of(load_composition(source))
    for assignment in ("password=yes", "pin=123456789012"):  # pin: at least 12 characters
        set_value(spec, assignment, schema, model)
    assert spec == {"password": "yes", "pin": "123456789012"}  # not the bool True and the int 123456789012


def test_spec_errors_from_values_files_and_mappings_do_not_quote_secret_values(source: str, tmp_path: Path) -> None:
    from pykro.authoring._loader import load_composition
    from pykro.runtime._values import spec_from_options

    comp = load_composition(source)
    values = tmp_path / "values.yaml"
    values.write_text(f"name: v\npassword: {MARKER}\npin: {SHORT}\n")
    with pytest.raises(ValidationError) as info:
        spec_from_options(comp, [], [values])
    assert "spec.pin" in str(info.value) and SHORT not in str(info.value) and "***" in str(info.value)
    with pytest.raises(ValidationError) as info:
        comp.to_manifests({"name": "v", "password": MARKER, "pin": SHORT})
    assert "pin" in str(info.value) and SHORT not in str(info.value)
