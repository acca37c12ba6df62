"""Invalid RGDs: each is rejected with kro's message, the YAML path of the culprit and a fix."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from pykro.errors import ValidationError
from pykro.graph import Graph

BASE: dict[str, Any] = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "ResourceGraphDefinition",
    "metadata": {"name": "app"},
    "spec": {
        "schema": {
            "apiVersion": "v1alpha1",
            "kind": "App",
            "spec": {"name": "string", "regions": "[]string"},
            "status": {"ip": "${service.spec.clusterIP}"},
        },
        "resources": [
            {
                "id": "config",
                "template": {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "${schema.spec.name}"},
                    "data": {"a": "b"},
                },
            },
            {
                "id": "service",
                "template": {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": {"name": "${config.metadata.name}"},
                    "spec": {"ports": [{"port": 80}]},
                },
            },
        ],
    },
}

Mutation = Callable[[dict[str, Any]], None]


def res(rgd: dict[str, Any], i: int) -> dict[str, Any]:
    resource: dict[str, Any] = rgd["spec"]["resources"][i]
    return resource


def add(resource: dict[str, Any]) -> Mutation:
    return lambda rgd: rgd["spec"]["resources"].append(resource)


def cm(name: str = "x", **extra: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, **extra}


CASES: list[tuple[str, Mutation, str, str]] = [
    ("not an rgd", lambda r: r.update(kind="Deployment"), "not a ResourceGraphDefinition", "apiVersion"),
    ("no name", lambda r: r["metadata"].pop("name"), "is required", "metadata.name"),
    ("name not DNS", lambda r: r["metadata"].update(name="Web_App"), "'Web_App' is not a valid", "metadata.name"),
    ("name too long", lambda r: r["metadata"].update(name="a" * 254), "at most 253 characters", "metadata.name"),
    ("no schema", lambda r: r["spec"].pop("schema"), "is required", "spec.schema"),
    ("typo in spec", lambda r: r["spec"].update(resource=[]), "unknown field 'resource'", "spec.resource"),
    ("schema kind missing", lambda r: r["spec"]["schema"].pop("kind"), "is required", "spec.schema.kind"),
    ("lowercase kind", lambda r: r["spec"]["schema"].update(kind="app"), "does not match", "spec.schema.kind"),
    ("bad apiVersion", lambda r: r["spec"]["schema"].update(apiVersion="kro.run/v1"), "does not match",
     "spec.schema.apiVersion"),
    ("upper-case group", lambda r: r["spec"]["schema"].update(group="Example.com"), "is not a lower-case domain with "
     "at least one dot", "spec.schema.group"),
    ("group without a dot", lambda r: r["spec"]["schema"].update(group="example"), "at least one dot",
     "spec.schema.group"),
    ("bad scope", lambda r: r["spec"]["schema"].update(scope="Global"), "must be Namespaced or Cluster",
     "spec.schema.scope"),
    ("resources not a list", lambda r: r["spec"].update(resources={}), "must be a list", "spec.resources"),
    ("resource without id", lambda r: res(r, 0).pop("id"), "is required", "spec.resources[0].id"),
    ("template and externalRef", lambda r: res(r, 0).update(externalRef=cm()),
     "exactly one of template or externalRef must be provided", "spec.resources[0]"),
    ("neither template nor externalRef", lambda r: res(r, 0).pop("template"),
     "exactly one of template or externalRef must be provided", "spec.resources[0]"),
    ("readyWhen typo", lambda r: res(r, 0).update(readywhen=[]), "unknown field 'readywhen'",
     "spec.resources[0].readywhen"),
    ("readyWhen not strings", lambda r: res(r, 0).update(readyWhen=[True]), "must be a string",
     "spec.resources[0].readyWhen[0]"),
    ("forEach entry with two keys", lambda r: res(r, 0).update(forEach=[{"a": "${x}", "b": "${y}"}]),
     "exactly one entry", "spec.resources[0].forEach[0]"),
    ("externalRef without name or selector",
     lambda r: r["spec"]["resources"].append({"id": "ext", "externalRef": {"apiVersion": "v1", "kind": "Secret",
                                                                           "metadata": {}}}),
     "exactly one of name or selector must be provided", "spec.resources[2].externalRef.metadata"),
    ("reserved id", lambda r: res(r, 0).update(id="schema"), "id schema is a reserved keyword in KRO",
     "spec.resources[0].id"),
    ("dashed id", lambda r: res(r, 0).update(id="my-config"),
     "id my-config is not a valid KRO resource id: must be lower camelCase", "spec.resources[0].id"),
    ("duplicate id", lambda r: res(r, 1).update(id="config"), "found duplicate resource IDs config",
     "spec.resources[1].id"),
    ("iterator not camelCase",
     add({"id": "workers", "forEach": [{"my_region": "${schema.spec.regions}"}], "template": cm("${my_region}")}),
     'forEach iterator name "my_region" is not valid', "spec.resources[2].forEach[0].my_region"),
    ("reserved iterator", add({"id": "workers", "forEach": [{"item": "${schema.spec.regions}"}], "template": cm()}),
     'forEach iterator name "item" is a reserved keyword', "spec.resources[2].forEach[0].item"),
    ("iterator named like a resource",
     add({"id": "workers", "forEach": [{"config": "${schema.spec.regions}"}], "template": cm()}),
     'forEach iterator name "config" conflicts with resource ID', "spec.resources[2].forEach[0].config"),
    ("too many dimensions",
     add({"id": "workers", "forEach": [{f"d{i}": "${schema.spec.regions}"} for i in range(11)], "template": cm()}),
     "forEach cannot have more than 10 dimensions, got 11", "spec.resources[2].forEach"),
    ("externalRef with forEach",
     add({"id": "ext", "forEach": [{"r": "${schema.spec.regions}"}],
          "externalRef": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}}),
     "cannot use externalRef with forEach", "spec.resources[2]"),
    ("template without apiVersion", lambda r: res(r, 0)["template"].pop("apiVersion"),
     "resource config is not a valid Kubernetes object: apiVersion field not found",
     "spec.resources[0].template.apiVersion"),
    ("template without metadata", lambda r: res(r, 0)["template"].pop("metadata"),
     "metadata field not found", "spec.resources[0].template.metadata"),
    ("kind not a string", lambda r: res(r, 0)["template"].update(kind=3), "kind field is not a string",
     "spec.resources[0].template.kind"),
    ("kro label", lambda r: res(r, 0)["template"]["metadata"].update(labels={"kro.run/owned": "x"}),
     'labels with prefix "kro.run/" are reserved', 'spec.resources[0].template.metadata.labels["kro.run/owned"]'),
    ("cluster-scoped with namespace", add({"id": "ns", "template": {"apiVersion": "v1", "kind": "Namespace",
                                                                   "metadata": {"name": "n", "namespace": "x"}}}),
     'resource "ns" is cluster-scoped and must not set metadata.namespace',
     "spec.resources[2].template.metadata.namespace"),
    ("namespaced child of cluster instance", lambda r: r["spec"]["schema"].update(scope="Cluster"),
     "must set metadata.namespace when the instance CRD is cluster-scoped", "spec.resources[0].template.metadata"),
    ("readyWhen template", lambda r: res(r, 0).update(readyWhen=["x-${config.data.a}"]),
     "only standalone expressions are allowed", "spec.resources[0].readyWhen[0]"),
    ("includeWhen plain", lambda r: res(r, 0).update(includeWhen=["true"]),
     "only standalone expressions are allowed", "spec.resources[0].includeWhen[0]"),
    ("forEach not standalone", add({"id": "w", "forEach": [{"r": "x${schema.spec.regions}"}], "template": cm()}),
     "only standalone expressions are allowed", "spec.resources[2].forEach[0].r"),
    ("nested expression", lambda r: res(r, 0)["template"]["data"].update(a="${f(${x})}"),
     "nested expression", "spec.resources[0].template"),
    ("unknown identifier", lambda r: res(r, 1)["template"]["metadata"].update(name="${confg.metadata.name}"),
     "references unknown identifiers: [confg]", "spec.resources[1].template.metadata.name"),
    ("self reference", lambda r: res(r, 0)["template"]["data"].update(a="${config.metadata.name}"),
     "self references are not allowed", "spec.resources[0].template.data.a"),
    ("cycle", lambda r: res(r, 0)["template"]["data"].update(a="${service.spec.clusterIP}"),
     "graph contains a cycle: config -> service -> config", "spec.resources"),
    ("iterator missing from name",
     add({"id": "workers", "forEach": [{"region": "${schema.spec.regions}"}], "template": cm("w")}),
     'node "workers": all forEach dimensions must be used to produce a unique resource identity, missing: [region]',
     "spec.resources[2].template.metadata.name"),
    ("iterator referencing iterator",
     add({"id": "w", "forEach": [{"a": "${schema.spec.regions}"}, {"b": "${[a]}"}], "template": cm("${a}-${b}")}),
     'forEach iterator "b" cannot reference other iterators [a]', "spec.resources[2].forEach[1].b"),
    ("readyWhen on another resource", lambda r: res(r, 1).update(readyWhen=["${config.data.a == 'b'}"]),
     'resource "service" readyWhen: references unknown identifiers: [config]', "spec.resources[1].readyWhen[0]"),
    ("includeWhen with iterator-like unknown", lambda r: res(r, 1).update(includeWhen=["${enabled}"]),
     'resource "service" includeWhen: references unknown identifiers: [enabled]',
     "spec.resources[1].includeWhen[0]"),
    ("each in a template", lambda r: res(r, 0)["template"]["data"].update(a="${each.x}"),
     "references unknown identifiers: [each]", "spec.resources[0].template.data.a"),
    ("literal status", lambda r: r["spec"]["schema"]["status"].update(phase="Running"),
     "status fields without expressions are not supported: [phase]", "spec.schema.status.phase"),
    ("constant status expression", lambda r: r["spec"]["schema"]["status"].update(one="${1 + 1}"),
     "instance status field must refer to a resource or schema: status.one", "spec.schema.status.one"),
    ("status unknown identifier", lambda r: r["spec"]["schema"]["status"].update(ip="${svc.spec.clusterIP}"),
     "references unknown identifiers: [svc]", "spec.schema.status.ip"),
    ("status conditions not a list", lambda r: r["spec"]["schema"]["status"].update(conditions="x"),
     "status.conditions must be a list", "spec.schema.status.conditions"),
    ("CEL syntax error", lambda r: res(r, 0)["template"]["data"].update(a="${schema.spec.name +}"),
     "invalid expression", "spec.resources[0].template"),
    ("runtime outside conditions", lambda r: res(r, 0)["template"]["data"].update(a="${runtime.x}"),
     "runtime is only available in status.conditions expressions", "spec.resources[0].template.data.a"),
]  # fmt: skip


@pytest.mark.parametrize(("mutate", "message", "path"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejected_with_message_and_path(mutate: Mutation, message: str, path: str) -> None:
    rgd = copy.deepcopy(BASE)
    mutate(rgd)
    with pytest.raises(ValidationError) as info:
        Graph.from_rgd(rgd, source="app.yaml")
    err = info.value
    assert message in err.what
    assert err.where == f"app.yaml: {path}"
    assert err.fix


def test_base_is_valid() -> None:
    graph = Graph.from_rgd(copy.deepcopy(BASE))
    assert graph.topological_order == ["config", "service"]


def test_unknown_identifier_suggests_the_closest_id() -> None:
    rgd = copy.deepcopy(BASE)
    res(rgd, 1)["template"]["metadata"]["name"] = "${confg.metadata.name}"
    with pytest.raises(ValidationError, match="Did you mean 'config'"):
        Graph.from_rgd(rgd)


def test_dashed_id_suggests_camel_case() -> None:
    rgd = copy.deepcopy(BASE)
    res(rgd, 0)["id"] = "my-config"
    with pytest.raises(ValidationError, match="'myConfig'"):
        Graph.from_rgd(rgd)


def test_invalid_yaml_names_line_and_column() -> None:
    with pytest.raises(ValidationError) as info:
        Graph.from_rgd("apiVersion: [unclosed\n", source="bad.yaml")
    assert info.value.where is not None and info.value.where.startswith("bad.yaml:")
