"""pydantic models -> structural OpenAPI -> kro SimpleSchema."""

from __future__ import annotations

import datetime
import enum
from typing import Annotated, Any, Literal, Optional

import pydantic
import pytest
from pydantic import BaseModel, ConfigDict, Field

from pykro.errors import ValidationError
from pykro.schema._models import (
    camel,
    model_to_openapi,
    model_to_simple,
    model_to_simple_types,
    simple_schema,
    to_json,
)
from pykro.schema._simple import to_openapi
from pykro.schema._structural import apply_defaults, validate


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Port(BaseModel):
    number: int = Field(ge=1, le=65535)
    protocol: Literal["TCP", "UDP"] = "TCP"


class Database(BaseModel):
    size_gb: int = 10
    engine: str = "postgres"


class AppSpec(BaseModel):
    name: str = Field(min_length=1, max_length=20, pattern="^[a-z-]+$", description="The app name")
    app_image: str
    replicas: int = 1
    color: Color = Color.RED
    note: Optional[str] = None  # noqa: UP045 - both spellings are supported
    owner: str | None = None
    target_port: int | str = 80
    ports: list[Port] = []
    tags: set[str] = set()
    labels: dict[str, str] = Field(default_factory=dict)
    database: Database = Database()
    ratio: float = Field(default=0.5, gt=0, lt=1)
    weights: Annotated[list[int], Field(min_length=1, max_length=3)] = [1]
    explicit: str = Field(default="x", alias="explicit-alias")
    created: datetime.datetime | None = None
    extra: dict[str, Any] = {}


def props() -> dict[str, Any]:
    properties: dict[str, Any] = model_to_openapi(AppSpec)["properties"]
    return properties


def test_camel_case_names_and_aliases() -> None:
    assert camel("app_image") == "appImage"
    assert camel("size_gb") == "sizeGb"
    assert camel("already") == "already"
    names = set(props())
    assert {"appImage", "targetPort", "explicit-alias"} <= names
    assert not {n for n in names if "_" in n}


def test_required_and_defaults() -> None:
    schema = model_to_openapi(AppSpec)
    assert schema["required"] == ["appImage", "name"]
    p = props()
    assert p["replicas"] == {"type": "integer", "default": 1}
    assert p["database"]["default"] == {}  # Database() is all defaults: the apiserver fills them in
    assert p["database"]["properties"]["sizeGb"] == {"type": "integer", "default": 10}
    assert p["labels"]["default"] == {}
    assert "default" not in p["note"]  # None defaults are not emitted


def test_enums_literals_optionals_int_or_string() -> None:
    p = props()
    assert p["color"] == {"type": "string", "default": "red", "enum": ["red", "blue"]}
    assert p["ports"]["items"]["properties"]["protocol"]["enum"] == ["TCP", "UDP"]
    assert p["note"] == {"type": "string", "nullable": True}
    assert p["owner"] == {"type": "string", "nullable": True}
    assert p["targetPort"] == {"default": 80, "x-kubernetes-int-or-string": True}
    assert p["created"] == {"type": "string", "format": "date-time", "nullable": True}


def test_field_constraints() -> None:
    p = props()
    assert p["name"] == {
        "description": "The app name",
        "type": "string",
        "maxLength": 20,
        "minLength": 1,
        "pattern": "^[a-z-]+$",
    }
    assert p["ports"]["items"]["properties"]["number"] == {"type": "integer", "maximum": 65535, "minimum": 1}
    assert p["ratio"] == {
        "type": "number",
        "default": 0.5,
        "maximum": 1,
        "exclusiveMaximum": True,
        "minimum": 0,
        "exclusiveMinimum": True,
    }
    assert p["weights"] == {"type": "array", "default": [1], "maxItems": 3, "minItems": 1, "items": {"type": "integer"}}


def test_collections() -> None:
    p = props()
    assert p["tags"] == {"type": "array", "default": [], "items": {"type": "string"}, "x-kubernetes-list-type": "set"}
    assert p["labels"]["additionalProperties"] == {"type": "string"}
    assert p["extra"]["additionalProperties"] == {"x-kubernetes-preserve-unknown-fields": True}


def test_schema_is_structural() -> None:
    text = repr(model_to_openapi(AppSpec))
    assert "$ref" not in text and "anyOf" not in text and "title" not in text


def test_model_dumps_validate_and_defaults_match_pydantic() -> None:
    schema = model_to_openapi(AppSpec)
    app = AppSpec(name="web", app_image="nginx", ports=[Port(number=80)], tags={"a"})
    assert validate(schema, to_json(app), "spec") == []
    # the apiserver's defaulting of a minimal object gives what pydantic gives
    defaulted = apply_defaults(schema, {"name": "web", "appImage": "nginx"})
    expected = {k: v for k, v in to_json(AppSpec(name="web", app_image="nginx")).items() if v is not None}
    assert defaulted == expected
    assert [c.field for c in validate(schema, {"name": "Web!", "appImage": "x", "ratio": 1}, "spec")] == [
        "spec.name",
        "spec.ratio",
    ]


def test_unsupported_types_are_clear_errors() -> None:
    class Tree(BaseModel):
        children: list[Tree] = []

    class Mixed(BaseModel):
        value: int | bool

    with pytest.raises(ValidationError, match="recursive model Tree -> Tree"):
        model_to_openapi(Tree)
    with pytest.raises(ValidationError, match="no structural schema"):
        model_to_openapi(Mixed)


def test_alias_generator_is_respected() -> None:
    class Snake(BaseModel):
        model_config = ConfigDict(alias_generator=lambda n: n.upper())
        some_field: int = 0

    assert list(model_to_openapi(Snake)["properties"]) == ["SOME_FIELD"]


class SimpleSpec(BaseModel):
    name: str
    app_image: str = Field(description="image to run")
    replicas: int = Field(default=1, ge=1, le=10)
    mode: Literal["fast", "safe"] = "safe"
    labels: dict[str, str] = {}
    tags: list[str] = Field(default=[], max_length=3)
    database: Database = Database()
    note: str | None = None


def test_model_to_simple() -> None:
    simple = model_to_simple(SimpleSpec)
    assert simple["name"] == "string | required=true"
    assert simple["replicas"] == "integer | default=1 minimum=1 maximum=10"
    assert simple["mode"] == "string | default=safe enum=fast,safe"
    assert simple["note"] == "string"
    assert to_openapi(simple) == {k: v for k, v in model_to_openapi(SimpleSpec).items()} | {
        "properties": {
            **model_to_openapi(SimpleSpec)["properties"],
            "note": {"type": "string"},
        }
    }


def test_model_to_simple_types_for_models_in_lists() -> None:
    class WithPorts(BaseModel):
        ports: list[Port]

    with pytest.raises(ValidationError, match="custom types"):
        model_to_simple(WithPorts)
    spec, types = model_to_simple_types(WithPorts)
    assert spec == {"ports": "[]PortsItem | required=true"}
    assert to_openapi(spec, types) == model_to_openapi(WithPorts)


def test_pydantic_is_v2() -> None:
    assert pydantic.VERSION.startswith("2.")


def test_simple_schema_rgd_form() -> None:
    class Fleet(BaseModel):
        name: str = Field(description="The fleet")
        ports: list[Port] = []
        by_zone: dict[str, Database] = {}
        database: Database = Database()
        sizes: list[int] = Field(default=[1, 2], min_length=1)

    types: dict[str, Any] = {}
    spec = simple_schema(Fleet, types)
    assert list(spec) == ["name", "ports", "by_zone", "database", "sizes"]  # model order, pydantic's keys
    assert spec["name"] == 'string | required=true description="The fleet"'
    assert spec["ports"] == '[]Port | default="[]"'
    assert spec["by_zone"] == 'map[string]Database | default="{}"'
    assert spec["database"] == {"size_gb": "integer | default=10", "engine": "string | default=postgres"}
    assert spec["sizes"] == '[]integer | default="[1, 2]" minItems=1'
    assert types == {
        "Port": {
            "number": "integer | required=true minimum=1 maximum=65535",
            "protocol": "string | default=TCP enum=TCP,UDP",
        },
        "Database": spec["database"],
    }
    to_openapi(spec, types)  # kro accepts it


@pytest.mark.parametrize(
    ("annotation", "message"),
    [(Annotated[float, Field(gt=0)], "gt/lt bounds"), (Annotated[int, Field(multiple_of=2)], "multiple_of"),
     (datetime.datetime, "no kro SimpleSchema equivalent")],
)  # fmt: skip
def test_simple_schema_refuses_what_kro_cannot_say(annotation: Any, message: str) -> None:
    model = pydantic.create_model("Bad", value=(annotation, ...))
    with pytest.raises(ValidationError, match=message):
        simple_schema(model)
