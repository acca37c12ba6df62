"""The Go template engine on hand-checked cases: output and error messages (name:line:col, what)."""

from __future__ import annotations

import pytest

from pykro._gotemplate import GoTemplateError, parse, render

DATA = {"a": {"b": "B"}, "n": 3, "t": True, "l": ["x", "y"], "m": {"k": 1.5, "j": None}, "s": "hi"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("plain text", "plain text"),
        ("{{ .a.b }}", "B"),
        ("{{ $x := .n }}{{ $x }}", "3"),
        ('{{ .s | printf "%s!" }}', "hi!"),
        ("{{ if .t }}yes{{ else }}no{{ end }}", "yes"),
        ("{{ if .missing }}yes{{ else if .n }}n{{ end }}", "n"),
        ("{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}", "0=x;1=y;"),
        ("{{ .l }} {{ .m }}", "[x y] map[j:<nil> k:1.5]"),
        ("{{ .missing }}|{{ .missing.deeper }}", "<no value>|<no value>"),
        ("a  {{- 1 -}}  b", "a1b"),
        ("{{/* comment */}}x", "x"),
    ],
)
def test_renders(source: str, expected: str) -> None:
    assert render(source, DATA) == expected


def test_parse_once_execute_many() -> None:
    template = parse("{{ .s }}-{{ .n }}")
    assert [template.execute({"s": s, "n": i}) for i, s in enumerate("ab")] == ["a-0", "b-1"]


def test_unknown_function_names_it_with_position() -> None:
    with pytest.raises(GoTemplateError) as err:
        parse("line one\n  {{ .x | nosuch }}", name="form.yaml")
    assert str(err.value).startswith('form.yaml:2:11: function "nosuch" not defined')


def test_exec_error_has_position_and_function() -> None:
    with pytest.raises(GoTemplateError) as err:
        render('{{ lt 1 "a" }}', {}, name="t")
    assert str(err.value).startswith("t:1:4: error calling lt: incompatible types for comparison: int and string")
