"""Factory arguments are checked against the signature: a misspelled keyword or a value of the wrong type stops
the build with a CompositionError at the caller's line (never silently ignored, never a raw TypeError)."""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Callable
from typing import Any

import pytest
from tests.simple.cases import CASES

from pykro import Spec, composition, simple
from pykro.authoring._refs import Ref
from pykro.cel import _ast as ast
from pykro.cel._types import CelType
from pykro.errors import CompositionError

FACTORIES: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {}
for _factory, _kwargs in CASES.values():
    FACTORIES.setdefault(_factory.__name__, (_factory, _kwargs))


def _failure(factory: Callable[..., Any], kwargs: dict[str, Any]) -> tuple[CompositionError, int]:
    """The error of ``factory(**kwargs)`` and the line of this file that made the call."""
    line = sys._getframe().f_lineno + 2
    with pytest.raises(CompositionError) as info:
        factory(**kwargs)
    return info.value, line


def _keywords(factory: Callable[..., Any]) -> dict[str, Any]:
    """Every keyword of a factory with its annotation (the pod keywords of ``**pod`` included)."""
    hints = typing.get_type_hints(factory)
    out: dict[str, Any] = {}
    for param in inspect.signature(factory).parameters.values():
        if param.kind is param.VAR_KEYWORD:
            (options,) = typing.get_args(hints[param.name])
            out.update(typing.get_type_hints(options))
        else:
            out[param.name] = hints[param.name]
    return out


def test_every_factory_is_swept() -> None:
    assert sorted(FACTORIES) == sorted(n for n in simple.__all__ if n != "PodOptions")


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_misspelled_keywords_fail_with_a_suggestion(name: str) -> None:
    factory, kwargs = FACTORIES[name]
    for keyword in sorted(_keywords(factory)):
        if len(keyword) < 4:
            continue
        typo = keyword[:-2] + keyword[-1] + keyword[-2]  # the last two letters swapped, or the last one dropped
        typo = typo if typo != keyword else keyword[:-1]
        error, line = _failure(factory, {**kwargs, typo: kwargs.get(keyword, "x")})
        assert f"has no keyword {typo}" in error.what
        assert error.fix is not None and keyword in error.fix, (typo, error.fix)
        assert error.where == f"{__file__}:{line}:9", error.where


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_wrong_typed_values_fail_naming_the_keyword(name: str) -> None:
    factory, kwargs = FACTORIES[name]
    checked = 0
    for keyword, hint in sorted(_keywords(factory).items()):
        if hint is Any:
            continue
        error, line = _failure(factory, {**kwargs, keyword: object()})
        assert f"keyword {keyword} must be" in error.what and "got object" in error.what, error.what
        assert error.where == f"{__file__}:{line}:9", error.where
        checked += 1
    assert checked >= 4


def test_the_reported_mistakes() -> None:
    """Issue 10's examples: misspelled keywords were dropped, Service(port=) raised a raw TypeError."""
    error, _ = _failure(
        simple.Deployment, {"id": "web", "name": "web", "image": "nginx", "replica": 3, "enviroment": {"A": "b"}}
    )
    assert error.what == "Deployment() has no keyword replica" and error.fix == "Did you mean replicas?"
    error, _ = _failure(simple.Deployment, {"name": "web", "image": "nginx", "enviroment": {"A": "b"}})
    assert error.fix == "Did you mean env?"
    error, _ = _failure(simple.Service, {"name": "web", "port": 80})
    assert error.what == "Service() has no keyword port" and error.fix == "Did you mean ports?"
    error, _ = _failure(simple.Deployment, {"name": "web", "image": "nginx", "replicas": "three"})
    assert error.what == "Deployment() keyword replicas must be an int or a reference, got str 'three'"
    error, _ = _failure(simple.Deployment, {"name": "web", "image": "nginx", "replicas": "3"})
    assert error.fix == "Did you mean 3 (a number, not a string)?"
    error, _ = _failure(simple.Deployment, {"name": "web", "image": "nginx", "readinessProbe": {}})
    assert error.fix == "Did you mean readiness_probe?"
    error, _ = _failure(simple.Deployment, {"name": "web", "image": "nginx", "replicas": True})
    assert "got bool True" in error.what
    error, _ = _failure(simple.Deployment, {"name": "web", "image": "nginx", "command": "run"})
    assert error.fix == "Write command=['run']."
    error, _ = _failure(simple.Deployment, {"name": "web"})
    assert error.what.startswith("Deployment() needs image=")
    error, _ = _failure(simple.ConfigMap, {"name": "c", "labels": {"team": ["a"]}})
    assert error.what.startswith("ConfigMap() keyword labels['team'] must be a string, an int")


def test_positional_arguments_beyond_the_name() -> None:
    with pytest.raises(CompositionError, match=r"takes 1 positional argument\(s\) \(name\), got 2"):
        simple.Deployment("web", "nginx")  # type: ignore[call-arg]


def _ref(kind: CelType) -> Ref:
    return Ref(ast.Select(ast.Select(ast.Ident("schema"), "spec"), "x"), kind)


def test_references_fit_where_their_type_fits() -> None:
    dep = simple.Deployment("web", image=_ref(CelType.STRING), replicas=_ref(CelType.INT))
    assert dep.obj["spec"]["replicas"] is not None
    simple.Deployment("web", image="x", replicas=_ref(CelType.DYN), env=_ref(CelType.list_of(CelType.DYN)))
    simple.Deployment("web", image="x", labels={"v": _ref(CelType.INT)}, ports=[_ref(CelType.INT)])
    with pytest.raises(CompositionError, match=r"keyword replicas must be an int or a reference, got a reference "):
        simple.Deployment("web", image="x", replicas=_ref(CelType.STRING))
    with pytest.raises(CompositionError, match=r"keyword command must be a list or a reference, got a reference"):
        simple.Deployment("web", image="x", command=_ref(CelType.STRING))


class _AppSpec(Spec):
    name: str
    replicas: int = 1


def test_in_a_composition_the_error_points_at_the_factory_line() -> None:
    @composition(api_version="example.com/v1", kind="App")
    def app(spec: _AppSpec) -> None:
        simple.Deployment(spec.name, image="nginx", replicas=spec.name)  # type: ignore[arg-type]

    with pytest.raises(CompositionError) as info:
        _ = app.graph
    line = inspect.getsourcelines(app.fn)[1] + 2
    assert info.value.where is not None and info.value.where.startswith(f"{__file__}:{line}:")
    assert "keyword replicas must be an int or a reference, got a reference of type string" in info.value.what


def test_secret_values_are_not_shown() -> None:
    error, _ = _failure(simple.Secret, {"name": "db", "string_data": "hunter2-password"})
    assert error.what == "Secret() keyword string_data must be a dict or a reference, got str"
    assert "hunter2" not in str(error)
