"""x-kubernetes-validations: CEL rules evaluated with the real engine, reported like the apiserver."""

from __future__ import annotations

from typing import Any

from pykro.schema._simple import to_openapi
from pykro.schema._structural import validate

RANGE: dict[str, Any] = {
    "type": "object",
    "x-kubernetes-validations": [{"rule": "self.min <= self.max", "message": "min must be <= max"}],
    "properties": {
        "min": {"type": "integer"},
        "max": {"type": "integer"},
        "name": {
            "type": "string",
            "x-kubernetes-validations": [
                {"rule": "self.startsWith('a')"},
                {
                    "rule": "size(self) < 4",
                    "messageExpression": "'name too long: ' + self",
                    "reason": "FieldValueForbidden",
                    "fieldPath": ".length",
                },
            ],
        },
        "tags": {
            "type": "array",
            "items": {"type": "string"},
            "x-kubernetes-validations": [{"rule": "self.all(t, t != 'bad')", "reason": "FieldValueRequired"}],
        },
    },
}


def messages(schema: dict[str, Any], obj: Any, **kw: Any) -> list[tuple[str, str]]:
    return [(c.reason, c.message) for c in validate(schema, obj, "spec", **kw)]


def test_passing_rules_give_no_causes() -> None:
    assert validate(RANGE, {"min": 1, "max": 2, "name": "abc", "tags": ["x"]}, "spec") == []


def test_failing_rules_use_message_reason_field_path_and_message_expression() -> None:
    assert messages(RANGE, {"min": 3, "max": 1, "name": "bcdef", "tags": ["bad"]}) == [
        ("FieldValueInvalid", "spec: Invalid value: min must be <= max"),  # objects: the value is omitted
        ("FieldValueInvalid", "spec.name: Invalid value: \"bcdef\": failed rule: self.startsWith('a')"),
        ("FieldValueForbidden", "spec.name.length: Forbidden: name too long: bcdef"),
        ("FieldValueRequired", "spec.tags: Required value: failed rule: self.all(t, t != 'bad')"),
    ]


def test_rules_are_skipped_when_the_schema_already_failed() -> None:
    assert messages(RANGE, {"min": "x", "max": 1}) == [
        (
            "FieldValueTypeInvalid",
            'spec.min: Invalid value: "string": spec.min in body must be of type integer: "string"',
        ),
        (
            "FieldValueInvalid",
            "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; "
            "correct the existing errors to complete validation",
        ),
    ]


def test_kro_immutable_marker_is_a_transition_rule() -> None:
    schema = to_openapi({"clusterId": "string | immutable=true", "replicas": 'integer | validation="self % 2 == 0"'})
    assert validate(schema, {"clusterId": "a", "replicas": 2}, "spec") == []  # create: oldSelf rules skipped
    assert validate(schema, {"clusterId": "a"}, "spec", old={"clusterId": "a"}) == []
    assert messages(schema, {"clusterId": "b", "replicas": 3}, old={"clusterId": "a"}) == [
        ("FieldValueInvalid", 'spec.clusterId: Invalid value: "b": field is immutable'),
        ("FieldValueInvalid", "spec.replicas: Invalid value: 3: validation failed"),
    ]


def test_list_map_items_correlate_with_old_items_by_key() -> None:
    schema: dict[str, Any] = {
        "type": "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        "items": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "size": {"type": "integer"}},
            "x-kubernetes-validations": [{"rule": "self.size >= oldSelf.size", "message": "cannot shrink"}],
        },
    }
    old = [{"name": "a", "size": 5}, {"name": "b", "size": 1}]
    new = [{"name": "b", "size": 2}, {"name": "a", "size": 4}, {"name": "c", "size": 0}]
    assert [c.message for c in validate(schema, new, "spec.disks", old=old)] == [
        "spec.disks[1]: Invalid value: cannot shrink"
    ]


def test_evaluation_errors_are_reported_not_raised() -> None:
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer", "x-kubernetes-validations": [{"rule": "1 / (self - self) == 1"}]}},
    }
    (cause,) = validate(schema, {"n": 3}, "spec")
    assert cause.field == "spec.n"
    assert cause.message.startswith('spec.n: Invalid value: "integer": ')
    assert cause.message.endswith("evaluating rule: 1 / (self - self) == 1")
