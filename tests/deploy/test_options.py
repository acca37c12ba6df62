"""Deploy options are checked where they are given: a misspelt or mistyped value is an error naming the option,
before anything is written — never taken for another value (``"rollbak"`` for keep, ``"false"`` for True). A diff
of a spec whose resource cannot be rendered says so instead of "no changes"."""

from __future__ import annotations

from typing import Any

import pytest

from pykro import _yamlio as yamlio
from pykro.deploy import DeployOptions
from pykro.deploy._errors import DeployError
from pykro.errors import ValidationError
from pykro.graph import Graph

RGD = """
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {name: opts}
spec:
  schema:
    apiVersion: v1alpha1
    kind: Opts
    spec:
      name: string
      count: string | default="1"
  resources:
    - id: cfg
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: "${schema.spec.name}-cfg"}
        data: {n: "${string(int(schema.spec.count) + 1)}"}
"""
GRAPH = Graph.from_rgd(yamlio.load(RGD))

BAD = [
    ({"on_failure": "rollbak"}, "on_failure must be one of 'keep', 'rollback', not 'rollbak'"),
    ({"timeout": -5}, "timeout must be a positive number of seconds"),
    ({"timeout": 0}, "timeout must be a positive number of seconds"),
    ({"timeout": "10"}, "timeout must be a positive number of seconds or None (no limit), not '10'"),
    ({"resource_timeout": float("nan")}, "resource_timeout must be a positive number"),
    ({"force_conflicts": "false"}, "force_conflicts must be True or False, not 'false'"),
    ({"wait": 1}, "wait must be True or False, not 1"),
    ({"concurrency": 0}, "concurrency must be a whole number of at least 1"),
    ({"lock_wait": -3}, "lock_wait must be a number of seconds of at least 0"),
]


@pytest.mark.parametrize(("given", "message"), BAD, ids=[str(g) for g, _ in BAD])
def test_deploy_options_are_checked(given: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        DeployOptions(**given)
    assert message in str(info.value)
    assert DeployOptions(timeout=None, resource_timeout=2.5, lock_wait=0).timeout is None  # the valid edges


@pytest.mark.parametrize(
    "given",
    [{"on_failure": "rollbak"}, {"timeout": -1}, {"force_conflicts": "false"}, {"timeout": "10"}],
    ids=str,
)
def test_deploy_keywords_are_checked_before_any_write(kit: Any, given: dict[str, Any]) -> None:
    factory = kit.direct(GRAPH, kit.unique())
    mark = kit.mark()
    with pytest.raises(ValidationError, match=next(iter(given))):
        factory.deploy({"name": "o"}, **given)
    assert kit.writes(mark) == []


def test_delete_timeout_is_checked(kit: Any) -> None:
    factory = kit.direct(GRAPH, kit.unique())
    with pytest.raises(ValidationError, match="timeout must be a positive number"):
        factory.delete("o", timeout=0)


def test_a_diff_of_a_resource_that_cannot_render_is_an_error_not_no_changes(kit: Any) -> None:
    factory = kit.direct(GRAPH, kit.unique())
    assert factory.deploy({"name": "o"}).state == "ACTIVE"
    with pytest.raises(DeployError) as info:
        factory.diff({"name": "o", "count": "many"})
    assert "resource 'cfg' cannot be rendered" in str(info.value)
    with pytest.raises(DeployError):  # and a deploy of the same spec fails too
        factory.deploy({"name": "o", "count": "many"}, timeout=5)
    factory.delete("o")


def test_a_value_the_api_server_refuses_stops_before_any_write(kit: Any) -> None:
    """A negative replicas decided by the spec alone (the spec field has no minimum) is caught offline, before
    anything is written; the API server would refuse it only after the objects before it were applied."""
    rgd = yamlio.load(RGD)
    rgd["spec"]["schema"]["spec"]["replicas"] = "integer | default=1"
    rgd["spec"]["resources"].append(
        {
            "id": "web",
            "template": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "${schema.spec.name}-web"},
                "spec": {
                    "replicas": "${schema.spec.replicas}",
                    "selector": {"matchLabels": {"app": "${schema.spec.name}"}},
                    "template": {
                        "metadata": {"labels": {"app": "${schema.spec.name}"}},
                        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                    },
                },
            },
        }
    )
    factory = kit.direct(Graph.from_rgd(rgd), kit.unique())
    mark = kit.mark()
    with pytest.raises(ValidationError) as info:
        factory.deploy({"name": "neg", "replicas": -1})
    assert "replicas" in str(info.value) and "-1" in str(info.value)
    assert kit.writes(mark) == []
