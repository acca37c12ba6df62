"""Authoring: 200 Deployment+Service compositions defined (``@composition``), compiled to RGD YAML and rendered to
manifests, against the same documents built as plain dicts, each written by pykro's YAML writer (``yamlio``, what
`pykro render` uses) and by PyYAML's CSafeDumper; and the cost of `import pykro`.

Both sides write the same documents (checked first: equal data, and the same bytes from each writer; a shared
labels mapping in the plain dicts would make PyYAML write anchors and pykro's writer fall back to PyYAML).

Garbage collection stays on (as in a user's process; a GC-off line, as ``timeit`` times, follows), after a
collection before each timed call; five runs with fresh compositions, best against best, and the first
(cold-process: schemas and CEL environments loading) run shown too. A last row compiles 200 compositions whose
resource ids differ (as 200 real compositions would): every set of CEL variable names is a new engine
environment, which the identical compositions above share."""

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


def _module(directory: Path, name: str = "bench_compositions", ids: str = "") -> ModuleType:
    """The 200 compositions as a module; ``ids`` (when given) is added to every resource id, with the composition's
    number: no two compositions then declare the same CEL variables (as 200 different real compositions)."""
    path = directory / f"{name}.py"
    template = TEMPLATE
    if ids:
        template = template.replace('id="web"', f'id="web{{i}}{ids}"').replace('id="svc"', f'id="svc{{i}}{ids}"')
    path.write_text(HEADER + "".join(template.format(i=i) for i in range(COUNT)), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _plain(i: int, name: str, replicas: int) -> list[dict[str, Any]]:
    # each labels mapping is its own dict, as in pykro's output: a shared one would make PyYAML write anchors and
    # aliases (&id001 / *id001) and pykro's writer fall back to PyYAML for it, a different document at another cost
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": f"nginx:{i}", "ports": [{"containerPort": 80}]}]},
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"{name}-svc"},
        "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 80}]},
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


def _timed(action: Any, *, gc_on: bool = True) -> tuple[float, float]:
    """Wall and CPU seconds for ``action()`` after a collection (so neither side pays for the other's garbage);
    garbage collection stays on, as in a user's process, unless ``gc_on`` is False (as ``timeit`` times). CPU time
    is steadier than the wall clock on a busy machine."""
    gc.collect()
    if not gc_on:
        gc.disable()
    try:
        start, cpu = time.perf_counter(), time.process_time()
        action()
        return time.perf_counter() - start, time.process_time() - cpu
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


def _round(tmp: Path, run: int, specs: list[dict[str, Any]], gc_on: bool) -> dict[str, float]:
    """One round with fresh compositions (every graph is built, validated and dumped anew): each writer gets its
    own freshly defined module, since a composition builds its graph once."""
    from pykro import _yamlio as yamlio

    times: dict[str, float] = {}

    def put(key: str, action: Any) -> None:
        times[key], times[f"{key}@cpu"] = _timed(action, gc_on=gc_on)

    comps: dict[str, list[Any]] = {}
    for writer in ("pykro", "csafe"):
        name = f"bench_compositions_{run}_{writer}_{int(gc_on)}"
        put(f"define_{writer}", lambda name=name: _module(tmp, name))
        comps[writer] = [getattr(sys.modules[name], f"app{i}") for i in range(COUNT)]
    put("rgd_pykro", lambda: [c.to_rgd_yaml() for c in comps["pykro"]])
    name = f"bench_compositions_{run}_ids_{int(gc_on)}"
    unique = _module(tmp, name, ids=f"r{run}g{int(gc_on)}")
    distinct = [getattr(unique, f"app{i}") for i in range(COUNT)]
    put("rgd_distinct_ids", lambda: [c.to_rgd_yaml() for c in distinct])
    put("rgd_csafe", lambda: [_dump([c.to_rgd()]) for c in comps["csafe"]])
    pairs = list(zip(comps["pykro"], specs, strict=True))
    put("manifests_pykro", lambda: [yamlio.dump_all(c.to_manifests(s)) for c, s in pairs])
    put("manifests_csafe", lambda: [_dump(c.to_manifests(s)) for c, s in pairs])
    put("base_rgd_pykro", lambda: [yamlio.dump(_plain_rgd(i)) for i in range(COUNT)])
    put("base_rgd_csafe", lambda: [_dump([_plain_rgd(i)]) for i in range(COUNT)])
    plain = [(i, s["name"], s["replicas"]) for i, s in enumerate(specs)]
    put("base_manifests_pykro", lambda: [yamlio.dump_all(_plain(*p)) for p in plain])
    put("base_manifests_csafe", lambda: [_dump(_plain(*p)) for p in plain])
    return times


def _check_same_documents(specs: list[dict[str, Any]]) -> None:
    """Both sides write the same documents (else the ratios compare different work): pykro's RGDs and manifests
    equal the plain dicts, and each writer writes both the same bytes."""
    from pykro import _yamlio as yamlio

    with tempfile.TemporaryDirectory() as tmp:
        module = _module(Path(tmp), "bench_compositions_check")
        for i in (0, COUNT - 1):
            comp, spec = getattr(module, f"app{i}"), specs[i]
            plain_rgd, plain_docs = _plain_rgd(i), _plain(i, spec["name"], spec["replicas"])
            manifests = comp.to_manifests(spec)
            same = (
                comp.to_rgd() == plain_rgd
                and comp.to_rgd_yaml() == yamlio.dump(plain_rgd)
                and _dump([comp.to_rgd()]) == _dump([plain_rgd])
                and manifests == plain_docs
                and yamlio.dump_all(manifests) == yamlio.dump_all(plain_docs)
                and _dump(manifests) == _dump(plain_docs)
            )
            if not same:
                raise SystemExit(f"bench authoring: app{i}'s RGD or manifests differ from the plain dicts")


def main() -> None:
    # imports are measured separately (below), not as part of defining compositions
    from pykro import authoring, simple

    del authoring, simple
    specs: list[dict[str, Any]] = [{"name": f"app-{i}", "replicas": 1 + i % 3} for i in range(COUNT)]
    _check_same_documents(specs)
    for gc_on in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            runs = [_round(Path(tmp), run, specs, gc_on) for run in range(REPEAT if gc_on else 2)]
        best = {key: min(r[key] for r in runs) for key in runs[0]}
        ms = {key: value * 1000 for key, value in best.items()}
        if not gc_on:
            total = (ms["define_pykro"] + ms["rgd_pykro"]) / ms["base_rgd_pykro"]
            print(f"  GC off (as timeit times), best of 2: 200 compositions -> RGD YAML {total:.1f}x dicts+same writer")
            break
        print(
            f"{COUNT} compositions (Deployment + Service), best of {REPEAT} runs with fresh compositions, GC on; "
            f"YAML written by pykro's writer (yamlio) | by PyYAML's CSafeDumper"
        )
        define = "define (the module runs: @composition reads, transforms, compiles)"
        print(f"  {define:72s} {ms['define_pykro']:8.1f} ms")
        rows = (
            ("RGD: graph + kro validation (CEL engine compiles each expression) + YAML", "rgd"),
            ("manifests: runtime (CEL engine evaluates) + YAML", "manifests"),
            ("plain dicts -> RGD YAML (baseline)", "base_rgd"),
            ("plain dicts -> manifests YAML (baseline)", "base_manifests"),
        )
        for label, key in rows:
            print(f"  {label:72s} {ms[key + '_pykro']:8.1f} ms | {ms[key + '_csafe']:8.1f} ms")
        for writer, name in (("pykro", "pykro's writer"), ("csafe", "CSafeDumper")):
            total = ms[f"define_{writer}"] + ms[f"rgd_{writer}"]
            print(
                f"  {name}: 200 compositions -> RGD YAML, define included, {total:.1f} ms = "
                f"{total / ms[f'base_rgd_{writer}']:.1f}x dicts+same writer (goal <= 1.5x); 200 instances -> "
                f"manifests {ms[f'manifests_{writer}'] / ms[f'base_manifests_{writer}']:.1f}x dicts+same writer "
                "(goal <= 2x)"
            )
        for writer, name in (("pykro", "pykro's writer"), ("csafe", "CSafeDumper")):
            cpu = (ms[f"define_{writer}@cpu"] + ms[f"rgd_{writer}@cpu"]) / ms[f"base_rgd_{writer}@cpu"]
            cpu_m = ms[f"manifests_{writer}@cpu"] / ms[f"base_manifests_{writer}@cpu"]
            print(
                f"  the same runs in CPU time, {name}: RGD YAML, define included, {cpu:.1f}x dicts+same writer "
                f"(define {ms[f'define_{writer}@cpu']:.1f} ms, RGD {ms[f'rgd_{writer}@cpu']:.1f} ms, dicts "
                f"{ms[f'base_rgd_{writer}@cpu']:.1f} ms); manifests {cpu_m:.1f}x dicts+same writer"
            )
        print(
            f"  {'RGD as above, resource ids differing between compositions (pykro writer)':72s} "
            f"{ms['rgd_distinct_ids']:8.1f} ms (CPU {ms['rgd_distinct_ids@cpu']:.1f} ms vs "
            f"{ms['rgd_pykro@cpu']:.1f} ms; "
            "the CEL engine builds and warms an environment per set of variable names)"
        )
        first = runs[0]
        cold = (first["define_pykro"] + first["rgd_pykro"]) / first["base_rgd_pykro"]
        print(f"  first run (loading schemas and CEL environments): RGD YAML {cold:.1f}x dicts+same writer (pykro's)")
    pykro_import, python_start = _import_time()
    print(
        f"  import pykro: {(pykro_import - python_start) * 1000:.0f} ms over interpreter start "
        f"({pykro_import * 1000:.0f} ms vs {python_start * 1000:.0f} ms; goal <= 300 ms)"
    )
