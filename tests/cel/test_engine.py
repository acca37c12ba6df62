"""The Evaluator against the real engine: values, error classification, caching, kro-only constructs."""

from __future__ import annotations

from typing import Any

import pytest

from pykro.cel import (
    OMIT,
    CelCompileError,
    CelDataPending,
    CelEvalError,
    CelType,
    CelUnsupportedLocally,
    Evaluator,
    is_data_pending,
)

DATA: dict[str, Any] = {
    "deploy": {
        "spec": {"replicas": 3},
        "status": {"readyReplicas": 2, "conditions": [{"type": "Available", "status": "True"}]},
    },
    "schema": {"spec": {"name": "web", "replicas": 2, "tags": ["a", "b"]}},
}


@pytest.fixture(scope="module")
def ev() -> Evaluator:
    return Evaluator(["deploy", "schema"])


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("deploy.status.readyReplicas >= schema.spec.replicas", True),
        ('deploy.status.conditions.exists(c, c.type == "Available" && c.status == "True")', True),
        ('schema.spec.name + "-db"', "web-db"),
        ("schema.spec.tags.map(t, t.upperAscii())", ["A", "B"]),
        ("{'n': schema.spec.replicas * 2}", {"n": 4}),
        ("1u + 2u", 3),
        ("2.0 / 4.0", 0.5),
        ("b'ab'", b"ab"),
        ("null", None),
        ("schema.spec.?missing.orValue('d')", "d"),
        ("schema.spec.?name", "web"),
        ("schema.spec.?missing", None),
        ('duration("1h30m")', "1h30m0s"),
        ('timestamp("2024-05-01T10:00:00Z")', "2024-05-01T10:00:00Z"),
        ("cel.bind(x, schema.spec.replicas, x * x)", 4),
        ("base64.encode(b'hi')", "aGk="),
        ('"a,b".split(",")', ["a", "b"]),
        ("schema.spec.tags.first()", "a"),
        ("schema.spec.tags.last().orValue('none')", "b"),
        ("[].first()", None),
    ],
)
def test_values_are_plain_python(ev: Evaluator, expression: str, expected: Any) -> None:
    result = ev.evaluate(expression, DATA)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("expression", ["deploy.status.missing", "schema.spec.tags[5]", "deploy.status['x'].y"])
def test_missing_data_is_pending(ev: Evaluator, expression: str) -> None:
    with pytest.raises(CelDataPending) as info:
        ev.evaluate(expression, DATA)
    assert is_data_pending(info.value)
    assert info.value.expression == expression


def test_absent_variable_is_pending(ev: Evaluator) -> None:
    with pytest.raises(CelDataPending):
        ev.evaluate("deploy.spec.replicas", {"schema": {}})


@pytest.mark.parametrize("expression", ["schema.spec.replicas / 0", "int('x')", "schema.spec.name + 1"])
def test_real_errors_are_not_pending(ev: Evaluator, expression: str) -> None:
    with pytest.raises(CelEvalError) as info:
        ev.evaluate(expression, DATA)
    assert not isinstance(info.value, CelDataPending)
    assert not is_data_pending(info.value)


@pytest.mark.parametrize(("expression", "position"), [("1 +", 3), ("nope + 1", 0), ("schema.spec.replicas +* 2", 22)])
def test_compile_errors_carry_position(ev: Evaluator, expression: str, position: int) -> None:
    with pytest.raises(CelCompileError) as info:
        ev.compile(expression)
    assert info.value.position == position
    assert expression in str(info.value)


def test_compile_is_cached(ev: Evaluator) -> None:
    assert ev.compile("schema.spec.replicas + 1") is ev.compile("schema.spec.replicas + 1")
    assert ev.compile("schema.spec.replicas + 1").expression == "schema.spec.replicas + 1"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("schema.spec.tags.exists(i, t, t == 'a' && i == 0)", True),
        ("schema.spec.tags.all(i, t, i >= 0 && t != '')", True),
        ("schema.spec.tags.existsOne(i, t, i >= 0)", False),
        ("schema.spec.tags.transformList(i, t, t + 'x')", ["ax", "bx"]),
        ("schema.spec.tags.transformList(i, t, i > 0, t + string(i))", ["b1"]),
        ("{'name': schema.spec.name}.transformMap(k, v, v + '!')", {"name": "web!"}),
        ("schema.spec.tags.transformMapEntry(i, t, {t: i})", {"a": 0, "b": 1}),
        ("schema.spec.tags.sortBy(t, t == 'a' ? 1 : 0)", ["b", "a"]),
        ("[schema.spec.?name].sortBy(e, 1).size()", 1),  # optional items stay in the engine
        ("{'a': schema.?spec}.all(k, v, true)", True),
        (
            "[timestamp('2024-01-02T00:00:00Z'), timestamp('2024-01-01T00:00:00Z')].sortBy(t, t)[0]",
            "2024-01-01T00:00:00Z",
        ),
    ],
)
def test_kro_comprehensions_evaluate_locally(ev: Evaluator, expression: str, expected: Any) -> None:
    assert ev.evaluate(expression, DATA) == expected


def test_omit_sentinel(ev: Evaluator) -> None:
    assert ev.evaluate("schema.spec.replicas > 5 ? 1 : omit()", DATA) is OMIT
    # kro: omit() is an opaque value that only removes a field when it is the field's whole value
    for misuse in ("{'a': omit()}", "omit() == omit()", "'prefix-' + omit()", "[omit()]"):
        with pytest.raises(CelEvalError, match="field-removal sentinel"):
            ev.evaluate(misuse, DATA)


def test_typed_variables() -> None:
    typed = Evaluator({"n": CelType.INT, "s": CelType.list_of(CelType.STRING)})
    assert typed.evaluate("n + size(s)", {"n": 1, "s": ["x"]}) == 2
    with pytest.raises(CelCompileError, match="no matching overload"):
        typed.compile("n + 'x'")


def test_without_kro_library_only_the_standard_library() -> None:
    plain = Evaluator(["x"], kro_library=False)
    assert plain.evaluate("x + 1", {"x": 1}) == 2
    with pytest.raises(CelCompileError):
        plain.compile("random.seededInt(0, 10, 'a')")


@pytest.mark.parametrize(
    "expression",
    [
        "json.marshal(schema.spec.?name)",
        "json.marshal(schema.spec.tags.first())",
        "{'k': schema.?spec}",
        "schema.spec.tags.transformMap(i, t, optional.of(t)).size()",
        "schema.spec.tags.transformMapEntry(i, t, {t: schema.?spec}).size()",
        "schema.spec.tags.sortBy(t, optional.of(t)).size()",
    ],
)
def test_optionals_the_engine_cannot_hand_over_are_refused(ev: Evaluator, expression: str) -> None:
    with pytest.raises(CelUnsupportedLocally, match=r"orValue"):
        ev.evaluate(expression, DATA)


def test_unwrapped_optionals_reach_library_functions(ev: Evaluator) -> None:
    assert ev.evaluate("json.marshal(schema.spec.?name.orValue(''))", DATA) == '"web"'


def test_evaluators_share_programs_only_for_the_same_declarations() -> None:
    first, second = Evaluator(["shared", "other"]), Evaluator(["other", "shared"])
    assert first.compile("shared + other") is second.compile("shared + other")
    typed = Evaluator({"shared": CelType.INT, "other": CelType.DYN})
    with pytest.raises(CelCompileError):
        typed.compile('shared + "x"')
    assert Evaluator(["shared", "other"]).evaluate('shared + "x"', {"shared": "a", "other": 1}) == "ax"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("[1, 'a'].sortBy(e, e)", "list elements must have the same type"),
        ("[[1], [2]].sortBy(e, e)", "list elements must be comparable"),
        ("['a', 'a'].transformMapEntry(i, v, {v: i})", "key 'a' already exists"),
        ("{'a': 1}.transformMap(k, v, timestamp('2024-01-01T00:00:00Z'))", "a timestamp collected into a map"),
    ],
)
def test_comprehension_errors(ev: Evaluator, expression: str, message: str) -> None:
    with pytest.raises(CelEvalError, match=message):
        ev.evaluate(expression, DATA)
