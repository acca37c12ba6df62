"""Exact outputs of kro's random.* and hash.* and of the string/bytes functions, for inputs holding NUL characters and
digests holding zero bytes: the engine (cel-expr-python) cuts strings and bytes it receives from Python at a NUL, so
every such value either arrives whole or the evaluation raises, never a shortened value.

References: random.* follows kro v0.9.3's pkg/cel/library/random.go, written out again here; digests come from
hashlib (Go's crypto/md5 and crypto/sha256 compute the same functions).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pykro.cel import CelError, CelEvalError, Evaluator

EV = Evaluator(["x", "y"])
ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyz"


def go_seeded_string(length: int, seed: str) -> str:
    """kro's generateDeterministicString, step by step (re-hash when a window passes the digest's end)."""
    digest = hashlib.sha256(seed.encode()).digest()
    out = b""
    for i in range(length):
        start = (i * 4) % len(digest)
        if start + 4 > len(digest):
            digest, start = hashlib.sha256(digest + out).digest(), 0
        index = int.from_bytes(digest[start : start + 4], "big") % len(ALPHANUMERIC)
        out += ALPHANUMERIC[index].encode()
    return out.decode()


def go_seeded_int(low: int, high: int, seed: str) -> int:
    """kro's generateDeterministicInt with Go's int64/uint64 wrap-around."""
    v = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    span = (high - low) % 2**64
    offset = (v % span) % 2**64
    offset = offset - 2**64 if offset >= 2**63 else offset
    total = (low + offset) % 2**64
    return total - 2**64 if total >= 2**63 else total


def fnv64a(data: bytes) -> bytes:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) % 2**64
    return h.to_bytes(8, "big")


HASHES: dict[str, Callable[[bytes], bytes]] = {
    "hash.sha256": lambda data: hashlib.sha256(data).digest(),
    "hash.md5": lambda data: hashlib.md5(data).digest(),
    "hash.fnv64a": fnv64a,
}


def cel_string(text: str) -> str:
    """A CEL string literal for ``text`` (every character escaped, so NUL and any code point survive the source)."""
    return '"' + "".join(f"\\U{ord(c):08x}" for c in text) + '"'


def cel_bytes(data: bytes) -> str:
    return 'b"' + "".join(f"\\x{b:02x}" for b in data) + '"'


def inputs_with_zero_bytes(function: str, count: int = 3) -> list[str]:
    """Seeds whose digest under ``function`` holds a zero byte, found by counting up."""
    digest = HASHES[function]
    found = (f"seed-{i}" for i in itertools.count() if 0 in digest(f"seed-{i}".encode()))
    return list(itertools.islice(found, count))


NUL_STRINGS = ["", "\x00", "a\x00b", "\x00\x00\x00", "ünï\x00cödé", "😀\x00"]


@pytest.mark.parametrize("function", sorted(HASHES))
def test_hash_digests_holding_zero_bytes_are_whole(function: str) -> None:
    for text in ["", "abc", "hello world", *inputs_with_zero_bytes(function), *NUL_STRINGS]:
        expected = HASHES[function](text.encode())
        assert EV.evaluate(f"{function}({cel_string(text)})", {}) == expected, text
        assert EV.evaluate(f"size({function}({cel_string(text)}))", {}) == len(expected)
        encoded = EV.evaluate(f"base64.encode({function}({cel_string(text)}))", {})
        assert encoded == base64.b64encode(expected).decode()


def test_known_digests_with_zero_bytes() -> None:
    """The cases measured cut before the fix: md5('') has a zero at byte 5, sha256('abc') at byte 29."""
    assert EV.evaluate("hash.md5('')", {}) == bytes.fromhex("d41d8cd98f00b204e9800998ecf8427e")
    assert EV.evaluate("hash.sha256('abc')", {}).hex() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


@pytest.mark.parametrize("seed", ["", "abc", "my-uid-1234", *NUL_STRINGS])
def test_random_matches_kro_algorithm(seed: str) -> None:
    for length in (1, 8, 9, 33, 64):
        assert EV.evaluate(f"random.seededString({length}, {cel_string(seed)})", {}) == go_seeded_string(length, seed)
    for low, high in ((0, 100), (30000, 32768), (-100, -50), (5, 6), (-(2**63), 2**63 - 1), (-1, 2**63 - 1)):
        assert EV.evaluate(f"random.seededInt({low}, {high}, {cel_string(seed)})", {}) == go_seeded_int(low, high, seed)


def test_bytes_holding_nul_in_variables_arrive_whole() -> None:
    data = b"\x00a\x00\xff\x00"
    assert EV.evaluate("x", {"x": data}) == data
    assert EV.evaluate("size(x)", {"x": data}) == len(data)
    assert EV.evaluate("base64.encode(x)", {"x": data}) == base64.b64encode(data).decode()
    assert EV.evaluate("x.list[1]", {"x": {"list": [b"", data]}}) == data
    assert EV.evaluate("x == y", {"x": data, "y": data[:1]}) is False


@pytest.mark.parametrize(
    ("value", "expressions", "where"),
    [
        ("a\x00b", ("x", "size(x)", "x + 'c'", "x == 'a'"), "x"),
        ({"name": "a\x00"}, ("x", "x.name", "size(x.name)", "x.exists(k, k == 'b')"), "x.name"),
        ({"a": 1, "a\x00": 2}, ("x", "size(x)", "x.exists(k, k == 'a')"), r"'a\\x00'"),
        ({"items": ["ok", "\x00"]}, ("x", "x.items[0]", "x.items.size()"), r"x.items\[1\]"),
    ],
)
def test_strings_and_keys_holding_nul_in_variables_raise(value: Any, expressions: tuple[str, ...], where: str) -> None:
    for expression in expressions:
        with pytest.raises(CelEvalError, match=f"{where}.*NUL character"):
            EV.evaluate(expression, {"x": value})


def test_data_an_expression_does_not_read_never_reaches_the_engine() -> None:
    assert EV.evaluate("x + 1", {"x": 1, "y": "a\x00"}) == 2
    assert EV.evaluate("x.a", {"x": {"a": 1, "b": "\x00"}}) == 1  # a sibling of what is read
    assert EV.evaluate("x.a", {"x": {"a": 1, "a\x00": 2}}) == 1  # the engine would have cut the key to "a"
    assert EV.evaluate("has(x.a) && !has(x.b)", {"x": {"a": 1, "a\x00": 2, "b\x00": 3}}) is True


def test_library_results_holding_nul_raise() -> None:
    with pytest.raises(CelEvalError, match="NUL character"):
        EV.evaluate(r"""json.unmarshal('"a\\u0000b"')""", {})
    with pytest.raises(CelEvalError, match="NUL character"):
        EV.evaluate(r"""json.unmarshal('{"k\\u0000": 1}')""", {})


# -- property: every string/bytes function gives the reference answer or raises ---------------------------------

texts = st.one_of(st.text(max_size=12), st.text(alphabet="a\x00é😀 Z", max_size=12))
blobs = st.binary(max_size=16)


def go_json_string(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028")):
        out = out.replace(raw, escaped)
    return out.replace("\u2029", "\\u2029")


STRING_FUNCTIONS: list[tuple[str, Callable[[str], Any]]] = [
    ("hash.sha256($S)", lambda s: hashlib.sha256(s.encode()).digest()),
    ("hash.md5($S)", lambda s: hashlib.md5(s.encode()).digest()),
    ("hash.fnv64a($S)", lambda s: fnv64a(s.encode())),
    ("base64.encode(hash.sha256($S))", lambda s: base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()),
    ("random.seededString(12, $S)", lambda s: go_seeded_string(12, s)),
    ("random.seededInt(0, 1000, $S)", lambda s: go_seeded_int(0, 1000, s)),
    ("json.marshal($S)", go_json_string),
    ("json.unmarshal(json.marshal($S))", lambda s: s),
    ("$S", lambda s: s),
    ("size($S)", len),
    ("bytes($S)", lambda s: s.encode()),
    ("$S + $S", lambda s: s + s),
    ("$S.reverse()", lambda s: s[::-1]),
    ("$S.lowerAscii()", lambda s: "".join(c.lower() if c.isascii() else c for c in s)),
    ("$S.upperAscii()", lambda s: "".join(c.upper() if c.isascii() else c for c in s)),
    ("$S.indexOf('\\x00')", lambda s: s.find("\x00")),
    ("[$S].sort()", lambda s: [s]),
    ("{'k': $S}.k", lambda s: s),
    ("{$S: 1}.transformMap(k, v, k)", lambda s: {s: s}),
]
BYTES_FUNCTIONS: list[tuple[str, Callable[[bytes], Any]]] = [
    ("$B", lambda b: b),
    ("size($B)", len),
    ("base64.encode($B)", lambda b: base64.b64encode(b).decode()),
    ("base64.decode(base64.encode($B))", lambda b: b),
    ("$B + $B", lambda b: b + b),
    ("[$B][0]", lambda b: b),
    ("json.marshal($B)", lambda b: '"' + base64.b64encode(b).decode() + '"'),
]


def _outcome(expression: str, variables: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "value", EV.evaluate(expression, variables)
    except CelError as exc:
        return "error", str(exc)


def _check(expression: str, variables: dict[str, Any], expected: Any, *, must_answer: bool) -> None:
    kind, got = _outcome(expression, variables)
    if kind == "value":
        assert got == expected and type(got) is type(expected), (expression, variables, got, expected)
    else:
        assert not must_answer, (expression, variables, got)


@settings(max_examples=60, deadline=None)
@given(text=texts)
def test_string_functions_match_the_reference_or_raise(text: str) -> None:
    """A string without NUL always gets the answer; one with NUL gets it or an error (from data it cannot reach
    the engine; a library function cannot hand one back)."""
    clean = "\x00" not in text
    for template, reference in STRING_FUNCTIONS:
        expected = reference(text)
        _check(template.replace("$S", cel_string(text)), {}, expected, must_answer=clean)
        _check(template.replace("$S", "x"), {"x": text}, expected, must_answer=clean)
    if not clean:
        assert _outcome("x", {"x": text})[0] == "error"
        assert _outcome(f"hash.sha256({cel_string(text)})", {})[0] == "value"  # literals arrive whole


@settings(max_examples=60, deadline=None)
@given(data=blobs)
def test_bytes_functions_match_the_reference(data: bytes) -> None:
    for template, reference in BYTES_FUNCTIONS:
        expected = reference(data)
        for expression, variables in (
            (template.replace("$B", cel_bytes(data)), {}),
            (template.replace("$B", "y"), {"y": data}),
        ):
            kind, got = _outcome(expression, variables)
            assert kind == "value", (expression, got)
            assert got == expected and type(got) is type(expected), (expression, got, expected)
