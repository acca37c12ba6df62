"""The Python CEL parser and printer: hypothesis round trips, engine agreement, kro's fixtures, error positions."""

from __future__ import annotations

import functools
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import CHAINSAW

from pykro import _yamlio as yamlio
from pykro.cel import CelCompileError, CelEvalError, Evaluator, parse, to_cel
from pykro.cel._ast import (
    Binary,
    Call,
    Conditional,
    Ident,
    Index,
    ListExpr,
    Literal,
    MapExpr,
    Node,
    Select,
    StructExpr,
    UInt,
    Unary,
)
from pykro.cel._lexer import RESERVED
from pykro.cel._printer import literal
from pykro.cel._template import Standalone, Template, find_expressions

KEYWORDS = RESERVED | {"true", "false", "null", "in"}
names = st.from_regex(r"[a-z_][a-z0-9_]{0,4}", fullmatch=True).filter(lambda n: n not in KEYWORDS)
fields = names | st.sampled_from(["a-b", "x.y", "with space", "p/q"])
texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
ints = st.integers(min_value=-(2**63), max_value=2**63 - 1)
floats = st.floats(allow_nan=False, allow_infinity=False)
leaves: st.SearchStrategy[Node] = st.one_of(
    st.builds(Literal, st.none() | st.booleans() | ints | floats | texts | st.binary(max_size=8)),
    st.builds(UInt, st.integers(min_value=0, max_value=2**64 - 1)),
    st.builds(Ident, names),
)


def _compound(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    small = st.lists(children, max_size=3).map(tuple)
    return st.one_of(
        st.builds(Unary, st.sampled_from(["!", "-"]), children),
        st.builds(Binary, st.sampled_from(_BINARY), children, children),
        st.builds(Conditional, children, children, children),
        st.builds(Select, children, fields, st.booleans()),
        st.builds(Index, children, children, st.booleans()),
        st.builds(Call, st.sampled_from(["f", "size", "startsWith", "g"]), small, st.none() | children),
        st.builds(ListExpr, small),
        st.builds(MapExpr, st.lists(st.tuples(children, children), max_size=2).map(tuple)),
        st.builds(
            StructExpr, st.sampled_from(["Msg", "a.b.Msg"]), st.lists(st.tuples(names, children), max_size=2).map(tuple)
        ),
        st.builds(lambda xs: ListExpr(xs, tuple(range(0, len(xs), 2))), small),
    )


_BINARY = ["||", "&&", "==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/", "%"]
asts = st.recursive(leaves, _compound, max_leaves=12)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(asts)
def test_print_then_parse_gives_the_same_ast(node: Node) -> None:
    source = to_cel(node)
    assert repr(parse(source)) == repr(node), source


@given(st.one_of(texts, st.binary(max_size=16), ints, floats))
def test_literals_evaluate_to_themselves(value: Any) -> None:
    result = _EV.evaluate(literal(value), {})
    if isinstance(value, float):
        assert math.copysign(1, result) == math.copysign(1, value) and result == value
        assert isinstance(result, float)
    else:
        assert result == value and type(result) is type(value)


# --- typed expressions: minimal parentheses must mean what full parentheses mean ---------------------------
VARS = {"i": 7, "j": -3, "s": 'ab"c\\', "d": 2.5, "l": [1, 2, 3]}
_EV = Evaluator(list(VARS))


@functools.cache
def _typed(kind: str, depth: int) -> st.SearchStrategy[Node]:
    if depth == 0:
        return {
            "int": st.builds(Literal, st.integers(-50, 50)) | st.sampled_from([Ident("i"), Ident("j")]),
            "bool": st.builds(Literal, st.booleans()),
            "string": st.builds(Literal, texts) | st.just(Ident("s")),
            "double": st.builds(Literal, st.floats(-1e3, 1e3, allow_nan=False)) | st.just(Ident("d")),
        }[kind]
    sub = functools.partial(lambda k, d: _typed(k, d), d=depth - 1)
    options: dict[str, list[st.SearchStrategy[Node]]] = {
        "int": [
            st.builds(Binary, st.sampled_from(["+", "-", "*", "/", "%"]), sub("int"), sub("int")),
            st.builds(Unary, st.just("-"), sub("int")),
            st.builds(lambda x: Call("size", (x,)), sub("string")),
            st.builds(lambda x: Index(ListExpr((x, Literal(1))), Literal(0)), sub("int")),
        ],
        "bool": [
            st.builds(Binary, st.sampled_from(["&&", "||"]), sub("bool"), sub("bool")),
            st.builds(Binary, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), sub("int"), sub("int")),
            st.builds(Binary, st.sampled_from(["==", "<"]), sub("string"), sub("string")),
            st.builds(Unary, st.just("!"), sub("bool")),
            st.builds(lambda x: Binary("in", x, Ident("l")), sub("int")),
            st.builds(lambda x: Call("all", (Ident("v"), Binary(">", Ident("v"), x)), target=Ident("l")), sub("int")),
        ],
        "string": [
            st.builds(Binary, st.just("+"), sub("string"), sub("string")),
            st.builds(lambda x: Call("string", (x,)), sub("int")),
        ],
        "double": [st.builds(Binary, st.sampled_from(["+", "-", "*"]), sub("double"), sub("double"))],
    }
    choices = [sub(kind), *options[kind], st.builds(Conditional, sub("bool"), sub(kind), sub(kind))]
    return st.one_of(choices)


def _parenthesised(node: Node) -> str:
    """A naive printer: every compound sub-expression wrapped in parentheses."""
    if isinstance(node, Literal | UInt | Ident):
        return f"({to_cel(node)})"
    if isinstance(node, Unary):
        return f"({node.op}{_parenthesised(node.operand)})"
    if isinstance(node, Binary):
        return f"({_parenthesised(node.left)} {node.op} {_parenthesised(node.right)})"
    if isinstance(node, Conditional):
        return f"({_parenthesised(node.cond)} ? {_parenthesised(node.then)} : {_parenthesised(node.otherwise)})"
    if isinstance(node, Call):
        args = ", ".join(a.name if isinstance(a, Ident) and node.target else _parenthesised(a) for a in node.args)
        target = f"{_parenthesised(node.target)}." if node.target is not None else ""
        return f"({target}{node.function}({args}))"
    if isinstance(node, Index):
        return f"({_parenthesised(node.operand)}[{_parenthesised(node.index)}])"
    if isinstance(node, ListExpr):
        return "([" + ", ".join(_parenthesised(i) for i in node.items) + "])"
    raise AssertionError(node)


def _outcome(source: str) -> Any:
    try:
        value = _EV.evaluate(source, VARS)
    except CelEvalError as exc:
        return ("error", type(exc).__name__)
    return ("value", repr(value))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(["int", "bool", "string", "double"]).flatmap(lambda k: _typed(k, 3)))
def test_minimal_parentheses_keep_the_meaning(node: Node) -> None:
    minimal, full = to_cel(node), _parenthesised(node)
    assert _outcome(minimal) == _outcome(full), (minimal, full)


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (Binary("-", Ident("a"), Binary("-", Ident("b"), Ident("c"))), "a - (b - c)"),
        (Binary("-", Binary("-", Ident("a"), Ident("b")), Ident("c")), "a - b - c"),
        (Binary("*", Binary("+", Ident("a"), Ident("b")), Ident("c")), "(a + b) * c"),
        (Binary("&&", Binary("||", Ident("a"), Ident("b")), Ident("c")), "(a || b) && c"),
        (Binary("||", Ident("a"), Binary("&&", Ident("b"), Ident("c"))), "a || b && c"),
        (Conditional(Conditional(Ident("a"), Ident("b"), Ident("c")), Ident("d"), Ident("e")), "(a ? b : c) ? d : e"),
        (Conditional(Ident("a"), Ident("b"), Conditional(Ident("c"), Ident("d"), Ident("e"))), "a ? b : c ? d : e"),
        (Unary("-", Literal(1)), "-(1)"),
        (Literal(-1), "-1"),
        (Select(Literal(-1), "x"), "(-1).x"),
        (Unary("!", Binary("==", Ident("a"), Ident("b"))), "!(a == b)"),
        (Select(Ident("a"), "b", optional=True), "a.?b"),
        (Index(Ident("a"), Literal("k"), optional=True), 'a[?"k"]'),
        (Select(Ident("a"), "x-y"), "a.`x-y`"),
        (Literal(1.0), "1.0"),
        (UInt(3), "3u"),
        (Literal(b'\x00a"'), 'b"\\x00a\\""'),
        (Literal('tab\tquote"\u2028é'), '"tab\\tquote\\"\\u2028é"'),
    ],
)
def test_printer_output(node: Node, expected: str) -> None:
    assert to_cel(node) == expected
    assert parse(expected) == node


@pytest.mark.parametrize(
    ("source", "value"),
    [
        (r"r'\n'", "\\n"),
        ('"""a\nb"""', "a\nb"),
        ("'\\x41\\101\\u00e9\\U0001F600'", "AAé😀"),
        ("b'\\xff\\377'", b"\xff\xff"),
        ("0x1F", 31),
        ("0x10u", UInt(16)),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("-9223372036854775808", -(2**63)),
    ],
)
def test_lexer_forms(source: str, value: Any) -> None:
    expected = value if isinstance(value, UInt) else Literal(value)
    assert repr(parse(source)) == repr(expected)


@pytest.mark.parametrize(
    ("source", "position"),
    [
        ("a +", 3),
        ("a.b(", 4),
        ("'unterminated", 0),
        ("a ? b", 5),
        ("xs.all(1, true)", 3),
        ("has(a)", 0),
        ("9223372036854775808", 0),
        ("if.a", 0),
        ("a # b", 2),
        ("'\\q'", 1),
    ],
)
def test_syntax_errors_have_positions(source: str, position: int) -> None:
    with pytest.raises(CelCompileError) as info:
        parse(source)
    assert info.value.position == position
    assert info.value.expression == source


def _chainsaw_expressions() -> list[str]:
    found: list[str] = []
    for path in sorted(CHAINSAW.glob("*/rgd.yaml")):
        for doc in yamlio.load_all(path.read_text()):
            for _, parsed in find_expressions(doc):
                if isinstance(parsed, Standalone):
                    found.append(parsed.expression)
                elif isinstance(parsed, Template):
                    found.extend(parsed.expressions)
    return found


def test_every_chainsaw_expression_parses_and_round_trips() -> None:
    expressions = _chainsaw_expressions()
    assert len(expressions) > 40
    for expression in expressions:
        node = parse(expression)
        assert parse(to_cel(node)) == node, expression
