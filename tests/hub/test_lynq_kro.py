"""Seed 002's Lynq YAML in kro mode against the emulator's kro double: one RGD per LynqForm, one instance CR per
row × form, all tenants ready; the data tier (creationPolicy: Once, randAlphaNum) is refused with its file and
path, since kro's controller cannot honour either."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from tests.hub.test_lynq_sync import EXAMPLES, SEED_FILES, actions, add_node, objects, seed_table, writes

from pykro.emulator._cluster import LocalCluster
from pykro.errors import PykroError
from pykro.hub.lynq import load

NAMESPACE_FORM = """\
apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata:
  name: spaces
  namespace: lynq-system
spec:
  hubId: multi-tier-nodes
  namespaces:
    - id: ns
      nameTemplate: "node-{{ .uid }}"
      spec:
        apiVersion: v1
        kind: Namespace
"""


@pytest.fixture(scope="module")
def cluster_options() -> dict[str, Any]:
    """This module's emulator runs the kro double."""
    return {"bookmark_interval": 0.5, "kro": True}


def test_the_data_tier_is_refused_in_kro_mode(db: Any, cluster: LocalCluster, namespace: str) -> None:
    hub = load(SEED_FILES)["multi-tier-nodes"]
    with pytest.raises(PykroError) as caught:
        hub.target(source=db.url, kubeconfig=cluster.kubeconfig_path, namespace=namespace, mode="kro")
    message = caught.value.render()
    assert f"{EXAMPLES / 'data-tier.yaml'}: spec.statefulSets[0].creationPolicy" in message and "kro mode" in message


def test_seed_tiers_reach_ready_in_kro_mode(tmp_path: Path, db: Any, cluster: LocalCluster, namespace: str) -> None:
    seed_table(db)
    a, b = f"{namespace}-a", f"{namespace}-b"
    add_node(db, a)
    add_node(db, b, api=5)
    spaces = tmp_path / "spaces.yaml"
    spaces.write_text(NAMESPACE_FORM)
    files = [f for f in SEED_FILES if f.name != "data-tier.yaml"] + [spaces]
    hub = load(files)["multi-tier-nodes"]
    hub.target(source=db.url, kubeconfig=cluster.kubeconfig_path, namespace=namespace, mode="kro")
    assert next(f.name for f in hub.ordered()) == "spaces"  # the other tiers go to the namespace it creates
    tiers = ("spaces", "api-tier", "web-tier", "worker-tier")
    done: dict[tuple[str, str | None], str] = {}
    for _ in range(60):  # a dependent tier's CR is written once its namespace's CR is ACTIVE: a few syncs
        report = hub.sync()  # blocked (waiting for the namespace) is expected on the way
        assert report.error is None and "failed" not in report.counts(), report.render()
        done.update({k: v for k, v in actions(report).items() if v == "created"})
        cluster.settle()
        status = hub.status()
        if status.totals()["ready"] == status.totals()["desired"] == 8:
            break
        time.sleep(0.2)
    assert status.totals()["ready"] == status.totals()["desired"] == 8, status.render()
    assert set(done) == {(t, u) for t in tiers for u in (a, b)}
    crs = objects(cluster, "LynqMultiTierNodesApiTier", namespace)
    assert sorted(crs) == sorted(f"{namespace}/{u}-api-tier" for u in (a, b))
    assert objects(cluster, "Deployment", f"node-{b}")[f"node-{b}/{b}-api"]["spec"]["replicas"] == 5

    mark = len(cluster.request_log())
    again = hub.sync()
    assert again.counts() == {"unchanged": 8}, again.render()
    assert writes(cluster, mark) == []

    db.run("UPDATE {t} SET is_active = :f WHERE node_id = :u", f=False, u=a)
    gone = hub.sync()
    assert {k: v for k, v in actions(gone).items() if k[1] == a} == {(t, a): "deleted" for t in tiers}
    hub.close()
