"""Typed field resolution against the pinned Kubernetes schemas and registered CRDs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import CHAINSAW, RGD_CRD

from pykro import _yamlio as yamlio
from pykro.cel import CelType
from pykro.errors import CompositionError, ValidationError
from pykro.resources import check_kind, field_type, is_typed, kind_type, path_text, register_crd
from pykro.schema import _kubernetes as k8s

S, INT, B, D = CelType.STRING, CelType.INT, CelType.BOOL, CelType.DYN
CONTAINER = ("spec", "template", "spec", "containers", 0)


@pytest.mark.parametrize(
    ("api_version", "kind", "path", "expected"),
    [
        ("apps/v1", "Deployment", ("status", "readyReplicas"), INT),
        ("apps/v1", "Deployment", ("spec", "replicas"), INT),
        ("apps/v1", "Deployment", ("spec", "paused"), B),
        ("apps/v1", "Deployment", ("metadata", "name"), S),
        ("apps/v1", "Deployment", ("metadata", "labels"), CelType.map_of(S, S)),
        ("apps/v1", "Deployment", ("metadata", "labels", "app.kubernetes.io/name"), S),
        ("apps/v1", "Deployment", ("metadata", "annotations", "anything at all"), S),
        ("apps/v1", "Deployment", ("metadata", "creationTimestamp"), CelType.TIMESTAMP),
        ("apps/v1", "Deployment", ("status", "conditions", 3, "lastUpdateTime"), CelType.TIMESTAMP),
        ("apps/v1", "Deployment", ("status", "conditions", 0, "status"), S),
        ("apps/v1", "Deployment", (*CONTAINER, "image"), S),
        ("apps/v1", "Deployment", (*CONTAINER, "ports", 0, "containerPort"), INT),
        ("apps/v1", "Deployment", (*CONTAINER, "args"), CelType.list_of(S)),
        ("apps/v1", "Deployment", (*CONTAINER, "args", 1), S),
        ("apps/v1", "Deployment", (*CONTAINER, "resources", "limits"), CelType.map_of(S, D)),
        ("apps/v1", "Deployment", (*CONTAINER, "resources", "limits", "cpu"), D),
        ("apps/v1", "Deployment", (*CONTAINER, "livenessProbe", "httpGet", "port"), D),
        ("apps/v1", "Deployment", ("spec", "strategy", "rollingUpdate", "maxSurge"), D),
        ("apps/v1", "Deployment", ("spec", "strategy", "rollingUpdate", "maxSurge", "anything"), D),
        ("v1", "Service", ("spec", "clusterIP"), S),
        ("v1", "Service", ("spec", "clusterIPs"), CelType.list_of(S)),
        ("v1", "Service", ("spec", "ports", 0, "port"), INT),
        ("v1", "Service", ("spec", "ports", 0, "targetPort"), D),
        ("v1", "Service", ("status", "loadBalancer", "ingress", 0, "hostname"), S),
        ("v1", "Secret", ("data",), CelType.map_of(S, CelType.BYTES)),
        ("v1", "Secret", ("data", "password"), CelType.BYTES),
        ("v1", "Secret", ("stringData", "password"), S),
        ("v1", "ConfigMap", ("data", "nginx.conf"), S),
        ("v1", "PersistentVolumeClaim", ("status", "capacity", "storage"), D),
        ("v1", "PersistentVolumeClaim", ("status", "phase"), S),
        ("batch/v1", "Job", ("status", "succeeded"), INT),
        ("batch/v1", "CronJob", ("spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "image"), S),
        ("networking.k8s.io/v1", "Ingress", ("status", "loadBalancer", "ingress", 0, "ip"), S),
        ("autoscaling/v2", "HorizontalPodAutoscaler", ("status", "desiredReplicas"), INT),
        ("policy/v1", "PodDisruptionBudget", ("spec", "minAvailable"), D),
        ("v1", "Pod", ("status", "startTime"), CelType.TIMESTAMP),
        ("v1", "Pod", ("spec", "activeDeadlineSeconds"), INT),
        ("v1", "Node", ("status", "capacity", "memory"), D),
    ],
)
def test_field_types(api_version: str, kind: str, path: tuple[Any, ...], expected: CelType) -> None:
    assert field_type(api_version, kind, path) == expected


def test_object_fields_are_typed_in_full() -> None:
    status = field_type("apps/v1", "Deployment", ("status",))
    assert status.kind == "object" and str(status) == "DeploymentStatus"
    assert status.field_type("readyReplicas") == INT
    assert status.field_type("conditions") is not None and status.field_type("reedyReplicas") is None
    whole = kind_type("apps/v1", "Deployment")
    assert str(whole) == "Deployment"
    assert set(whole.fields or {}) == {"apiVersion", "kind", "metadata", "spec", "status"}
    containers = field_type("apps/v1", "Deployment", CONTAINER[:-1])
    assert containers.kind == "list" and containers.params[0].field_type("image") == S


def _error(api_version: str, kind: str, path: tuple[Any, ...]) -> CompositionError:
    with pytest.raises(CompositionError) as info:
        field_type(api_version, kind, path)
    return info.value


def test_typo_says_did_you_mean() -> None:
    error = _error("apps/v1", "Deployment", ("status", "reedyReplicas"))
    assert error.what == "Deployment has no field status.reedyReplicas"
    assert error.fix == "Did you mean status.readyReplicas?"


def test_field_at_another_place_says_where_it_lives() -> None:
    error = _error("v1", "Service", ("status", "clusterIP"))
    assert error.what == "Service has no field status.clusterIP"
    assert error.fix == "The field clusterIP lives at spec.clusterIP."


@pytest.mark.parametrize(
    ("api_version", "kind", "path", "what", "fix"),
    [
        ("apps/v1", "Deployment", ("status", "ready_replicas"), "status.ready_replicas", "status.readyReplicas?"),
        ("apps/v1", "Deployment", ("spec", "readyReplicas"), "spec.readyReplicas", "lives at status.readyReplicas"),
        ("apps/v1", "Deployment", ("replicas",), "replicas", "replicas lives at spec.replicas"),
        ("apps/v1", "Deployment", ("spec", "containers"), "containers", "lives at spec.template.spec.containers"),
        ("v1", "Service", ("status", "clusterIp"), "status.clusterIp", "Did you mean spec.clusterIP?"),
        ("v1", "Service", ("spec", "type", "name"), "spec.type is a string", "drop .name"),
        ("apps/v1", "Deployment", ("spec", "template", "spec", "containers", "image"), "is a list", "containers[0]"),
        ("apps/v1", "Deployment", ("metadata", "labels", 0), "is a map", 'labels["name"]'),
        ("apps/v1", "Deployment", ("spec", 0), "is not a list", "Index only list fields."),
        ("apps/v1", "Deployment", ("status", "zzzqqq"), "status.zzzqqq", "Fields of status: availableReplicas"),
        ("v1", "Secret", ("spec", "password"), "Secret has no field spec", "Fields of the object: apiVersion"),
    ],
)
def test_other_mistakes_are_explained(api_version: str, kind: str, path: tuple[Any, ...], what: str, fix: str) -> None:
    error = _error(api_version, kind, path)
    assert what in error.what
    assert error.fix is not None and fix in error.fix
    assert "\n" not in str(error)


@pytest.mark.parametrize(("api_version", "kind"), [("example.com/v1", "Widget"), ("apps/v1beta9", "Deployment")])
def test_untyped_kinds_are_dyn_everywhere(api_version: str, kind: str) -> None:
    assert not is_typed(api_version, kind)
    assert field_type(api_version, kind, ("status", "anything", 3, "deeper")) == D
    assert kind_type(api_version, kind) == D


WIDGET_CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.typing.test}
spec:
  group: typing.test
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              port: {x-kubernetes-int-or-string: true}
              tags: {type: array, items: {type: string}}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
              labels: {type: object, additionalProperties: {type: string}}
              template: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              ready: {type: boolean}
              endpoint: {type: string}
              since: {type: string, format: date-time}
  - name: v1beta1
    served: false
    storage: false
    schema: {openAPIV3Schema: {type: object}}
"""


def test_registered_crd_is_typed() -> None:
    assert register_crd(WIDGET_CRD) == [("typing.test/v1", "Widget")]
    assert is_typed("typing.test/v1", "Widget") and not is_typed("typing.test/v1beta1", "Widget")
    assert field_type("typing.test/v1", "Widget", ("spec", "size")) == INT
    assert field_type("typing.test/v1", "Widget", ("spec", "port")) == D
    assert field_type("typing.test/v1", "Widget", ("spec", "tags", 0)) == S
    assert field_type("typing.test/v1", "Widget", ("spec", "extra", "any", "thing")) == D
    assert field_type("typing.test/v1", "Widget", ("spec", "labels", "k")) == S
    assert field_type("typing.test/v1", "Widget", ("spec", "template", "metadata", "name")) == S
    assert field_type("typing.test/v1", "Widget", ("spec", "template", "spec", "whatever")) == D
    assert field_type("typing.test/v1", "Widget", ("status", "ready")) == B
    assert field_type("typing.test/v1", "Widget", ("status", "since")) == CelType.TIMESTAMP
    # every resource root has the full ObjectMeta, whatever the CRD declares
    assert field_type("typing.test/v1", "Widget", ("metadata", "labels", "app")) == S
    assert field_type("typing.test/v1", "Widget", ("kind",)) == S
    error = _error("typing.test/v1", "Widget", ("status", "redy"))
    assert error.what == "Widget has no field status.redy" and error.fix == "Did you mean status.ready?"
    assert _error("typing.test/v1", "Widget", ("status", "size")).fix == "The field size lives at spec.size."


def test_register_crd_from_dict_and_path_and_replace(tmp_path: Path) -> None:
    doc = yamlio.load(WIDGET_CRD.replace("typing.test", "typing2.test"))
    register_crd(doc)
    assert field_type("typing2.test/v1", "Widget", ("status", "endpoint")) == S
    doc["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]["endpoint"] = {
        "type": "integer"
    }
    path = tmp_path / "crd.yaml"
    path.write_text(yamlio.dump(doc), encoding="utf-8")
    register_crd(path)
    assert field_type("typing2.test/v1", "Widget", ("status", "endpoint")) == INT


def test_register_crd_from_shared_fixtures() -> None:
    register_crd(RGD_CRD)
    assert field_type("kro.run/v1alpha1", "ResourceGraphDefinition", ("status", "state")) == S
    assert field_type("kro.run/v1alpha1", "ResourceGraphDefinition", ("spec", "schema", "kind")) == S
    assert field_type("kro.run/v1alpha1", "ResourceGraphDefinition", ("spec", "resources", 0, "template", "x")) == D
    register_crd(CHAINSAW / "check-unknown-fields" / "allow-unknown-crd.yaml")
    assert field_type("kro.run/v1alpha1", "AllowUnknown", ("spec", "config", "a", "b")) == D
    assert _error("kro.run/v1alpha1", "AllowUnknown", ("spec", "konfig")).fix == "Did you mean spec.config?"


@pytest.mark.parametrize(
    "crd",
    [
        {"kind": "ConfigMap"},
        "just: text",
        {"kind": "CustomResourceDefinition", "metadata": {"name": "x"}, "spec": {}},
        {"kind": "CustomResourceDefinition", "spec": {"group": "g", "names": {"kind": "K"}, "versions": [{}]}},
    ],
)
def test_register_crd_rejects_non_crds(crd: Any) -> None:
    with pytest.raises(ValidationError):
        register_crd(crd)


def test_recursive_kinds_resolve_at_any_depth() -> None:
    crd = ("apiextensions.k8s.io/v1", "CustomResourceDefinition")
    root = ("spec", "versions", 0, "schema", "openAPIV3Schema")
    deep = (*root, "properties", "spec", "properties", "x", "properties", "y", "type")
    assert field_type(*crd, deep) == S
    assert field_type(*crd, (*root, "properties", "a", "maxLength")) == INT
    assert kind_type(*crd).kind == "object"


def test_path_text() -> None:
    assert path_text(("spec", "ports", 0, "port")) == "spec.ports[0].port"
    assert path_text(()) == ""


# -- the types agree with real objects: every leaf of every built-in object in kro's fixtures resolves -------------


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _leaves(sub, (*path, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _leaves(sub, (*path, index))
    else:
        yield path, value


def _builtin_objects() -> Iterator[dict[str, Any]]:
    for file in sorted(CHAINSAW.rglob("*.yaml")):
        for doc in yamlio.load_all(file.read_text(encoding="utf-8")):
            spec = doc.get("spec")
            resources = spec.get("resources") if isinstance(spec, dict) else None
            candidates = [doc] + [r.get("template") for r in resources or [] if isinstance(r, dict)]
            for obj in candidates:
                if isinstance(obj, dict) and k8s.is_builtin(str(obj.get("apiVersion")), str(obj.get("kind"))):
                    yield obj


_COMPATIBLE = {bool: {"bool"}, int: {"int", "double"}, float: {"double"}, str: {"string", "bytes", "timestamp"}}


def test_every_leaf_of_real_objects_resolves_with_a_compatible_type() -> None:
    checked = 0
    for obj in _builtin_objects():
        for path, value in _leaves(obj):
            kind = field_type(obj["apiVersion"], obj["kind"], path).kind
            if kind == "dyn" or value is None or (isinstance(value, str) and "${" in value):
                continue
            assert kind in _COMPATIBLE[type(value)], (obj["kind"], path_text(path), kind, value)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    ("api_version", "kind", "what", "fix"),
    [
        ("apps/v1", "Deploymnet", "apps/v1 has no kind Deploymnet", "Did you mean Deployment?"),
        ("v1", "configmap", "v1 has no kind configmap", "Did you mean ConfigMap?"),
        ("apps/v1beta1", "Deployment", "does not serve Deployment as apps/v1beta1", "Use apiVersion apps/v1"),
        ("extensions/v1beta1", "Ingress", None, None),  # extensions is gone: not a built-in group any more
        ("batch/v1", "Zzzz", "batch/v1 has no kind Zzzz", "It serves CronJob, Job"),
    ],
)
def test_check_kind_catches_typos_in_builtin_groups(
    api_version: str, kind: str, what: str | None, fix: str | None
) -> None:
    if what is None:
        check_kind(api_version, kind)
        return
    with pytest.raises(CompositionError) as info:
        check_kind(api_version, kind)
    assert what in info.value.what and fix is not None and info.value.fix is not None and fix in info.value.fix


@pytest.mark.parametrize(("api_version", "kind"), [("apps/v1", "Deployment"), ("example.com/v1", "Widget")])
def test_check_kind_accepts_builtin_and_custom_kinds(api_version: str, kind: str) -> None:
    check_kind(api_version, kind)
