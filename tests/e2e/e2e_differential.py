"""Seeded generation of API requests for the differential test (tests/e2e/test_emulator_differential.py): valid
objects of the built-in kinds and of a CRD, each maybe broken by one or two mutations the apiserver must reject,
sent as create, server-side apply, merge patch or delete, with fieldValidation Strict, Warn or Ignore."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"

CRD: Obj = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.difftest.pykro.dev"},
    "spec": {
        "group": "difftest.pykro.dev",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "required": ["size"],
                                "properties": {
                                    "size": {"type": "integer", "minimum": 1, "maximum": 10},
                                    "color": {"type": "string", "enum": ["red", "blue"]},
                                    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                                },
                            }
                        },
                    }
                },
            }
        ],
    },
}


def _labels(app: str) -> Obj:
    return {"app": app}


def _pod_spec() -> Obj:
    return {"containers": [{"name": "main", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}


def _workload(api: str, kind: str, app: str) -> Obj:
    spec: Obj = {"selector": {"matchLabels": _labels(app)}, "template": {"metadata": {"labels": _labels(app)}}}
    spec["template"]["spec"] = _pod_spec()
    if kind in ("Deployment", "ReplicaSet", "StatefulSet"):
        spec["replicas"] = 1
    if kind == "StatefulSet":
        spec["serviceName"] = app
    return {"apiVersion": api, "kind": kind, "spec": spec}


def base(kind: str, app: str) -> Obj:
    """A valid object of `kind` (no name yet)."""
    if kind == "ConfigMap":
        return {"apiVersion": "v1", "kind": "ConfigMap", "data": {"key": "value", "other.key": "x"}}
    if kind == "Secret":
        return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "data": {"password": "c2VjcmV0"}}
    if kind == "Service":
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "spec": {"selector": _labels(app), "ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
        }
    if kind == "PersistentVolumeClaim":
        return {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        }
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": "Pod", "spec": _pod_spec()}
    if kind == "Job":
        tpl = {"spec": {**_pod_spec(), "restartPolicy": "Never"}}
        return {"apiVersion": "batch/v1", "kind": "Job", "spec": {"template": tpl}}
    if kind == "CronJob":
        tpl = {"spec": {**_pod_spec(), "restartPolicy": "OnFailure"}}
        spec = {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": tpl}}}
        return {"apiVersion": "batch/v1", "kind": "CronJob", "spec": spec}
    if kind == "Widget":
        return {"apiVersion": "difftest.pykro.dev/v1", "kind": "Widget", "spec": {"size": 3, "color": "red"}}
    if kind == "Namespace":
        return {"apiVersion": "v1", "kind": "Namespace"}
    return _workload("apps/v1", kind, app)


KINDS = [
    "ConfigMap",
    "Secret",
    "Service",
    "PersistentVolumeClaim",
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "Widget",
    "Namespace",
]
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}
PODS = WORKLOADS | {"Pod", "Job", "CronJob"}
PLURALS = {
    "ConfigMap": ("/api/v1", "configmaps", True),
    "Secret": ("/api/v1", "secrets", True),
    "Service": ("/api/v1", "services", True),
    "PersistentVolumeClaim": ("/api/v1", "persistentvolumeclaims", True),
    "Pod": ("/api/v1", "pods", True),
    "Namespace": ("/api/v1", "namespaces", False),
    "Deployment": ("/apis/apps/v1", "deployments", True),
    "StatefulSet": ("/apis/apps/v1", "statefulsets", True),
    "DaemonSet": ("/apis/apps/v1", "daemonsets", True),
    "ReplicaSet": ("/apis/apps/v1", "replicasets", True),
    "Job": ("/apis/batch/v1", "jobs", True),
    "CronJob": ("/apis/batch/v1", "cronjobs", True),
    "Widget": ("/apis/difftest.pykro.dev/v1", "widgets", True),
}


def _pod_of(obj: Obj) -> Obj:
    """The pod spec inside any pod-carrying kind."""
    spec = obj["spec"]
    if obj["kind"] == "Pod":
        return dict(spec)
    if obj["kind"] == "CronJob":
        return dict(spec["jobTemplate"]["spec"]["template"]["spec"])
    return dict(spec["template"]["spec"])


def _container(obj: Obj) -> Obj:
    return dict(_pod_of(obj)["containers"][0])


Mutation = Callable[[Obj, random.Random], None]


def _meta(obj: Obj) -> Obj:
    meta: Obj = obj.setdefault("metadata", {})
    return meta


def _set_labels(value: Any, key: str = "tier") -> Mutation:
    def run(obj: Obj, rng: random.Random) -> None:
        _meta(obj).setdefault("labels", {})[key] = value

    return run


def _set_annotation(key: str, value: Any) -> Mutation:
    def run(obj: Obj, rng: random.Random) -> None:
        _meta(obj).setdefault("annotations", {})[key] = value

    return run


def _in_container(key: str, value: Any) -> Mutation:
    def run(obj: Obj, rng: random.Random) -> None:
        c = _container(obj)
        if value is None:
            c.pop(key, None)
        else:
            c[key] = value
        _pod_of(obj)["containers"][0] = c

    return run


def _second_container(name: str) -> Mutation:
    def run(obj: Obj, rng: random.Random) -> None:
        _pod_of(obj)["containers"].append({"name": name, "image": "busybox"})

    return run


def _spec(key: str, value: Any) -> Mutation:
    def run(obj: Obj, rng: random.Random) -> None:
        if value is None:
            obj["spec"].pop(key, None)
        else:
            obj["spec"][key] = value

    return run


def _data(key: str, value: Any) -> Mutation:
    def run(obj: Obj, rng: random.Random) -> None:
        obj.setdefault("data", {})[key] = value

    return run


def _service_port(**changes: Any) -> Mutation:
    def run(obj: Obj, rng: random.Random) -> None:
        port = dict(obj["spec"]["ports"][0])
        port.update(changes)
        obj["spec"]["ports"][0] = port

    return run


def _template_labels(value: Obj) -> Mutation:
    def run(obj: Obj, rng: random.Random) -> None:
        obj["spec"]["template"]["metadata"]["labels"] = value

    return run


def _unknown_field(obj: Obj, rng: random.Random) -> None:
    obj.setdefault("spec" if "spec" in obj else "data", {})["unknownField"] = "x"


def _secret_type(kind: str) -> Mutation:
    def run(obj: Obj, rng: random.Random) -> None:
        obj["type"] = kind

    return run


# id -> (kinds it applies to, mutation); every one makes a valid object invalid (or tests a boundary)
MUTATIONS: dict[str, tuple[set[str] | None, Mutation]] = {
    "label-value-64": (None, _set_labels("v" * 64)),
    "label-value-63": (None, _set_labels("v" * 63)),
    "label-value-slash": (None, _set_labels("a/b")),
    "label-value-list": (None, _set_labels([1, 2])),
    "label-value-number": (None, _set_labels(5)),
    "label-key-bad": (None, _set_labels("x", "-bad-")),
    "label-key-prefix": (None, _set_labels("x", "Example.com/app")),
    "label-key-long-name": (None, _set_labels("x", "n" * 64)),
    "label-key-two-slashes": (None, _set_labels("x", "a/b/c")),
    "annotation-key-bad": (None, _set_annotation("bad key", "x")),
    "annotation-value-number": (None, _set_annotation("note", 3)),
    "configmap-key-bad": ({"ConfigMap"}, _data("bad key", "x")),
    "configmap-key-dotdot": ({"ConfigMap"}, _data("..x", "x")),
    "configmap-too-big": ({"ConfigMap"}, _data("big", "x" * (1024 * 1024 + 16))),
    "secret-key-bad": ({"Secret"}, _data("bad/key", "eA==")),
    "secret-not-base64": ({"Secret"}, _data("token", "not base64!")),
    "secret-tls-missing": ({"Secret"}, _secret_type("kubernetes.io/tls")),
    "secret-dockerconfig-missing": ({"Secret"}, _secret_type("kubernetes.io/dockerconfigjson")),
    "secret-ssh-missing": ({"Secret"}, _secret_type("kubernetes.io/ssh-auth")),
    "secret-basic-auth-missing": ({"Secret"}, _secret_type("kubernetes.io/basic-auth")),
    "secret-sa-token-missing": ({"Secret"}, _secret_type("kubernetes.io/service-account-token")),
    "secret-custom-type": ({"Secret"}, _secret_type("example.com/custom")),
    "replicas-negative": ({"Deployment", "StatefulSet", "ReplicaSet"}, _spec("replicas", -1)),
    "replicas-zero": ({"Deployment", "StatefulSet", "ReplicaSet"}, _spec("replicas", 0)),
    "selector-missing": (WORKLOADS, _spec("selector", None)),
    "selector-mismatch": (WORKLOADS, _template_labels({"app": "other"})),
    "image-missing": (PODS, _in_container("image", None)),
    "container-name-missing": (PODS, _in_container("name", None)),
    "container-name-bad": (PODS, _in_container("name", "Main_C")),
    "container-duplicate": (PODS, _second_container("main")),
    "container-port-range": (PODS, _in_container("ports", [{"containerPort": 70000}])),
    "container-port-protocol": (PODS, _in_container("ports", [{"containerPort": 80, "protocol": "FTP"}])),
    "container-port-name-bad": (PODS, _in_container("ports", [{"containerPort": 80, "name": "Http_Port"}])),
    "service-type-bad": ({"Service"}, _spec("type", "Fancy")),
    "service-port-range": ({"Service"}, _service_port(port=0)),
    "service-port-protocol": ({"Service"}, _service_port(protocol="ICMP")),
    "service-target-range": ({"Service"}, _service_port(targetPort=70000)),
    "service-ports-missing": ({"Service"}, _spec("ports", None)),
    "service-selector-bad": ({"Service"}, _spec("selector", {"app": "a/b"})),
    "pvc-modes-missing": ({"PersistentVolumeClaim"}, _spec("accessModes", None)),
    "pvc-mode-bad": ({"PersistentVolumeClaim"}, _spec("accessModes", ["ReadWriteSometimes"])),
    "pvc-storage-missing": ({"PersistentVolumeClaim"}, _spec("resources", {"requests": {}})),
    "cronjob-schedule-missing": ({"CronJob"}, _spec("schedule", None)),
    "widget-size-big": ({"Widget"}, _spec("size", 11)),
    "widget-color-bad": ({"Widget"}, _spec("color", "green")),
    "widget-size-missing": ({"Widget"}, _spec("size", None)),
    "widget-tags-many": ({"Widget"}, _spec("tags", ["a", "b", "c", "d"])),
    "unknown-field": (PODS | {"Service", "PersistentVolumeClaim", "Widget", "ConfigMap"}, _unknown_field),
}

NAME_MUTATIONS = {
    "name-uppercase": "Bad-Name",
    "name-underscore": "bad_name",
    "name-dot": "dotted.name",
    "name-long": "n" * 254,
    "name-64": "n" * 64,
    "name-digit-first": "1abc",
}


@dataclass(frozen=True)
class Request:
    """One generated request; `label` names what it tests (op, kind, mutations) so failures reproduce."""

    label: str
    method: str
    path: str  # with "{ns}" for the test's namespace
    body: bytes | None
    content_type: str
    query: tuple[tuple[str, str], ...]


def _path(kind: str, name: str | None) -> str:
    prefix, plural, namespaced = PLURALS[kind]
    path = f"{prefix}/namespaces/{{ns}}/{plural}" if namespaced else f"{prefix}/{plural}"
    return f"{path}/{name}" if name else path


def generate(count: int, seed: int) -> list[Request]:
    """`count` requests, the same for the same seed."""
    rng = random.Random(seed)
    created: list[tuple[str, str]] = []  # (kind, name) of earlier creates and applies
    out: list[Request] = []
    for i in range(count):
        kind = rng.choice(KINDS)
        op = rng.choices(["create", "apply", "patch", "delete"], [55, 20, 15, 10])[0]
        if op in ("patch", "delete") and created:
            kind, name = rng.choice(created)
            if op == "delete" and kind == "PersistentVolumeClaim":
                op = "patch"  # a deleted claim stays Terminating on the real cluster (see KNOWN in the test)
        else:
            op = op if op in ("create", "apply") else "create"
            name = f"{kind.lower()}-{i}"
        obj = base(kind, f"app{i % 7}")
        applied: list[str] = []
        if op != "delete" and rng.random() < 0.6:
            choices = [m for m, (kinds, _) in MUTATIONS.items() if kinds is None or kind in kinds]
            for mutation in rng.sample(choices, rng.choice([1, 1, 1, 2])):
                MUTATIONS[mutation][1](obj, rng)
                applied.append(mutation)
        if op == "create" and rng.random() < 0.12:
            mutation = rng.choice(sorted(NAME_MUTATIONS))
            name = NAME_MUTATIONS[mutation]
            applied.append(mutation)
        validation = rng.choice(["Strict", "Warn", "Ignore"])
        query: list[tuple[str, str]] = [("fieldValidation", validation)]
        if kind == "Namespace":
            query.append(("dryRun", "All"))  # namespaces are cluster-wide: never really created
        label = f"#{i} {op} {kind} {name[:20]} [{', '.join(applied) or 'valid'}] fieldValidation={validation}"
        if op == "create":
            _meta(obj)["name"] = name
            out.append(
                Request(label, "POST", _path(kind, None), json.dumps(obj).encode(), "application/json", tuple(query))
            )
        elif op == "apply":
            _meta(obj)["name"] = name
            query += [("fieldManager", "difftest"), ("force", "true")]
            out.append(Request(label, "PATCH", _path(kind, name), json.dumps(obj).encode(), APPLY, tuple(query)))
        elif op == "patch":
            patch = {k: v for k, v in copy.deepcopy(obj).items() if k not in ("apiVersion", "kind")}
            out.append(Request(label, "PATCH", _path(kind, name), json.dumps(patch).encode(), MERGE, tuple(query)))
        else:
            out.append(
                Request(
                    label,
                    "DELETE",
                    _path(kind, name),
                    None,
                    "application/json",
                    tuple(q for q in query if q[0] == "dryRun"),
                )
            )
        if op in ("create", "apply") and kind != "Namespace":
            created.append((kind, name))
    return out
