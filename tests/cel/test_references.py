"""Dependency extraction from CEL expressions."""

from __future__ import annotations

import pytest

from pykro.cel import Reference, identifiers, parse, references


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("db.status.readyReplicas > 0", [("db", ("status", "readyReplicas"))]),
        ('a["b"].c[0].d', [("a", ("b", "c"))]),
        ("a[b].c", [("a", ()), ("b", ())]),
        ("a.b.size() + a.b.size()", [("a", ("b",))]),
        ("xs.filter(x, x.a > y.b).map(x, x.c + z)", [("xs", ()), ("y", ("b",)), ("z", ())]),
        ("xs.map(x, x > 0, x * k)", [("xs", ()), ("k", ())]),
        ("m.exists(k, v, k == v && w)", [("m", ()), ("w", ())]),
        ("cel.bind(v, v.a, v.b + u)", [("v", ("a",)), ("u", ())]),
        ("has(a.b.c) ? a.?d.orValue(1) : 0", [("a", ("b", "c")), ("a", ("d",))]),
        ("random.seededString(5, schema.metadata.uid)", [("schema", ("metadata", "uid"))]),
        ("hash.sha256(json.marshal(cfg))", [("cfg", ())]),
        ("xs.all(x, x.ok) && x.other", [("xs", ()), ("x", ("other",))]),
        ("{'k': a, b: [c.d]}", [("a", ()), ("b", ()), ("c", ("d",))]),
    ],
)
def test_references(expression: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert references(expression) == [Reference(root, path) for root, path in expected]
    assert references(parse(expression)) == references(expression)
    assert identifiers(expression) == {root for root, _ in expected}


def test_reference_str() -> None:
    assert str(Reference("db", ("status", "x"))) == "db.status.x"
