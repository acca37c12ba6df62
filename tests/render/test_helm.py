"""`pykro render --helm`: the chart of every example against the real helm v4.3.2 (scripts/tools.sh): `helm lint`
passes and `helm template` gives, object for object, what `pykro render --manifests` gives for the same values;
what has no Go-template form stops the render with one sentence; Secret values stay out of the chart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pykro import Spec, Status, cel, composition
from pykro import _yamlio as yamlio
from pykro.render import _goyaml as goyaml
from pykro.render._gotemplate import Untranslatable
from pykro.render._helm import chart_files, write_chart
from pykro.simple import ConfigMap, Deployment, Service

# example target, values passed to both sides, include the literal Secret values
EXAMPLES: dict[str, tuple[str, dict[str, Any], bool]] = {
    "webapp": ("webapp.py", {"replicas": 3}, False),
    "microservices": (
        "microservices.py",
        yamlio.load_file(Path(__file__).parents[2] / "examples" / "microservices-values.yaml"),
        True,
    ),
    "celestra_db": ("celestra_db.py", {"replicas": 5, "storage": "10Gi"}, False),
    "data_tier": ("hub_tenants.py:data_tier", {"name": "t1", "dbCpu": "250m", "dbPassword": "pw-123456"}, True),
    "api_tier": ("hub_tenants.py:api_tier", {"name": "t1", "replicas": 4, "flag": True}, False),
    "worker_tier": ("hub_tenants.py:worker_tier", {"name": "t2"}, False),
    "web_tier": ("hub_tenants.py:web_tier", {"name": "t3", "flag": False}, False),
}


def pykro(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pykro", "render", *args], capture_output=True, text=True, check=False)


def helm_template(kit: SimpleNamespace, chart: Path, values: Path, release: str) -> list[Any]:
    result = kit.run([kit.tool("helm"), "template", release, str(chart), "-f", str(values)])
    docs: list[Any] = kit.load_all(result.stdout)
    return docs


@pytest.mark.parametrize("case", sorted(EXAMPLES))
def test_example_chart_is_golden_and_equals_manifests(case: str, kit: SimpleNamespace, tmp_path: Path) -> None:
    target, values, include_secrets = EXAMPLES[case]
    chart = tmp_path / "chart"
    args = [str(kit.examples / target), "--helm", str(chart)] + (["--include-secrets"] if include_secrets else [])
    result = pykro(*args)
    assert result.returncode == 0, result.stderr
    kit.check_golden_tree(f"helm/{case}", chart)
    values_file = tmp_path / "values.yaml"
    values_file.write_text(goyaml.dump(values), encoding="utf-8")
    helm = kit.tool("helm")
    kit.run([helm, "lint", "--strict", str(chart), "-f", str(values_file)])
    expected = pykro(str(kit.examples / target), "--manifests", "-f", str(values_file), "--name", "rel")
    assert expected.returncode == 0, expected.stderr
    want = kit.by_identity(kit.load_all(expected.stdout))
    got = kit.by_identity(helm_template(kit, chart, values_file, "rel"))
    assert got == want


def test_set_flags_match_on_both_sides(kit: SimpleNamespace, tmp_path: Path) -> None:
    """`helm template --set` and `pykro render --manifests --set`, as the README shows them."""
    chart = tmp_path / "chart"
    assert pykro(str(kit.examples / "hub_tenants.py:api_tier"), "--helm", str(chart)).returncode == 0
    sets = ["name=acme", "replicas=7", "flag=true"]
    helm = kit.run([kit.tool("helm"), "template", "acme", str(chart), *[a for s in sets for a in ("--set", s)]])
    mine = pykro(str(kit.examples / "hub_tenants.py:api_tier"), "--manifests", *[a for s in sets for a in ("--set", s)])
    assert mine.returncode == 0, mine.stderr
    got = kit.by_identity(kit.load_all(helm.stdout))
    assert got == kit.by_identity(kit.load_all(mine.stdout))
    deployment = next(d for d in got.values() if d["kind"] == "Deployment")
    assert deployment["spec"]["replicas"] == 7
    assert deployment["spec"]["template"]["spec"]["containers"][0]["env"][2] == {
        "name": "ENABLE_ANALYTICS",
        "value": "true",
    }


def test_fullstack_names_what_has_no_go_template(kit: SimpleNamespace, tmp_path: Path) -> None:
    result = pykro(str(kit.examples / "fullstack.py"), "--helm", str(tmp_path / "chart"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "resource 'dbSecret', field stringData.password" in result.stderr
    assert "random.seededString() has no Go-template equivalent" in result.stderr
    assert not (tmp_path / "chart").exists()  # nothing half-written


def test_secret_values_stay_out_of_the_chart(kit: SimpleNamespace, tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    result = pykro(str(kit.examples / "microservices.py"), "--helm", str(chart))
    assert result.returncode == 0, result.stderr
    text = "".join(p.read_text(encoding="utf-8") for p in chart.rglob("*") if p.is_file())
    for secret in ("dXNlcl9wYXNzd29yZA==", "cHJvZHVjdF9wYXNzd29yZA==", "b3JkZXJfcGFzc3dvcmQ="):
        assert secret not in text
    values = kit.examples / "microservices-values.yaml"
    failed = kit.run([kit.tool("helm"), "template", "x", str(chart), "-f", str(values)], ok=False)
    assert failed.returncode != 0
    assert "pykroSecrets" in failed.stderr  # helm names the values to pass


class IpSpec(Spec):
    name: str


class IpStatus(Status):
    ok: bool


@composition(api_version="example.com/v1", kind="Ip")
def ip(spec: IpSpec) -> IpStatus:
    svc = Service(id="svc", name=spec.name, selector={"app": "a"}, ports=[80])
    ConfigMap(id="cfg", name="cfg", data={"host": svc.spec.clusterIP})
    return IpStatus(ok=True)


def test_runtime_values_fail_with_resource_field_and_expression() -> None:
    with pytest.raises(Untranslatable) as error:
        chart_files(ip.graph)
    message = str(error.value)
    assert "resource 'cfg', field data.host: ${svc.spec.clusterIP}" in message
    assert "a live cluster assigns it" in message


# ---------------------------------------------------------------------------------------------- generated specs
class GenSpec(Spec):
    name: str
    replicas: int = 1
    port: int = 8080
    tier: str = "web"
    debug: bool = False
    tags: list[str] = []  # noqa: RUF012 - a pydantic default (copied per instance)
    sidecar: bool = False


class GenStatus(Status):
    ready: bool


@composition(api_version="example.com/v1", kind="Generated")
def generated(spec: GenSpec) -> GenStatus:
    app = Deployment(
        id="app",
        name=f"{spec.name}-app",
        image="postgres:16" if spec.tier == "db" else "nginx:" + str(spec.port),
        replicas=1 if spec.debug else spec.replicas * 2 + spec.port % 7,
        ports=[spec.port],
        env={
            "TIER": spec.tier + "-" + ("big" if spec.replicas > 3 else "small"),
            "TAGS": ",".join(spec.tags),
            "COUNT": str(len(spec.tags)),
            "DEBUG": "on" if spec.debug and spec.replicas >= 2 else "off",
            "LEVEL": cel.expr('schema.spec.replicas - 1 > 2 || schema.spec.tier != "web" ? "high" : "low"', str),
            "HAS_WEB": "yes" if "web" in spec.tags else "no",
            "FIRST": "a" if spec.name.startswith("a") else "other",
        },
    )
    Service(id="svc", name=f"{spec.name}-svc", selector=app, ports=[spec.port])
    if spec.sidecar:
        ConfigMap(id="side", name=f"{spec.name}-side", data={"tier": spec.tier})
    for tag in spec.tags:
        ConfigMap(id="perTag", name=f"{spec.name}-{tag}", data={"tag": tag})
    return GenStatus(ready=app.status.readyReplicas > 0)


NAMES = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
TAGS = st.lists(st.from_regex(r"[a-z]{1,6}", fullmatch=True), max_size=3, unique=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    spec=st.fixed_dictionaries(
        {"name": NAMES},
        optional={
            "replicas": st.integers(0, 50),
            "port": st.integers(1, 65535),
            "tier": st.sampled_from(["web", "db", "cache"]),
            "debug": st.booleans(),
            "tags": TAGS,
            "sidecar": st.booleans(),
        },
    )
)
def test_generated_specs_render_the_same(spec: dict[str, Any], kit: SimpleNamespace, tmp_path_factory: Any) -> None:
    base = tmp_path_factory.mktemp("gen")
    chart = base / "chart"
    if not chart.exists():
        write_chart(generated.graph, chart)
    values = base / "values.yaml"
    values.write_text(goyaml.dump(spec), encoding="utf-8")
    want = kit.by_identity(generated.to_manifests(spec, name="rel"))
    got = kit.by_identity(helm_template(kit, chart, values, "rel"))
    assert got == want
