"""Status fields over resources that includeWhen excludes, with kro v0.9.3's soft resolution: an excluded
resource is absent from the CEL context, so a field whose evaluation reads it stays unset, and one whose evaluation
does not reach it (the other branch of ``?:``, the decided side of ``&&``/``||``) resolves. Every shape is run
included and excluded, through the same runtime the deploy engine uses."""

from __future__ import annotations

from typing import Any

import pytest

from pykro.graph import Graph
from pykro.runtime import reconcile_passes, simulate_ready

STATUS = {
    "direct": "${svc.spec.clusterIP}",
    "template": "http://${svc.spec.clusterIP}:80",
    "guarded": "${schema.spec.on ? svc.spec.clusterIP : 'none'}",
    "negated": "${!schema.spec.on ? 'none' : svc.spec.clusterIP}",
    "andGuard": "${schema.spec.on && svc.spec.clusterIP != ''}",
    "orGuard": "${!schema.spec.on || svc.spec.clusterIP != ''}",
    "hasField": "${has(svc.spec.clusterIP)}",
    "optional": "${svc.?spec.clusterIP.orValue('fallback')}",
    "contagious": "${dep.data.ip}",
    "collection": "${size(workers)}",
    "collectionNames": "${workers.map(w, w.metadata.name).join(',')}",
    "mixed": "${cm.metadata.name + '-' + svc.spec.clusterIP}",
    "nested": {"ip": "${svc.spec.clusterIP}", "name": "${cm.metadata.name}"},
    "always": "${cm.metadata.name}",
}


def graph() -> Graph:
    def configmap(name: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}

    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "${schema.spec.name}"},
        "spec": {"ports": [{"port": 80}]},
    }
    resources = [
        {"id": "cm", "template": configmap("${schema.spec.name}-cm", {"a": "b"})},
        {"id": "svc", "includeWhen": ["${schema.spec.on}"], "template": service},
        {"id": "dep", "template": configmap("${schema.spec.name}-dep", {"ip": "${svc.spec.clusterIP}"})},
        {
            "id": "workers",
            "includeWhen": ["${schema.spec.on}"],
            "forEach": [{"w": "${schema.spec.workers}"}],
            "template": configmap("${schema.spec.name}-${w}", {"w": "${w}"}),
        },
    ]
    spec = {"name": "string | default=app", "on": "boolean | default=false", "workers": "[]string | default=[]"}
    rgd = {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "excl"},
        "spec": {
            "schema": {"apiVersion": "v1alpha1", "kind": "Excl", "spec": spec, "status": STATUS},
            "resources": resources,
        },
    }
    return Graph.from_rgd(rgd)


def run(**spec: Any) -> dict[str, Any]:
    instance = {"apiVersion": "kro.run/v1alpha1", "kind": "Excl", "metadata": {"name": "e"}, "spec": spec}
    result = reconcile_passes(graph(), instance, simulate_ready)
    status: dict[str, Any] = result.status
    assert status["state"] == "ACTIVE", status  # status fields never hold the instance back
    return status


def test_every_shape_over_an_included_resource() -> None:
    status = run(on=True, workers=["a", "b"])
    ip = status["direct"]
    assert ip.startswith("10.96.")
    assert status["template"] == f"http://{ip}:80"
    assert status["guarded"] == ip and status["negated"] == ip
    assert status["andGuard"] is True and status["orGuard"] is True and status["hasField"] is True
    assert status["optional"] == ip
    assert status["contagious"] == ip
    assert status["collection"] == 2 and status["collectionNames"] == "app-a,app-b"
    assert status["mixed"] == f"app-cm-{ip}"
    assert status["nested"] == {"ip": ip, "name": "app-cm"}
    assert status["always"] == "app-cm"


def test_every_shape_over_an_excluded_resource() -> None:
    status = run(on=False, workers=["a"])
    fields = {k: v for k, v in status.items() if k not in ("state", "conditions")}
    # resolved: the evaluation never reaches the excluded resource
    assert fields.pop("guarded") == "none"
    assert fields.pop("negated") == "none"
    assert fields.pop("andGuard") is False
    assert fields.pop("orGuard") is True
    assert fields.pop("always") == "app-cm"
    assert fields.pop("nested") == {"name": "app-cm"}  # only the sub-field that reads svc is left out
    # everything else reads svc, dep (excluded through svc) or the excluded collection: left unset, as kro does
    assert fields == {}


def test_an_included_but_empty_collection_is_an_empty_list() -> None:
    status = run(on=True, workers=[])
    assert status["collection"] == 0
    assert status["collectionNames"] == ""


@pytest.mark.parametrize("on", [True, False])
def test_excluded_resources_are_skipped_and_the_rest_ready(on: bool) -> None:
    instance = {"apiVersion": "kro.run/v1alpha1", "kind": "Excl", "metadata": {"name": "e"}, "spec": {"on": on}}
    result = reconcile_passes(graph(), instance, simulate_ready)
    expected = "ready" if on else "skipped"
    assert {rid: s.state for rid, s in result.states.items()} == {
        "cm": "ready",
        "svc": expected,
        "dep": expected,
        "workers": expected,
    }
