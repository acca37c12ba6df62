"""Authoring: 200 Deployment+Service compositions defined, compiled to RGD YAML and rendered to manifests, against
plain dicts dumped with PyYAML (CSafeDumper) in the same run; and the cost of `import pykro`.

Each side is timed the way ``timeit`` times (garbage collection off during the timed call, after a collection) over
five runs with fresh compositions; the ratio is best against best, and the first (cold-process) run is shown too."""

from __future__ import annotations

import gc
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
REPEAT = 5
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


def _module(directory: Path, name: str = "bench_compositions") -> ModuleType:
    path = directory / f"{name}.py"
    path.write_text(HEADER + "".join(TEMPLATE.format(i=i) for i in range(COUNT)), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
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
    """Seconds for ``action()``, timed as ``timeit`` does: garbage collection off while it runs (after a collection,
    so neither side pays for the other's garbage) — the same for pykro and the baseline."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start
    finally:
        gc.enable()


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
    specs: list[dict[str, Any]] = [{"name": f"app-{i}", "replicas": 1 + i % 3} for i in range(COUNT)]
    runs: list[dict[str, float]] = []
    for run in range(REPEAT):  # fresh compositions each time: every graph is built, validated and dumped anew
        with tempfile.TemporaryDirectory() as tmp:
            times = {"define": _timed(lambda run=run: _module(Path(tmp), f"bench_compositions_{run}"))}
            module = sys.modules[f"bench_compositions_{run}"]
            comps = [getattr(module, f"app{i}") for i in range(COUNT)]
            times["rgd"] = _timed(lambda comps=comps: [c.to_rgd_yaml() for c in comps])
            times["manifests"] = _timed(
                lambda comps=comps: [yamlio.dump_all(c.to_manifests(s)) for c, s in zip(comps, specs, strict=True)]
            )
            times["base_rgd"] = _timed(lambda: [_dump([_plain_rgd(i)]) for i in range(COUNT)])
            times["base_manifests"] = _timed(
                lambda: [_dump(_plain(i, s["name"], s["replicas"])) for i, s in enumerate(specs)]
            )
            runs.append(times)
    first = runs[0]
    best = {key: min(r[key] for r in runs) for key in first}
    print(f"{COUNT} compositions (Deployment + Service); best of {REPEAT} runs, each side timed alike (GC off)")
    print(f"  define (source transform at decoration): {best['define'] * 1000:8.1f} ms")
    for label, key in (
        ("RGD YAML (graph + kro validation + dump)", "rgd"),
        ("manifests (runtime, real CEL engine)", "manifests"),
    ):
        print(
            f"  {label + ':':41s} {best[key] * 1000:8.1f} ms   dicts+PyYAML {best['base_' + key] * 1000:6.1f} ms   "
            f"ratio {best[key] / best['base_' + key]:4.1f}x (goal <= 1.5x; first run, loading schemas and CEL "
            f"environments: {first[key] / first['base_' + key]:4.1f}x)"
        )
    pykro_import, python_start = _import_time()
    print(
        f"  import pykro: {(pykro_import - python_start) * 1000:.0f} ms over interpreter start "
        f"({pykro_import * 1000:.0f} ms vs {python_start * 1000:.0f} ms; goal <= 300 ms)"
    )
