"""What the differential test cannot check: nondeterministic functions (by property), the functions pykro
refuses, error messages, Lynq's typed markers, and the table of functions."""

from __future__ import annotations

import base64
import inspect
import json
import re
import string
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from tests.gotemplate.checker import checker_path

from pykro._gotemplate import FUNCS, GoTemplateError, parse, render
from pykro._gotemplate.lynq import MARKER_BOOL, MARKER_FLOAT, MARKER_INT, parse_typed_value
from pykro._gotemplate.sprig_misc import REFUSED


def _error(source: str, data: object = None, **kw: object) -> str:
    with pytest.raises(GoTemplateError) as err:
        render(source, data, **kw)  # type: ignore[arg-type]
    return str(err.value)


# --- nondeterministic functions, by property
@pytest.mark.parametrize(
    ("fn", "alphabet"),
    [
        ("randAlphaNum", string.ascii_letters + string.digits),
        ("randAlpha", string.ascii_letters),
        ("randNumeric", string.digits),
        ("randAscii", "".join(chr(c) for c in range(32, 127))),
    ],
)
def test_random_strings_have_the_length_and_alphabet(fn: str, alphabet: str) -> None:
    values = {render(f"{{{{ {fn} 40 }}}}", {}) for _ in range(5)}
    assert len(values) == 5  # 5 draws of 40 characters never repeat
    for value in values:
        assert len(value) == 40
        assert set(value) <= set(alphabet)
    assert render(f"{{{{ {fn} 0 }}}}", {}) == ""


def test_uuidv4_is_a_version_4_uuid() -> None:
    values = {render("{{ uuidv4 }}", {}) for _ in range(3)}
    assert len(values) == 3
    for value in values:
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value)


def test_shuffle_rand_int_and_rand_bytes() -> None:
    assert sorted(render('{{ shuffle "abcdefgh" }}', {})) == list("abcdefgh")
    assert all(3 <= int(render("{{ randInt 3 6 }}", {})) < 6 for _ in range(20))
    assert len(base64.b64decode(render("{{ randBytes 12 }}", {}))) == 12


def test_now_and_dates() -> None:
    year = datetime.now(UTC).year
    assert render('{{ dateInZone "2006" now "UTC" }}', {}) in {str(year), str(year + 1)}
    epoch = int(render("{{ now | unixEpoch }}", {}))
    assert abs(epoch - datetime.now(UTC).timestamp()) < 3600
    assert render('{{ now | date "2006-01-02" | len }}', {}) == "10"
    assert render("{{ ago now }}", {}) in {"0s", "1s"}


# --- refused functions name themselves
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_functions_say_not_supported(name: str) -> None:
    message = _error(f'{{{{ {name} "1" }}}}', {})
    assert f"{name} is not supported" in message


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ('{{ regexFind "\\\\pL+" "x" }}', "Unicode classes"),
        ('{{ regexFind "(?U)a+" "x" }}', "ungreedy"),
        ('{{ regexFind "a(?i)b" "x" }}', "flag groups"),
        ('{{ "héllo" | trunc 2 }}', "multi-byte character"),
        ('{{ snakecase "Héllo" }}', "snakecase of non-ASCII text is not supported"),
        ('{{ int "1e30" }}', "platform-defined"),
        ('{{ int "inf" }}', "platform-defined"),
        ('{{ int "NaN" }}', "platform-defined"),
        ('{{ int "9223372036854775808" }}', "platform-defined"),
        ('{{ urlParse "http://x" }}', "urlParse is not supported"),
        ('{{ printf "%#v" (list 1) }}', "%#v"),
        ('{{ toDate "15:04" "10:30" }}', "year 0"),
        ('{{ toDate "2006 MST" "2020 CET" }}', "zone abbreviations"),
    ],
)
def test_go_only_behaviour_is_refused(source: str, fragment: str) -> None:
    assert fragment in _error(source, {})


# --- error messages: where and what
def test_parse_error_line_and_column() -> None:
    message = _error("ok\n  {{ if .a }}\n  {{ .b | nosuch }}{{ end }}", {}, name="form/app.yaml")
    assert message.startswith('form/app.yaml:3:11: function "nosuch" not defined.')
    assert "Sprig" in message  # says what to use instead


def test_unclosed_action_and_unexpected_end() -> None:
    assert _error("a {{ .x ").startswith("template:1:3: unclosed action")
    assert _error("{{ if .x }}a").startswith("template:1:13: unexpected EOF")
    assert _error("x{{ end }}").startswith("template:1:5: unexpected {{end}}")


def test_exec_error_names_the_function() -> None:
    message = _error('{{ .n | trunc "3" }}', {"n": "abc"}, name="t")
    assert message.startswith('t:1:15: trunc: expected integer; found "3"')
    message = _error("\n{{ div 1 .z }}", {"z": 0}, name="t")
    assert message.startswith("t:2:4: error calling div: runtime error: integer divide by zero")


def test_missing_key_error_names_the_key() -> None:
    message = _error("{{ .uid }}-{{ .regoin }}", {"uid": "a", "region": "eu"}, missing_key="error", name="nameTemplate")
    assert message.startswith('nameTemplate:1:15: map has no entry for key "regoin".')
    assert "extraValueMappings" in message


def test_wrong_argument_type_and_count() -> None:
    assert "upper: wrong type for value; expected string; got int" in _error("{{ .n | upper }}", {"n": 3})
    assert "wrong number of args for upper: want 1 got 2" in _error('{{ upper "a" "b" }}', {})
    assert "incompatible types for comparison" in _error("{{ eq .n 1.5 }}", {"n": 3})


def test_python_values_without_a_go_equivalent_are_named() -> None:
    message = _error("rows: {{ .v }}", {"v": Decimal("1.5")}, name="form")
    assert message.startswith("form:1:10: a value of Python type Decimal has no Go equivalent")
    assert "Decimal" in _error('{{ printf "%v" .v }}', {"v": Decimal(1)})


def test_user_text_is_printed_verbatim_in_errors() -> None:
    message = _error('{{ fail "bad [red]value[/red] \\x1b[31m" }}', {})
    assert "bad [red]value[/red] \x1b[31m" in message


# --- the API
def test_custom_functions_and_values_are_data() -> None:
    template = parse("{{ greet .name }}", funcs={"greet": lambda name: f"hi {name}"})
    row = {"name": "{{ .secret }}\nkind: Secret ${x}"}
    assert template.execute(row) == "hi {{ .secret }}\nkind: Secret ${x}"


def test_parse_once_execute_from_threads() -> None:
    template = parse('{{ range .items }}{{ . | upper }},{{ end }}{{ define "t" }}{{ . }}{{ end }}{{ template "t" .n }}')
    results: list[str] = []

    def work(i: int) -> None:
        for _ in range(200):
            results.append(template.execute({"items": ["a", str(i)], "n": i}))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(results)) == [f"A,{i},{i}" for i in range(4)]


def test_recursion_is_stopped() -> None:
    assert "called more than 100 levels deep" in _error(
        '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', {}
    )


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    assert "nests more than 100 levels deep" in _error("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", {})
    assert "nests more than 100 levels deep" in _error("{{ if 1 }}" * 101 + "{{ end }}" * 101, {})


def _at_depth(frames: int, fn: Callable[[], str]) -> str:
    return fn() if frames == 0 else _at_depth(frames - 1, fn)


def test_nesting_limits_do_not_depend_on_the_callers_stack() -> None:
    # Called 900 frames deep (the default recursion limit is 1000), the engine's own limits still decide.
    limit = sys.getrecursionlimit()
    try:
        deep = 900 - len(inspect.stack())
        assert "nests more than 100 levels deep" in _at_depth(
            deep, lambda: _error("{{ " + "(" * 101 + "1" + ")" * 101 + " }}")
        )
        assert "nests more than 100 levels deep" in _at_depth(
            deep, lambda: _error("{{ if 1 }}" * 101 + "{{ end }}" * 101)
        )
        assert _at_depth(deep, lambda: render("{{ " + "(" * 99 + "1" + ")" * 99 + " }}", {})) == "1"
        assert _at_depth(deep, lambda: render("{{ with 1 }}" * 99 + "x" + "{{ end }}" * 99, {})) == "x"
        recursive = '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}'
        assert "called more than 100 levels deep" in _at_depth(deep, lambda: _error(recursive, {}))
    finally:
        sys.setrecursionlimit(limit)


def test_the_recursion_limit_is_put_back() -> None:
    # Deep enough in the caller's stack that the engine must raise Python's recursion limit, which it restores.
    limit = sys.getrecursionlimit()
    deep = 900 - len(inspect.stack())
    assert _at_depth(deep, lambda: render("{{ " + "(" * 99 + "1" + ")" * 99 + " }}", {})) == "1"
    assert sys.getrecursionlimit() == limit
    assert "nests more than 100 levels deep" in _at_depth(deep, lambda: _error("{{ if 1 }}" * 101 + "{{ end }}" * 101))
    assert sys.getrecursionlimit() == limit
    assert _at_depth(deep, lambda: parse("{{ with 1 }}" * 99 + "x" + "{{ end }}" * 99, name="w").execute({})) == "x"
    assert sys.getrecursionlimit() == limit


def test_parses_are_shared_without_custom_functions() -> None:
    assert parse("{{ .a }}", name="x") is parse("{{ .a }}", name="x")
    assert parse("{{ .a }}", name="x") is not parse("{{ .a }}", name="x", missing_key="error")
    assert parse("{{ f }}", funcs={"f": lambda: 1}) is not parse("{{ f }}", funcs={"f": lambda: 1})


def test_unknown_missing_key_option() -> None:
    with pytest.raises(GoTemplateError, match="unknown missing_key"):
        parse("x", missing_key="invalid")  # type: ignore[arg-type]


# --- Lynq's typed markers
def test_typed_markers_round_trip() -> None:
    rendered = render('{{ .r | default "2" | int }}|{{ .c | float }}|{{ .b | bool }}', {"c": "1.5", "b": "yes"})
    parts = rendered.split("|")
    assert parts == [f"{MARKER_INT}2", f"{MARKER_FLOAT}1.5", f"{MARKER_BOOL}true"]
    assert [parse_typed_value(p) for p in parts] == [2, 1.5, True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{MARKER_INT}-42", -42),
        (f"{MARKER_FLOAT}1e+06", 1e6),
        (f"{MARKER_BOOL}false", False),
        (f"{MARKER_BOOL}anything", False),
        (f"{MARKER_INT}42-x", f"{MARKER_INT}42-x"),  # not a number: the text stays verbatim
        (f"x{MARKER_INT}42", f"x{MARKER_INT}42"),  # the marker must lead
        ("plain", "plain"),
    ],
)
def test_parse_typed_value(text: str, expected: object) -> None:
    assert parse_typed_value(text) == expected
    assert type(parse_typed_value(text)) is type(expected)


# --- the function table
GO_BUILTINS = {"and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html", "js", "urlquery",
               "call", "eq", "ne", "lt", "le", "gt", "ge"}  # fmt: skip


def test_every_function_of_lynqs_map_is_known() -> None:
    """FUNCS has exactly the builtins plus the function map Lynq's engine builds (Sprig v3 + Lynq's)."""
    checker = checker_path()
    done = subprocess.run([checker], input=json.dumps([{"names": True}]), capture_output=True, text=True, check=True)
    go_names = set(json.loads(done.stdout)[0]["out"].split())
    assert {"toHost", "trunc63", "sha1sum", "fromJson", "int", "float", "bool", "regexReplaceAll"} <= go_names
    assert set(FUNCS) == go_names | GO_BUILTINS
