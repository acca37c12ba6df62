"""examples/builders/ (seed 003, Celestra's StatefulApp page, section by section): every object valid against the
Kubernetes 1.35 schemas, the files of every output equal to tests/builders/golden/examples/ (PYKRO_UPDATE_GOLDEN=1
rewrites them), and the real helm, kustomize and compose-go reading back what was written. The page's calls pykro
does not do stop with a PykroError."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pykro import _yamlio as yamlio
from pykro.celestra import DockerComposeOutput, HelmOutput, KubernetesOutput, KustomizeOutput
from pykro.errors import PykroError
from pykro.schema._kubernetes import validate_object

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "builders"
SECTIONS = ["containers", "storage", "operations", "security"]


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# The output tests' helpers (tools from scripts/tools.sh, golden trees), aimed at this directory's golden files.
kit = _load(REPO / "tests" / "render" / "conftest.py", "pykro_builders_examples_kit")
vars(kit)["GOLDEN"] = Path(__file__).resolve().parent / "golden" / "examples"


@pytest.fixture(scope="module", params=SECTIONS)
def section(request: pytest.FixtureRequest) -> ModuleType:
    return _load(EXAMPLES / f"{request.param}.py", f"pykro_builders_example_{request.param}")


def _objects(module: ModuleType) -> list[dict[str, Any]]:
    return [obj for builder in _builders(module) for obj in builder.objects()]


def _builders(module: ModuleType) -> list[Any]:
    return [*module.APPS, *module.EXTRA]


def _name(module: ModuleType) -> str:
    return module.__name__.rsplit("_", 1)[-1]


def test_every_object_is_valid(section: ModuleType) -> None:
    objects = _objects(section)
    assert len(section.APPS) >= 10
    for obj in objects:
        assert validate_object(obj, strict=True) == [], (obj["kind"], obj["metadata"]["name"])
    names = [app.objects()[0]["metadata"]["name"] for app in section.APPS]
    assert len(set(names)) == len(names), "two examples of one section share a name"


def test_refused_calls_say_what_to_write(section: ModuleType) -> None:
    for label, call in section.REFUSED.items():
        with pytest.raises(PykroError, match="not supported") as caught:
            call()
        assert "Use " in str(caught.value), label


def test_every_output_matches_its_golden_files(section: ModuleType, tmp_path: Path) -> None:
    apps = _builders(section)
    KubernetesOutput().generate(apps, tmp_path / "kubernetes")
    HelmOutput(_name(section)).generate(apps, tmp_path / "helm")
    KustomizeOutput().generate(apps, tmp_path / "kustomize")
    DockerComposeOutput().generate([a for a in apps if not _root_unless_told(a)], tmp_path / "docker-compose.yml")
    kit.check_golden_tree(_name(section), tmp_path)
    written = [d for p in sorted((tmp_path / "kubernetes").rglob("*.yaml")) for d in kit.load_all(p.read_text())]
    assert kit.by_identity(written) == kit.by_identity(_objects(section))


def test_helm_renders_the_objects(section: ModuleType, tmp_path: Path) -> None:
    HelmOutput(_name(section), include_secrets=True).generate(_builders(section), tmp_path / "chart")
    helm = kit.tool("helm")
    kit.run([helm, "lint", "--strict", str(tmp_path / "chart")])
    rendered = kit.run([helm, "template", _name(section), str(tmp_path / "chart")])
    assert kit.by_identity(kit.load_all(rendered.stdout)) == kit.by_identity(_objects(section))


def test_kustomize_builds_the_objects(section: ModuleType, tmp_path: Path) -> None:
    KustomizeOutput(include_secrets=True).generate(_builders(section), tmp_path / "k")
    built = kit.run([kit.tool("kustomize"), "build", str(tmp_path / "k" / "base")])
    docs, want = kit.by_identity(kit.load_all(built.stdout)), kit.by_identity(_objects(section))
    for key in [k for k in want if k[0] == "Secret"]:  # kustomize's generator writes data (base64) for stringData
        secret, expected = docs.pop(key), want.pop(key)
        assert set(secret["data"]) == set(expected.get("stringData", expected.get("data", {})))
    assert docs == want


def _root_unless_told(builder: Any) -> bool:
    """A workload whose pods must not run as root but name no user: Compose cannot enforce it (the restricted Pod
    Security Standard of the security section sets runAsNonRoot and no runAsUser)."""
    pods = [o["spec"]["template"]["spec"] for o in builder.objects() if o["kind"] == "StatefulSet"]
    return any((p.get("securityContext") or {}).get("runAsNonRoot") for p in pods)


def test_compose_holds_every_app(section: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "docker-compose.yml"
    for builder in [b for b in _builders(section) if _root_unless_told(b)]:
        with pytest.raises(PykroError, match="runAsNonRoot: Compose cannot refuse an image that runs as root"):
            DockerComposeOutput().generate(builder, path)
    apps = [a for a in section.APPS if not _root_unless_told(a)]
    out = DockerComposeOutput().generate([*apps, *section.EXTRA], path)
    # Secret values are interpolated from PYKRO_SECRET_* variables, which Compose requires to be set.
    needed = set(re.findall(r"\$\{(PYKRO_SECRET_[A-Z0-9_]+):\?", path.read_text(encoding="utf-8")))
    assert bool(needed) == any(o["kind"] == "Secret" for b in [*apps, *section.EXTRA] for o in b.objects())
    result = subprocess.run(
        [kit.tool("compose-check"), str(path)], capture_output=True, text=True, check=False, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **dict.fromkeys(needed, "given")},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    for app in apps:
        stateful = next(o for o in app.objects() if o["kind"] == "StatefulSet")
        service = services[stateful["metadata"]["name"]]
        assert service["image"] == stateful["spec"]["template"]["spec"]["containers"][0]["image"]
        assert service["deploy"]["replicas"] == stateful["spec"]["replicas"]
    assert all(not entry.startswith(("StatefulSet ", "Secret ", "ConfigMap ")) for entry in out.skipped), out.skipped


def test_a_section_script_prints_its_yaml() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "storage.py")], capture_output=True, text=True, check=True, cwd=REPO
    )
    module = _load(EXAMPLES / "storage.py", "pykro_builders_example_storage_again")
    assert list(yamlio.load_all(done.stdout)) == _objects(module)
