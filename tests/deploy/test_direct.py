"""Direct mode end to end on the emulator: deploy, hydrated status equal to the offline runtime's, idempotent
re-deploys (writes counted in the request log), patches of only what changed, pruning, listing from another
factory, diff without writes, delete in reverse waves honouring Retain."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from pykro.deploy import NullReporter
from pykro.deploy import _inventory as inv
from pykro.graph import Graph
from pykro.runtime import expand, observed_from_objects, prepare_instance

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WEBAPP = Graph.from_file(str(EXAMPLES / "rgd" / "webapp.yaml"))
SPEC = {"name": "shop", "replicas": 3, "ingress": {"enabled": True, "host": "shop.example.com"}}


def _offline_status(graph: Graph, instance: dict[str, Any], objects: list[dict[str, Any]]) -> dict[str, Any]:
    prepared = prepare_instance(graph, instance)
    observed = observed_from_objects(graph, prepared, objects)
    return dict(expand(graph, prepared, observed).status)


def test_deploy_hydrates_the_status_the_runtime_computes_offline(kit: Any) -> None:
    ns = kit.unique()
    instance = kit.direct(WEBAPP, ns).deploy(SPEC)
    assert instance.state == "ACTIVE" and instance.ready
    assert instance.status.ready is True
    assert instance.status.available_replicas == 3
    assert instance.status.url == "shop.example.com"
    objects = kit.labelled("shop", ns)
    assert sorted(o["kind"] for o in objects) == ["ConfigMap", "Deployment", "Ingress", "Service"]
    cr = {"apiVersion": WEBAPP.instance_api_version, "kind": "WebApp", "metadata": {"name": "shop", "namespace": ns}}
    offline = _offline_status(WEBAPP, {**cr, "spec": SPEC}, objects)
    assert instance.status_data == offline
    svc = next(o for o in objects if o["kind"] == "Service")
    assert instance.status.endpoint == f"http://{svc['spec']['clusterIP']}:80"


def test_redeploy_writes_nothing_and_a_change_patches_only_what_changed(kit: Any) -> None:
    ns = kit.unique()
    factory = kit.direct(WEBAPP, ns)
    factory.deploy(SPEC)
    mark = kit.mark()
    again = factory.deploy(copy.deepcopy(SPEC))
    assert again.state == "ACTIVE"
    writes = kit.writes(mark)
    # the instance's lock (a Lease) is taken and given back; nothing else is written
    assert [w for w in writes if w[1] != "leases"] == []
    assert writes == [("update", "leases", "pykro.webapp.shop")] * 2
    mark = kit.mark()
    changed = factory.deploy({**SPEC, "replicas": 2})
    assert changed.status.available_replicas == 2
    touched = {(verb, resource, name) for verb, resource, name in kit.writes(mark)}
    assert ("apply", "deployments", "shop") in touched
    assert not any(resource in ("services", "ingresses") for _, resource, _ in touched)
    assert ("apply", "configmaps", "shop-config") not in touched


def test_include_when_turning_false_prunes_the_resource(kit: Any) -> None:
    ns = kit.unique()
    factory = kit.direct(WEBAPP, ns)
    factory.deploy(SPEC)
    assert any(o["kind"] == "Ingress" for o in kit.labelled("shop", ns))
    result = factory.deploy({**SPEC, "ingress": {"enabled": False}})
    assert result.state == "ACTIVE"
    assert result.resources["ingress"].state == "skipped"
    assert sorted(o["kind"] for o in kit.labelled("shop", ns)) == ["ConfigMap", "Deployment", "Service"]


def test_a_resource_that_left_the_graph_is_pruned(kit: Any) -> None:
    ns = kit.unique()
    kit.direct(WEBAPP, ns).deploy(SPEC)
    rgd = copy.deepcopy(WEBAPP.to_rgd())
    rgd["spec"]["resources"] = [r for r in rgd["spec"]["resources"] if r["id"] != "ingress"]
    del rgd["spec"]["schema"]["status"]["url"]
    smaller = Graph.from_rgd(rgd)
    result = kit.direct(smaller, ns).deploy(SPEC)
    assert result.state == "ACTIVE"
    assert "Ingress" not in {o["kind"] for o in kit.labelled("shop", ns)}


def test_status_instances_and_diff_work_from_another_factory(kit: Any) -> None:
    ns = kit.unique()
    deployed = kit.direct(WEBAPP, ns).deploy(SPEC)
    other = kit.direct(WEBAPP, ns)
    assert [(i.name, i.state, i.mode) for i in other.instances()] == [("shop", "ACTIVE", "direct")]
    status = other.status("shop")
    assert status.state == "ACTIVE" and status.status_data == deployed.status_data
    before = kit.versions()
    diff = other.diff({**SPEC, "replicas": 5, "ingress": {"enabled": False}})
    actions = {e.resource: e.action for e in diff.entries}
    assert actions == {"config": "unchanged", "deployment": "update", "service": "unchanged", "ingress": "delete"}
    update = next(e for e in diff.entries if e.resource == "deployment")
    assert "-  replicas: 3" in update.text and "+  replicas: 5" in update.text
    assert kit.versions() == before, "diff must not write"
    assert not other.diff(SPEC).changed


def test_delete_removes_everything_in_reverse_waves_and_keeps_retained_objects(kit: Any) -> None:
    ns = kit.unique()
    rgd = copy.deepcopy(WEBAPP.to_rgd())
    config = next(r for r in rgd["spec"]["resources"] if r["id"] == "config")
    config["template"]["metadata"]["annotations"] = {inv.DELETION_POLICY: "Retain"}
    graph = Graph.from_rgd(rgd)
    factory = kit.direct(graph, ns)
    factory.deploy(SPEC)
    mark = kit.mark()
    kept = factory.delete("shop")
    assert [o["kind"] for o in kept] == ["ConfigMap"]
    assert kit.labelled("shop", ns) == []
    assert factory.instances() == []
    deletes = [resource for verb, resource, _ in kit.writes(mark) if verb == "delete"]
    assert deletes.index("ingresses") < deletes.index("services") < deletes.index("deployments")
    retained = kit.cluster.client().get(_configmap(), "shop-config", namespace=ns)
    assert inv.INSTANCE not in (retained.metadata.labels or {})


def _configmap() -> Any:
    from lightkube.resources.core_v1 import ConfigMap

    return ConfigMap


CRD_GRAPH = """
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {name: withcrd}
spec:
  schema: {apiVersion: v1alpha1, kind: WithCrd, spec: {name: string}}
  resources:
    - id: widget
      template: {apiVersion: example.com/v1, kind: Widget, metadata: {name: "${schema.spec.name}"}, spec: {size: 3}}
    - id: crd
      template:
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
          versions:
            - name: v1
              served: true
              storage: true
              schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"""


def test_a_graph_can_define_the_crd_of_another_of_its_resources(kit: Any) -> None:
    from pykro import _yamlio as yamlio

    graph = Graph.from_rgd(yamlio.load(CRD_GRAPH))
    assert graph.dependencies["widget"] == [], "no data dependency: the engine must still wait for the CRD"
    ns = kit.unique()
    reporter = NullReporter()
    factory = kit.direct(graph, ns, reporter=reporter)
    assert factory.deploy({"name": "w"}).state == "ACTIVE"
    states = [e.waiting_on for e in reporter.events if e.type == "state" and e.resource == "widget"]
    assert "the CRD of Widget to be established" in states
    factory.delete("w")
    assert kit.labelled("w", ns) == [] and kit.labelled("w") == []


TAGGED = Graph.from_rgd(
    """
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata:
  name: tagged
spec:
  schema:
    apiVersion: v1alpha1
    kind: Tagged
    spec:
      name: string | required=true
      tags: map[string]string
      notes: map[string]string
  resources:
    - id: config
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ${schema.spec.name}-cfg
          labels: ${schema.spec.tags}
          annotations: ${schema.spec.notes}
        data:
          a: b
"""
)


def test_labels_and_annotations_that_are_one_expression_reach_the_object(kit: Any) -> None:
    ns = kit.unique()
    factory = kit.direct(TAGGED, ns)
    spec = {"name": "t", "tags": {"team": "blue", "tier": "web"}, "notes": {"owner": "ops@example.com"}}
    assert factory.deploy(spec).state == "ACTIVE"
    (cm,) = kit.labelled("t", ns)
    labels, notes = cm["metadata"]["labels"], cm["metadata"]["annotations"]
    assert (labels["team"], labels["tier"], labels[inv.RESOURCE_ID]) == ("blue", "web", "config")
    assert notes["owner"] == "ops@example.com"
    assert factory.diff(spec).entries[0].action == "unchanged"
    mark = kit.mark()
    changed = {**spec, "tags": {"team": "red"}}
    assert factory.diff(changed).entries[0].action == "update"
    assert factory.deploy(changed).state == "ACTIVE"
    assert ("apply", "configmaps", "t-cfg") in kit.writes(mark)
    (cm,) = kit.labelled("t", ns)
    assert cm["metadata"]["labels"]["team"] == "red" and "tier" not in cm["metadata"]["labels"]
