"""kro v0.9.3's function library, evaluated through the real engine: positive and error cases per function."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from pykro.cel import CelDataPending, CelEvalError, Evaluator

EV = Evaluator(["x"])


def run(expression: str, x: Any = None) -> Any:
    return EV.evaluate(expression, {"x": x})


# Expected values computed by a throwaway Go program (standard library only) that reproduces kro v0.9.3's
# pkg/cel/library/random.go generateDeterministicString / generateDeterministicInt and hash/fnv's New64a.
SEEDED_STRINGS = [
    (10, "abc", "r6qfjs5dr6"),
    (1, "", "e"),
    (20, "my-uid-1234", "t16imkwzt16imkwzt16i"),
    (40, "seed", "qakd42wvqakd42wvqakd42wvqakd42wvqakd42wv"),
    (8, "ünïcode", "nu3bhggn"),
]
SEEDED_INTS = [
    (0, 100, "abc", 74),
    (30000, 32768, "my-uid-1234", 31405),
    (-5, 5, "x", 1),
    (-(2**63), 2**63 - 1, "wrap", 8116200739687511212),
    (0, 1, "z", 0),
]
FNV64A = [("", "cbf29ce484222325"), ("hello world", "779a65e7023cd2e7"), ("kro", "3de738193673efe5")]


@pytest.mark.parametrize(("length", "seed", "expected"), SEEDED_STRINGS)
def test_random_seeded_string_matches_go(length: int, seed: str, expected: str) -> None:
    assert run("random.seededString(x[0], x[1])", [length, seed]) == expected


@pytest.mark.parametrize(("low", "high", "seed", "expected"), SEEDED_INTS)
def test_random_seeded_int_matches_go(low: int, high: int, seed: str, expected: int) -> None:
    assert run("random.seededInt(x[0], x[1], x[2])", [low, high, seed]) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("random.seededString(0, 'a')", "length must be positive"),
        ("random.seededInt(5, 5, 'a')", "min must be less than max"),
    ],
)
def test_random_errors(expression: str, message: str) -> None:
    with pytest.raises(CelEvalError, match=message):
        run(expression)


@pytest.mark.parametrize(("text", "hexdigest"), FNV64A)
def test_hash_fnv64a(text: str, hexdigest: str) -> None:
    assert run("hash.fnv64a(x)", text).hex() == hexdigest


def test_hash_sha256_md5_return_bytes() -> None:
    assert run("hash.sha256(x)", "hi") == hashlib.sha256(b"hi").digest()
    assert run("hash.md5(x)", "hi") == hashlib.md5(b"hi").digest()
    assert run("base64.encode(hash.md5('hi'))") == base64.b64encode(hashlib.md5(b"hi").digest()).decode()


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "json.marshal({'b': [1, 2.5, 1.0, true, null], 'a': '<&>'})",
            '{"a":"\\u003c\\u0026\\u003e","b":[1,2.5,1,true,null]}',
        ),
        ("json.marshal('é')", '"é"'),
        ("json.marshal(1e21)", "1e+21"),
        ("json.marshal(0.000001)", "0.000001"),
        ("json.marshal(1e-7)", "1e-7"),
        ('json.unmarshal(\'{"a": [1, "x", null]}\')', {"a": [1.0, "x", None]}),
        ("json.unmarshal('3')", 3.0),
        ("json.unmarshal(json.marshal({'k': 'v'})).k", "v"),
    ],
)
def test_json(expression: str, expected: Any) -> None:
    result = run(expression)
    assert result == expected and type(result) is type(expected)


def test_json_errors() -> None:
    with pytest.raises(CelEvalError, match=r"json\.unmarshal failed to parse JSON"):
        run("json.unmarshal('{nope')")
    with pytest.raises(CelEvalError, match=r"json\.unmarshal failed"):
        run("json.unmarshal('NaN')")


def test_merge() -> None:
    assert run("{'a': 1, 'b': 1}.merge({'b': 2, 'c': 3})") == {"a": 1, "b": 2, "c": 3}
    assert run("x.merge({})", {"k": "v"}) == {"k": "v"}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("lists.setAtIndex([1, 2, 3], 1, 99)", [1, 99, 3]),
        ("lists.insertAtIndex([1, 2, 3], 3, 99)", [1, 2, 3, 99]),
        ("lists.insertAtIndex([1, 2, 3], 0, 99)", [99, 1, 2, 3]),
        ("lists.removeAtIndex([1, 2, 3], 2)", [1, 2]),
    ],
)
def test_kro_lists(expression: str, expected: list[int]) -> None:
    assert run(expression) == expected


@pytest.mark.parametrize(
    "expression", ["lists.setAtIndex([1], 1, 0)", "lists.insertAtIndex([1], 2, 0)", "lists.removeAtIndex([], 0)"]
)
def test_kro_lists_out_of_bounds_is_an_error_not_pending(expression: str) -> None:
    with pytest.raises(CelEvalError, match="out of bounds") as info:
        run(expression)
    assert not isinstance(info.value, CelDataPending)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[1, 2, 2].isSorted()", True),
        ("['b', 'a'].isSorted()", False),
        ("[1, 2.5].sum()", 3.5),
        ("[].sum()", 0),
        ("[3, 1, 2].max()", 3),
        ("['b', 'a'].min()", "a"),
        ("[1, 2, 1].indexOf(1)", 0),
        ("[1, 2, 1].lastIndexOf(1)", 2),
        ("[1, 2].indexOf(3)", -1),
        ("[1, 2].indexOf(1.0)", 0),
        ("lists.range(4)", [0, 1, 2, 3]),
        ("[1, 2, 3, 4].slice(1, 3)", [2, 3]),
        ("[1, [2, [3]]].flatten()", [1, 2, [3]]),
        ("[1, [2, [3]]].flatten(5)", [1, 2, 3]),
        ("[3, 1, 2].sort()", [1, 2, 3]),
        ("['b', 'a', 'b'].distinct()", ["b", "a"]),
        ("[[1], [1], 2].distinct()", [[1], 2]),
        ("[1, 2, 3].reverse()", [3, 2, 1]),
        ("'abc'.reverse()", "cba"),
        ("'abc'.indexOf('c')", 2),
        ("[5, 6].first().value()", 5),
        ("[5, 6].last().value()", 6),
        ("[].first().hasValue()", False),
    ],
)
def test_list_functions(expression: str, expected: Any) -> None:
    result = run(expression)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("[].max()", "max called on empty list"),
        ("[1, 'a'].isSorted()", "cannot compare"),
        ("[1, 2].slice(2, 1)", "start index must be less than or equal to end index"),
        ("[1, 2].slice(0, 3)", "list is length 2"),
        ("[1].flatten(-1)", "level must be non-negative"),
        ("['a', true].sum()", "no such overload"),
    ],
)
def test_list_function_errors(expression: str, message: str) -> None:
    with pytest.raises(CelEvalError, match=message):
        run(expression)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("'abc 123 def 456'.find('[0-9]+')", "123"),
        ("'abc'.find('[0-9]+')", ""),
        ("'1 2 3'.findAll('[0-9]')", ["1", "2", "3"]),
        ("'1 2 3'.findAll('[0-9]', 2)", ["1", "2"]),
        ("'1 2 3'.findAll('[0-9]', 0)", []),
        ("'baaa'.findAll('a*')", ["", "aaa"]),
        ("'héllo wörld'.findAll('\\\\pL+')", ["héllo", "wörld"]),
    ],
)
def test_regex(expression: str, expected: Any) -> None:
    assert run(expression) == expected


def test_regex_error() -> None:
    with pytest.raises(CelEvalError, match="Illegal regex"):
        run("'a'.find('(')")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("url('https://user@example.com:8443/a%20b/c?x=1&x=2&y=').getScheme()", "https"),
        ("url('https://user@example.com:8443/a%20b/c?x=1&x=2&y=').getHost()", "example.com:8443"),
        ("url('https://user@example.com:8443/a%20b/c?x=1&x=2&y=').getHostname()", "example.com"),
        ("url('https://user@example.com:8443/a%20b/c?x=1&x=2&y=').getPort()", "8443"),
        ("url('https://user@example.com:8443/a%20b/c?x=1&x=2&y=').getEscapedPath()", "/a%20b/c"),
        ("url('https://user@example.com:8443/a%20b/c?x=1&x=2&y=').getQuery()", {"x": ["1", "2"], "y": [""]}),
        ("url('https://[::1]:80/').getHostname()", "::1"),
        ("url('/relative/path').getHost()", ""),
        ("isURL('https://example.com')", True),
        ("isURL('example.com')", False),
        ("isURL('')", False),
    ],
)
def test_urls(expression: str, expected: Any) -> None:
    assert run(expression) == expected


def test_url_error() -> None:
    with pytest.raises(CelEvalError, match="URL parse error"):
        run("url('not a url')")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("quantity('1Ki') == quantity('1024')", True),
        ("quantity('500m').isLessThan(quantity('1'))", True),
        ("quantity('1Gi').isGreaterThan(quantity('1G'))", True),
        ("quantity('1G').compareTo(quantity('1000M'))", 0),
        ("quantity('-3').sign()", -1),
        ("quantity('1.5').isInteger()", False),
        ("quantity('2k').asInteger()", 2000),
        ("quantity('1e3').asInteger()", 1000),
        ("quantity('250m').asApproximateFloat()", 0.25),
        ("quantity('1').add(quantity('500m')).asApproximateFloat()", 1.5),
        ("quantity('1').add(2).asInteger()", 3),
        ("quantity('1').sub(quantity('2')).sign()", -1),
        ("quantity('0.0000000001').asApproximateFloat()", 1e-9),
        ("isQuantity('1Mi')", True),
        ("isQuantity('1Mb')", False),
        ("isQuantity('')", False),
    ],
)
def test_quantity(expression: str, expected: Any) -> None:
    assert run(expression) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("quantity('abc')", "quantities must match"),
        ("quantity('1.5').asInteger()", "cannot convert value to integer"),
        ("quantity('1')", "cannot be converted to plain data"),
        ("semver('1.0.0').isGreaterThan(quantity('1'))", "no such overload"),
    ],
)
def test_quantity_errors(expression: str, message: str) -> None:
    with pytest.raises(CelEvalError, match=message):
        run(expression)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("ip('10.0.0.1').family()", 4),
        ("ip('fe80::1').family()", 6),
        ("ip('127.0.0.1').isLoopback()", True),
        ("ip('::').isUnspecified()", True),
        ("ip('224.0.0.5').isLinkLocalMulticast()", True),
        ("ip('ff02::1').isLinkLocalMulticast()", True),
        ("ip('169.254.1.1').isLinkLocalUnicast()", True),
        ("ip('10.1.1.1').isGlobalUnicast()", True),
        ("ip('255.255.255.255').isGlobalUnicast()", False),
        ("ip.isCanonical('2001:db8::1')", True),
        ("ip.isCanonical('2001:DB8::1')", False),
        ("isIP('1.2.3.4')", True),
        ("isIP('01.2.3.4')", False),
        ("isIP('::ffff:1.2.3.4')", False),
        ("isIP('fe80::1%eth0')", False),
        ("string(ip('2001:0db8::0001'))", "2001:db8::1"),
        ("cidr('10.0.0.0/8').containsIP('10.1.2.3')", True),
        ("cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))", False),
        ("cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')", True),
        ("cidr('10.1.0.0/16').containsCIDR(cidr('10.0.0.0/8'))", False),
        ("cidr('10.1.2.3/8').prefixLength()", 8),
        ("string(cidr('10.1.2.3/8').masked())", "10.0.0.0/8"),
        ("string(cidr('10.1.2.3/8').ip())", "10.1.2.3"),
        ("isCIDR('10.0.0.0/33')", False),
        ("isCIDR('::/0')", True),
        ("ip('1.2.3.4') == ip('1.2.3.4')", True),
    ],
)
def test_ip_and_cidr(expression: str, expected: Any) -> None:
    assert run(expression) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [("ip('999.1.1.1')", "parse error"), ("cidr('10.0.0.0')", "parse error"), ("ip('::ffff:1.2.3.4')", "IPv4-mapped")],
)
def test_ip_errors(expression: str, message: str) -> None:
    with pytest.raises(CelEvalError, match=message):
        run(expression)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("semver('1.2.3').major()", 1),
        ("semver('1.2.3').minor()", 2),
        ("semver('1.2.3').patch()", 3),
        ("semver('1.2.3').isGreaterThan(semver('1.2.3-rc.1'))", True),
        ("semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))", True),
        ("semver('1.0.0-2').compareTo(semver('1.0.0-10'))", -1),
        ("semver('1.0.0+build').compareTo(semver('1.0.0'))", 0),
        ("semver('v1.2', true).minor()", 2),
        ("semver('01.01.01', true).patch()", 1),
        ("isSemver('1.0')", False),
        ("isSemver('v1.0', true)", True),
        ("isSemver('1.0.0-01')", False),
    ],
)
def test_semver(expression: str, expected: Any) -> None:
    assert run(expression) == expected


def test_semver_error() -> None:
    with pytest.raises(CelEvalError, match=r"Major\.Minor\.Patch"):
        run("semver('1.0')")
