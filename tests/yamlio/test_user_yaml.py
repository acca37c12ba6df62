"""YAML a user gives pykro (RGD, instance and values files, --set values): clear errors for alias bombs, deep
nesting, recursive aliases, huge files, invalid UTF-8, several documents and syntax errors; valid files unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import shared

from pykro import yamlio
from pykro.errors import ValidationError
from pykro.graph import Graph

FIXTURES = shared("fixtures")


def _bomb() -> str:
    """The classic "billion laughs": nine levels of nine aliases each (9**9 strings), well under 1 KiB."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines)


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    text = _bomb()
    assert len(text) < 447
    expand = r"YAML aliases \(\*name\) expand this document from \d+ to \d+ nodes"
    with pytest.raises(ValidationError, match=r"bomb\.yaml: " + expand):
        yamlio.load_user(text, "bomb.yaml")
    rgd = tmp_path / "rgd.yaml"
    rgd.write_text(text)
    with pytest.raises(ValidationError, match=r"rgd\.yaml: " + expand):
        Graph.from_file(str(rgd))


def test_a_few_aliases_are_fine() -> None:
    doc = yamlio.load_user("base: &b {image: nginx, replicas: 2}\nweb: *b\napi: *b\n", "values.yaml")
    assert doc == {
        "base": {"image": "nginx", "replicas": 2},
        "web": {"image": "nginx", "replicas": 2},
        "api": doc["web"],
    }


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(ValidationError, match="alias refers to a node that contains it"):
        yamlio.load_user("a: &x [1, *x]\n", "loop.yaml")


def test_nesting_is_limited() -> None:
    ok = "[" * yamlio.MAX_DEPTH + "]" * yamlio.MAX_DEPTH
    assert yamlio.load_user(ok, "ok.yaml") is not None
    deep = "[" * (yamlio.MAX_DEPTH + 1) + "]" * (yamlio.MAX_DEPTH + 1)
    with pytest.raises(
        ValidationError, match=rf"deep.yaml: \[0\]\[0\].*: the YAML nests more than {yamlio.MAX_DEPTH} levels"
    ):
        yamlio.load_user(deep, "deep.yaml")
    shared = "x: &x " + "[" * 60 + "]" * 60 + "\ny: " + "[" * 50 + "*x" + "]" * 50  # deep only through an alias
    with pytest.raises(ValidationError, match="nests more than"):
        yamlio.load_user(shared, "shared.yaml")


def test_syntax_errors_name_file_line_and_column() -> None:
    with pytest.raises(ValidationError) as caught:
        yamlio.load_user("a: 1\nb: [1, 2\nc: 3\n", "values.yaml")
    assert str(caught.value).startswith("values.yaml:3:")
    assert "invalid YAML" in str(caught.value) and "Traceback" not in str(caught.value)


def test_several_documents_where_one_is_expected() -> None:
    with pytest.raises(ValidationError, match=r"values\.yaml: expected one YAML document, found 2"):
        yamlio.load_user("a: 1\n---\nb: 2\n", "values.yaml")
    assert yamlio.load_user("---\na: 1\n---\n", "values.yaml") == {"a": 1}  # empty documents do not count


def test_invalid_utf8_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nname: caf\xe9\n")
    with pytest.raises(ValidationError, match=r"latin1\.yaml:2: the values file is not UTF-8 text \(byte 0xe9\)"):
        yamlio.read_user_file(path, what="values file")


def test_file_size_is_limited(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000 + "\n")
    with pytest.raises(ValidationError, match=r"big\.yaml: the values file is larger than 1000 bytes"):
        yamlio.read_user_file(path, limit=1000, what="values file")
    assert yamlio.read_user_file(path, limit=4096).startswith("a: x")
    with pytest.raises(ValidationError, match="cannot read the file"):
        yamlio.read_user_file(tmp_path / "missing.yaml")


def test_every_fixture_loads_as_before() -> None:
    files = sorted(FIXTURES.rglob("*.yaml"))
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yamlio.load_user_all(yamlio.read_user_file(path), str(path)) == list(yamlio.load_all(text)), path
