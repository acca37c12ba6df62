"""Factories keep references where Kubernetes takes a value: whole keywords, and values inside lists and dicts."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.simple.cases import CASES

from pykro import simple
from pykro.authoring._context import Build, building
from pykro.authoring._refs import Ref, Template, cel_of, type_of
from pykro.authoring._resource import ResourceRef
from pykro.authoring._serialize import to_template
from pykro.cel import _ast as ast
from pykro.cel._types import CelType
from pykro.errors import CompositionError
from pykro.schema._kubernetes import validate_object

_counter = itertools.count()


def spec_ref(value: Any) -> Ref:
    """A fresh reference ``schema.spec.vN`` typed like ``value``."""
    field = f"v{next(_counter)}"
    return Ref(ast.Select(ast.Select(ast.Ident("schema"), "spec"), field), type_of(value))


def contains(tree: Any, target: Ref) -> bool:
    """``target`` is in ``tree``, as itself or inside an expression (``volumes + [...]``)."""
    if tree is target or (isinstance(tree, Ref) and cel_of(target) in cel_of(tree)):
        return True
    if isinstance(tree, dict):
        return any(contains(v, target) for v in tree.values())
    if isinstance(tree, list | tuple):
        return any(contains(v, target) for v in tree)
    return False


def substitute(tree: Any, values: dict[int, Any]) -> Any:
    if isinstance(tree, Ref) and id(tree) in values:
        return values[id(tree)]
    if isinstance(tree, dict):
        return {k: substitute(v, values) for k, v in tree.items()}
    if isinstance(tree, list | tuple):
        return [substitute(v, values) for v in tree]
    return tree


# Keywords whose value the factory reads to build something else, so the whole keyword must be a concrete list or
# dict (its items and values may still be references): documented in docs/simple.md.
CONCRETE = {"labels", "pod_labels", "selector", "config_maps", "secrets", "volume_claim_templates", "containers"}
CONCRETE |= {"subjects", "role_kind"}
WHOLE = [
    (case, keyword)
    for case, (_, kwargs) in sorted(CASES.items())
    for keyword in kwargs
    if keyword not in CONCRETE | {"name"} and not isinstance(kwargs[keyword], bytes)
]


@pytest.mark.parametrize(("case", "keyword"), WHOLE, ids=[f"{c}-{k}" for c, k in WHOLE])
def test_every_keyword_takes_a_reference(case: str, keyword: str) -> None:
    factory, kwargs = CASES[case]
    ref = spec_ref(kwargs[keyword])
    obj = factory(**{**kwargs, keyword: ref}).obj
    assert contains(obj, ref), f"{keyword} was not kept as a reference"


@pytest.mark.parametrize("keyword", sorted(CONCRETE))
def test_concrete_keywords_say_so(keyword: str) -> None:
    factory: Callable[..., ResourceRef] = simple.Deployment
    kwargs: dict[str, Any] = {"name": "w", "image": "x"}
    if keyword == "volume_claim_templates":
        factory = simple.StatefulSet
    if keyword in ("subjects", "role_kind"):
        factory, kwargs = simple.RoleBinding, {"name": "b", "role": "r", "subjects": []}
    sample: Any = {"a": "b"} if keyword in ("labels", "pod_labels", "selector") else []
    value = spec_ref("Role" if keyword == "role_kind" else sample)
    with pytest.raises(CompositionError, match=r"must be|here|not a reference"):
        factory(**{**kwargs, keyword: value})


def test_sugar_mounts_extend_list_references_in_cel() -> None:
    volumes = spec_ref([{"name": "x", "emptyDir": {}}])
    obj = simple.Deployment("w", image="x", volumes=volumes, config_maps=[{"name": "cfg", "mount_path": "/c"}]).obj
    rendered = to_template(obj)["spec"]["template"]["spec"]["volumes"]
    expected = f'{cel_of(volumes)} + [{{"name": "cfg", "configMap": {{"name": "cfg"}}}}]'
    assert rendered == "${" + expected + "}"


# -- references inside values: build with references, substitute the values back, get the plain object ----------


# Leaves the factory computes with (documented): a port number names the ports of a multi-port Service, a config
# map's name names its volume, numbers and bools in env/data become text, bytes get encoded, ExternalName drops the
# default selector.
def _computed(case: str, keyword: str, path: tuple[Any, ...], value: Any) -> bool:
    if isinstance(value, bytes) or (keyword in ("env", "data", "string_data") and not isinstance(value, str)):
        return True
    if keyword in ("config_maps", "secrets") and path[-1] == "name":
        return True
    if keyword == "role_kind":  # checked against Role / ClusterRole, so it must be static
        return True
    return (case == "service-full" and keyword == "ports") or (case == "service-external" and keyword == "type")


def _with_refs(case: str, keyword: str, value: Any, path: tuple[Any, ...], refs: dict[int, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _with_refs(case, keyword, v, (*path, k), refs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_with_refs(case, keyword, v, (*path, i), refs) for i, v in enumerate(value)]
    if value is None or _computed(case, keyword, path, value):
        return value
    ref = spec_ref(value)
    refs[id(ref)] = value
    return ref


def _leaf_cases() -> Iterator[tuple[str, str]]:
    for case, (_, kwargs) in sorted(CASES.items()):
        for keyword in kwargs:
            if keyword != "name":
                yield case, keyword


LEAVES = list(_leaf_cases())


@pytest.mark.parametrize(("case", "keyword"), LEAVES, ids=[f"{c}-{k}" for c, k in LEAVES])
def test_references_inside_values_stay_in_place(case: str, keyword: str) -> None:
    factory, kwargs = CASES[case]
    refs: dict[int, Any] = {}
    with_refs = _with_refs(case, keyword, kwargs[keyword], (keyword,), refs)
    obj = factory(**{**kwargs, keyword: with_refs}).obj
    assert substitute(obj, refs) == substitute(factory(**kwargs).obj, {})


# -- dynamic names: f-string templates over the spec, inside a composition ----------------------------------------

NAME = Ref(ast.Select(ast.Select(ast.Ident("schema"), "spec"), "name"), CelType.STRING)


def _composed(make: Callable[[], ResourceRef]) -> tuple[ResourceRef, dict[str, Any]]:
    with building(Build("test")):
        res = make()
    rendered = to_template(res.obj)
    assert isinstance(rendered, dict)
    return res, rendered


def test_dynamic_name_labels_selector_and_container() -> None:
    res, obj = _composed(lambda: simple.Deployment(Template((NAME, "-db")), id="db", image="postgres:15", ports=[5432]))
    assert res.id == "db"
    assert obj["metadata"] == {"name": "${schema.spec.name}-db", "labels": {"app": "${schema.spec.name}-db"}}
    assert obj["spec"]["selector"]["matchLabels"] == {"app": "${schema.spec.name}-db"}
    assert obj["spec"]["template"]["metadata"]["labels"] == {"app": "${schema.spec.name}-db"}
    assert obj["spec"]["template"]["spec"]["containers"][0]["name"] == "main"
    _, svc = _composed(lambda: simple.Service(Template((NAME, "-db")), id="dbSvc", ports=[5432]))
    assert svc["spec"]["selector"] == {"app": "${schema.spec.name}-db"}


def test_dynamic_objects_are_schema_valid_once_values_are_known() -> None:
    """A template with references substituted by concrete values validates (what kro will create)."""
    replicas = Ref(ast.Select(ast.Select(ast.Ident("schema"), "spec"), "replicas"), CelType.INT)
    image = Ref(ast.Select(ast.Select(ast.Ident("schema"), "spec"), "image"), CelType.STRING)
    with building(Build("test")):
        res = simple.Deployment(
            Template((NAME, "-app")),
            id="app",
            image=image,
            replicas=replicas,
            env={"NAME": NAME},
            ports=[replicas],
        )
    values = {id(NAME): "shop", id(image): "node:20", id(replicas): 2}
    concrete = substitute(res.obj, values)
    concrete["metadata"]["name"] = "shop-app"  # the Template's text, as kro renders it
    concrete["metadata"]["labels"]["app"] = "shop-app"
    concrete["spec"]["selector"]["matchLabels"]["app"] = "shop-app"
    concrete["spec"]["template"]["metadata"]["labels"]["app"] = "shop-app"
    assert validate_object(concrete) == []


def test_secret_string_data_holds_references() -> None:
    _, obj = _composed(
        lambda: simple.Secret("db", id="dbSecret", string_data={"password": NAME, "url": Template(("pg://", NAME))})
    )
    assert obj["stringData"] == {"password": "${schema.spec.name}", "url": "pg://${schema.spec.name}"}


def test_resources_passed_by_reference_use_their_names() -> None:
    def make() -> ResourceRef:
        cfg = simple.ConfigMap(Template((NAME, "-config")), id="appConfig", data={"A": "1"})
        account = simple.ServiceAccount(Template((NAME, "-sa")), id="sa")
        simple.RoleBinding("read", id="binding", role="reader", subjects=[account], namespace="apps")
        return simple.Deployment("web", image="x", env_from=[cfg], service_account=account)

    res, obj = _composed(make)
    pod = obj["spec"]["template"]["spec"]
    assert pod["containers"][0]["envFrom"] == [{"configMapRef": {"name": "${appConfig.metadata.name}"}}]
    assert pod["serviceAccountName"] == "${sa.metadata.name}"
    assert res.id == "deploymentWeb"


def test_numbers_become_text_where_kubernetes_wants_strings() -> None:
    port = Ref(ast.Select(ast.Select(ast.Ident("schema"), "spec"), "port"), CelType.INT)
    debug = Ref(ast.Select(ast.Select(ast.Ident("schema"), "spec"), "debug"), CelType.BOOL)
    _, obj = _composed(
        lambda: simple.Deployment(
            "web", image="x", env={"PORT": port, "DEBUG": debug, "NAME": NAME}, labels={"port": port, "n": 3}
        )
    )
    env = obj["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [
        {"name": "PORT", "value": "${string(schema.spec.port)}"},
        {"name": "DEBUG", "value": "${string(schema.spec.debug)}"},
        {"name": "NAME", "value": "${schema.spec.name}"},
    ]
    assert obj["metadata"]["labels"] == {"app": "web", "port": "${string(schema.spec.port)}", "n": "3"}
    assert obj["spec"]["template"]["metadata"]["labels"] == obj["metadata"]["labels"]
    _, cfg = _composed(lambda: simple.ConfigMap("c", data={"PORT": port}))
    assert cfg["data"] == {"PORT": "${string(schema.spec.port)}"}
