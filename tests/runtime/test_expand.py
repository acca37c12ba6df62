"""The runtime against kro's semantics: pending vs ready vs skipped, forEach, readyWhen, soft status, defaults,
namespaces and labels, with the real CEL engine."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.runtime import expand, reconcile_passes, simulate_ready

RGD: dict[str, Any] = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "ResourceGraphDefinition",
    "metadata": {"name": "app"},
    "spec": {
        "schema": {
            "apiVersion": "v1alpha1",
            "kind": "App",
            "spec": {
                "name": "string",
                "replicas": "integer | default=2",
                "regions": "[]string | default=[]",
                "tiers": "[]string | default=[]",
                "withCache": "boolean | default=false",
            },
            "status": {
                "ready": "${deploy.status.readyReplicas}",
                "first": "${workers[0].metadata.name}",
                "name": "${schema.spec.name}",
            },
        },
        "resources": [
            {
                "id": "deploy",
                "readyWhen": ["${deploy.status.readyReplicas == deploy.spec.replicas}"],
                "template": {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {"name": "${schema.spec.name}", "labels": {"team": "web"}},
                    "spec": {"replicas": "${schema.spec.replicas}"},
                },
            },
            {
                "id": "svc",
                "template": {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": {"name": "${deploy.metadata.name}-svc"},
                    "spec": {"ports": [{"port": 80}]},
                },
            },
            {
                "id": "cache",
                "includeWhen": ["${schema.spec.withCache}"],
                "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cache"}},
            },
            {
                "id": "cacheUser",
                "template": {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "user"},
                    "data": {"cache": "${cache.metadata.name}"},
                },
            },
            {
                "id": "workers",
                "forEach": [{"region": "${schema.spec.regions}"}, {"tier": "${schema.spec.tiers}"}],
                "template": {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "${schema.spec.name}-${region}-${tier}"},
                    "data": {"region": "${region}"},
                },
            },
        ],
    },
}


def instance(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "App",
        "metadata": {"name": "demo"},
        "spec": {"name": "web", **spec},
    }


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph.from_rgd(copy.deepcopy(RGD))


def test_without_observed_state_dependents_wait(graph: Graph) -> None:
    result = expand(graph, instance())
    assert result.states["deploy"].state == "pending"
    assert result.states["deploy"].objects[0]["spec"]["replicas"] == 2  # schema default applied
    assert result.states["svc"].state == "pending"
    assert result.states["svc"].waiting_on == ["deploy"]
    assert result.states["svc"].objects == []
    assert result.state == "IN_PROGRESS"


def test_ready_when_gates_dependents(graph: Graph) -> None:
    deploy = simulate_ready(expand(graph, instance()).states["deploy"].objects[0])
    deploy["status"]["readyReplicas"] = 1
    result = expand(graph, instance(), {"deploy": deploy})
    assert result.states["deploy"].state == "pending"
    assert result.states["deploy"].node_state == "WAITING_FOR_READINESS"
    assert "readyWhen condition evaluated to false" in result.states["deploy"].message
    assert result.states["svc"].waiting_on == ["deploy"]
    deploy["status"]["readyReplicas"] = 2
    result = expand(graph, instance(), {"deploy": deploy})
    assert result.states["deploy"].state == "ready"
    assert result.states["svc"].objects[0]["metadata"]["name"] == "web-svc"


def test_include_when_false_skips_the_resource_and_its_dependents(graph: Graph) -> None:
    result = expand(graph, instance())
    assert result.states["cache"].state == "skipped"
    assert result.states["cacheUser"].state == "skipped"
    included = expand(graph, instance(withCache=True))
    assert included.states["cache"].state == "pending"
    assert included.states["cacheUser"].waiting_on == ["cache"]


def test_for_each_is_a_cartesian_product_with_collection_labels(graph: Graph) -> None:
    result = expand(graph, instance(regions=["eu", "us"], tiers=["a", "b", "c"]))
    workers = result.states["workers"].objects
    assert [w["metadata"]["name"] for w in workers] == [f"web-{r}-{t}" for r in ("eu", "us") for t in ("a", "b", "c")]
    assert workers[4]["data"] == {"region": "us"}
    assert workers[4]["metadata"]["labels"]["kro.run/collection-index"] == "4"
    assert workers[4]["metadata"]["labels"]["kro.run/collection-size"] == "6"


def test_empty_for_each_resolves_to_no_objects(graph: Graph) -> None:
    result = expand(graph, instance())
    assert result.states["workers"].objects == []
    assert result.states["workers"].state == "ready"


def test_for_each_identity_collision_is_an_error() -> None:
    rgd = copy.deepcopy(RGD)
    rgd["spec"]["resources"][4]["template"]["metadata"]["name"] = "${region}${tier}"
    result = expand(Graph.from_rgd(rgd), instance(regions=["a", "ab"], tiers=["bc", "c"]))
    assert result.states["workers"].state == "error"
    assert "identity collision" in result.states["workers"].message
    assert result.state == "ERROR"


def test_labels_and_namespace(graph: Graph) -> None:
    result = expand(graph, instance())
    obj = result.states["deploy"].objects[0]
    labels = obj["metadata"]["labels"]
    assert obj["metadata"]["namespace"] == "default"
    assert labels["team"] == "web"
    assert labels["kro.run/node-id"] == "deploy"
    assert labels["kro.run/instance-name"] == "demo"
    assert labels["kro.run/instance-namespace"] == "default"
    assert labels["kro.run/instance-kind"] == "App"
    assert labels["app.kubernetes.io/managed-by"] == "kro"
    inst = result.instance
    assert inst["metadata"]["labels"]["kro.run/resource-graph-definition-name"] == "app"
    assert inst["metadata"]["finalizers"] == ["kro.run/finalizer"]


def test_explicit_namespace_is_kept() -> None:
    rgd = copy.deepcopy(RGD)
    rgd["spec"]["resources"][0]["template"]["metadata"]["namespace"] = "other"
    result = expand(Graph.from_rgd(rgd), {**instance(), "metadata": {"name": "demo", "namespace": "mine"}})
    assert result.states["deploy"].objects[0]["metadata"]["namespace"] == "other"
    assert result.states["svc"].state == "pending"


def test_status_is_resolved_softly(graph: Graph) -> None:
    result = expand(graph, instance())
    assert result.status["name"] == "web"
    assert "ready" not in result.status
    assert "first" not in result.status
    final = reconcile_passes(graph, instance(regions=["eu"], tiers=["a"]), simulate_ready)
    assert final.status["ready"] == 2
    assert final.status["first"] == "web-eu-a"
    assert final.state == "ACTIVE"
    ready = [c for c in final.status["conditions"] if c["type"] == "Ready"]
    assert ready[0]["status"] == "True"


def test_invalid_instance_is_rejected(graph: Graph) -> None:
    with pytest.raises(ValidationError, match="replicas"):
        expand(graph, instance(replicas="two"))
    with pytest.raises(ValidationError, match="kind"):
        expand(graph, {**instance(), "kind": "Other"})


def test_data_pending_is_pending_not_an_error() -> None:
    rgd = copy.deepcopy(RGD)
    rgd["spec"]["resources"][1]["template"]["spec"]["clusterIP"] = "${deploy.metadata.annotations.missing}"
    graph = Graph.from_rgd(rgd)
    deploy = simulate_ready(expand(graph, instance()).states["deploy"].objects[0])
    result = expand(graph, instance(), {"deploy": deploy})
    assert result.states["svc"].state == "pending"
    assert "data pending" in result.states["svc"].message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${schema.spec.name}-${string(size(schema.spec.name))}", "web-3"),
        ("${schema.spec.name}${schema.spec.name}", "webweb"),
        ("x-${schema.spec.replicas}", "must be a string, got int"),
        ("${[schema.spec.name]}${[schema.spec.name]}", "must be a string, got list"),
        ("x-${schema.spec.regions[5]}", "data pending"),
    ],
)
def test_string_templates_render_or_fail_part_by_part(value: str, expected: str) -> None:
    rgd = copy.deepcopy(RGD)
    rgd["spec"]["resources"] = [
        {
            "id": "cm",
            "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"v": value}},
        }
    ]
    rgd["spec"]["schema"]["status"] = {}
    state = expand(Graph.from_rgd(rgd), instance()).states["cm"]
    if state.state == "ready" or state.objects:
        assert state.objects[0]["data"]["v"] == expected
    else:
        assert expected in state.message


def _resources_ready(result: Any) -> dict[str, Any]:
    return next(c for c in result.status["conditions"] if c["type"] == "ResourcesReady")


def test_missing_external_reference_is_reported_as_kro_does() -> None:
    """kro keeps an error on a node waiting for readiness, so the reconcile reports "apply results contain errors"
    while the instance stays IN_PROGRESS (checked against the real kro by tests/e2e/test_runtime_parity.py)."""
    graph = Graph.from_rgd(
        {
            "apiVersion": "kro.run/v1alpha1",
            "kind": "ResourceGraphDefinition",
            "metadata": {"name": "ext"},
            "spec": {
                "schema": {"apiVersion": "v1alpha1", "kind": "Ext", "spec": {"name": "string"}},
                "resources": [
                    {
                        "id": "shared",
                        "externalRef": {
                            "apiVersion": "v1",
                            "kind": "ConfigMap",
                            "metadata": {"name": "shared", "namespace": "default"},
                        },
                    },
                    {
                        "id": "copy",
                        "template": {
                            "apiVersion": "v1",
                            "kind": "ConfigMap",
                            "metadata": {"name": "${schema.spec.name}"},
                            "data": "${shared.data}",
                        },
                    },
                ],
            },
        }
    )
    inst = {"apiVersion": "kro.run/v1alpha1", "kind": "Ext", "metadata": {"name": "e"}, "spec": {"name": "c"}}
    waiting = expand(graph, inst)
    assert waiting.status["state"] == "IN_PROGRESS"
    assert _resources_ready(waiting)["message"] == (
        'resource reconciliation failed: apply results contain errors: waiting for external reference "shared": '
        "not found"
    )
    shared = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"k": "v"}}
    copy_ = simulate_ready(expand(graph, inst, {"shared": shared}).states["copy"].objects[0])
    done = expand(graph, inst, {"shared": shared, "copy": copy_})
    assert done.status["state"] == "ACTIVE" and _resources_ready(done)["status"] == "True"
