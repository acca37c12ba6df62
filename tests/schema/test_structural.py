"""Defaulting, pruning and validation of custom resources against structural schemas (apiserver semantics)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pykro.schema._structural import apply_defaults, prune, validate

SPEC: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "replicas": {"type": "integer", "default": 1, "minimum": 1, "maximum": 10},
        "mode": {"type": "string", "enum": ["fast", "safe"], "default": "safe"},
        "ratio": {"type": "number", "multipleOf": 0.5, "exclusiveMaximum": True, "maximum": 5},
        "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 3}},
        "ports": {
            "type": "array",
            "maxItems": 2,
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["port"],
                "properties": {"port": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}},
            },
        },
        "db": {
            "type": "object",
            "default": {},
            "properties": {
                "size": {"type": "string", "default": "1Gi"},
                "engine": {
                    "type": "object",
                    "default": {},
                    "properties": {"name": {"type": "string", "default": "pg"}},
                },
            },
        },
        "nullableNote": {"type": "string", "nullable": True},
        "port": {"x-kubernetes-int-or-string": True},
        "when": {"type": "string", "format": "date-time"},
        "extra": {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
            "properties": {"known": {"type": "object", "properties": {"a": {"type": "string"}}}},
        },
    },
    "required": ["name"],
}
ROOT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": SPEC,
    },
}


def messages(schema: dict[str, Any], obj: Any, path: str = "") -> list[str]:
    return [cause.message for cause in validate(schema, obj, path)]


# ---------------------------------------------------------------- defaulting


def test_defaults_fill_missing_properties_recursively_inside_defaults() -> None:
    out = apply_defaults(SPEC, {"name": "a"})
    assert out["replicas"] == 1
    assert out["mode"] == "safe"
    # db defaults to {} and the defaults inside it (and inside its own {} default) are applied too
    assert out["db"] == {"size": "1Gi", "engine": {"name": "pg"}}


def test_defaults_do_not_touch_given_values_or_the_input() -> None:
    given = {"name": "a", "replicas": 3, "db": {"size": "5Gi"}}
    before = copy.deepcopy(given)
    out = apply_defaults(SPEC, given)
    assert given == before
    assert out["replicas"] == 3
    assert out["db"] == {"size": "5Gi", "engine": {"name": "pg"}}


def test_defaults_apply_to_list_items_and_map_values() -> None:
    schema = {
        "type": "object",
        "properties": {
            "ports": SPEC["properties"]["ports"],
            "tiers": {
                "type": "object",
                "additionalProperties": {"type": "object", "properties": {"n": {"type": "integer", "default": 2}}},
            },
        },
    }
    out = apply_defaults(schema, {"ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}], "tiers": {"web": {}}})
    assert out["ports"] == [{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]
    assert out["tiers"] == {"web": {"n": 2}}


def test_non_nullable_nulls_are_defaulted_or_dropped_nullable_nulls_kept() -> None:
    out = apply_defaults(SPEC, {"name": "a", "replicas": None, "ratio": None, "nullableNote": None})
    assert out["replicas"] == 1  # null with a default -> the default
    assert "ratio" not in out  # null without a default -> dropped
    assert out["nullableNote"] is None  # nullable -> kept


# ---------------------------------------------------------------- pruning


def test_prune_drops_unknown_fields_but_keeps_resource_meta_at_root() -> None:
    obj = {
        "apiVersion": "x/v1",
        "kind": "K",
        "metadata": {"name": "n", "labels": {"a": "b"}},
        "spec": {"name": "a", "bogus": 1, "ports": [{"port": 1, "junk": True}], "labels": {"k": "v"}},
        "other": 1,
    }
    out = prune(ROOT, obj)
    assert out == {
        "apiVersion": "x/v1",
        "kind": "K",
        "metadata": {"name": "n", "labels": {"a": "b"}},
        "spec": {"name": "a", "ports": [{"port": 1}], "labels": {"k": "v"}},
    }
    assert obj["other"] == 1  # input untouched


def test_prune_outside_the_root_drops_meta_fields_unless_embedded() -> None:
    schema = {
        "type": "object",
        "properties": {
            "plain": {"type": "object", "properties": {}},
            "embedded": {"type": "object", "x-kubernetes-embedded-resource": True, "properties": {}},
        },
    }
    obj = {"plain": {"kind": "K", "metadata": {}}, "embedded": {"kind": "K", "metadata": {}, "x": 1}}
    out = prune(schema, obj, root=False)
    assert out == {"plain": {}, "embedded": {"kind": "K", "metadata": {}}}


def test_prune_keeps_unknown_fields_under_preserve_but_prunes_known_children() -> None:
    out = prune(SPEC, {"extra": {"anything": [1, 2], "known": {"a": "x", "b": "dropped"}}}, root=False)
    assert out == {"extra": {"anything": [1, 2], "known": {"a": "x"}}}


# ---------------------------------------------------------------- validation


def test_valid_object_has_no_causes() -> None:
    obj = {"name": "a", "replicas": 3, "mode": "fast", "ratio": 2.5, "labels": {"a": "xyz"}, "ports": [{"port": 1}]}
    assert validate(SPEC, obj, "spec") == []


def test_type_errors_name_the_actual_json_type() -> None:
    causes = validate(SPEC, {"name": 5, "replicas": "3"}, "spec")
    assert [(c.field, c.reason) for c in causes] == [
        ("spec.name", "FieldValueTypeInvalid"),
        ("spec.replicas", "FieldValueTypeInvalid"),
    ]
    assert causes[1].message == (
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'
    )
    assert causes[1].body == 'Invalid value: "string": spec.replicas in body must be of type integer: "string"'
    assert causes[1].to_status_cause() == {
        "reason": "FieldValueTypeInvalid",
        "message": causes[1].body,
        "field": "spec.replicas",
    }


def test_integral_floats_are_integers_and_ints_are_numbers() -> None:
    assert validate(SPEC, {"name": "a", "replicas": 3.0, "ratio": 2}, "spec") == []
    assert messages(SPEC, {"name": "a", "replicas": 2.5}, "spec") == [
        'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"'
    ]


def test_required_and_null() -> None:
    assert messages(SPEC, {}, "spec") == ["spec.name: Required value"]
    assert messages(SPEC, {"name": None}, "spec") == [
        'spec.name: Invalid value: "null": spec.name in body must be of type string: "null"'
    ]
    assert validate(SPEC, {"name": "a", "nullableNote": None}, "spec") == []


def test_numeric_bounds() -> None:
    assert messages(SPEC, {"name": "a", "replicas": 0}, "spec") == [
        "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1"
    ]
    assert messages(SPEC, {"name": "a", "replicas": 11}, "spec") == [
        "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10"
    ]
    assert messages(SPEC, {"name": "a", "ratio": 5}, "spec") == [
        "spec.ratio: Invalid value: 5: spec.ratio in body should be less than 5"
    ]
    assert messages(SPEC, {"name": "a", "ratio": 0.3}, "spec") == [
        "spec.ratio: Invalid value: 0.3: spec.ratio in body should be a multiple of 0.5"
    ]


def test_enum() -> None:
    causes = validate(SPEC, {"name": "a", "mode": "slow"}, "spec")
    assert [(c.reason, c.message) for c in causes] == [
        ("FieldValueNotSupported", 'spec.mode: Unsupported value: "slow": supported values: "fast", "safe"')
    ]


def test_string_length_pattern_and_format() -> None:
    schema = {
        "type": "object",
        "properties": {"s": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+$"}},
    }
    assert messages(schema, {"s": "a"}) == ['s: Invalid value: "a": s in body should be at least 2 chars long']
    too_long = validate(schema, {"s": "abcdef"})
    assert [(c.reason, c.message) for c in too_long] == [
        ("FieldValueTooLong", "s: Too long: may not be more than 4 bytes")
    ]
    assert messages(schema, {"s": "AB"}) == ["s: Invalid value: \"AB\": s in body should match '^[a-z]+$'"]
    assert messages(SPEC, {"name": "a", "when": "yesterday"}, "spec") == [
        'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"'
    ]
    assert validate(SPEC, {"name": "a", "when": "2024-01-02T03:04:05Z"}, "spec") == []


def test_array_bounds_and_item_paths() -> None:
    assert messages(SPEC, {"name": "a", "ports": []}, "spec") == [
        "spec.ports: Invalid value: 0: spec.ports in body should have at least 1 items"
    ]
    too_many = validate(SPEC, {"name": "a", "ports": [{"port": 1}, {"port": 2}, {"port": 3}]}, "spec")
    assert [(c.reason, c.message) for c in too_many] == [
        ("FieldValueTooMany", "spec.ports: Too many: 3: must have at most 2 items")
    ]
    assert messages(SPEC, {"name": "a", "ports": [{"port": "x"}, {}]}, "spec") == [
        'spec.ports[0].port: Invalid value: "string": spec.ports[0].port in body must be of type integer: "string"',
        "spec.ports[1].port: Required value",
    ]


def test_map_values_use_dotted_paths() -> None:
    assert messages(SPEC, {"name": "a", "labels": {"team": "toolong"}}, "spec") == [
        "spec.labels.team: Too long: may not be more than 3 bytes"
    ]


def test_int_or_string() -> None:
    assert validate(SPEC, {"name": "a", "port": 80}, "spec") == []
    assert validate(SPEC, {"name": "a", "port": "http"}, "spec") == []
    assert messages(SPEC, {"name": "a", "port": True}, "spec") == [
        'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"'
    ]


def test_list_type_set_and_map() -> None:
    schema = {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "ports": {
                "type": "array",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["port", "protocol"],
                "items": {
                    "type": "object",
                    "properties": {"port": {"type": "integer"}, "protocol": {"type": "string"}},
                },
            },
        },
    }
    causes = validate(
        schema,
        {"tags": ["a", "b", "a", "a"], "ports": [{"port": 1, "protocol": "TCP"}, {"port": 1, "protocol": "TCP"}]},
        "spec",
    )
    assert [(c.reason, c.message) for c in causes] == [
        ("FieldValueDuplicate", 'spec.tags[2]: Duplicate value: "a"'),
        ("FieldValueDuplicate", 'spec.ports[1]: Duplicate value: {"port":1,"protocol":"TCP"}'),
    ]
    assert validate(schema, {"ports": [{"port": 1, "protocol": "TCP"}, {"port": 1, "protocol": "UDP"}]}) == []


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("ipv4", "10.0.0.1", "10.0.0.300"),
        ("ipv6", "::1", "10.0.0.1"),
        ("cidr", "10.0.0.0/8", "10.0.0.0"),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", "not-a-uuid"),
        ("date", "2024-02-29", "2024-02-30"),
        ("byte", "aGVsbG8=", "!!"),
        ("hostname", "example.com", "-bad-.com"),
        ("email", "a@b.co", "nobody"),
        ("duration", "1h30m", "forever"),
        ("k8s-short-name", "web-1", "Web_1"),
        ("mac", "00:1a:2b:3c:4d:5e", "00:1a"),
    ],
)
def test_formats(fmt: str, good: str, bad: str) -> None:
    schema = {"type": "string", "format": fmt}
    assert validate(schema, good, "v") == []
    assert [c.reason for c in validate(schema, bad, "v")] == ["FieldValueTypeInvalid"]


def test_unknown_formats_are_ignored() -> None:
    assert validate({"type": "string", "format": "int-or-anything"}, "whatever", "v") == []
