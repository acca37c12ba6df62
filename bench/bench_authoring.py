"""Authoring: 200 Deployment+Service compositions defined, compiled to RGD YAML and rendered to manifests, against
plain dicts dumped with PyYAML (CSafeDumper) in the same run; and the cost of `import pykro`."""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

COUNT = 200
HEADER = """from pykro import Spec, Status, composition
from pykro.simple import Deployment, Service


class AppSpec(Spec):
    name: str
    replicas: int = 1


class AppStatus(Status):
    ready: bool
"""
TEMPLATE = """

@composition(api_version="example.com/v1", kind="App{i}")
def app{i}(spec: AppSpec) -> AppStatus:
    web = Deployment(id="web", name=spec.name, image="nginx:{i}", replicas=spec.replicas, ports=[80])
    Service(id="svc", name=f"{{spec.name}}-svc", selector={{"app": spec.name}}, ports=[80])
    return AppStatus(ready=web.status.readyReplicas >= spec.replicas)
"""


def _module(directory: Path) -> ModuleType:
    path = directory / "bench_compositions.py"
    path.write_text(HEADER + "".join(TEMPLATE.format(i=i) for i in range(COUNT)), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("bench_compositions", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _plain(i: int, name: str, replicas: int) -> list[dict[str, Any]]:
    labels = {"app": name}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": f"nginx:{i}", "ports": [{"containerPort": 80}]}]},
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"{name}-svc"},
        "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 80}]},
    }
    return [deployment, service]


def _plain_rgd(i: int) -> dict[str, Any]:
    objects = _plain(i, "${schema.spec.name}", 1)
    objects[0]["spec"]["replicas"] = "${schema.spec.replicas}"
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": f"app{i}"},
        "spec": {
            "schema": {
                "apiVersion": "v1",
                "kind": f"App{i}",
                "group": "example.com",
                "spec": {"name": "string | required=true", "replicas": "integer | default=1"},
                "status": {"ready": "${web.status.readyReplicas >= schema.spec.replicas}"},
            },
            "resources": [{"id": "web", "template": objects[0]}, {"id": "svc", "template": objects[1]}],
        },
    }


def _dump(docs: list[dict[str, Any]]) -> str:
    return str(yaml.dump_all(docs, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False))


def _timed(action: Any) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _import_time() -> tuple[float, float]:
    def run(code: str) -> float:
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    return run("import pykro"), run("pass")


def main() -> None:
    # imports are measured separately (below), not as part of defining compositions; yamlio is what `pykro render`
    # writes YAML with
    from pykro import authoring, simple, yamlio

    del authoring, simple
    with tempfile.TemporaryDirectory() as tmp:
        define = _timed(lambda: _module(Path(tmp)))
        module = sys.modules["bench_compositions"]
        comps = [getattr(module, f"app{i}") for i in range(COUNT)]
        rgd = _timed(lambda: [c.to_rgd_yaml() for c in comps])
        specs: list[dict[str, Any]] = [{"name": f"app-{i}", "replicas": 1 + i % 3} for i in range(COUNT)]
        manifests = _timed(lambda: [yamlio.dump_all(c.to_manifests(s)) for c, s in zip(comps, specs, strict=True)])
        base_rgd = _timed(lambda: [_dump([_plain_rgd(i)]) for i in range(COUNT)])
        base_manifests = _timed(lambda: [_dump(_plain(i, s["name"], s["replicas"])) for i, s in enumerate(specs)])
    print(f"{COUNT} compositions (Deployment + Service)")
    print(f"  define (source transform at decoration): {define * 1000:8.1f} ms")
    print(
        f"  RGD YAML (graph + kro validation + dump): {rgd * 1000:8.1f} ms   dicts+PyYAML {base_rgd * 1000:6.1f} ms"
        f"   ratio {rgd / base_rgd:5.1f}x ({(define + rgd) / base_rgd:5.1f}x with define)"
    )
    print(
        f"  manifests (runtime, real CEL engine):     {manifests * 1000:8.1f} ms   dicts+PyYAML "
        f"{base_manifests * 1000:6.1f} ms   ratio {manifests / base_manifests:5.1f}x"
    )
    pykro_import, python_start = _import_time()
    print(
        f"  import pykro: {(pykro_import - python_start) * 1000:.0f} ms over interpreter start "
        f"({pykro_import * 1000:.0f} ms vs {python_start * 1000:.0f} ms; goal <= 300 ms)"
    )
