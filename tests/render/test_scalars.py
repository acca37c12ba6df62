"""Strings that go-yaml v2 (helm's values, kustomize, compose) reads as numbers, booleans or null stay strings in every
output: spec defaults in a chart's values.yaml, ConfigMap values in a Kustomize tree and a Compose file ('08', '0o17'
were written plain: helm refused its own chart's defaults, 'got number, want string')."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pykro import Spec, Status, composition
from pykro.simple import ConfigMap

TRICKY = ["1e3", "1e+3", "6.02e23", "08", "0o17", "0x1F", "1_000", "y", "N", "on", "~", "null", ".inf", "+1", "1."]


class TrickySpec(Spec):
    a: str = TRICKY[0]
    b: str = TRICKY[1]
    c: str = TRICKY[2]
    d: str = TRICKY[3]
    e: str = TRICKY[4]


class TrickyStatus(Status):
    ok: bool


@composition(api_version="example.com/v1", kind="Tricky")
def tricky(spec: TrickySpec) -> TrickyStatus:
    from_spec = {"a": spec.a, "b": spec.b, "c": spec.c, "d": spec.d, "e": spec.e}
    ConfigMap(id="cfg", name="cfg", data={**from_spec, **{f"k{i}": v for i, v in enumerate(TRICKY)}})
    return TrickyStatus(ok=True)


def pykro(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pykro", "render", f"{__file__}:tricky", *args]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result


def data(docs: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(d for d in docs if d and d["kind"] == "ConfigMap")["data"]
    return found


def test_tricky_strings_stay_strings(kit: SimpleNamespace, tmp_path: Path) -> None:
    want = data(kit.load_all(pykro("--manifests", "--name", "rel").stdout))
    assert want["a"] == "1e3" and want["k3"] == "08"
    pykro("--helm", str(tmp_path / "chart"))
    helm = kit.run([kit.tool("helm"), "template", "rel", str(tmp_path / "chart")])
    assert data(kit.load_all(helm.stdout)) == want
    pykro("--kustomize", str(tmp_path / "tree"))
    built = kit.run([kit.tool("kustomize"), "build", str(tmp_path / "tree" / "base")])
    assert data(kit.load_all(built.stdout)) == want
    pykro("--compose", str(tmp_path / "compose.yaml"), "--name", "rel")
    loaded = subprocess.run([kit.tool("compose-check"), str(tmp_path / "compose.yaml")], capture_output=True, text=True,
                            check=True, cwd=tmp_path)  # fmt: skip
    configs = json.loads(loaded.stdout)["configs"]
    assert {k: configs[f"cfg-{k}".lower()]["content"] for k in want} == want
