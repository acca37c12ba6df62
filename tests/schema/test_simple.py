"""kro SimpleSchema -> OpenAPI (kro v0.9.3 output and error texts) and back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.helpers import CHAINSAW

from pykro import _yamlio as yamlio
from pykro.errors import ValidationError
from pykro.schema._markers import Marker, format_marker, parse_markers
from pykro.schema._simple import from_openapi, from_openapi_types, to_openapi

Match = Callable[[Any, Any], list[str]]


def rgd_cases() -> list[Path]:
    return sorted(p.parent for p in CHAINSAW.glob("*/rgd.yaml"))


def rgd_schema(case: Path) -> dict[str, Any]:
    for doc in yamlio.load_all((case / "rgd.yaml").read_text(encoding="utf-8")):
        if doc.get("kind") == "ResourceGraphDefinition":
            schema: dict[str, Any] = doc["spec"]["schema"]
            return schema
    raise AssertionError(f"no RGD in {case}")


@pytest.mark.parametrize(
    "case", [c for c in rgd_cases() if (c / "instancecrd-assert.yaml").exists()], ids=lambda p: p.name
)
def test_chainsaw_instance_crd_spec(case: Path, subset_match: Match) -> None:
    schema = rgd_schema(case)
    actual = to_openapi(schema.get("spec"), schema.get("types"), path="spec.schema.spec")
    crd = yamlio.load_file(case / "instancecrd-assert.yaml")
    expected = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert subset_match(expected, actual) == []


@pytest.mark.parametrize("case", rgd_cases(), ids=lambda p: p.name)
def test_chainsaw_schemas_round_trip(case: Path) -> None:
    schema = rgd_schema(case)
    openapi = to_openapi(schema.get("spec"), schema.get("types"))
    spec, types = from_openapi_types(openapi)
    assert to_openapi(spec, types) == openapi


def test_required_default_interactions_in_full() -> None:
    schema = rgd_schema(CHAINSAW / "check-required-default-interactions")
    out = to_openapi(schema["spec"], schema["types"])
    assert out["required"] == ["appName"]
    assert "default" not in out  # required fields: no implicit default {}
    assert out["properties"]["retry"]["default"] == {}  # no required, children with defaults
    assert "default" not in out["properties"]["database"]  # DatabaseConfig has required fields
    assert out["properties"]["database"]["required"] == ["host", "username"]
    assert out["properties"]["database"]["properties"]["port"] == {
        "type": "integer",
        "default": 8080,
        "maximum": 65535,
        "minimum": 1,
    }
    assert out["properties"]["endpoints"]["items"]["required"] == ["name", "url"]  # RequiredString alias
    assert out["properties"]["clusterId"]["x-kubernetes-validations"] == [
        {"rule": "self == oldSelf", "message": "field is immutable"}
    ]


# ---------------------------------------------------------------- types


@pytest.mark.parametrize(
    ("text", "schema"),
    [
        ("string", {"type": "string"}),
        ("integer", {"type": "integer"}),
        ("boolean", {"type": "boolean"}),
        ("float", {"type": "number"}),
        ("object", {"type": "object", "x-kubernetes-preserve-unknown-fields": True}),
        ("[]string", {"type": "array", "items": {"type": "string"}}),
        ("[][]integer", {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}),
        ("map[string]string", {"type": "object", "additionalProperties": {"type": "string"}}),
        (
            "map[string][]float",
            {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "number"}}},
        ),
        ("  string   ", {"type": "string"}),
    ],
)
def test_types(text: str, schema: dict[str, Any]) -> None:
    assert to_openapi({"f": text}) == {"type": "object", "properties": {"f": schema}}


def test_nested_objects_and_custom_types() -> None:
    out = to_openapi(
        {"server": {"port": "Port", "hosts": "[]Host"}},
        {"Port": "integer | default=80", "Host": {"name": "string | required=true", "ip": "string"}},
    )
    server = out["properties"]["server"]
    assert server["default"] == {}
    assert server["properties"]["port"] == {"type": "integer", "default": 80}
    assert server["properties"]["hosts"]["items"] == {
        "type": "object",
        "required": ["name"],
        "properties": {"ip": {"type": "string"}, "name": {"type": "string"}},
    }
    assert out["default"] == {}


# ---------------------------------------------------------------- markers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("string | description=plain", {"description": "plain"}),
        ('string | description="with spaces and \\"quotes\\""', {"description": 'with spaces and "quotes"'}),
        ('string | default="a b"', {"default": "a b"}),
        ("integer | default=5", {"default": 5}),
        ("float | default=1.5", {"default": 1.5}),
        ("boolean | default=true", {"default": True}),
        ('[]string | default=["a", "b"]', {"default": ["a", "b"]}),
        ('map[string]string | default={"a": "b c"}', {"default": {"a": "b c"}}),
        ("integer | minimum=1 maximum=10", {"minimum": 1, "maximum": 10}),
        ("float | minimum=0.5", {"minimum": 0.5}),
        ('string | enum="a,b, c"', {"enum": ["a", "b", "c"]}),
        ("integer | enum=1,2", {"enum": [1, 2]}),
        ('string | pattern="^[a-z]+$"', {"pattern": "^[a-z]+$"}),
        ("string | minLength=1 maxLength=5", {"minLength": 1, "maxLength": 5}),
        ("[]string | minItems=1 maxItems=3", {"minItems": 1, "maxItems": 3}),
        ("[]string | uniqueItems=true", {"x-kubernetes-list-type": "set"}),
        ("[]string | uniqueItems=false", {}),
        ("[]string | listType=atomic", {"x-kubernetes-list-type": "atomic"}),
        (
            "[]object | listType=map listMapKey=name listMapKey=port",
            {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name", "port"]},
        ),
        (
            "string | immutable=true",
            {"x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "field is immutable"}]},
        ),
        (
            'integer | validation="self > 0 && self < 5"',
            {"x-kubernetes-validations": [{"rule": "self > 0 && self < 5", "message": "validation failed"}]},
        ),
        ("string | description=a|b", {"description": "a|b"}),
    ],
)
def test_markers(text: str, expected: dict[str, Any]) -> None:
    field = to_openapi({"f": text})["properties"]["f"]
    for key, value in expected.items():
        assert field[key] == value
    assert set(field) - {"type", "items", "additionalProperties", "x-kubernetes-preserve-unknown-fields"} == set(
        expected
    )


def test_required_marker_goes_to_the_parent_sorted() -> None:
    out = to_openapi({"b": "string | required=true", "a": "string | required=True", "c": "string | required=false"})
    assert out["required"] == ["a", "b"]


def test_marker_scanner_matches_kro() -> None:
    assert parse_markers(' default="x y"  description=d') == [Marker("default", "x y"), Marker("description", "d")]
    assert parse_markers('description="a \\\\ b \\n"') == [Marker("description", "a \\ b \\n")]
    assert parse_markers('default={"k": [1, 2]}') == [Marker("default", '{"k": [1, 2]}')]


@given(st.text(max_size=30))
@settings(max_examples=200, deadline=None)
def test_format_marker_round_trips(value: str) -> None:
    assert parse_markers(format_marker("description", value)) == [Marker("description", value)]


# ---------------------------------------------------------------- errors (kro's texts, YAML paths)


@pytest.mark.parametrize(
    ("spec", "where", "message"),
    [
        (
            {"x": "integer | minimum=abc"},
            "spec.schema.spec.x",
            'failed to parse minimum enum value: strconv.ParseFloat: parsing "abc": invalid syntax',
        ),
        (
            {"x": "integer | maximum=1x"},
            "spec.schema.spec.x",
            'failed to parse maximum enum value: strconv.ParseFloat: parsing "1x": invalid syntax',
        ),
        ({"x": "string | foo=bar"}, "spec.schema.spec.x", 'invalid marker key "foo": unknown marker: foo'),
        ({"x": "string | required"}, "spec.schema.spec.x", "marker key 'required' without a value"),
        ({"x": 'string | description="open'}, "spec.schema.spec.x", "unclosed quote"),
        ({"x": "string | default={"}, "spec.schema.spec.x", "unclosed bracket/brace"),
        ({"x": "string | default=}"}, "spec.schema.spec.x", "unmatched closing bracket/brace"),
        ({"x": "string | =v"}, "spec.schema.spec.x", "empty marker key"),
        ({"x": "| required=true"}, "spec.schema.spec.x", "empty type"),
        ({"x": "[]"}, "spec.schema.spec.x", "empty slice element type"),
        ({"x": "map[int]string"}, "spec.schema.spec.x", "map key must be string"),
        ({"x": "map[string]"}, "spec.schema.spec.x", "map value type is required"),
        ({"x": "Thing"}, "spec.schema.spec.x", "unknown type: Thing"),
        ({"x": 5}, "spec.schema.spec.x", "unexpected type: float64"),
        ({"x": ["string"]}, "spec.schema.spec.x", "unexpected type: []interface {}"),
        (
            {"x": "string | required=yes"},
            "spec.schema.spec.x",
            'failed to parse required marker value: strconv.ParseBool: parsing "yes": invalid syntax',
        ),
        ({"x": "integer | default=abc"}, "spec.schema.spec.x", "default value must be a valid integer, got: abc"),
        ({"x": "float | default=abc"}, "spec.schema.spec.x", "default value must be a valid number, got: abc"),
        ({"x": "boolean | default=maybe"}, "spec.schema.spec.x", "default value must be a valid boolean, got: maybe"),
        ({"x": 'string | validation="  "'}, "spec.schema.spec.x", "validation failed"),
        (
            {"x": "string | immutable=1x"},
            "spec.schema.spec.x",
            'failed to parse immutable marker value: strconv.ParseBool: parsing "1x": invalid syntax',
        ),
        ({"x": "string | enum=a,,b"}, "spec.schema.spec.x", "empty enum values are not allowed"),
        (
            {"x": "integer | enum=1,b"},
            "spec.schema.spec.x",
            'failed to parse integer enum value: strconv.ParseInt: parsing "b": invalid syntax',
        ),
        (
            {"x": "boolean | enum=true"},
            "spec.schema.spec.x",
            "enum values only supported for string and integer types, got type: boolean",
        ),
        (
            {"x": "integer | minLength=1"},
            "spec.schema.spec.x",
            "minLength marker is only valid for string types, got type: integer",
        ),
        (
            {"x": "string | maxLength=x"},
            "spec.schema.spec.x",
            'failed to parse maxLength value: strconv.ParseInt: parsing "x": invalid syntax',
        ),
        ({"x": 'string | pattern=""'}, "spec.schema.spec.x", "pattern marker value cannot be empty"),
        (
            {"x": "integer | pattern=a"},
            "spec.schema.spec.x",
            "pattern marker is only valid for string types, got type: integer",
        ),
        (
            {"x": 'string | pattern="(?=a)"'},
            "spec.schema.spec.x",
            "invalid pattern regex: error parsing regexp: invalid or unsupported Perl syntax: `(?=`",
        ),
        (
            {"x": "string | uniqueItems=true"},
            "spec.schema.spec.x",
            "uniqueItems marker is only valid for array types, got type: string",
        ),
        (
            {"x": "[]string | listType=map uniqueItems=true"},
            "spec.schema.spec.x",
            "cannot set unique when listType is set to map",
        ),
        (
            {"x": "[]string | uniqueItems=true listType=map"},
            "spec.schema.spec.x",
            "listType attempting to overwrite set type of set, this can happen if you set contradictory markers "
            "like unique=true | listType=map",
        ),
        (
            {"x": "[]string | listType=list"},
            "spec.schema.spec.x",
            "unsupported value for listType list, needs to be one of atomic, set, or map",
        ),
        ({"x": "string | listType=set"}, "spec.schema.spec.x", "listType marker only applies to array types"),
        (
            {"x": "[]string | minItems=-"},
            "spec.schema.spec.x",
            'failed to parse minItems value: strconv.ParseInt: parsing "-": invalid syntax',
        ),
        (
            {"x": "string | maxItems=3"},
            "spec.schema.spec.x",
            "maxItems marker is only valid for array types, got type: string",
        ),
        (
            {"x": "[]object | listMapKey=a"},
            "spec.schema.spec.x",
            "listMapKey set while listType is unset, listType must be set to map",
        ),
        (
            {"x": "[]object | listType=set listMapKey=a"},
            "spec.schema.spec.x",
            "listMapKey set while listType is set to set, listType must be set to map",
        ),
        (
            {"x": "[]object | listType=map listMapKey=a listMapKey=a"},
            "spec.schema.spec.x",
            "duplicate listMapKey marker, value a",
        ),
        ({"x": "string | listMapKey=a"}, "spec.schema.spec.x", "listMapKey marker only applies to array types"),
        (
            {"outer": {"inner": "integer | minimum=z"}},
            "spec.schema.spec.outer.inner",
            'failed to parse minimum enum value: strconv.ParseFloat: parsing "z": invalid syntax',
        ),
        (
            {"x": "[][][][][][][][][][][][][][][][][][]string"},
            "spec.schema.spec.x",
            'type nesting too deep (max 16): "[]string"',
        ),
    ],
)
def test_errors_carry_kro_text_and_yaml_path(spec: dict[str, Any], where: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        to_openapi(spec, path="spec.schema.spec")
    assert info.value.what == message
    assert info.value.where == where
    assert str(info.value).startswith(f"{where}: {message}")


@pytest.mark.parametrize(
    ("types", "where", "message"),
    [
        (
            {"A": "B", "B": "A"},
            "spec.schema.types.A",
            "cyclic dependency in type A: graph contains a cycle: A -> B -> A",
        ),
        ({"A": "A"}, "spec.schema.types.A", "self references are not allowed"),
        ({"A": {"x": "Missing"}}, "spec.schema.types.A", "node Missing does not exist"),
        ({"A": "[]"}, "spec.schema.types.A", "parsing type A: empty slice element type"),
        (
            {"A": {"x": "integer | minimum=q"}},
            "spec.schema.types.A.x",
            "building schema for A: failed to parse minimum enum value: "
            'strconv.ParseFloat: parsing "q": invalid syntax',
        ),
    ],
)
def test_custom_type_errors(types: dict[str, Any], where: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        to_openapi({"f": "string"}, types, path="spec.schema.spec")
    assert (info.value.what, info.value.where) == (message, where)


def test_a_misspelled_marker_gets_a_suggestion_and_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        to_openapi({"x": "integer | defualt=2"}, path="spec.schema.spec")
    assert info.value.what == 'invalid marker key "defualt": unknown marker: defualt'
    assert info.value.fix is not None and info.value.fix.startswith("Did you mean default?")
    with pytest.raises(ValidationError) as info:
        to_openapi({}, {"T": {"y": "string | requird=true"}}, path="spec.schema.spec")
    assert info.value.fix is not None and info.value.fix.startswith("Did you mean required?")

    from pykro.graph import Graph

    rgd = {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "app"},
        "spec": {"schema": {"apiVersion": "v1alpha1", "kind": "App", "spec": {"x": "integer | defualt=2"}}},
    }
    path = tmp_path / "app.yaml"
    path.write_text(yamlio.dump(rgd), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Graph.from_file(str(path))
    assert info.value.where == f"{path}: spec.schema.spec.x"


# ---------------------------------------------------------------- back to SimpleSchema


def test_from_openapi_plain_and_markers() -> None:
    spec = {
        "name": 'string | required=true description="the name"',
        "replicas": "integer | default=1 minimum=1 maximum=10",
        "tags": "[]string | uniqueItems=true maxItems=3",
        "labels": "map[string]string",
        "anything": "object",
        "nested": {"a": "boolean | default=true", "b": "float"},
    }
    assert to_openapi(from_openapi(to_openapi(spec))) == to_openapi(spec)


def test_from_openapi_needs_types_for_object_items() -> None:
    openapi = to_openapi({"items": "[]Item"}, {"Item": {"name": "string"}})
    with pytest.raises(ValidationError, match="custom types"):
        from_openapi(openapi)
    spec, types = from_openapi_types(openapi)
    assert spec == {"items": "[]ItemsItem"}
    assert types == {"ItemsItem": {"name": "string"}}


def test_from_openapi_rejects_what_simpleschema_cannot_say() -> None:
    with pytest.raises(ValidationError, match="cannot express"):
        from_openapi({"type": "object", "properties": {"x": {"type": "string", "format": "date"}}})
    with pytest.raises(ValidationError, match="validation rule"):
        from_openapi(
            {
                "type": "object",
                "properties": {"x": {"type": "string", "x-kubernetes-validations": [{"rule": "true", "message": "m"}]}},
            }
        )


# ---------------------------------------------------------------- property: to_openapi(from_openapi(x)) == x

_atomic = st.sampled_from(["string", "integer", "boolean", "float"])
_words = st.text(alphabet='abc xyz-_"\\|=', min_size=1, max_size=8)


@st.composite
def _field(draw: st.DrawFn, depth: int = 0) -> Any:
    kind = draw(st.sampled_from(["atomic", "list", "map", "object", "nested"] if depth < 2 else ["atomic", "list"]))
    if kind == "nested":
        return draw(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), _field(depth + 1), min_size=1, max_size=3))
    base = draw(_atomic)
    markers: list[str] = []
    if kind == "list":
        text = f"[]{base}"
        if draw(st.booleans()):
            markers.append(f"maxItems={draw(st.integers(0, 9))}")
        if draw(st.booleans()):
            markers.append("uniqueItems=true")
    elif kind == "map":
        text = f"map[string]{base}"
    elif kind == "object":
        text = "object"
    else:
        text = base
        if base == "integer" and draw(st.booleans()):
            markers.append(f"minimum={draw(st.integers(-5, 5))} default={draw(st.integers(-5, 5))}")
        if base == "string" and draw(st.booleans()):
            markers.append(format_marker("default", draw(_words)))
        if base == "string" and draw(st.booleans()):
            markers.append("enum=x,y")
        if base == "boolean" and draw(st.booleans()):
            markers.append("default=false")
    if draw(st.booleans()):
        markers.append(format_marker("description", draw(_words)))
    if draw(st.booleans()):
        markers.append("required=true")
    if draw(st.booleans()):
        markers.append("immutable=true")
    return f"{text} | {' '.join(markers)}" if markers else text


@given(st.dictionaries(st.sampled_from(["name", "size", "tags", "cfg", "zone"]), _field(), min_size=1, max_size=5))
@settings(max_examples=150, deadline=None)
def test_round_trip_property(spec: dict[str, Any]) -> None:
    openapi = to_openapi(spec)
    simple, types = from_openapi_types(openapi)
    assert to_openapi(simple, types) == openapi
