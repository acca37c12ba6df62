"""Seed 002's Lynq YAML, unchanged, synced by the hub in kro mode against the real kro v0.9.3: kro accepts the
split RGDs (the hub part's resources as externalRefs named by the instance's spec), reconciles its part once the
hub has applied its own, and every tenant gets ready; a resync writes nothing; a deactivated row's CRs go while its
StatefulSet stays (deletionPolicy: Retain); the generated password is in no CR or RGD.

The control plane has no StatefulSet controller (kwok reports Deployments available only), so this test plays
that controller for the hub's StatefulSets: it reports them ready once created."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from e2e_chainsaw import poll
from e2e_kube import Kube, KubeError
from e2e_parity import active_rgd
from tests.helpers import REPO

from pykro.deploy import DeployOptions, RetryPolicy
from pykro.hub.lynq import load

SEED = REPO / "examples" / "hub" / "lynq"
TIERS = ("data-tier", "api-tier", "web-tier", "worker-tier")
CLUSTER_SH = REPO / "e2e" / "controlplane" / "cluster.sh"


def _kubeconfig() -> str:
    return (
        os.environ.get("PYKRO_E2E_KUBECONFIG")
        or subprocess.run([str(CLUSTER_SH), "kubeconfig"], check=True, capture_output=True, text=True).stdout.strip()
    )


@pytest.fixture
def ready_statefulsets(kube: Kube) -> Iterator[None]:
    """Report every StatefulSet in a ``node-*`` namespace ready (its status subresource), until the test ends."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(0.5):
            try:
                items = kube.list("apps/v1", "StatefulSet")
            except (KubeError, OSError):
                continue
            for sts in items:
                meta, status = sts["metadata"], sts.get("status") or {}
                if not meta.get("namespace", "").startswith("node-") or status.get("readyReplicas"):
                    continue
                want = sts["spec"].get("replicas", 1)
                patch = {
                    "status": {
                        "observedGeneration": meta.get("generation", 1),
                        "replicas": want,
                        "readyReplicas": want,
                        "currentReplicas": want,
                        "updatedReplicas": want,
                        "availableReplicas": want,
                    }
                }
                path = kube.resource("apps/v1", "StatefulSet").path(meta["namespace"], meta["name"]) + "/status"
                with contextlib.suppress(KubeError):
                    kube.request("PATCH", path, patch, "application/merge-patch+json")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join()


def test_seed_002_in_kro_mode_on_the_real_kro(
    kube: Kube, namespace: str, timeout: float, tmp_path: Path, ready_statefulsets: None
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'nodes.db'}")
    create = (SEED / "nodes.sql").read_text().split(";")[0]
    a, b = f"{namespace}-a", f"{namespace}-b"
    with engine.begin() as conn:
        conn.execute(sa.text("\n".join(line for line in create.splitlines() if not line.startswith("-- Seed"))))
        for uid in (a, b):
            conn.execute(sa.text("INSERT INTO nodes (node_id, is_active) VALUES (:u, true)"), {"u": uid})
    hub = load(sorted(SEED.glob("*.yaml")))["multi-tier-nodes"]
    hub.retry = RetryPolicy(base=0.05, cap=1.0, seed=1)
    hub.options = DeployOptions(timeout=timeout)
    hub.target(source=f"sqlite:///{tmp_path / 'nodes.db'}", kubeconfig=_kubeconfig(), namespace=namespace, mode="kro")
    rgds = [f"lynq-multi-tier-nodes-{t}" for t in TIERS]
    try:

        def all_ready() -> str | None:
            report = hub.sync()
            assert report.error is None and "failed" not in report.counts(), report.render()
            status = hub.status()
            totals = status.totals()
            return None if totals["ready"] == totals["desired"] == 8 else status.render()

        poll("every tenant of seed 002 ready in kro mode", timeout, all_ready)
        for name in rgds:  # the real kro accepted each RGD
            rgd = kube.get("kro.run/v1alpha1", "ResourceGraphDefinition", name) or {}
            assert (rgd.get("status") or {}).get("state") == "Active", json.dumps(rgd.get("status"))
        for uid in (a, b):
            deployments = {d["metadata"]["name"] for d in kube.list("apps/v1", "Deployment", f"node-{uid}")}
            assert deployments == {f"{uid}-{t}" for t in ("api", "redis", "web", "worker")}
            services = {s["metadata"]["name"] for s in kube.list("v1", "Service", f"node-{uid}")}
            assert services == {f"{uid}-{t}" for t in ("api", "postgres", "redis", "web")}
        secret = kube.get("v1", "Secret", f"{a}-db-credentials", f"node-{a}") or {}
        password = base64.b64decode(secret["data"]["password"]).decode()
        assert len(password) == 32
        crs = [cr for t in TIERS for cr in kube.list("lynq.pykro.io/v1alpha1", _kind(t), namespace)]
        assert len(crs) == 8 and password not in json.dumps(crs)
        assert password not in json.dumps([kube.get("kro.run/v1alpha1", "ResourceGraphDefinition", n) for n in rgds])

        versions = {(cr["kind"], cr["metadata"]["name"]): cr["metadata"]["resourceVersion"] for cr in crs}
        again = hub.sync()
        assert again.counts() == {"unchanged": 8}, again.render()
        after = [cr for t in TIERS for cr in kube.list("lynq.pykro.io/v1alpha1", _kind(t), namespace)]
        assert {(cr["kind"], cr["metadata"]["name"]): cr["metadata"]["resourceVersion"] for cr in after} == versions

        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE nodes SET is_active = false WHERE node_id = :u"), {"u": a})
        gone = hub.sync()
        assert {o.action for o in gone.outcomes if o.uid == a} == {"deleted"}, gone.render()

        def cleaned() -> str | None:
            left = sorted(d["metadata"]["name"] for d in kube.list("apps/v1", "Deployment", f"node-{a}"))
            return f"Deployments left: {left}" if left else None

        poll("kro deleting the deactivated row's part", timeout, cleaned)
        assert kube.get("apps/v1", "StatefulSet", f"{a}-postgres", f"node-{a}") is not None  # Retain
    finally:
        hub.close()
        for t in TIERS:
            try:
                for cr in kube.list("lynq.pykro.io/v1alpha1", _kind(t), namespace):
                    kube.delete("lynq.pykro.io/v1alpha1", _kind(t), cr["metadata"]["name"], namespace)
            except LookupError:
                pass  # kro never served that kind
        for name in rgds:
            kube.delete("kro.run/v1alpha1", "ResourceGraphDefinition", name)
        for uid in (a, b):
            kube.delete("v1", "Namespace", f"node-{uid}")


def _kind(tier: str) -> str:
    return "LynqMultiTierNodes" + "".join(w.capitalize() for w in tier.split("-"))


def test_kro_accepts_the_other_split_rgds(kube: Kube, timeout: float, tmp_path: Path) -> None:
    """The split RGDs the seed does not make: a LynqForm kro can apply nothing of (an RGD without resources) and
    a Python form whose resource with ``timeouts`` kro reads through an externalRef named by a template
    expression (its status reads it too)."""
    from tests.hub.lynq_docs import FORM, HUB

    from pykro.authoring._loader import load_composition
    from pykro.hub import Hub

    (tmp_path / "hub.yaml").write_text(HUB.format(name="e2e-split", table="nodes"))
    (tmp_path / "form.yaml").write_text(FORM.format(name="app", hub="e2e-split") + "      creationPolicy: Once\n")
    lynq = load([tmp_path / "hub.yaml", tmp_path / "form.yaml"])["e2e-split"]
    lynq.target(mode="kro")
    py = Hub("e2e-split", f"sqlite:///{tmp_path / 'n.db'}", table="nodes", uid="node_id", mode="kro")
    pair = load_composition(f"{REPO / 'tests' / 'hub' / 'compositions.py'}:pair")
    form = py.form(pair.graph, spec=lambda row: {"name": row.node_id}, timeouts={"db": 30})
    for split in (lynq.forms["app"].split, form.split):
        assert split is not None
        with active_rgd(kube, split.graph.to_rgd(), timeout) as live:
            assert live["status"]["state"] == "Active"
    lynq.close()
    py.close()
