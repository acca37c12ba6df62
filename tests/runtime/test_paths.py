"""The runtime's direct field-path lookups against the real CEL engine: for random data and random paths, a lookup
gives the engine's value or defers to it; templates likewise; an expression called certainly pending is data
pending in the engine."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pykro import cel
from pykro.runtime import _paths as paths

VARIABLES = ("schema", "web", "each")
EVALUATOR = cel.Evaluator(VARIABLES)
RESOLVER_VARIABLES = EVALUATOR.variables
KEYS = ("spec", "name", "status", "a", "in")


class Sub(str):
    """A str subclass: the engine refuses it, so a lookup must defer."""


plain_scalars = st.one_of(
    st.text(max_size=4),
    st.text(max_size=4),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True),
    st.none(),
)
# Values the engine refuses or turns into something else, met rarely.
odd_scalars = st.one_of(
    st.sampled_from(["\ud800", "a\x00b", b"\x00", Sub("s"), (1, 2), 2**63, 2**70, -(2**64)]),
    st.binary(max_size=3),
)
map_keys = st.one_of(st.sampled_from(KEYS), st.sampled_from([1, True, 1.5, None, 2**70, "a\x00"]))


def _data(leaves: st.SearchStrategy[Any], keys: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)),
        max_leaves=10,
    )


plain_data = _data(plain_scalars, st.sampled_from(KEYS))
any_data = _data(st.one_of(plain_scalars, odd_scalars), map_keys)
nested: st.SearchStrategy[dict[str, Any]] = st.deferred(
    lambda: st.dictionaries(st.sampled_from(KEYS), st.one_of(plain_scalars, nested), min_size=1)
)
variable = st.one_of(nested, nested, nested, plain_data, any_data)
contexts = st.fixed_dictionaries({"schema": variable, "web": variable}, optional={"each": variable})
random_paths = st.tuples(st.sampled_from((*VARIABLES, "other")), st.lists(st.sampled_from(KEYS), max_size=3)).map(
    lambda t: (t[0], *t[1])
)


def _present(value: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    """Every path of field names (KEYS) through plain dicts in ``value``, with the value there."""
    found = [(path, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            if key in KEYS and isinstance(key, str):
                found.extend(_present(item, (*path, key)))
    return found


@st.composite
def key_paths_into(draw: st.DrawFn, ctx: dict[str, Any], *, longer: int = 4, strings: bool = False) -> tuple[str, ...]:
    """Mostly a path present in ``ctx`` (to a string when ``strings``; one key longer one time in ``longer``), else
    a random one."""
    present = [p for name, value in ctx.items() for p in _present(value, (name,))]
    if strings and draw(st.booleans()):
        present = [p for p in present if isinstance(p[1], str)] or present
    pick_present = draw(st.integers(0, 3)) > 0
    if present and pick_present:
        path = draw(st.sampled_from(present))[0]
        return (*path, draw(st.sampled_from(KEYS))) if draw(st.integers(1, longer)) == 1 else path
    return draw(random_paths)


def _engine(expression: str, ctx: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "value", EVALUATOR.evaluate(expression, ctx)
    except cel.CelDataPending:
        return "pending", None
    except cel.CelError:
        return "error", None


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ctx=contexts, draw=st.data())
def test_lookup_gives_the_engines_value_or_defers(ctx: dict[str, Any], draw: st.DataObject) -> None:
    keys = draw.draw(key_paths_into(ctx))
    expression = ".".join(keys)
    parsed = paths.bare_path(expression)
    if parsed is None:  # reserved words are not field names: the engine must not compile it either
        assert "in" in keys
        with pytest.raises(cel.CelCompileError):
            EVALUATOR.compile(expression)
        return
    assert parsed == keys
    found = paths.Resolver(RESOLVER_VARIABLES).lookup(parsed, ctx)
    if found is paths.DEFER:
        return
    outcome, value = _engine(expression, ctx)
    assert outcome == "value"
    assert _same(found, value), (found, value)


def test_lookups_are_answered_directly_for_plain_data() -> None:
    """The fast path must actually answer for ordinary data (otherwise the property above proves nothing)."""
    ctx = {"schema": {"spec": {"name": "app", "replicas": 2, "on": True, "ratio": 0.5, "none": None}}}
    resolver = paths.Resolver(RESOLVER_VARIABLES)
    for key in ("name", "replicas", "on", "ratio", "none"):
        keys = ("schema", "spec", key)
        assert resolver.lookup(keys, ctx) == EVALUATOR.evaluate(".".join(keys), ctx)
        assert resolver.lookup(keys, ctx) is not paths.DEFER
    for deferred in ("schema.spec", "schema.spec.missing", "schema.spec.name.x", "other.x"):
        assert resolver.lookup(tuple(deferred.split(".")), ctx) is paths.DEFER


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ({"spec": {"name": "x", "big": 2**70}}, "an int the engine cannot hold elsewhere in the variable"),
        ({"spec": {"name": "x"}, "other": (1, 2)}, "a tuple elsewhere in the variable"),
        ({"spec": {"name": "x", None: 1}}, "a null map key"),
        ({"spec": {"name": Sub("x")}}, "a str subclass"),
        ({"spec": {"name": "a\x00b"}}, "a NUL, where the engine cuts strings"),
        ({"spec": {"name": "x", "na\x00": 1}}, "a NUL in a key (the key becomes 'na')"),
        ({"spec": {"name": "x", "b": b"\x00"}}, "a NUL in bytes"),
    ],
)
def test_lookup_defers_where_the_engine_differs(value: dict[str, Any], why: str) -> None:
    resolver = paths.Resolver(RESOLVER_VARIABLES)
    assert resolver.lookup(("schema", "spec", "name"), {"schema": value}) is paths.DEFER, why


def test_cyclic_data_defers_and_shared_data_does_not() -> None:
    shared = {"k": "v"}
    cyclic: dict[str, Any] = {"name": "x"}
    cyclic["self"] = cyclic
    assert not paths.convertible(cyclic)
    assert paths.Resolver(RESOLVER_VARIABLES).lookup(("schema", "name"), {"schema": cyclic}) is paths.DEFER
    ctx = {"schema": {"a": shared, "b": shared, "c": [1, 2.5, None, b"x", True]}}
    assert paths.convertible(ctx["schema"])
    assert paths.Resolver(RESOLVER_VARIABLES).lookup(("schema", "b", "k"), ctx) == "v"
    assert EVALUATOR.evaluate("schema.b.k", ctx) == "v"


def test_bare_path_accepts_only_plain_selections() -> None:
    assert paths.bare_path("schema.spec.name") == ("schema", "spec", "name")
    assert paths.bare_path("region") == ("region",)
    for other in ("schema.spec.name + 1", "a[0]", "a.?b", "has(a.b)", "a.b()", " a.b", "a..b", "a.in", "1.a", ""):
        assert paths.bare_path(other) is None, other


def templates(ctx: dict[str, Any]) -> st.SearchStrategy[list[str | cel.Expr]]:
    expressions = key_paths_into(ctx, strings=True).map(lambda k: cel.Expr(".".join(k)))
    return st.lists(st.one_of(st.sampled_from(["-", "x", '"q"']), expressions, expressions), min_size=1, max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ctx=contexts, draw=st.data())
def test_template_gives_the_engines_string_or_defers(ctx: dict[str, Any], draw: st.DataObject) -> None:
    parts = draw.draw(templates(ctx))
    if not any(isinstance(p, cel.Expr) for p in parts) or any(
        isinstance(p, cel.Expr) and paths.bare_path(p.expression) is None for p in parts
    ):
        return
    template = cel.Template(tuple(parts))
    concatenation = cel.template_to_cel(template)
    found = paths.template_paths(concatenation, template)
    assert found is not None
    joined = paths.Resolver(RESOLVER_VARIABLES).template(found, ctx)
    if joined is paths.DEFER:
        return
    assert _engine(concatenation, ctx) == ("value", joined)


def test_template_joins_strings_directly() -> None:
    template = cel.parse_value("${schema.spec.name}-${each}")
    assert isinstance(template, cel.Template)
    found = paths.template_paths(cel.template_to_cel(template), template)
    assert found is not None
    ctx = {"schema": {"spec": {"name": "app"}}, "each": "eu"}
    assert paths.Resolver(RESOLVER_VARIABLES).template(found, ctx) == "app-eu"
    assert paths.Resolver(RESOLVER_VARIABLES).template(found, {**ctx, "each": 3}) is paths.DEFER


def expressions(ctx: dict[str, Any]) -> st.SearchStrategy[str]:
    plain_paths = key_paths_into(ctx, longer=2).filter(lambda k: "in" not in k).map(".".join)
    operands = st.one_of(
        plain_paths,
        plain_paths,
        plain_paths.map(lambda p: f"has({p}.x)"),
        st.sampled_from(["1", "0.5", '"s"', "true", "null", "2u", "(1 / 0)"]),
    )
    operators = st.sampled_from(["==", "!=", "<", ">=", "+", "-", "*", "/", "%", "in", "&&", "||"])
    return st.recursive(
        operands,
        lambda inner: st.one_of(
            st.tuples(inner, operators, inner).map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
            inner.map(lambda e: f"!({e})"),
            inner.map(lambda e: f"-({e})"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]}) ? ({t[1]}) : ({t[2]})"),
        ),
        max_leaves=4,
    )


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ctx=contexts, draw=st.data())
def test_certainly_pending_is_pending_in_the_engine(ctx: dict[str, Any], draw: st.DataObject) -> None:
    expression = draw.draw(expressions(ctx))
    tree = cel.parse(expression)
    if not paths.Resolver(RESOLVER_VARIABLES).pending(tree, ctx):
        return
    try:
        EVALUATOR.compile(expression)
    except cel.CelCompileError:
        return  # the runtime asks only about expressions that compile
    # pykro's local engine refuses any string holding a NUL character (its C++ core would cut it short) where kro
    # evaluates it; "pending" is kro's answer there, so such data says nothing about the resolver
    assume(not _holds_nul(ctx))
    assert _engine(expression, ctx)[0] == "pending", expression


def test_pending_recognises_missing_status() -> None:
    resolver = paths.Resolver(RESOLVER_VARIABLES)
    ctx = {"web": {"metadata": {"name": "w"}}, "schema": {"spec": {"replicas": 2}}}
    for expression in (
        "web.status.readyReplicas >= schema.spec.replicas",
        "web.status.a > 0 && web.status.b > 0",
        "!(web.status.ready)",
        "web.status.ready ? 1 : 2",
    ):
        assert resolver.pending(cel.parse(expression), ctx), expression
        assert _engine(expression, ctx)[0] == "pending"
    for expression in (
        "web.status.a > 0 && schema.spec.replicas > 0",  # false && error is false in CEL
        "has(web.status) && web.status.a > 0",
        "web.metadata.name == 'w'",
        "web.metadata.name.x > 0",  # selecting from a string is not "no such key"
        "(1 / 0) + web.status.a",  # the division's error may come first
    ):
        assert not resolver.pending(cel.parse(expression), ctx), expression
