"""kro's type check of RGD expressions: unknown fields of the instance spec and of typed kinds are rejected with
kro's wording, the expression's YAML path and a did-you-mean fix; valid dynamic shapes are accepted."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pykro.errors import ValidationError
from pykro.graph import Graph

SPEC: dict[str, Any] = {
    "name": "string",
    "replicas": "integer | default=1",
    "labels": "map[string]string",
    "port": "integer | default=80",
    "ports": "[]integer",
    "workers": "[]worker",
    "target": "object",
    "config": {"image": "string", "limits": {"cpu": "string"}},
}
TYPES: dict[str, Any] = {"worker": {"name": "string", "size": "integer"}}
CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
                            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                        },
                    }
                },
            }
        ],
    },
}


def rgd(*resources: dict[str, Any], status: dict[str, Any] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"apiVersion": "v1alpha1", "kind": "App", "spec": SPEC, "types": TYPES}
    if status:
        schema["status"] = status
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "app"},
        "spec": {"schema": schema, "resources": copy.deepcopy(list(resources))},
    }


def cm(rid: str = "cm", **data: str) -> dict[str, Any]:
    template = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "${schema.spec.name}"}, "data": data}
    return {"id": rid, "template": template}


def deployment(rid: str = "deploy", **extra: Any) -> dict[str, Any]:
    template = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "${schema.spec.name}"},
        "spec": {"replicas": "${schema.spec.replicas}"},
    }
    return {"id": rid, "template": template, **extra}


def service(rid: str = "svc") -> dict[str, Any]:
    template = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"ports": [{"port": 80}]}}
    return {"id": rid, "template": template}


def widget(rid: str = "widget", **spec: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "template": {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, **spec},
    }


def crd() -> dict[str, Any]:
    return {"id": "widgetCrd", "template": CRD}


def workers(**extra: Any) -> dict[str, Any]:
    template = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "${schema.spec.name}-${worker.name}"},
        "data": {"size": "${string(worker.size)}"},
    }
    return {"id": "perWorker", "forEach": [{"worker": "${schema.spec.workers}"}], "template": template, **extra}


INVALID: list[tuple[str, dict[str, Any], str, str, str]] = [
    (
        "unknown spec field",
        rgd(cm(a="${schema.spec.nope}")),
        "spec.resources[0].template.data.a",
        'failed to compile template expression "${schema.spec.nope}" at path "data.a": undefined field \'nope\'',
        "Fields of schema.spec: config, labels, name",
    ),
    (
        "typo in a nested spec field",
        rgd(cm(a="${schema.spec.config.imag}")),
        "spec.resources[0].template.data.a",
        "undefined field 'imag'",
        "Did you mean schema.spec.config.image?",
    ),
    (
        "typo deep in a nested spec field inside a template string",
        rgd(cm(a="cpu=${schema.spec.config.limits.cpus}")),
        "spec.resources[0].template.data.a",
        "undefined field 'cpus'",
        "Did you mean schema.spec.config.limits.cpu?",
    ),
    (
        "field of a built-in kind",
        rgd(deployment(), cm(a="${string(deploy.status.readyReplica)}")),
        "spec.resources[1].template.data.a",
        "undefined field 'readyReplica': Deployment has no field status.readyReplica",
        "Did you mean deploy.status.readyReplicas?",
    ),
    (
        "status path that lives in spec",
        rgd(service(), cm(a="${svc.status.clusterIP}")),
        "spec.resources[1].template.data.a",
        "undefined field 'clusterIP'",
        "clusterIP lives at svc.spec.clusterIP",
    ),
    (
        "instance status is not readable",
        rgd(cm(a="${schema.status.name}")),
        "spec.resources[0].template.data.a",
        "undefined field 'status'",
        "or did you mean schema.spec.name?",
    ),
    (
        "field after a list index",
        rgd(cm(a="${schema.spec.workers[0].sizee}")),
        "spec.resources[0].template.data.a",
        "undefined field 'sizee': the instance has no field spec.workers[0].sizee",
        "Did you mean schema.spec.workers[0].size?",
    ),
    (
        "item variable of a two-variable comprehension over a list",
        rgd(cm(a="${string(schema.spec.workers.all(i, w, w.nmae != ''))}")),
        "spec.resources[0].template.data.a",
        "undefined field 'nmae'",
        "Fields of w: name, size.",
    ),
    (
        "value variable of a two-variable comprehension over a map",
        rgd(cm(a="${string(schema.spec.labels.exists(k, v, v.x == 'a'))}")),
        "spec.resources[0].template.data.a",
        "type 'string' does not support field selection",
        "drop .x",
    ),
    (
        "index into a non-list",
        rgd(cm(a="${schema.spec.name[0]}")),
        "spec.resources[0].template.data.a",
        "type 'string' does not support indexing with an int",
        "Index only list fields.",
    ),
    (
        "field selection on a scalar",
        rgd(cm(a="${schema.spec.port.value}")),
        "spec.resources[0].template.data.a",
        "type 'int' does not support field selection",
        "drop .value",
    ),
    (
        "unknown ObjectMeta field",
        rgd(cm(a="${schema.metadata.labelz['x']}")),
        "spec.resources[0].template.data.a",
        "undefined field 'labelz'",
        "Did you mean schema.metadata.labels?",
    ),
    (
        "typo in a forEach iterator's field",
        rgd(workers(template={**workers()["template"], "data": {"size": "${string(worker.sizes)}"}})),
        "spec.resources[0].template.data.size",
        "undefined field 'sizes'",
        "Did you mean worker.size?",
    ),
    (
        "forEach over a scalar",
        rgd({**workers(), "forEach": [{"worker": "${schema.spec.name}"}]}),
        "spec.resources[0].forEach[0].worker",
        'node "perWorker": forEach iterator "worker" must return a list, got "string"',
        "point it at a list field",
    ),
    (
        "comprehension variable's field",
        rgd(cm(a="${schema.spec.workers.map(w, w.nam).join(',')}")),
        "spec.resources[0].template.data.a",
        "undefined field 'nam'",
        "Did you mean w.name?",
    ),
    (
        "comprehension over a scalar",
        rgd(cm(a="${string(schema.spec.name.all(c, c == 'a'))}")),
        "spec.resources[0].template.data.a",
        "expression of type 'string' cannot be range of a comprehension",
        "iterate a list field",
    ),
    (
        "includeWhen reads an unknown field",
        rgd({**cm(), "includeWhen": ["${schema.spec.enabled}"]}),
        "spec.resources[0].includeWhen[0]",
        'failed to type-check includeWhen expression "${schema.spec.enabled}" in resource "cm"',
        "Fields of schema.spec:",
    ),
    (
        "readyWhen reads an unknown field of itself",
        rgd(deployment(readyWhen=["${deploy.status.availableReplica > 0}"])),
        "spec.resources[0].readyWhen[0]",
        "failed to type-check readyWhen expression",
        "Did you mean deploy.status.availableReplicas or",
    ),
    (
        "collection readyWhen reads an unknown field of each",
        rgd(workers(readyWhen=["${each.metadata.nam == 'x'}"])),
        "spec.resources[0].readyWhen[0]",
        "undefined field 'nam'",
        "Did you mean each.metadata.name?",
    ),
    (
        "status expression reads an unknown field",
        rgd(deployment(), status={"ready": "${deploy.status.readyReplicaz > 0}"}),
        "spec.schema.status.ready",
        'failed to type-check status expression "${deploy.status.readyReplicaz > 0}" at path "ready"',
        "Did you mean deploy.status.readyReplicas?",
    ),
    (
        "a collection is a list",
        rgd(workers(), cm(a="${perWorker.metadata.name}")),
        "spec.resources[1].template.data.a",
        "perWorker is a collection (a list of ConfigMap)",
        "perWorker[0].metadata",
    ),
    (
        "kind whose CRD is in the graph",
        rgd(crd(), cm(a="${string(widget.spec.sizes)}"), widget(spec={"size": 1})),
        "spec.resources[1].template.data.a",
        "undefined field 'sizes': Widget has no field spec.sizes",
        "Did you mean widget.spec.size?",
    ),
]


@pytest.mark.parametrize(("doc", "where", "what", "fix"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_unknown_fields_are_rejected(doc: dict[str, Any], where: str, what: str, fix: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Graph.from_rgd(doc)
    assert caught.value.where == where
    assert what in caught.value.what
    assert caught.value.fix is not None
    assert fix in caught.value.fix


def test_empty_spec_has_no_fields() -> None:
    doc = rgd(cm(a="${schema.spec.name}"))
    doc["spec"]["schema"]["spec"] = {}
    doc["spec"]["resources"][0]["template"]["metadata"]["name"] = "fixed"
    with pytest.raises(ValidationError, match="undefined field 'name'") as caught:
        Graph.from_rgd(doc)
    assert caught.value.fix == "Declare name under spec.schema.spec."


def test_external_reference_is_typed_by_its_kind() -> None:
    external = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": "default"}}
    ok = rgd({"id": "creds", "externalRef": external}, cm(a="${string(creds.data.password)}"))
    assert Graph.from_rgd(ok).dependencies["cm"] == ["creds"]
    bad = rgd({"id": "creds", "externalRef": external}, cm(a="${string(creds.stringdata.password)}"))
    with pytest.raises(ValidationError, match="undefined field 'stringdata'") as caught:
        Graph.from_rgd(bad)
    assert caught.value.fix == "Did you mean creds.stringData?"


def test_cluster_scoped_instance_has_no_metadata_namespace() -> None:
    doc = rgd(cm(a="${schema.metadata.namespace}"))
    doc["spec"]["schema"]["scope"] = "Cluster"
    doc["spec"]["resources"][0]["template"]["metadata"]["namespace"] = "default"
    with pytest.raises(ValidationError, match="undefined field 'namespace'"):
        Graph.from_rgd(doc)
    namespaced = rgd(cm(a="${schema.metadata.namespace}"))
    assert Graph.from_rgd(namespaced).ids == ["cm"]


VALID: list[tuple[str, dict[str, Any]]] = [
    ("map with arbitrary keys", rgd(cm(a="${schema.spec.labels.anything}", b="${schema.spec.labels['a.b/c']}"))),
    ("untyped object is dyn", rgd(cm(a="${string(schema.spec.target.whatever.deeper)}"))),
    ("int-or-string", rgd(deployment(), cm(a="${string(deploy.spec.strategy.rollingUpdate.maxSurge)}"))),
    ("preserve-unknown-fields", rgd(crd(), widget(spec={"size": 1}), cm(a="${string(widget.status.anything.x)}"))),
    ("unknown custom kind is dyn", rgd({**widget(), "id": "other"}, cm(a="${string(other.spec.anything)}"))),
    ("forEach iterator typed from a list of objects", rgd(workers())),
    ("comprehension over typed objects", rgd(cm(a="${schema.spec.workers.map(w, w.name).join(',')}"))),
    ("comprehension over ints", rgd(cm(a="${string(schema.spec.ports.filter(p, p > 80).size())}"))),
    ("nested comprehension", rgd(cm(a="${string(schema.spec.workers.all(w, [w].exists(v, v.size > 1)))}"))),
    ("list index then field", rgd(cm(a="${schema.spec.workers[0].name}"))),
    ("two-variable comprehension over a list", rgd(cm(a="${string(schema.spec.workers.all(i, w, w.size > i))}"))),
    ("two-variable comprehension over a map", rgd(cm(a="${string(schema.spec.labels.all(k, v, v.size() > 0))}"))),
    ("computed index is not checked", rgd(cm(a="${schema.spec.workers[schema.spec.port].anything}"))),
    ("collection indexed and mapped", rgd(workers(), cm(a="${perWorker.map(c, c.metadata.name).join(',')}"))),
    ("has() on a known field", rgd(cm(a="${string(has(schema.spec.config.image))}"))),
    ("optional field", rgd(cm(a="${schema.spec.config.?image.orValue('x')}"))),
    ("readyWhen on each", rgd(workers(readyWhen=["${each.metadata.name != ''}"]))),
    ("status reading a typed kind", rgd(deployment(), status={"ready": "${deploy.status.readyReplicas > 0}"})),
]


@pytest.mark.parametrize("doc", [c[1] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_shapes_are_accepted(doc: dict[str, Any]) -> None:
    graph = Graph.from_rgd(doc)
    assert graph.analysis.order == graph.topological_order
