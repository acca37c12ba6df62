"""`pykro hub manifests FILE --image IMG`: a ServiceAccount, the RBAC the forms need and a Deployment running
`pykro hub run`, checked against pykro's Kubernetes schemas and created in the emulator (which validates them)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from lightkube import codecs
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace
from typer.testing import CliRunner

from pykro import _yamlio as yamlio
from pykro.emulator._cluster import LocalCluster
from pykro.hub._cli import app
from pykro.schema._kubernetes import validate_object

HERE = Path(__file__).resolve().parent
LYNQ = HERE.parents[1] / "examples" / "hub" / "lynq"

HUB_FILE = """
from compositions import app, db, space
from pykro.hub import Hub

hub = Hub("tenants", "postgresql+psycopg://hub:secret-pw@db:5432/tenants", table="nodes", uid="node_id")
hub.form(space, spec=lambda row: {"name": row.node_id})
hub.form(app, spec=lambda row: {"name": row.node_id, "image": row.image})
hub.form(db, spec=lambda row: {"name": row.node_id})
"""


def test_manifests_run_the_hub_with_the_rights_its_forms_need(
    tmp_path: Path, cluster: LocalCluster, namespace: str
) -> None:
    shutil.copy(HERE / "compositions.py", tmp_path / "compositions.py")
    hub_file = tmp_path / "tenants_hub.py"
    hub_file.write_text(HUB_FILE)
    runner = CliRunner()
    args = ["manifests", str(hub_file), "--image", "registry.example/hub:1", "-n", namespace]
    made = runner.invoke(app, [*args, "--source-secret", "hub-db"])
    assert made.exit_code == 0, made.output
    objects = list(yamlio.load_all(made.output))
    by_kind = {o["kind"]: o for o in objects}
    assert sorted(by_kind) == [
        "ClusterRole",
        "ClusterRoleBinding",
        "Deployment",
        "Role",
        "RoleBinding",
        "ServiceAccount",
    ]
    for obj in objects:
        assert validate_object(obj) == [], obj["kind"]
    assert "secret-pw" not in made.output  # the database URL stays in its Secret

    role = {(g, r) for rule in by_kind["Role"]["rules"] for g in rule["apiGroups"] for r in rule["resources"]}
    assert {("", "configmaps"), ("", "secrets"), ("coordination.k8s.io", "leases"), ("apps", "deployments")} <= role
    wide = by_kind["ClusterRole"]["rules"]
    assert wide == [{"apiGroups": [""], "resources": ["namespaces"], "verbs": [
        "get", "list", "watch", "create", "update", "patch", "delete"]}]  # fmt: skip
    pod = by_kind["Deployment"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "pykro-hub-tenants"
    (container,) = pod["containers"]
    assert container["image"] == "registry.example/hub:1"
    assert container["command"] == ["pykro", "hub", "run", "/app/tenants_hub.py", "-n", namespace, "--mode", "direct"]
    assert {"name": "PYKRO_HUB_SOURCE", "valueFrom": {"secretKeyRef": {"name": "hub-db", "key": "url"}}} in container[
        "env"
    ]
    assert by_kind["Deployment"]["spec"]["strategy"] == {"type": "Recreate"}

    client = cluster.client()
    client.create(Namespace(metadata=ObjectMeta(name=namespace)))
    for obj in objects:  # the emulator validates them as an apiserver does
        client.create(codecs.from_dict(obj))

    as_json = runner.invoke(app, [*args, "-o", "json"])
    assert as_json.exit_code == 0
    assert [o["kind"] for o in json.loads(as_json.output)["items"]] == [o["kind"] for o in objects]


def test_kro_mode_manifests_grant_rgds_and_instance_crs(tmp_path: Path) -> None:
    shutil.copy(HERE / "compositions.py", tmp_path / "compositions.py")
    hub_file = tmp_path / "hub.py"
    hub_file.write_text(HUB_FILE)
    made = CliRunner().invoke(app, ["manifests", str(hub_file), "--image", "x:1", "-n", "t", "--mode", "kro"])
    assert made.exit_code == 0, made.output
    by_kind = {o["kind"]: o for o in yamlio.load_all(made.output)}
    role = {(g, r) for rule in by_kind["Role"]["rules"] for g in rule["apiGroups"] for r in rule["resources"]}
    assert {("hub.pykro.test", "hubapps"), ("hub.pykro.test", "hubspaces"), ("hub.pykro.test", "hubdbs")} <= role
    assert ("apps", "deployments") not in role  # kro's controller creates those
    wide = {(g, r) for rule in by_kind["ClusterRole"]["rules"] for g in rule["apiGroups"] for r in rule["resources"]}
    assert wide == {("kro.run", "resourcegraphdefinitions"), ("apiextensions.k8s.io", "customresourcedefinitions")}
    assert by_kind["Deployment"]["spec"]["template"]["spec"]["containers"][0]["command"][-2:] == ["--mode", "kro"]


def test_manifests_need_a_namespace(tmp_path: Path) -> None:
    shutil.copy(HERE / "compositions.py", tmp_path / "compositions.py")
    hub_file = tmp_path / "hub.py"
    hub_file.write_text(HUB_FILE)
    result = CliRunner().invoke(app, ["manifests", str(hub_file), "--image", "x:1"])
    assert result.exit_code != 0 and "names no namespace" in str(result.exception)


def test_manifests_of_lynq_yaml_in_several_files(tmp_path: Path, cluster: LocalCluster, namespace: str) -> None:
    """A LynqHub and its LynqForms in several files (the seed's), or in one multi-document file: the Deployment runs
    `pykro hub run` with every file (and --hub when they define several hubs); the emulator takes the objects."""
    seed = sorted(LYNQ.glob("*.yaml"))
    runner = CliRunner()
    made = runner.invoke(app, ["manifests", *map(str, seed), "--image", "reg/hub:1", "-n", namespace])
    assert made.exit_code == 0, made.output
    objects = list(yamlio.load_all(made.output))
    by_kind = {o["kind"]: o for o in objects}
    command = by_kind["Deployment"]["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command == ["pykro", "hub", "run", *(f"/app/{f.name}" for f in seed), "-n", namespace, "--mode", "direct"]
    role = {(g, r) for rule in by_kind["ClusterRole"]["rules"] for g in rule["apiGroups"] for r in rule["resources"]}
    assert {("", "namespaces"), ("apps", "statefulsets"), ("networking.k8s.io", "ingresses")} <= role
    client = cluster.client()
    client.create(Namespace(metadata=ObjectMeta(name=namespace)))
    for obj in objects:  # the emulator validates them as an apiserver does
        client.create(codecs.from_dict(obj))

    # one multi-document file holding two hubs (the seed's and a copy): --hub picks, and the pod passes it on
    other = (LYNQ / "hub.yaml").read_text().replace("name: multi-tier-nodes", "name: other-nodes")
    other_form = (LYNQ / "api-tier.yaml").read_text().replace("hubId: multi-tier-nodes", "hubId: other-nodes")
    both = tmp_path / "all.yaml"
    both.write_text("\n---\n".join([*(f.read_text() for f in seed), other, other_form]))
    several = runner.invoke(app, ["manifests", str(both), "--image", "x:1", "-n", namespace])
    assert several.exit_code != 0 and "define several hubs (multi-tier-nodes, other-nodes)" in str(several.exception)
    picked = runner.invoke(
        app, ["manifests", str(both), "--image", "x:1", "--hub", "other-nodes", "--file-in-image", "/etc/hub.yaml"]
    )
    assert picked.exit_code == 0, picked.output
    deployment = next(o for o in yamlio.load_all(picked.output) if o["kind"] == "Deployment")
    assert deployment["metadata"]["name"] == "pykro-hub-other-nodes"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["command"][3:6] == [
        "/etc/hub.yaml",
        "--hub",
        "other-nodes",
    ]


def test_manifests_of_lynq_yaml_mistakes(tmp_path: Path) -> None:
    """A LynqForm without its LynqHub's file, or --file-in-image not once per file: the same errors as the other
    hub commands (file:line and YAML path), before anything is printed."""
    runner = CliRunner()
    alone = runner.invoke(app, ["manifests", str(LYNQ / "api-tier.yaml"), "--image", "x:1"])
    assert alone.exit_code != 0 and alone.output == ""
    message = str(alone.exception)
    assert f"{LYNQ / 'api-tier.yaml'}:7: spec.hubId: LynqForm 'api-tier' names hub 'multi-tier-nodes'" in message
    assert message == str(runner.invoke(app, ["plan", str(LYNQ / "api-tier.yaml")]).exception)
    files = [str(LYNQ / "hub.yaml"), str(LYNQ / "api-tier.yaml")]
    short = runner.invoke(app, ["manifests", *files, "--image", "x:1", "--file-in-image", "/app/hub.yaml"])
    assert short.exit_code != 0 and "--file-in-image gives 1 paths for 2 files" in str(short.exception)
    (tmp_path / "api-tier.yaml").write_text((LYNQ / "api-tier.yaml").read_text().replace("name: api-tier", "name: b"))
    same = runner.invoke(app, ["manifests", *files, str(tmp_path / "api-tier.yaml"), "--image", "x:1"])
    assert same.exit_code != 0 and "two files would be at the same path" in str(same.exception)


def test_manifests_refuse_an_image_secret_or_key_the_pod_could_never_use(tmp_path: Path) -> None:
    """The API server would take these, and the hub's Pod would then never start (or never read its database):
    each is an error naming the option, before anything is printed."""
    shutil.copy(HERE / "compositions.py", tmp_path / "compositions.py")
    hub_file = tmp_path / "tenants_hub.py"
    hub_file.write_text(HUB_FILE)
    base = ["manifests", str(hub_file), "-n", "t"]
    cases = [
        (["--image", "reg/hub 1"], "--image", "holds blanks"),
        (["--image", " "], "--image", "is empty"),
        (["--image", "x:1", "--source-secret", "Hub_DB"], "--source-secret", "Secret name 'Hub_DB' is not a valid"),
        (["--image", "x:1", "--source-secret", "hub-db", "--source-key", "db url"], "--source-key", "'db url'"),
    ]
    for extra, option, words in cases:
        result = CliRunner().invoke(app, [*base, *extra])
        assert result.exit_code != 0 and result.output == "", (extra, result.output)
        assert str(result.exception).startswith(f"{option}: ") and words in str(result.exception), result.exception
    fine = CliRunner().invoke(app, [*base, "--image", "x:1", "--source-secret", "hub-db", "--source-key", "db.url"])
    assert fine.exit_code == 0, fine.output
