"""A hub deployed in one mode, then synced, planned or asked for its status in the other (`pykro.hub._modes`): it
stops before writing anything, saying which instances are the other mode's and what to do; the tenants' objects
stay as they are (same uids), and syncing in the mode they were deployed in still works. Both directions, a plain
and a split form, Python and the CLI, against the emulator's kro double."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from tests.hub.test_kro_mode import app_spec, objects, writes
from typer.testing import CliRunner

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._simulation import Rule, SimulationRules
from pykro.hub._cli import app


@pytest.fixture(scope="module")
def cluster_options() -> dict[str, Any]:
    rules = SimulationRules(rules=[Rule(kind="Deployment", name="stuck*", outcome="never")])
    return {"bookmark_interval": 0.5, "rules": rules, "kro": True}


def uids(cluster: LocalCluster, namespace: str, *kinds: str) -> dict[tuple[str, str], str]:
    return {(k, n): o["metadata"]["uid"] for k in kinds for n, o in objects(cluster, namespace, k).items()}


def test_direct_then_kro_mode_is_refused_and_keeps_every_object(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "img:1", 1), ("b", True, "img:1", 2))
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec)
    assert hub.sync().ok
    cluster.settle()
    before = uids(cluster, make.namespace, "ConfigMap", "Deployment")
    assert ("Deployment", "a") in before or ("ConfigMap", "a-cfg") in before, before

    hub.target(mode="kro")
    mark = len(cluster.request_log())
    for report in (hub.plan(), hub.sync()):
        assert not report.ok and report.outcomes == []
        assert report.error is not None
        assert "form 'app' has 2 instance(s) this hub deployed in direct mode (a, b" in report.error
        assert "Nothing was changed. Sync with --mode direct" in report.error
        assert "pykro delete NAME --composition app" in report.error
    status = hub.status()
    assert status.error is not None and "deployed in direct mode" in status.error and status.tenants == []
    assert writes(cluster, mark) == []  # no RGD, no CR, no record written
    assert objects(cluster, make.namespace, "HubApp") == {}
    assert uids(cluster, make.namespace, "ConfigMap", "Deployment") == before

    hub.target(mode="direct")  # back in its own mode: it syncs, nothing to do
    again = hub.sync()
    assert again.ok and {o.action for o in again.outcomes} == {"unchanged"}, again.render()
    hub.close()


def test_kro_then_direct_mode_is_refused_for_crs_and_hub_parts(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db, mode="kro")
    hub.form(comps.app, spec=app_spec)
    hub.form(comps.pair, spec=lambda row: {"name": row.node_id}, timeouts={"db": 30})  # split: a hub part
    assert hub.sync().ok
    cluster.settle()
    before = uids(cluster, make.namespace, "ConfigMap", "Deployment", "HubApp", "HubPairTenantsPair")
    assert ("HubApp", "a") in before and ("HubPairTenantsPair", "a") in before, before

    hub.target(mode="direct")
    mark = len(cluster.request_log())
    report = hub.sync()
    assert report.error is not None and report.outcomes == []
    assert "form 'app' has 1 instance CR(s) of kind HubApp (a, namespace" in report.error
    assert "this hub deployed in kro mode" in report.error and "Sync with --mode kro" in report.error
    assert f"kubectl delete hubapps.hub.pykro.test -n {make.namespace} -l pykro.io/hub=tenants" in report.error
    assert writes(cluster, mark) == []
    assert uids(cluster, make.namespace, "ConfigMap", "Deployment", "HubApp", "HubPairTenantsPair") == before

    # the plain form's CR gone (kro deletes its objects), the split form's CR gone: its hub part still counts
    for kind in ("HubApp", "HubPairTenantsPair"):
        cluster.run(_deleting(kind, "a", make.namespace))
    cluster.settle()
    report = hub.sync()
    assert report.error is not None and "has 1 hub part(s) (a, namespace" in report.error, report.error
    assert "pykro delete NAME --composition pair-tenants-pair-hub" in report.error
    hub.close()


def _deleting(kind: str, name: str, namespace: str) -> Any:
    async def delete(api: Any) -> None:
        await api.delete("hub.pykro.test/v1", kind, name, namespace)

    return delete


def test_cli_mode_switch_prints_the_sentence(tmp_path: Any, cluster: LocalCluster, namespace: str) -> None:
    import shutil
    from pathlib import Path

    import sqlalchemy as sa

    shutil.copy(Path(__file__).resolve().parent / "compositions.py", tmp_path / "compositions.py")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'h.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE nodes (node_id TEXT PRIMARY KEY, image TEXT)"))
        conn.execute(sa.text("INSERT INTO nodes VALUES ('acme', 'img:1')"))
    hub_file = tmp_path / "hub.py"
    hub_file.write_text(
        "from compositions import app\nfrom pykro.hub import Hub\n"
        f"hub = Hub('h', 'sqlite:///{tmp_path / 'h.db'}', table='nodes', uid='node_id')\n"
        "hub.form(app, spec=lambda row: {'name': row.node_id, 'image': row.image, 'replicas': 1})\n"
    )
    target = [str(hub_file), "--kubeconfig", str(cluster.kubeconfig_path), "-n", namespace]
    first = CliRunner().invoke(app, ["sync", *target])
    assert first.exit_code == 0, first.output
    for command in ("sync", "plan", "status"):
        result = CliRunner().invoke(app, [command, *target, "--mode", "kro"])
        assert result.exit_code == 1, (command, result.output)
        assert "deployed in direct mode (acme" in result.output and "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
