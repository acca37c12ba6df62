"""yamlio.dump / dump_all: the fast writer is byte-identical to PyYAML (libyaml) with the project's settings."""

from __future__ import annotations

import enum
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tests.helpers import KRO_FIXTURES

from pykro import _yamlemit
from pykro import _yamlio as yamlio
from pykro.authoring._decorator import Composition

REPO = Path(__file__).resolve().parents[2]


class Dumper(yaml.CSafeDumper):
    """PyYAML's libyaml dumper writing multi-line strings as literal blocks, as yamlio promises."""


def represent_str(dumper: Any, data: str) -> Any:
    style = "|" if "\n" in data else None
    # go-yaml drops underscores before parsing a scalar starting with a sign or digit; one starting with "." goes to
    # Go's ParseFloat as written, where an underscore is allowed only between two digits.
    plain = data.replace("_", "") if data[:1] != "." or not re.search(r"(^|[^0-9])_|_([^0-9]|$)", data) else data
    number = data[:1] in set("+-.0123456789") and KUBECTL_NUMBER.fullmatch(plain)
    if style is None and data and (data in KUBECTL_NOT_TEXT or number):
        style = "'"  # yamlio quotes what kubectl would read as a boolean or number (y, on, 0o17, 1e3, 08, 1_0.5)
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


# What kubectl (go-yaml v2) reads as something else than text, written out independently of pykro's resolver.
KUBECTL_NOT_TEXT = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"}
KUBECTL_NOT_TEXT |= {"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"}
KUBECTL_NOT_TEXT |= {"~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", "<<"}
KUBECTL_NOT_TEXT |= {f"{sign}{inf}" for sign in ("", "+", "-") for inf in (".inf", ".Inf", ".INF")}
KUBECTL_NUMBER = re.compile(
    r"[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)"  # integers (Go's base-0 syntax)
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"  # floats
)


Dumper.add_representer(str, represent_str)


def reference(docs: list[Any]) -> str:
    """PyYAML called directly, with the settings yamlio promises."""
    return str(
        yaml.dump_all(docs, Dumper=Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096)
    )


def fast(docs: list[Any]) -> str | None:
    """The fast writer alone (None: it hands the stream to PyYAML)."""
    return _yamlemit.emit(docs, reference)


TRICKY = [
    "yes", "no", "on", "off", "Yes", "NO", "true", "False", "null", "Null", "~", "", " ", " lead", "trail ",
    "a: b", "a:b", "a:", ":a", ": a", "?", "? x", "?x", "- x", "-x", "-", "--", "---", "--- x", "...", "....",
    "#c", "a #c", "a#c", "1.0", "1", "-1", "+1", "0x1F", "0o17", "017", "0b101", "1e3", "1.0e+3", "1_000", ".5",
    ".inf", "-.Inf", ".NaN", "1:20", "190:20:30", "2024-01-01", "2024-01-01T10:00:00Z", "2024-1-1", "=", "<<",
    "<", "${schema.spec.name}", "${a ? b : c}", "${x}-${y}", "*x", "&y", "!t", "%p", "@", "`", "|", ">", "'",
    '"', "a'b", 'a"b', "[a]", "{a}", "a, b", ",", "\\", "a\\nb", "é", "café", "日本", "\U0001f600", "\ufeff",
    "\xa0", "a\tb", "\t", "\x00", "\x07", "\x1b", "\x7f", "\x85", "a\u2028b", "a\u2029b", "a\rb", "a\r\nb",
    "\n", "\n\n", "x\n", "x\n\n", " x\ny", "\nx", "x\n y", "x \ny", "x\n\ny\n", "x\n\n\n", "a\tb\nc",
    "- a\n- b\n", "key: value\nother: 1\n", "  indented\n  block\n", "x\u2028\ny", "x\ny\x85",
    "nginx:1.25", "--port=8080", "http://example.com/a?b=c#d", "/var/lib/data",
]  # fmt: skip

CHARS = st.sampled_from(list("ab yn01.:-#?&*!|>'\"%@`,[]{}=<~\t\n\r\\$é日\x85\xa0\x00\U0001f600"))

SINGLE_LINE = [s for s in TRICKY if not any(c in s for c in "\n\r\x85\u2028\u2029")]
tricky_text = st.one_of(
    st.sampled_from(TRICKY),
    st.text(CHARS, max_size=10),
    st.lists(st.sampled_from(TRICKY), min_size=2, max_size=3).map("".join),
    st.lists(st.sampled_from(TRICKY), min_size=2, max_size=4).map("\n".join),
)
keys = st.one_of(
    st.sampled_from(SINGLE_LINE),
    st.text(st.sampled_from("abc-_./:# 1"), min_size=1, max_size=8),
    st.text(st.sampled_from("ab yn01.:-#?&*!|>'\"%@`,[]{}=<~\t\\é日\x00\U0001f600"), max_size=6),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    tricky_text,
)


def documents(max_leaves: int) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
        max_leaves=max_leaves,
    )


block_documents = st.one_of(st.dictionaries(keys, documents(4), max_size=3), st.lists(documents(4), max_size=3))


def check(docs: list[Any], in_hypothesis: bool = False) -> None:
    expected = reference(docs)
    got = fast(docs)
    if in_hypothesis:
        event("fast writer" if got is not None else "fallback")
    if got is not None:
        assert got == expected
    assert yamlio.dump_all(docs) == expected
    assert list(yaml.load_all(expected, Loader=yaml.CSafeLoader)) == docs


@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(12))
def test_dump_matches_pyyaml(doc: Any) -> None:
    check([doc], in_hypothesis=True)
    assert yamlio.dump(doc) == reference([doc])


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(block_documents, min_size=1, max_size=4))
def test_dump_all_matches_pyyaml(docs: list[Any]) -> None:
    check(docs, in_hypothesis=True)


MULTILINE = [s for s in TRICKY if "\n" in s] + ["a\nb", "a\n\n  b\n", "\n  x", "trailing\n\n\n", "x\n \n"]


@pytest.mark.parametrize("text", MULTILINE)
def test_multiline_strings_at_every_depth(text: str) -> None:
    doc = {
        "top": text,
        "map": {"inner": text, "deeper": {"x": text}},
        "seq": [text, [text, [text]], {"k": text, "list": [text]}],
        "seq_of_maps": [{"a": text, "b": [{"c": text}]}],
        "end": 1,
    }
    for docs in ([doc], [[text, doc]], [doc, {"last": text}], [{"only": text}]):
        check(docs)


def test_the_usual_strings_take_the_fast_path() -> None:
    """Quoted, plain, literal and escaped scalars in every position: none of them needs the fallback."""
    usual = [s for s in TRICKY if len(s) <= 128 and "\u2028" not in s and "\u2029" not in s]
    doc = {"values": {f"k{i}": s for i, s in enumerate(usual)}, "items": usual}
    keyed = {s: i for i, s in enumerate(usual) if not any(c in s for c in "\n\r\x85")}
    for docs in ([doc], [keyed], [doc, keyed, [], {}]):
        got = fast(docs)
        assert got is not None
        assert got == reference(docs)


def test_numbers_and_constants() -> None:
    doc = {
        "floats": [0.0, -0.0, 1.5, -2.25, 1e17, 1e20, 1e-7, 5e-324, 1.7976931348623157e308, 3.0, 1 / 3],
        "specials": [float("inf"), float("-inf")],
        "ints": [0, -1, 10**40, -(10**40)],
        "constants": [True, False, None],
    }
    check([doc])
    nan = {"nan": float("nan")}
    assert fast([nan]) == reference([nan]) == "nan: .nan\n"


def test_shared_and_recursive_containers_fall_back_to_anchors() -> None:
    shared = {"app": "web"}
    doc = {"selector": shared, "labels": shared, "empty": [[], []]}
    assert fast([doc]) is None
    assert yamlio.dump(doc) == reference([doc])
    assert "&id001" in yamlio.dump(doc)
    empty: list[Any] = []
    assert yamlio.dump({"a": empty, "b": empty}) == reference([{"a": empty, "b": empty}])
    loop: dict[str, Any] = {"name": "x"}
    loop["self"] = loop
    assert fast([loop]) is None
    assert yamlio.dump(loop) == reference([loop])
    # the same object in two documents is not an alias: each document has its own anchors
    assert fast([shared, shared]) == reference([shared, shared])


class Color(enum.StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    "doc",
    [
        {1: "int key"},
        {None: "null key"},
        {"t": (1, 2)},
        {"k": Color.RED},
        {Color.RED: 1},
        {"a" * 129: "long key"},
        {"é" * 65: "a 130-byte key"},
        {"multi\nline": 1},
        {"cr\rkey": 1},
        {"long": "word " * 1000},
        "top-level scalar",
        3,
        None,
    ],
    ids=repr,
)
def test_what_the_fast_writer_hands_to_pyyaml(doc: Any) -> None:
    assert fast([doc]) is None
    try:
        expected = reference([doc])
    except yaml.YAMLError as err:  # PyYAML refuses it: yamlio refuses it the same way
        with pytest.raises(type(err)):
            yamlio.dump(doc)
    else:
        assert yamlio.dump(doc) == expected


def test_long_lines_at_depth_are_not_folded() -> None:
    """Literal blocks never fold; single-line scalars up to the fast writer's limit stay below width 4096."""
    line = "word " * 399 + "word"  # 1999 characters with spaces: folded by libyaml past column 4096
    doc: Any = {"script": ("x " * 3000 + "y\n") * 2, "line": line, "quoted": "'" + line[:-10]}
    for depth in range(150):
        doc = {"k" * 128: doc, "v": line} if depth % 2 else [doc, line]
    assert fast([doc]) == reference([doc])


def test_deeper_than_the_width_allows_is_handed_over() -> None:
    doc: Any = "x"
    for _ in range(_yamlemit._MAX_INDENT // 2 + 1):
        doc = {"k": doc}
    assert fast([doc]) is None


def test_a_128_byte_key_is_still_simple() -> None:
    doc = {"a" * 128: 1, "é" * 64: 2}
    assert fast([doc]) == reference([doc])


def fixture_documents() -> list[tuple[str, Any]]:
    docs: list[tuple[str, Any]] = []
    for path in sorted(KRO_FIXTURES.rglob("*.yaml")):
        try:
            loaded = list(yamlio.load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            continue  # Helm templates and other non-YAML text
        docs.extend((str(path.relative_to(KRO_FIXTURES)), doc) for doc in loaded)
    return docs


def test_kro_fixtures_dump_identically() -> None:
    docs = fixture_documents()
    rgds = [doc for _, doc in docs if isinstance(doc, dict) and doc.get("kind") == "ResourceGraphDefinition"]
    assert len(rgds) >= 20
    fast_count = 0
    for name, doc in docs:
        got = fast([doc])
        fast_count += got is not None
        assert yamlio.dump(doc) == reference([doc]), name
        if got is not None:
            assert got == reference([doc]), name
    assert fast_count >= 0.95 * len(docs)
    assert fast(rgds) == reference(rgds)


def load_example(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"pykro_yamlio_example_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_example_compositions_dump_identically() -> None:
    compositions = [
        value
        for path in sorted((REPO / "examples").glob("*.py"))
        for value in vars(load_example(path)).values()
        if isinstance(value, Composition)
    ]
    assert len(compositions) >= 3
    for comp in compositions:
        rgd = comp.to_rgd()
        assert fast([rgd]) == reference([rgd]), comp
        assert comp.to_rgd_yaml() == reference([rgd])


# The PyYAML facts the fast writer reads from its disk cache (pykro._yamlemit.pyyaml_facts), so that writing YAML
# needs no import of PyYAML.
_FACTS = """
import json, sys
from pykro import _yamlemit
libyaml, table = _yamlemit.pyyaml_facts()
rows = {str(k): [list(row) for row in v] for k, v in table.items()}
print(json.dumps([libyaml, rows, "yaml" in sys.modules]))
"""


def _facts_in_a_new_process(cache: Path) -> list[Any]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run([sys.executable, "-c", _FACTS], capture_output=True, text=True, env=env, check=True)
    return list(json.loads(done.stdout))


def test_the_cached_pyyaml_facts_are_pyyamls_own(tmp_path: Path) -> None:
    expected = {
        str(k): [[tag, r.pattern, r.flags] for tag, r in v]
        for k, v in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }
    made = _facts_in_a_new_process(tmp_path)  # no cache yet: read from PyYAML itself
    assert made == [hasattr(yaml, "CSafeDumper"), expected, True]
    assert list((tmp_path / "pykro" / "pyyaml").glob("*/facts-*.marshal"))
    assert _facts_in_a_new_process(tmp_path) == [made[0], expected, False]  # from the cache, PyYAML not imported
    for entry in (tmp_path / "pykro" / "pyyaml").glob("*/facts-*.marshal"):
        entry.write_bytes(b"damaged")
    assert _facts_in_a_new_process(tmp_path) == [made[0], expected, True]  # a damaged entry is made again
