"""kro's ``${...}`` scanning (cases re-expressed from kro v0.9.3 pkg/graph/parser tests) and template evaluation."""

from __future__ import annotations

from typing import Any

import pytest

from pykro.cel import (
    CelEvalError,
    Evaluator,
    Expr,
    Standalone,
    Template,
    find_expressions,
    parse_value,
    render_template,
    template_to_cel,
)
from pykro.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${resource.field}", Standalone("resource.field")),
        ("${size(r.list)}", Standalone("size(r.list)")),
        ("prefix-${r.f}", Template(("prefix-", Expr("r.f")))),
        ("${r.f}-suffix", Template((Expr("r.f"), "-suffix"))),
        ("${a.f}-mid-${b.f}", Template((Expr("a.f"), "-mid-", Expr("b.f")))),
        ("${r.map['key']}", Standalone("r.map['key']")),
        ('${r.f == "esc\\"quote"}', Standalone('r.f == "esc\\"quote"')),
        ("  ${a}  ${b}  ", Template(("  ", Expr("a"), "  ", Expr("b"), "  "))),
        ("${r.l.map(\n  x,\n  x * 2\n)}", Standalone("r.l.map(\n  x,\n  x * 2\n)")),
        ('${outer("${inner}")}', Standalone('outer("${inner}")')),
        ('${"text with }} inside"}', Standalone('"text with }} inside"')),
        ('${"text with { inside"}', Standalone('"text with { inside"')),
        ("${c ? {'k': 'v'} : {'k': 'w'}}", Standalone("c ? {'k': 'v'} : {'k': 'w'}")),
        ("${c ? v : {}}", Standalone("c ? v : {}")),
        ("${done} ${done2} ${incomplete", Template((Expr("done"), " ", Expr("done2"), " ${incomplete"))),
        ('${"${VAR}"}', Standalone('"${VAR}"')),
        ("plain string", "plain string"),
        ("", ""),
        ("${incomplete", "${incomplete"),
        ("$ {not} {}", "$ {not} {}"),
    ],
)
def test_parse_value(text: str, expected: Any) -> None:
    assert parse_value(text) == expected


@pytest.mark.parametrize("text", ["${outer(${inner})} ${outer}", "${incomplete1 ${incomplete2", "${incomplete ${c}"])
def test_nested_expressions_are_rejected(text: str) -> None:
    with pytest.raises(ValidationError, match="nested expression"):
        parse_value(text, where="spec.x")


def test_template_to_cel_quotes_like_go() -> None:
    template = parse_value('a"\\\n\x01é-${x}-${y}')
    assert isinstance(template, Template)
    assert template_to_cel(template) == '"a\\"\\\\\\n\\x01é-" + (x) + "-" + (y)'


def test_template_evaluates_through_the_engine() -> None:
    ev = Evaluator(["schema"])
    template = parse_value('${schema.name}-"${schema.env}"\n')
    assert isinstance(template, Template)
    data = {"schema": {"name": "web", "env": "prod"}}
    assert ev.evaluate(template_to_cel(template), data) == 'web-"prod"\n'
    values = [ev.evaluate(e, data) for e in template.expressions]
    assert render_template(template, values) == 'web-"prod"\n'


def test_non_string_template_parts_are_errors() -> None:
    template = parse_value("replicas-${schema.n}")
    assert isinstance(template, Template)
    with pytest.raises(CelEvalError, match="must be a string, got int"):
        render_template(template, [3])
    with pytest.raises(CelEvalError, match=r"[Nn]o matching overload"):
        Evaluator(["schema"]).evaluate(template_to_cel(template), {"schema": {"n": 3}})


def test_find_expressions_paths_follow_kro() -> None:
    resource = {
        "metadata": {"name": "${schema.name}", "labels": {"app.kubernetes.io/name": "x-${schema.name}", "": "${a}"}},
        "spec": {"containers": [{"image": "img"}, {"env": [{"value": "${b.c}"}]}]},
        "${key}": "plain",
        "n": 3,
    }
    assert find_expressions(resource) == [
        ("metadata.name", Standalone("schema.name")),
        ('metadata.labels["app.kubernetes.io/name"]', Template(("x-", Expr("schema.name")))),
        ('metadata.labels[""]', Standalone("a")),
        ("spec.containers[1].env[0].value", Standalone("b.c")),
    ]
    assert find_expressions(["${x}"], "status") == [("status[0]", Standalone("x"))]


def test_omit_in_a_string_template_is_refused_with_its_own_fix() -> None:
    template = parse_value("prefix-${omit()}")
    assert isinstance(template, Template)
    value = Evaluator().evaluate("omit()", {})
    with pytest.raises(CelEvalError, match=r"got kro\.omit.*whole value"):
        render_template(template, [value])
