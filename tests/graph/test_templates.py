"""Templates are checked against their kind's schema (Kubernetes 1.35, or a CRD): an unknown field, a wrong type,
a misspelled kind or a value the API server rejects is an error naming the resource, the YAML path and a fix,
instead of a field the API server silently prunes."""

from __future__ import annotations

import copy
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import CHAINSAW

from pykro import Spec, composition
from pykro.authoring._resource import resource
from pykro.errors import CompositionError, ValidationError
from pykro.graph import Graph
from pykro.graph._templates import check_object
from pykro.resources import register_crd

_CONTAINER = {"name": "app", "image": "nginx", "ports": [{"containerPort": "${schema.spec.port}"}]}
_POD = {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [copy.deepcopy(_CONTAINER)]}}
_SELECTOR = {"matchLabels": {"app": "x"}}
# One valid template per kind, with expressions in integer, string, object and int-or-string fields.
TEMPLATES: dict[str, dict[str, Any]] = {
    "deployment": {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "${schema.spec.name}", "labels": {"app": "${schema.spec.name}"}},
        "spec": {
            "replicas": "${schema.spec.replicas}",
            "selector": _SELECTOR,
            "template": {
                "metadata": {"labels": {"app": "x"}},
                "spec": {
                    "containers": [
                        {
                            **_CONTAINER,
                            "readinessProbe": {"httpGet": {"path": "/", "port": "${schema.spec.port}"}},
                            "resources": {"limits": {"cpu": "500m", "memory": 1024}},
                            "env": [{"name": "N", "value": "${schema.spec.name}-${schema.spec.port}"}],
                        }
                    ]
                },
            },
        },
    },
    "statefulset": {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {"serviceName": "db", "replicas": 1, "selector": _SELECTOR, "template": _POD},
    },
    "service": {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "svc"},
        "spec": {"selector": {"app": "x"}, "ports": [{"port": "${schema.spec.port}", "targetPort": "http"}]},
    },
    "configmap": {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg"},
        "data": {"k": "v", "port": "${string(schema.spec.port)}"},
    },
    "job": {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "once"},
        "spec": {"backoffLimit": 2, "template": {"spec": {"restartPolicy": "Never", "containers": [_CONTAINER]}}},
    },
    "cronjob": {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly"},
        "spec": {
            "schedule": "0 1 * * *",
            "suspend": "${schema.spec.paused}",
            "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [_CONTAINER]}}}},
        },
    },
    "ingress": {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "edge"},
        "spec": {
            "rules": [
                {
                    "host": "a.example",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "svc", "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ]
        },
    },
}
# (template, where to add or replace, value, the path in the error, a word of the fix)
MUTATIONS = [
    ("deployment", "spec.template.spec.containers.0.readinessProbe.httpGett", {"port": 80},
     "spec.template.spec.containers[0].readinessProbe.httpGett", "readinessProbe.httpGet?"),
    ("deployment", "spec.template.spec.containers.0.resources.limit", {"cpu": 1},
     "spec.template.spec.containers[0].resources.limit", "resources.limits?"),
    ("deployment", "spec.replicas", "three", "spec.replicas", "as an integer"),
    ("deployment", "spec.template.spec.containers.0.ports", [{"containerPort": "eighty"}],
     "spec.template.spec.containers[0].ports[0].containerPort", "as an integer"),
    ("deployment", "spec.replica", 3, "spec.replica", "spec.replicas?"),
    ("statefulset", "spec.serviceNme", "db", "spec.serviceNme", "spec.serviceName?"),
    ("statefulset", "spec.replicas", "2", "spec.replicas", "Did you mean 2"),
    ("service", "spec.ports.0.targetport", 80, "spec.ports[0].targetport", "spec.ports[0].targetPort?"),
    ("service", "spec.ports.0.port", "eighty", "spec.ports[0].port", "as an integer"),
    ("service", "spec.ports.0.targetPort", True, "spec.ports[0].targetPort", "an integer or a string"),
    ("configmap", "dataa", {"a": "b"}, "dataa", "data?"),
    ("configmap", "data.count", 5, "data.count", "as a string"),
    ("job", "spec.backofLimit", 3, "spec.backofLimit", "spec.backoffLimit?"),
    ("job", "spec.backoffLimit", "true", "spec.backoffLimit", "as an integer"),
    ("cronjob", "spec.schedul", "x", "spec.schedul", "spec.schedule?"),
    ("cronjob", "spec.suspend", "yes", "spec.suspend", "as a boolean"),
    ("ingress", "spec.rules.0.http.paths.0.backend.service.port.numbr", 80,
     "spec.rules[0].http.paths[0].backend.service.port.numbr", "port.number?"),
    ("ingress", "spec.rules", "all", "spec.rules", "as a list"),
]  # fmt: skip


def rgd(*templates: dict[str, Any], extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec = {"name": "string", "replicas": "integer | default=1", "port": "integer | default=80"}
    spec["paused"] = "boolean | default=false"
    resources = [{"id": f"r{i}", "template": t} for i, t in enumerate(templates)] + (extra or [])
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "app"},
        "spec": {"schema": {"apiVersion": "v1alpha1", "kind": "App", "spec": spec}, "resources": resources},
    }


def mutated(name: str, where: str, value: Any) -> dict[str, Any]:
    template = copy.deepcopy(TEMPLATES[name])
    *parents, last = [int(p) if p.isdigit() else p for p in where.split(".")]
    target: Any = template
    for step in parents:
        target = target[step]
    target[last] = value
    return template


def rejected(data: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        Graph.from_rgd(data)
    return info.value


def test_valid_templates_of_every_kind_pass() -> None:
    graph = Graph.from_rgd(rgd(*TEMPLATES.values()))
    assert len(graph.resources) == len(TEMPLATES)
    assert [r.template for r in graph.resources] == list(TEMPLATES.values())  # checked, never changed


@pytest.mark.parametrize(("name", "where", "value", "path", "fix"), MUTATIONS, ids=[m[1] for m in MUTATIONS])
def test_mutated_templates_fail_at_the_path(name: str, where: str, value: Any, path: str, fix: str) -> None:
    error = rejected(rgd(mutated(name, where, value)))
    assert error.where == f"spec.resources[0].template.{path}"
    assert error.what.startswith('resource "r0": ')
    assert path in error.what
    assert error.fix is not None and fix in error.fix, error.fix


def test_unknown_field_message() -> None:
    bad = mutated("deployment", "spec.template.spec.containers.0.readinessProbe.httpGett", {"port": 80})
    error = rejected(rgd(bad))
    assert error.what == (
        'resource "r0": Deployment has no field spec.template.spec.containers[0].readinessProbe.httpGett '
        "(the API server would drop it)"
    )
    assert error.fix == "Did you mean spec.template.spec.containers[0].readinessProbe.httpGet?"


@pytest.mark.parametrize(
    ("kind", "api_version", "where", "expected"),
    [
        ("Deploymnet", "apps/v1", "kind", "Did you mean Deployment?"),
        ("Deployment", "apps/v1beta1", "apiVersion", "Use apiVersion apps/v1"),
        ("ConfigMpa", "v1", "kind", "Did you mean ConfigMap?"),
    ],
)
def test_misspelled_built_in_kinds(kind: str, api_version: str, where: str, expected: str) -> None:
    template = {**TEMPLATES["deployment"], "kind": kind, "apiVersion": api_version}
    error = rejected(rgd(template))
    assert error.where == f"spec.resources[0].template.{where}"
    assert error.fix is not None and expected in error.fix


def test_kinds_of_unknown_groups_stay_unchecked() -> None:
    template = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"any": 1}}
    Graph.from_rgd(rgd(template))


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("spec.replicas", -1, "spec.replicas must be at least 0, got -1"),
        ("spec.template.spec.containers.0.ports", [{"containerPort": 0}], "containerPort must be at least 1, got 0"),
        ("spec.template.spec.containers.0.ports", [{"containerPort": 70000}], "must be at most 65535, got 70000"),
        ("spec.template.spec.containers.0.readinessProbe.periodSeconds", -5, "periodSeconds must be at least 0"),
        # a quantity the API server cannot parse (was accepted, by the emulator too)
        (
            "spec.template.spec.containers.0.resources",
            {"limits": {"memory": "4GB"}},
            "limits.memory must be a Kubernetes quantity, got '4GB'",
        ),
        ("spec.template.spec.containers.0.resources", {"requests": {"cpu": "1 core"}}, "got '1 core'"),
    ],
)
def test_values_the_api_server_rejects(where: str, value: Any, message: str) -> None:
    error = rejected(rgd(mutated("deployment", where, value)))
    assert message in error.what


def test_a_literal_name_the_api_server_rejects() -> None:
    """Was accepted in the RGD (kro would fail on every instance); names computed with ${...} are checked later."""
    error = rejected(rgd(mutated("deployment", "metadata.name", "My_App")))
    assert "Deployment name 'My_App' is not a valid Kubernetes name" in error.what
    Graph.from_rgd(rgd(mutated("deployment", "metadata.name", "${schema.spec.name}-App"), TEMPLATES["statefulset"]))


def test_a_literal_namespace_the_api_server_rejects() -> None:
    """Was accepted: the namespace reached the request path and the apply failed with a 404 on every instance."""
    error = rejected(rgd(mutated("deployment", "metadata.namespace", "Prod")))
    assert "Deployment namespace 'Prod' is not a valid Kubernetes namespace name" in error.what
    assert "DNS-1123 label" in error.what and error.fix == "Use a namespace such as my-team."
    Graph.from_rgd(rgd(mutated("deployment", "metadata.namespace", "${schema.spec.name}-Prod")))


def test_secret_data_that_is_not_base64_is_refused_without_showing_it() -> None:
    good = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "aHVudGVyMg=="}}
    check_object(good, "Secret s")
    with pytest.raises(ValidationError) as info:
        check_object({**good, "data": {"k": "hunter2-plain"}}, "Secret s")
    assert "Secret field data.k must be base64 text" in info.value.what and "give text in stringData" in str(info.value)
    assert "hunter2" not in str(info.value)
    with pytest.raises(ValidationError, match="must be base64 text"):
        check_object(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "binaryData": {"k": "a"}}, "c"
        )


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("spec.replicas", "${schema.spec.name}", "spec.replicas is an integer, but ${schema.spec.name} is of type"),
        ("spec.replicas", "${schema.spec.name}x", "spec.replicas is an integer, but ${schema.spec.name}x is of type"),
        ("metadata.name", "${schema.spec.port}", "metadata.name is a string, but ${schema.spec.port} is of type int"),
        ("spec.selector", "${schema.spec.port}", "spec.selector is an object, but ${schema.spec.port} is of type"),
    ],
)
def test_expressions_of_a_known_wrong_type(where: str, value: str, message: str) -> None:
    error = rejected(rgd(mutated("deployment", where, value)))
    assert message in error.what


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("spec.replicas", "${schema.spec.replicas * 2}"),  # type unknown offline: left to run time
        ("spec.replicas", "${r1.spec.replicas}"),
        ("spec.template.spec.containers.0.ports.0.containerPort", "${schema.spec.port}"),
        ("spec.template.spec.containers.0.resources", "${r1.spec.template.spec.containers[0].resources}"),
        ("metadata.labels", "${r1.metadata.labels}"),
        ("spec.paused", "${schema.spec.paused}"),
        ("spec.template.spec.containers.0.resources", {"limits": {"memory": "${schema.spec.name}Mi"}}),
    ],
)
def test_expressions_of_a_fitting_or_unknown_type_pass(where: str, value: Any) -> None:
    Graph.from_rgd(rgd(mutated("deployment", where, value), TEMPLATES["statefulset"]))


def test_secret_values_are_not_shown() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"pw": 918273645}}
    error = rejected(rgd(secret))
    assert error.where == "spec.resources[0].template.stringData.pw"
    assert "918273645" not in str(error)


_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.h1.example.com"},
    "spec": {
        "group": "h1.example.com",
        "names": {"kind": "Gadget", "plural": "gadgets"},
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
                            "spec": {
                                "type": "object",
                                "properties": {
                                    "size": {"type": "integer"},
                                    "port": {"x-kubernetes-int-or-string": True},
                                    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                                },
                            }
                        },
                    }
                },
            }
        ],
    },
}


def _gadget(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "h1.example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": spec}


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ({"size": 1, "port": "http", "extra": {"anything": [1]}}, None),
        ({"size": "${schema.spec.port}"}, None),
        ({"sise": 1}, "Gadget has no field spec.sise"),
        ({"size": "big"}, "Gadget field spec.size must be an integer, got string 'big'"),
        ({"size": "${schema.spec.name}"}, "spec.size is an integer, but ${schema.spec.name} is of type string"),
    ],
)
def test_kinds_defined_in_the_graph(spec: dict[str, Any], problem: str | None) -> None:
    data = rgd(_gadget(spec), extra=[{"id": "crd", "template": _CRD}])
    if problem is None:
        Graph.from_rgd(data)
    else:
        assert problem in rejected(data).what


def test_registered_crds() -> None:
    crd = copy.deepcopy(_CRD)
    crd["spec"]["group"] = "h1reg.example.com"
    register_crd(crd)
    gadget = {**_gadget({"size": 2}), "apiVersion": "h1reg.example.com/v1"}
    Graph.from_rgd(rgd(gadget))
    error = rejected(rgd({**gadget, "spec": {"size": 2, "colour": "red"}}))
    assert error.where == "spec.resources[0].template.spec.colour"


def test_the_project_examples_and_kro_fixtures_pass() -> None:
    """No false positives: every RGD of the examples and of kro's chainsaw cases (also swept by test_model)."""
    repo = Path(__file__).resolve().parents[2]
    files = sorted((repo / "examples" / "rgd").glob("*.yaml"))
    files += sorted(CHAINSAW.glob("*/rgd.yaml"))
    assert len(files) > 10
    for path in files:
        if "kind: ResourceGraphDefinition" in path.read_text(encoding="utf-8"):
            Graph.from_file(str(path))


class _Spec(Spec):
    name: str
    replicas: int = 1


def test_compositions_point_at_the_resource_line() -> None:
    @composition(api_version="example.com/v1", kind="Probe")
    def app(spec: _Spec) -> None:
        resource({**TEMPLATES["service"], "spec": {"ports": [{"port": 80, "protocl": "TCP"}]}}, id="svc")

    with pytest.raises(CompositionError) as info:
        _ = app.graph
    line = __import__("inspect").getsourcelines(app.fn)[1] + 2
    assert info.value.where is not None and info.value.where.startswith(f"{__file__}:{line}:")
    assert "Service has no field spec.ports[0].protocl" in info.value.what
    assert "(at spec.resources[0].template.spec.ports[0].protocl)" in info.value.what
    assert info.value.fix == "Did you mean spec.ports[0].protocol?"


def test_rendered_objects_are_checked() -> None:
    good = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 2}}
    check_object(good, "Deployment web")
    with pytest.raises(ValidationError) as info:
        check_object({**good, "spec": {"replicas": -2}}, "Deployment web")
    assert info.value.where == "Deployment web: spec.replicas"


class RenderedSpec(Spec):
    name: str = "web"
    replicas: int = 1


def test_python_to_manifests_checks_the_rendered_objects() -> None:
    from pykro.simple import Deployment

    @composition(api_version="example.com/v1", kind="App")
    def app(spec: RenderedSpec) -> None:
        Deployment(spec.name, id="web", image="nginx", replicas=spec.replicas)

    assert app.to_manifests(RenderedSpec(replicas=2))[0]["spec"]["replicas"] == 2
    with pytest.raises(ValidationError) as info:
        app.to_manifests(RenderedSpec(replicas=-3))
    assert info.value.where == "Deployment web: spec.replicas" and "must be at least 0, got -3" in info.value.what


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pykro", *args], capture_output=True, text=True, cwd=cwd, check=False)


def test_cli_rgd_validate_and_render(tmp_path: Path) -> None:
    from pykro import _yamlio as yamlio

    bad = tmp_path / "bad.yaml"
    bad.write_text(yamlio.dump(rgd(mutated("deployment", "spec.replica", 3))), encoding="utf-8")
    out = _cli("rgd", "validate", str(bad), cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"{bad}: spec.resources[0].template.spec.replica" in out.stderr and "spec.replicas?" in out.stderr

    app = tmp_path / "app.py"
    app.write_text(
        textwrap.dedent(
            """
            from pykro import Spec, composition
            from pykro.simple import Deployment

            class AppSpec(Spec):
                name: str = "web"
                replicas: int = 1

            @composition(api_version="example.com/v1", kind="App")
            def app(spec: AppSpec) -> None:
                Deployment(spec.name, id="web", image="nginx", replicas=spec.replicas)
            """
        ),
        encoding="utf-8",
    )
    assert _cli("render", str(app), "--manifests", cwd=tmp_path).returncode == 0
    out = _cli("render", str(app), "--manifests", "--set", "replicas=-3", cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "Deployment web: spec.replicas" in out.stderr and "must be at least 0, got -3" in out.stderr


def test_resource_outside_a_composition_is_checked_at_the_call() -> None:
    bad = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replica": 3}}
    line = sys._getframe().f_lineno + 2
    with pytest.raises(CompositionError) as info:
        resource(bad)
    assert info.value.where == f"{__file__}:{line}:9"
    assert info.value.what == "Deployment has no field spec.replica (the API server would drop it)"
    assert info.value.fix == "Did you mean spec.replicas?"
    assert resource({**bad, "spec": {"replicas": 3}}).obj["spec"] == {"replicas": 3}


def test_non_string_keys_do_not_crash_the_check() -> None:
    """YAML allows ``80: x`` as a key (the text "80" to kro); the check reads it so and still checks the rest."""
    Graph.from_rgd(rgd(mutated("configmap", "data", {80: "x"})))
    broken = mutated("configmap", "data", {80: "x"})
    broken["dataa"] = {"a": "b"}
    assert "dataa" in rejected(rgd(broken)).what


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({"a": b"x"}, "data.a", "data.a is a bytes"),
        ({"a": {"x"}}, "data.a", "data.a is a set"),
        ({1: "a"}, "data", "data has the non-string key 1 (int)"),
        ({"a": float("nan")}, "data.a", "data.a is NaN or infinite"),
    ],
)
def test_values_json_cannot_carry_are_refused(data: dict[Any, Any], path: str, message: str) -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data, "dataa": 1}
    with pytest.raises(ValidationError) as info:
        check_object(obj, "ConfigMap c")
    assert info.value.where == f"ConfigMap c: {path}" and message in info.value.what
    line = sys._getframe().f_lineno + 2
    with pytest.raises(CompositionError) as raised:
        resource(obj)
    assert raised.value.where == f"{__file__}:{line}:9" and message in raised.value.what


def test_external_refs_of_misspelled_kinds() -> None:
    data = rgd(TEMPLATES["configmap"])
    external = {"apiVersion": "v1", "kind": "Secrets", "metadata": {"name": "creds"}}
    data["spec"]["resources"].append({"id": "creds", "externalRef": external})
    error = rejected(data)
    assert error.where == "spec.resources[1].externalRef.kind" and error.fix == "Did you mean Secret?"
