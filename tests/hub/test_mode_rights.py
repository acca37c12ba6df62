"""A direct-mode hub whose rights are direct mode's (`pykro hub manifests`: no CustomResourceDefinitions): the check
for instances a kro-mode sync left (`pykro.hub._modes`) cannot read kro's kinds and is left out; the sync goes on.
The emulator answers 403 to every CustomResourceDefinition list, as an API server does to such a ServiceAccount."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from tests.hub.test_kro_mode import app_spec

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._faults import Fault, FaultPlan


@pytest.fixture(scope="module")
def cluster_options() -> dict[str, Any]:
    forbidden = Fault(verbs=("list",), kinds=("customresourcedefinitions",), error=403)
    return {"bookmark_interval": 0.5, "faults": FaultPlan(faults=[forbidden])}


def test_a_direct_hub_without_rights_to_crds_syncs(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec)
    report = hub.sync()
    assert report.ok and report.counts() == {"created": 1}, report.render()
    faults = cluster.faults
    assert faults is not None and faults.counters.get("error:403", 0) >= 1  # the check did ask, and was refused
    status = hub.status()
    assert status.error is None and status.totals()["ready"] == 1, status.render()
    hub.close()
