"""The CEL → Go-template translator, expression by expression: every translated expression gives, through the real
helm, the value the real CEL engine gives (`pykro render --manifests`); every expression without an exact Go form
is refused with the resource, the field and the expression."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pykro import Spec, Status, cel, composition
from pykro.graph import Graph
from pykro.render import _goyaml as goyaml
from pykro.render._gotemplate import Untranslatable
from pykro.render._helm import chart_files, write_chart
from pykro.simple import ConfigMap

EXPRESSIONS = [
    'schema.spec.name + "-" + string(schema.spec.count)',
    "string(schema.spec.count * 3 - 4)",
    "string(-7 / 2) + string(-7 % 3) + string(7 % -3)",
    "string(-schema.spec.count)",
    'string(size("héllo✓")) + string(size(schema.spec.tags)) + string(size(schema.spec.name))',
    'schema.spec.tags.join("|")',
    'schema.spec.tags.join("")',
    'string(size("a,b,,c".split(",")))',
    '"  pad  ".trim() + "x"',
    '"a-b-a".replace("a", "z")',
    'string(schema.spec.name.matches("^[a-z]+[0-9]*$"))',
    'string(schema.spec.name.startsWith("we")) + string(schema.spec.name.endsWith("b")) + string("abc".contains("b"))',
    'string("a" < "b") + string(schema.spec.count >= 3) + string(schema.spec.count != 2)',
    'schema.spec.flag && schema.spec.count > 1 ? "both" : (schema.spec.flag || false ? "flag" : "neither")',
    "string(!schema.spec.flag)",
    '"web" in schema.spec.tags ? "has-web" : "no-web"',
    '"k" in {"k": 1} ? "key" : "nokey"',
    'has(schema.spec.opt) ? schema.spec.opt : "absent"',
    'schema.spec.?opt.orValue("fallback")',
    'string([1, 2] + [3] == [1, 2, 3]) + string({"a": 1} == {"a": 1})',
    "string(schema.spec.ratio > 0.5) + string(schema.spec.ratio == 0.25)",
    "string(int(schema.spec.count))",
    '"quote\\" and {{ braces }} and ${dollar}"',
    '"ünïcödé ✓ <&>"',
]


class ExprSpec(Spec):
    name: str
    count: int = 2
    flag: bool = False
    tags: list[str] = []  # noqa: RUF012 - a pydantic default (copied per instance)
    opt: str | None = None
    ratio: float = 0.75


class ExprStatus(Status):
    ok: bool


@composition(api_version="example.com/v1", kind="Exprs")
def exprs(spec: ExprSpec) -> ExprStatus:
    ConfigMap(id="cfg", name="exprs", data={f"e{i:02d}": cel.expr(e, str) for i, e in enumerate(EXPRESSIONS)})
    return ExprStatus(ok=True)


@pytest.mark.parametrize(
    "values",
    [
        {"name": "web1"},
        {"name": "ab", "count": 5, "flag": True, "tags": ["web", "x"], "opt": "given", "ratio": 0.25},
        {"name": "Zed-b", "count": -3, "tags": ["ü", ""], "opt": ""},
    ],
)
def test_translated_expressions_equal_cel(values: dict[str, Any], kit: SimpleNamespace, tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    write_chart(exprs.graph, chart)
    (tmp_path / "values.yaml").write_text(goyaml.dump(values), encoding="utf-8")
    helm = kit.run([kit.tool("helm"), "template", "rel", str(chart), "-f", str(tmp_path / "values.yaml")])
    got = kit.load_all(helm.stdout)[0]["data"]
    want = exprs.to_manifests(values, name="rel")[0]["data"]
    assert got == want


class OneStatus(Status):
    ok: bool


UNTRANSLATABLE = [
    ("schema.spec.name.lowerAscii()", ".lowerAscii() has no Go-template equivalent"),
    ('string(schema.spec.items.size() > 0 && schema.spec.items.all(i, i.a == "x"))', ".all() has no Go-template"),
    ('string(quantity("1Gi").asInteger())', ".asInteger() has no Go-template equivalent"),
    ("schema.metadata.uid", "schema.metadata.uid is known only to a live cluster"),
    ('{"a": "b"}[schema.spec.name]', "indexing anything but a list"),
    ("string(1.5)", "string() of anything but an int"),
    ("string(0.1 + 0.2 > 0.3)", "arithmetic on doubles"),
]


def one_value(expression: str) -> Graph:
    """A graph whose ConfigMap ``cfg`` has ``data.value: ${expression}`` (spec: name, items)."""
    spec = {"name": "string", "items": "[]map[string]string"}
    template = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "one"},
        "data": {"value": f"${{{expression}}}"},
    }
    rgd = {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "one"},
        "spec": {
            "schema": {"apiVersion": "v1", "kind": "One", "spec": spec},
            "resources": [{"id": "cfg", "template": template}],
        },
    }
    return Graph.from_rgd(rgd)


@pytest.mark.parametrize(("expression", "why"), UNTRANSLATABLE)
def test_untranslatable_expressions_are_named(expression: str, why: str) -> None:
    with pytest.raises(Untranslatable) as error:
        chart_files(one_value(expression))
    message = str(error.value)
    assert f"resource 'cfg', field data.value: ${{{expression}}} cannot become a Go template" in message
    assert why in message


class Port(Spec):
    name: str
    number: int
    note: str | None = None


class PortsSpec(Spec):
    app: str
    ports: list[Port] = []  # noqa: RUF012 - a pydantic default (copied per instance)
    extra: bool = False


@composition(api_version="example.com/v1", kind="Ports")
def ports(spec: PortsSpec) -> OneStatus:
    for port in spec.ports:
        ConfigMap(
            id="perPort",
            name=spec.app + "-" + port.name,
            data={
                "number": cel.expr("string(port.number + 1)", str),
                "note": cel.expr('has(port.note) ? port.note : "-"', str),
            },
        )
    if spec.extra:
        ConfigMap(id="extra", name=f"{spec.app}-extra", data={"n": cel.expr("string(size(schema.spec.ports))", str)})
    return OneStatus(ok=True)


@pytest.mark.parametrize(
    "values",
    [
        {"app": "a"},
        {
            "app": "b",
            "extra": True,
            "ports": [{"name": "http", "number": 80}, {"name": "dns", "number": 53, "note": "udp"}],
        },
    ],
)
def test_for_each_over_objects_and_include_when(values: dict[str, Any], kit: SimpleNamespace, tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    write_chart(ports.graph, chart)
    (tmp_path / "values.yaml").write_text(goyaml.dump(values), encoding="utf-8")
    helm = kit.run([kit.tool("helm"), "template", "rel", str(chart), "-f", str(tmp_path / "values.yaml")])
    assert kit.by_identity(kit.load_all(helm.stdout)) == kit.by_identity(ports.to_manifests(values, name="rel"))


@composition(api_version="example.com/v1", kind="Notes")
def notes(spec: PortsSpec) -> OneStatus:
    for port in spec.ports:
        ConfigMap(id="perPort", name=port.name, data={"note": cel.expr("port.note", str)})
    return OneStatus(ok=True)


def test_an_optional_item_field_read_without_has_is_refused() -> None:
    with pytest.raises(Untranslatable, match=r"port\.note may be missing"):
        chart_files(notes.graph)


RULED = """
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {name: ruled}
spec:
  schema:
    apiVersion: v1
    kind: Ruled
    spec:
      name: string | required=true validation="self.startsWith('a')"
      size: integer | default=3 validation="self > 0 && self < 10"
  resources:
  - id: cfg
    template:
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: "${schema.spec.name}"}
      data: {size: "${string(schema.spec.size)}"}
"""


@pytest.mark.parametrize(
    ("values", "broken"),
    [
        ({"name": "abc"}, None),
        ({"name": "abc", "size": 9}, None),
        ({"name": "abc", "size": 10}, "spec.size"),
        ({"name": "xyz"}, "spec.name"),
    ],
)
def test_spec_validation_rules_are_checked_by_the_chart(
    values: dict[str, Any], broken: str | None, kit: SimpleNamespace, tmp_path: Path
) -> None:
    from pykro.errors import ValidationError
    from pykro.graph import Graph
    from pykro.render._manifests import manifests
    from pykro.runtime._values import check_spec

    graph = Graph.from_rgd(RULED)
    write_chart(graph, tmp_path / "chart")
    (tmp_path / "values.yaml").write_text(goyaml.dump(values), encoding="utf-8")
    helm = kit.run(
        [kit.tool("helm"), "template", "rel", str(tmp_path / "chart"), "-f", str(tmp_path / "values.yaml")], ok=False
    )
    if broken is None:
        assert helm.returncode == 0, helm.stderr
        spec = check_spec(graph.openapi, values)
        assert kit.by_identity(kit.load_all(helm.stdout)) == kit.by_identity(manifests(graph, spec, name="rel"))
    else:
        assert helm.returncode != 0 and f"{broken}: validation failed" in helm.stderr
        with pytest.raises(ValidationError):  # pykro refuses the same spec
            check_spec(graph.openapi, values)
