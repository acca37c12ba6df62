"""An RGD's authored ``status.conditions`` through load -> expand, with kro v0.9.3's instance-controller rules: they
replace the built-ins, in declaration order, stamped with observedGeneration; pending entries keep what was written
before; failures and duplicate types degrade to state ERROR."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.runtime import expand

UP = (
    "${runtime.newCondition({type: 'DeployUp', status: deploy.status.readyReplicas >= schema.spec.replicas ? "
    "'True' : 'False', reason: 'Replicas', message: string(deploy.status.readyReplicas) + ' ready'})}"
)
ECHO = (
    "${runtime.newCondition({type: 'KroReady', status: runtime.condition(schema, 'Ready').status, "
    "reason: runtime.condition(schema, 'ResourcesReady').reason})}"
)
PER_REGION = "${schema.spec.regions.map(r, runtime.newCondition({type: 'Region' + r, status: 'True'}))}"


def rgd(*conditions: str) -> dict[str, Any]:
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "app"},
        "spec": {
            "schema": {
                "apiVersion": "v1alpha1",
                "kind": "App",
                "spec": {"name": "string", "replicas": "integer | default=1", "regions": "[]string | default=[]"},
                "status": {"ready": "${deploy.status.readyReplicas}", "conditions": list(conditions)},
            },
            "resources": [
                {
                    "id": "deploy",
                    "template": {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "metadata": {"name": "${schema.spec.name}"},
                        "spec": {"replicas": "${schema.spec.replicas}"},
                    },
                }
            ],
        },
    }


def instance(status: dict[str, Any] | None = None, generation: int = 3, **spec: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "App",
        "metadata": {"name": "demo", "generation": generation},
        "spec": {"name": "web", **spec},
    }
    if status is not None:
        obj["status"] = status
    return obj


def deployed(graph: Graph, ready: int, **spec: Any) -> dict[str, Any]:
    """The Deployment the graph renders, as observed with ``ready`` ready replicas."""
    obj = copy.deepcopy(expand(graph, instance(**spec)).objects[0])
    obj["status"] = {"readyReplicas": ready}
    return obj


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph.from_rgd(rgd(UP, ECHO, PER_REGION))


def types(status: dict[str, Any]) -> list[str]:
    return [c["type"] for c in status["conditions"]]


def test_authored_conditions_replace_the_builtins_in_declaration_order(graph: Graph) -> None:
    spec: dict[str, Any] = {"regions": ["eu", "us"], "replicas": 2}
    status = expand(graph, instance(**spec), {"deploy": deployed(graph, 2, **spec)}).status
    assert status["state"] == "ACTIVE"
    assert status["ready"] == 2
    assert status["conditions"] == [
        {"type": "DeployUp", "status": "True", "reason": "Replicas", "message": "2 ready", "observedGeneration": 3},
        {"type": "KroReady", "status": "True", "reason": "AllResourcesReady", "observedGeneration": 3},
        {"type": "Regioneu", "status": "True", "observedGeneration": 3},
        {"type": "Regionus", "status": "True", "observedGeneration": 3},
    ]


def test_builtins_are_read_as_computed_for_this_expansion(graph: Graph) -> None:
    status = expand(graph, instance(replicas=2), {"deploy": deployed(graph, 1, replicas=2)}).status
    assert status["conditions"][0]["status"] == "False"
    assert status["conditions"][1] == {
        "type": "KroReady",
        "status": "True",
        "reason": "AllResourcesReady",
        "observedGeneration": 3,
    }


def test_pending_entries_keep_previously_written_conditions(graph: Graph) -> None:
    previous = [
        {"type": "DeployUp", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": 2},
        {"type": "KroReady", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"},
        {"type": "Gone", "status": "False", "reason": "Old"},
        "not a condition",
    ]
    status = expand(graph, instance({"conditions": previous})).status
    assert status["state"] == "IN_PROGRESS"
    # KroReady changed status (no transition time: pykro has no clock); DeployUp could not be evaluated: kept as is
    assert status["conditions"] == [
        {"type": "KroReady", "status": "False", "reason": "NotReady", "observedGeneration": 3},
        previous[0],
        previous[2],
    ]


def test_last_transition_time_is_kept_while_the_status_holds(graph: Graph) -> None:
    previous = [{"type": "DeployUp", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}]
    status = expand(graph, instance({"conditions": previous}), {"deploy": deployed(graph, 1)}).status
    assert status["conditions"][0]["lastTransitionTime"] == "2026-01-01T00:00:00Z"
    assert status["conditions"][0]["observedGeneration"] == 3
    assert [c["type"] for c in status["conditions"]] == ["DeployUp", "KroReady"]  # complete: nothing carried over


def test_duplicate_types_are_dropped_and_degrade_the_state() -> None:
    twice = "${['A', 'A', 'B'].map(t, runtime.newCondition({type: t, status: 'True'}))}"
    graph = Graph.from_rgd(rgd(twice))
    status = expand(graph, instance(), {"deploy": deployed(graph, 1)}).status
    assert types(status) == ["B"]
    assert status["state"] == "ERROR"


@pytest.mark.parametrize(
    "entry",
    [
        "${runtime.newCondition({type: 'X', status: string(deploy.status.readyReplicas)})}",  # status "1"
        "${deploy.status.readyReplicas > 0}",  # not a condition
    ],
)
def test_failed_entries_are_skipped_and_degrade_the_state(entry: str) -> None:
    graph = Graph.from_rgd(rgd(entry, UP))
    status = expand(graph, instance(), {"deploy": deployed(graph, 1)}).status
    assert types(status) == ["DeployUp"]
    assert status["state"] == "ERROR"


def test_without_authored_conditions_the_builtins_are_written() -> None:
    plain = rgd()
    del plain["spec"]["schema"]["status"]["conditions"]
    graph = Graph.from_rgd(plain)
    status = expand(graph, instance(), {"deploy": deployed(graph, 1)}).status
    assert types(status) == ["InstanceManaged", "GraphResolved", "ResourcesReady", "Ready"]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (["${runtime.newCondition({type: 'X', status: 'Yes'})}"], "status must be one of True, False, Unknown"),
        (["${runtime.newCondition({type: 'X', status: 'True', colour: ''})}"], 'unknown key "colour"'),
        ([UP, UP], 'condition type "DeployUp" is declared by more than one conditions entry'),
        (
            ["${runtime.newCondition({type: 'X', status: runtime.condition(schema, 'Y').status})}"],
            "unknown condition type",
        ),
    ],
)
def test_invalid_conditions_are_rejected_when_loading(entries: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=r"spec\.schema\.status\.conditions") as caught:
        Graph.from_rgd(rgd(*entries))
    assert message in str(caught.value)


def test_runtime_is_only_available_in_conditions() -> None:
    doc = rgd()
    doc["spec"]["resources"][0]["template"]["metadata"]["labels"] = {
        "up": "${runtime.condition(schema, 'Ready').status}"
    }
    with pytest.raises(ValidationError, match=r"runtime is only available in status\.conditions expressions"):
        Graph.from_rgd(doc)
