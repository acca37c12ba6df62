"""examples/hub_tenants.py (seed 002): the four tiers of a row in dependency order, typed values from the table, and
the PostgreSQL StatefulSet kept (Retain) when the row is deactivated."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from pykro.emulator._cluster import LocalCluster

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hub_tenants.py"


def _example(monkeypatch: pytest.MonkeyPatch, url: str) -> Any:
    monkeypatch.setenv("TENANTS_DB", url)
    spec = importlib.util.spec_from_file_location("pykro_example_hub_tenants", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_seed_stack_per_row(
    monkeypatch: pytest.MonkeyPatch, db: Any, cluster: LocalCluster, namespace: str
) -> None:
    url = db.url
    example = _example(monkeypatch, url)
    db.table = "nodes"  # the example's table (dropped at the end by the fixture)
    db.drop()
    example.seed(url)
    hub = example.hub
    hub.target(kubeconfig=cluster.kubeconfig_path, namespace=namespace)
    mark = len(cluster.request_log())
    report = hub.sync()
    assert report.ok, report.render()
    assert [(o.form, o.uid, o.action) for o in report.outcomes] == [
        (tier, "acme-corp", "created") for tier in ("data-tier", "api-tier", "worker-tier", "web-tier")
    ]
    applied = [i.name for _, i, _ in cluster.request_log()[mark:] if i.verb == "apply"]
    assert applied.index("acme-corp-postgres") < applied.index("acme-corp-api") < applied.index("acme-corp-web")

    api = hub.forms["api-tier"].factory.status("acme-corp")
    assert api.ready
    # the typed values reached the objects: an integer and a boolean from the table
    deployed = {(o["kind"], o["metadata"]["name"]): o for o in api.objects}
    deployment = deployed[("Deployment", "acme-corp-api")]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert deployment["spec"]["replicas"] == 3
    assert {"name": "ENABLE_ANALYTICS", "value": "false"} in container["env"]
    db_url = {"secretKeyRef": {"name": "acme-corp-db-credentials", "key": "connection-string"}}
    assert {"name": "DATABASE_URL", "valueFrom": db_url} in container["env"]

    # the generated password: kept by the hub, in the credentials Secret and its connection string, nowhere else
    import base64
    import json

    async def everything(_: Any) -> list[dict[str, Any]]:
        return [o for _, o in cluster.engine.store.all_objects() if o["metadata"].get("namespace") == namespace]

    objects = cluster.run(everything)
    kept = next(o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"].startswith("pykro-hub."))
    password = base64.b64decode(kept["data"]["data-tier.db_password"]).decode()
    assert len(password) == 32
    creds = next(o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"] == "acme-corp-db-credentials")
    data = {k: base64.b64decode(v).decode() for k, v in creds["data"].items()}
    assert data == {
        "password": password,
        "connection-string": f"postgresql://acme-corp:{password}@acme-corp-postgres:5432/acme-corp",
    }
    assert not [o["kind"] for o in objects if o["kind"] != "Secret" and password in json.dumps(o)]
    assert password not in report.render()

    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE nodes SET is_active = FALSE WHERE node_id = 'acme-corp'"))
    engine.dispose()
    gone = hub.sync(allow_mass_delete=True)
    assert {o.action for o in gone.outcomes} == {"deleted"}, gone.render()
    left = {(i.resource, i.name) for _, i, _ in cluster.request_log()[mark:] if i.verb == "delete"}
    assert ("deployments", "acme-corp-redis") in left and ("statefulsets", "acme-corp-postgres") not in left
    hub.close()
