"""kro's ``runtime`` CEL library on the real engine: newCondition (macro, values), condition lookups, field access,
and the build-time rules for conditions entries (cases from kro v0.9.3's runtime_test.go and conditions.go)."""

from __future__ import annotations

from typing import Any

import pytest

from pykro.cel import CelCompileError, CelEvalError, Evaluator, references
from pykro.cel._library.runtime import Condition, check_entries

SCHEMA: dict[str, Any] = {
    "spec": {"on": True, "name": "web", "status": "Bogus"},
    "status": {
        "conditions": [
            {"type": "Ready", "status": "True", "reason": "AllReady", "message": "ok"},
            {"type": "ResourcesReady", "status": "False"},
        ]
    },
}


@pytest.fixture(scope="module")
def ev() -> Evaluator:
    return Evaluator(["schema"])


def run(ev: Evaluator, expression: str) -> Any:
    return ev.evaluate(expression, {"schema": SCHEMA})


def test_new_condition_builds_a_condition(ev: Evaluator) -> None:
    got = run(ev, "runtime.newCondition({type: 'X', status: 'True', reason: 'R', message: 'M'})")
    assert got == Condition(type="X", status="True", reason="R", message="M")


def test_new_condition_optional_fields_default_to_empty(ev: Evaluator) -> None:
    assert run(ev, "runtime.newCondition({status: 'Unknown', type: 'X'})") == Condition("X", "Unknown")


@pytest.mark.parametrize(("field", "expected"), [("type", "X"), ("status", "False"), ("reason", "R"), ("message", "M")])
def test_condition_fields_read_with_dot_notation(ev: Evaluator, field: str, expected: str) -> None:
    expression = f"runtime.newCondition({{type: 'X', status: 'False', reason: 'R', message: 'M'}}).{field}"
    assert run(ev, expression) == expected


def test_values_are_computed_from_schema(ev: Evaluator) -> None:
    expression = (
        "runtime.newCondition({type: schema.spec.name + 'Up', status: schema.spec.on ? 'True' : 'False', "
        "reason: 'R', message: 'name is ' + schema.spec.name})"
    )
    assert run(ev, expression) == Condition("webUp", "True", "R", "name is web")


def test_a_list_of_conditions_from_a_comprehension(ev: Evaluator) -> None:
    got = run(ev, "['a', 'b'].map(n, runtime.newCondition({type: n, status: 'True'}))")
    assert got == [Condition("a", "True"), Condition("b", "True")]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("runtime.newCondition({type: 'X', status: 'True', extra: ''})", 'unknown key "extra"'),
        ("runtime.newCondition({'type': 'X', status: 'True'})", "keys must be bare identifiers"),
        ("runtime.newCondition({type: 'X', type: 'Y', status: 'True'})", 'duplicate key "type"'),
        ("runtime.newCondition({status: 'True'})", "'type' is required"),
        ("runtime.newCondition({type: 'X'})", "'status' is required"),
        ("runtime.newCondition(schema.spec)", "argument must be a map literal"),
        ("runtime.newCondition({type: 'X', status: 'True'}).bogus", "undefined field 'bogus'"),
        ("newCondition({type: 'X', status: 'True'})", "undeclared reference to 'newCondition'"),
        ("condition(schema, 'X')", "undeclared reference to 'condition'"),
        ("runtime.condition(schema, 1)", "no matching overload"),
    ],
)
def test_compile_errors(ev: Evaluator, expression: str, message: str) -> None:
    with pytest.raises(CelCompileError) as caught:
        ev.compile(expression)
    assert message in caught.value.what


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "runtime.newCondition({type: 'X', status: schema.spec.status})",
            'status must be one of True, False, Unknown (got "Bogus")',
        ),
        ("runtime.newCondition({type: schema.spec.name.substring(3), status: 'True'})", "type must not be empty"),
        ("runtime.newCondition({type: 'X', status: schema.spec.on})", "status must be a string, got bool"),
        ("runtime.condition([1], 'X')", "obj must be an object, got list"),
        ("runtime.condition({'status': 'up'}, 'X')", "obj.status must be an object"),
        ("runtime.condition({'status': {'conditions': {}}}, 'X')", "obj.status.conditions must be a list"),
        ("runtime.condition({'status': {'conditions': [1]}}, 'X')", "unexpected condition element type int"),
    ],
)
def test_evaluation_errors(ev: Evaluator, expression: str, message: str) -> None:
    with pytest.raises(CelEvalError) as caught:
        run(ev, expression)
    assert f"runtime.{expression.split('.')[1].split('(')[0]}: {message}" in caught.value.what


def test_condition_finds_a_type_on_the_object(ev: Evaluator) -> None:
    assert run(ev, "runtime.condition(schema, 'Ready')") == Condition("Ready", "True", "AllReady", "ok")
    assert run(ev, "runtime.condition(schema, 'ResourcesReady').reason") == ""


@pytest.mark.parametrize(
    "obj", ["schema", "{}", "{'status': {}}", "{'status': {'conditions': []}}", "{'status': {'conditions': [{}]}}"]
)
def test_condition_is_empty_when_absent(ev: Evaluator, obj: str) -> None:
    assert run(ev, f"runtime.condition({obj}, 'Missing')") == Condition()
    assert run(ev, f"runtime.condition({obj}, 'Missing').status == ''") is True


def test_conditions_compose(ev: Evaluator) -> None:
    expression = (
        "runtime.condition(schema, 'Ready').status == 'True' ? "
        "runtime.newCondition({type: 'Up', status: 'True', reason: runtime.condition(schema, 'Ready').reason}) : "
        "runtime.newCondition({type: 'Up', status: 'False', reason: 'NotYet'})"
    )
    assert run(ev, expression) == Condition("Up", "True", "AllReady")
    same = "runtime.condition(schema, 'Ready') == runtime.newCondition({type: 'Ready', status: 'True', "
    assert run(ev, same + "reason: 'AllReady', message: 'ok'})") is True
    assert run(ev, same + "reason: 'AllReady'})") is False


def test_runtime_is_a_reference_and_condition_keys_are_not() -> None:
    roots = {r.root for r in references("runtime.newCondition({type: 'X', status: schema.spec.s, reason: db.x})")}
    assert roots == {"runtime", "schema", "db"}


@pytest.mark.parametrize(
    ("entries", "index", "message"),
    [
        (
            ["runtime.newCondition({type: 'A', status: 'Yes'})"],
            0,
            'status must be one of True, False, Unknown (got "Yes")',
        ),
        (["runtime.newCondition({type: '', status: 'True'})"], 0, "type must not be empty in expression"),
        (
            ["runtime.newCondition({type: 'A', status: 'True'})", "runtime.newCondition({type: 'A', status: 'False'})"],
            1,
            'condition type "A" is declared by more than one conditions entry',
        ),
        (
            [
                "runtime.newCondition({type: 'A', status: 'True'})",
                "runtime.newCondition({type: 'B', status: runtime.condition(schema, 'A').status})",
            ],
            1,
            'runtime.condition(schema, "A"): custom conditions cannot reference each other',
        ),
        (
            ["runtime.newCondition({type: 'B', status: runtime.condition(schema, 'Redy').status})"],
            0,
            'runtime.condition(schema, "Redy"): unknown condition type; only kro\'s built-in types',
        ),
    ],
)
def test_build_time_rules(entries: list[str], index: int, message: str) -> None:
    found = check_entries(entries)
    assert found is not None
    assert found[0] == index
    assert message in found[1]


def test_build_time_rules_accept_valid_entries() -> None:
    entries = [
        "runtime.newCondition({type: 'A', status: schema.spec.on ? 'True' : 'False'})",
        "schema.spec.on ? runtime.newCondition({type: 'B', status: 'True'}) : "
        "runtime.newCondition({type: 'B', status: 'False'})",
        "runtime.newCondition({type: 'C', status: runtime.condition(schema, 'Ready').status})",
        "runtime.newCondition({type: 'D', status: runtime.condition(db, 'Whatever').status})",
        "not ( valid",
    ]
    assert check_entries(entries) is None
