"""YAML a user gives pykro (RGD, instance and values files, --set values): clear errors for alias bombs, deep
nesting, recursive aliases, huge files, invalid UTF-8, several documents and syntax errors; valid files unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import shared

from pykro import _yamlio as yamlio
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
    shared = "x: &x " + "[" * 60 + "]" * 60 + "\nz: " + "[" * 50 + "*x" + "]" * 50  # deep only through an alias
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


# What kubectl (sigs.k8s.io/yaml over go.yaml.in/yaml/v2 v2.4.3) decodes each plain scalar to, taken from a Go
# program that unmarshals this list into interface{} and prints the JSON: PyYAML (YAML 1.1) disagreed on y, n, 0o17,
# 08, 1e3, 1.5e3, 1:30 (90), 2024-01-01 (a date), =, 0.5_0, 0X1F, 0O17, 0B11, .5e3 and the timestamp.
KUBECTL_READS = [
    ("y", True), ("n", False), ("yes", True), ("on", True), ("010", 8), ("0o17", 15), ("08", 8.0), ("1_000", 1000),
    ("1e3", 1000.0), ("1.5e3", 1500.0), ("1:30", "1:30"), ("2024-01-01", "2024-01-01"), (".5", 0.5), ("-.5", -0.5),
    ("0x1F", 31), ("0b101", 5), ("-0b101", -5), ("+12", 12), ("'010'", "010"), ("~", None), ("''", ""), ("=", "="),
    ("1.", 1.0), ("9223372036854775807", 2**63 - 1), ("18446744073709551615", 2**64 - 1), ("0.5_0", 0.5),
    ("abc", "abc"), ("0X1F", 31), ("0O17", 15), ("0B11", 3), ("1_0.5", 10.5), ("-0o7", -7), (".5e3", 500.0),
    ("2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"), ("00", 0), ("-0", 0), ("0_7", 7), ("1__2", 12),
    # A leading "." goes to Go's ParseFloat unchanged: an underscore counts only between two digits.
    ("._1", "._1"), (".1_0", 0.1), (".1__0", ".1__0"), (".1_", ".1_"), (".1e1_0", 1e9), (".0_1E+5", 1000.0),
    ("-._1", -0.1), ("._inf", "._inf"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), KUBECTL_READS)
def test_user_files_are_read_as_kubectl_reads_them(text: str, value: object) -> None:
    read = yamlio.load_user(f"a: {text}\n", "instance.yaml")["a"]
    assert read == value and type(read) is type(value), (text, read)


def test_an_integer_kubectl_would_round_is_refused_at_its_place() -> None:
    """kubectl reads 99999999999999999999 as the float 1e20 (digits lost): pykro cannot read it the same way."""
    with pytest.raises(ValidationError) as info:
        yamlio.load_user("spec:\n  big: 99999999999999999999\n", "instance.yaml")
    assert info.value.where == "instance.yaml:2:8" and "does not fit in 64 bits" in info.value.what
    assert yamlio.load_user("big: '99999999999999999999'\n", "instance.yaml") == {"big": "99999999999999999999"}


def test_an_rgd_file_and_an_instance_file_are_read_as_kubectl_reads_them(tmp_path: Path) -> None:
    """A template's ``1:30`` stays text (PyYAML made it 90) and an instance's ``enabled: y`` is true."""
    from pykro.runtime import expand

    rgd = tmp_path / "rgd.yaml"
    rgd.write_text(
        "apiVersion: kro.run/v1alpha1\nkind: ResourceGraphDefinition\nmetadata: {name: clock}\nspec:\n"
        "  schema:\n    apiVersion: v1alpha1\n    kind: Clock\n    spec: {enabled: boolean}\n"
        "  resources:\n  - id: config\n    template:\n      apiVersion: v1\n      kind: ConfigMap\n"
        "      metadata: {name: clock}\n"
        "      data: {at: 1:30, day: 2024-01-01, \"on\": '${string(schema.spec.enabled)}'}\n"
    )
    graph = Graph.from_file(str(rgd))
    instance = yamlio.load_user(
        "apiVersion: kro.run/v1alpha1\nkind: Clock\nmetadata: {name: c}\nspec: {enabled: y}\n", "i"
    )
    assert instance["spec"] == {"enabled": True}
    data = expand(graph, instance, {}).objects[0]["data"]
    assert data == {"at": "1:30", "day": "2024-01-01", "on": "true"}


@pytest.mark.parametrize(
    ("text", "where", "key"), [("a: {on: 1}", "f.yaml:1:5", "'on' as bool"), ("- {80: x}", "f.yaml:1:4", "'80' as int")]
)
def test_a_key_kubectl_reads_as_something_else_than_text_is_refused(text: str, where: str, key: str) -> None:
    """kubectl would turn ``on:`` into the key "true" and ``80:`` into "80" (``010:`` into "8"): pykro refuses."""
    with pytest.raises(ValidationError) as info:
        yamlio.load_user(text, "f.yaml")
    assert info.value.where == where and f"kubectl reads the key {key}, not as text" in info.value.what
    assert info.value.fix == "Quote it to keep it as text."


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: a\nreplicas: 2\nname: b\n", "v.yaml:3:1"),
        ("spec:\n  x: 1\n  'x': 2\n", "v.yaml:3:3"),
        ("[{a: 1, a: 1}]", "v.yaml:1:9"),
    ],
)
def test_a_key_written_twice_is_refused_at_the_second(text: str, where: str) -> None:
    """A YAML reader keeps the last value silently (the API server's strict decoding refuses the object)."""
    with pytest.raises(ValidationError) as info:
        yamlio.load_values(text, "v.yaml")
    assert info.value.where == where and "is written twice in this mapping" in info.value.what
    with pytest.raises(ValidationError, match="written twice"):
        yamlio.load_user_all(text, "v.yaml")
    # a merge key's values may be overridden: that is what it is for
    assert yamlio.load_user("b: &b {p: 1, q: 2}\nm: {<<: *b, p: 3}\n", "m.yaml")["m"] == {"p": 3, "q": 2}
