"""Spec models of a composition: nested models must be pykro models (camelCase CRD names like the rest), and a
spec given as a mapping is checked strictly (Python or CRD names, unknown fields refused, size limited)."""

from __future__ import annotations

import inspect
from typing import Any, cast

import pytest
from pydantic import BaseModel, Field, SecretStr

from pykro import Spec, Status, composition
from pykro.errors import CompositionError, PykroError
from pykro.runtime._values import MAX_SPEC_BYTES
from pykro.simple import ConfigMap


class Quota(BaseModel):
    quota_cpu: str = "1"


class Limits(Spec):
    quota_cpu: str = "small"


class QuotaSpec(Spec):
    name: str
    quotas: dict[str, list[Quota]] = Field(default_factory=dict)


class QuotaStatus(Status):
    quota: Quota | None = None


def test_a_plain_basemodel_inside_a_spec_is_refused_at_definition() -> None:
    with pytest.raises(CompositionError) as caught:

        @composition(api_version="v1alpha1", kind="Team")
        def team(spec: QuotaSpec) -> None:
            ConfigMap(name="team", data={})

    text = str(caught.value)
    assert "QuotaSpec.quotas is typed Quota, a plain pydantic.BaseModel" in text
    assert "class Quota(pykro.Spec)" in text and "test_spec_models.py:" in text


def test_a_plain_basemodel_as_the_spec_or_in_the_status_is_refused() -> None:
    with pytest.raises(CompositionError, match=r"the spec model is typed Quota, a plain pydantic\.BaseModel"):

        @composition(api_version="v1alpha1", kind="Team")
        def team(spec: Quota) -> None:
            ConfigMap(name="team", data={})

    with pytest.raises(CompositionError, match=r"QuotaStatus\.quota is typed Quota.*pykro\.Status"):

        @composition(api_version="v1alpha1", kind="Team")
        def team2(spec: Limits) -> QuotaStatus:
            ConfigMap(name="team", data={})
            return QuotaStatus()


class TeamSpec(Spec):
    name: str
    limits: Limits = Limits()


@composition(api_version="v1alpha1", kind="Team")
def team(spec: TeamSpec) -> None:
    ConfigMap(id="cfg", name=spec.name, data={"cpu": spec.limits.quota_cpu})


def test_nested_spec_models_are_camel_case_in_the_crd_and_take_both_names() -> None:
    assert team.to_rgd()["spec"]["schema"]["spec"]["limits"] == {"quotaCpu": "string | default=small"}
    for spec in ({"name": "t", "limits": {"quotaCpu": "2"}}, {"name": "t", "limits": {"quota_cpu": "2"}}):
        assert team.to_manifests(spec)[0]["data"] == {"cpu": "2"}
    with pytest.raises(PykroError, match=r"unknown field 'spec\.limits\.quotaCPU'\. Did you mean 'quotaCpu'\?"):
        team.to_manifests({"name": "t", "limits": {"quotaCPU": "2"}})


def test_a_spec_larger_than_the_limit_is_refused() -> None:
    with pytest.raises(PykroError, match=f"the Team spec is \\d+ bytes; pykro accepts at most {MAX_SPEC_BYTES}"):
        team.to_manifests({"name": "x" * MAX_SPEC_BYTES})


class _Db(Spec):
    size: int = 1


class _UserSpec(Spec):
    name: str
    replicas: int = 1
    password: SecretStr | None = None
    db: _Db = _Db()


def test_a_spec_built_in_user_code_with_a_wrong_value_names_field_value_and_line() -> None:
    """Was pydantic's raw multi-line ValidationError. Now a short paragraph at the caller's line that is still a
    pydantic.ValidationError (code catching that keeps working) and a PykroError (the CLI prints it, no traceback)."""
    import pydantic

    line = inspect.currentframe().f_lineno + 2  # type: ignore[union-attr]
    with pytest.raises(pydantic.ValidationError) as info:
        _UserSpec(name="web", replicas="three", db={"size": "big"})  # type: ignore[arg-type]
    exc = info.value
    assert isinstance(exc, PykroError) and exc.where == f"{__file__}:{line}:9"
    assert str(exc) == (
        f"{__file__}:{line}:9: invalid _UserSpec: replicas = 'three' is refused (Input should be a valid integer, "
        "unable to parse string as an integer); db.size = 'big' is refused (Input should be a valid integer, unable "
        "to parse string as an integer). Give each field a value of its type."
    )
    assert [e["loc"] for e in exc.errors()] == [("replicas",), ("db", "size")]  # pydantic's API still works
    with pytest.raises(PykroError, match=r"there is no field replicaz \(Did you mean 'replicas'\?\)"):
        _UserSpec(name="web", replicaz=2)  # type: ignore[call-arg]
    with pytest.raises(PykroError, match="invalid _UserSpec: name is missing"):
        _UserSpec()  # type: ignore[call-arg]


def test_a_secret_value_is_never_shown() -> None:
    with pytest.raises(PykroError) as info:
        _UserSpec(name="web", password=["hunter2"])  # type: ignore[arg-type]
    assert "password = (a secret value) is refused" in str(info.value) and "hunter2" not in str(info.value)


def test_a_users_model_is_built_when_defined_though_the_bases_build_on_first_use() -> None:
    """Spec, Status and their base defer their own validators (not needed at import); a user's model does not
    inherit that: pydantic builds it at the class statement, so a bad annotation fails there as it always did."""

    class Sized(Spec):
        size_gb: int = 1

    assert Sized.__pydantic_complete__ and "defer_build" not in Sized.model_config
    build: Any = Sized  # the values below are deliberately what the signature refuses
    assert build(sizeGb=3).size_gb == 3
    with pytest.raises(PykroError, match="size_gb"):
        build(size_gb="many")

    class Opaque:
        pass

    with pytest.raises(Exception, match="Opaque"):

        class Bad(Spec):
            thing: Opaque

    assert Spec().model_dump() == {} and Status.model_validate({}).model_dump() == {}
    with pytest.raises(PykroError, match="there is no field x"):
        cast(Any, Spec)(x=1)
