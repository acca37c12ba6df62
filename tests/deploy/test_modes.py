"""An instance lives in one mode: `pykro deploy` in one mode stops before writing when the instance is deployed in
the other; `--switch-mode` moves a direct-mode instance to kro without deleting or recreating its objects (uids
kept); kro to direct is refused with the reason; status/delete never pick one of several instances of a name
silently; `pykro list` points out an instance already live in both modes. Through the CLI, against an emulator
running the simulated kro."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import run_cli

from pykro import _yamlio as yamlio
from pykro.deploy import _inventory as inv
from pykro.emulator._cluster import LocalCluster

pytestmark = pytest.mark.cluster(kro=True)

TWO = """
from pykro import Spec, composition
from pykro.simple import ConfigMap, Secret
class TwoSpec(Spec):
    name: str
    value: str = "v"
@composition(api_version="example.com/v1", kind="TwoApp")
def two(spec: TwoSpec) -> None:
    ConfigMap(id="cfg", name=spec.name, data={"k": spec.value})
    Secret(id="creds", name=spec.name + "-creds", string_data={"password": "s3cret"})
"""


@pytest.fixture
def two(tmp_path: Path) -> str:
    path = tmp_path / "two.py"
    path.write_text(TWO)
    return str(path)


def _get(cluster: LocalCluster, kind: str, name: str, ns: str) -> dict[str, Any] | None:
    async def fn(api: Any) -> dict[str, Any] | None:
        obj = await api.get("v1", kind, name, ns)
        return copy.deepcopy(obj) if obj is not None else None

    return cluster.run(fn)


def _uids(cluster: LocalCluster, ns: str) -> dict[str, str]:
    out = {}
    for kind, name in (("ConfigMap", "tw"), ("Secret", "tw-creds")):
        obj = _get(cluster, kind, name, ns)
        assert obj is not None, (kind, name)
        out[kind] = obj["metadata"]["uid"]
    return out


def test_a_direct_instance_is_refused_in_kro_mode_and_switched_to_kro_without_losing_its_objects(
    kit: Any, capsys: pytest.CaptureFixture[str], two: str
) -> None:
    ns = kit.unique("modes")
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path), "-n", ns]
    code, _, err = run_cli(capsys, "deploy", two, "--set", "name=tw", *where)
    assert code == 0, err
    uids = _uids(kit.cluster, ns)

    mark = kit.mark()
    code, _, err = run_cli(capsys, "deploy", two, "--set", "name=tw", "--mode", "kro", *where)
    assert code == 1 and "TwoApp instance 'tw' (composition two, namespace " in err, err
    assert "is deployed in direct mode" in err and "Nothing was changed" in err and "--switch-mode" in err
    assert kit.writes(mark) == []  # stopped before writing anything (not even the RGD)
    code, _, err = run_cli(
        capsys, "deploy", two, "--set", "name=tw", "--mode", "kro", "--switch-mode", "--no-wait", *where
    )
    assert code == 1 and "--no-wait" in err and kit.writes(mark) == []

    code, out, err = run_cli(capsys, "deploy", two, "--set", "name=tw", "--mode", "kro", "--switch-mode", *where)
    assert code == 0, err
    result = yamlio.load(out)
    assert result["mode"] == "kro" and result["state"] == "ACTIVE"
    assert "kro adopted 2 object(s) of tw; dropped the direct-mode record" in err
    assert _uids(kit.cluster, ns) == uids  # adopted, never deleted or recreated
    secret = _get(kit.cluster, "Secret", "tw-creds", ns)
    assert secret is not None and secret["data"]["password"]  # its data is still there
    for kind, name in (("ConfigMap", "tw"), ("Secret", "tw-creds")):
        obj = _get(kit.cluster, kind, name, ns)
        assert obj is not None
        labels = obj["metadata"].get("labels") or {}
        assert not any(k.startswith(inv.PREFIX) for k in labels), labels  # no direct-mode command finds it
        assert labels.get("kro.run/instance-name") == "tw"  # kro's now
    assert _get(kit.cluster, "ConfigMap", "pykro.two.tw", ns) is None  # the record is gone
    assert kit.labelled("tw", ns) == []

    code, out, _ = run_cli(capsys, "list", *where, "-o", "json")
    assert code == 0 and [yamlio.load(line)["mode"] for line in out.splitlines()] == ["kro"]
    code, out, err = run_cli(capsys, "status", "tw", *where)
    assert code == 0 and yamlio.load(out)["mode"] == "kro", err

    # back to direct mode: refused, with --switch-mode too (with the reason), nothing written
    mark = kit.mark()
    code, _, err = run_cli(capsys, "deploy", two, "--set", "name=tw", *where)
    assert code == 1 and "is deployed in kro mode" in err and "Deploy with --mode kro" in err, err
    code, _, err = run_cli(capsys, "deploy", two, "--set", "name=tw", "--switch-mode", *where)
    assert code == 1 and "moves an instance from direct to kro mode only" in err and "finalizer" in err, err
    assert kit.writes(mark) == []
    assert _uids(kit.cluster, ns) == uids

    # a re-run of a finished switch is an ordinary deploy
    code, _, err = run_cli(capsys, "deploy", two, "--set", "name=tw", "--mode", "kro", "--switch-mode", *where)
    assert code == 0 and "dropped the direct-mode record" not in err, err
    code, _, err = run_cli(capsys, "delete", "tw", *where)
    assert code == 0, err
    assert _get(kit.cluster, "ConfigMap", "tw", ns) is None


def test_an_instance_live_in_both_modes_is_shown_never_picked_and_resolved_by_the_switch(
    kit: Any, capsys: pytest.CaptureFixture[str], two: str
) -> None:
    ns = kit.unique("modes")
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path), "-n", ns]
    assert run_cli(capsys, "deploy", two, "--set", "name=other", "--mode", "kro", *where)[0] == 0  # serves TwoApp
    code, _, err = run_cli(capsys, "deploy", two, "--set", "name=tw", *where)
    assert code == 0, err
    uids = _uids(kit.cluster, ns)

    async def second_owner(api: Any) -> None:  # as before pykro refused it (or kubectl apply of the CR)
        await api.create(
            {
                "apiVersion": "example.com/v1",
                "kind": "TwoApp",
                "metadata": {"name": "tw", "namespace": ns},
                "spec": {"name": "tw"},
            }
        )

    kit.cluster.run(second_owner)
    code, out, err = run_cli(capsys, "list", *where)
    assert (
        code == 0 and f"note: instance 'tw' (composition two, namespace {ns}) is deployed in both direct and kro" in err
    )
    assert "--switch-mode" in err and "'other'" not in err

    mark = kit.mark()
    for verb in ("status", "delete"):
        code, _, err = run_cli(capsys, verb, "tw", *where)
        assert code == 1 and "several instances are named 'tw'" in err, err
        assert "direct mode (two), kro mode (two)" in err and "--mode direct or --mode kro" in err
    code, _, err = run_cli(capsys, "deploy", two, "--set", "name=tw", *where)
    assert code == 1 and "is deployed in kro mode" in err
    code, _, err = run_cli(capsys, "deploy", two, "--set", "name=tw", "--mode", "kro", *where)
    assert code == 1 and "is deployed in direct mode" in err
    assert kit.writes(mark) == []
    code, out, err = run_cli(capsys, "status", "tw", "--mode", "direct", *where)
    assert code == 0 and yamlio.load(out)["mode"] == "direct", err

    code, _, err = run_cli(capsys, "deploy", two, "--set", "name=tw", "--mode", "kro", "--switch-mode", *where)
    assert code == 0, err
    assert _uids(kit.cluster, ns) == uids
    code, _, err = run_cli(capsys, "list", *where)
    assert code == 0 and "note:" not in err
    code, out, err = run_cli(capsys, "status", "tw", *where)
    assert code == 0 and yamlio.load(out)["mode"] == "kro", err


def test_status_and_delete_name_the_compositions_of_several_instances_of_a_name(
    kit: Any, capsys: pytest.CaptureFixture[str], two: str, tmp_path: Path
) -> None:
    other = tmp_path / "three.py"
    other.write_text(
        TWO.replace('kind="TwoApp"', 'kind="ThreeApp"')
        .replace("def two(", "def three(")
        .replace("name=spec.name", 'name=spec.name + "-3"')
    )
    ns = kit.unique("modes")
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path), "-n", ns]
    for source in (two, str(other)):
        code, _, err = run_cli(capsys, "deploy", source, "--set", "name=tw", *where)
        assert code == 0, err
    mark = kit.mark()
    code, _, err = run_cli(capsys, "delete", "tw", *where)
    assert code == 1 and "several instances are named 'tw'" in err and "direct mode (three), direct mode (two)" in err
    assert "Pass --composition to choose one" in err and kit.writes(mark) == []
    code, _, err = run_cli(capsys, "delete", "tw", "--composition", "three", *where)
    assert code == 0, err
    assert _get(kit.cluster, "ConfigMap", "tw-3", ns) is None and _get(kit.cluster, "ConfigMap", "tw", ns) is not None
    code, out, err = run_cli(capsys, "status", "tw", *where)
    assert code == 0 and yamlio.load(out)["composition"] == "two", err
