"""Peers: pykro against celestra and cdk8s (+ cdk8s-plus), each rendering the same 200 apps (``apps.py``) to YAML
files; then pykro's builders against celestra and plain dicts dumped by PyYAML, rendering 200 StatefulApps
(``stateful_apps()``). Each is timed as a whole process (interpreter start, imports, GC on; cdk8s also starts node for
jsii), three alternating rounds, median; every contender's output is then checked: the 400 expected objects, and
each one valid against the Kubernetes 1.35 schemas pykro ships (strict: unknown fields count).

Run it with ``make bench-peers`` (or ``.venv/bin/python -m bench.peers``). The peers are installed from PyPI into a
venv of their own (``bench/peers/.venv``, made on the first run), never into the project's. A peer that cannot be
installed or run is reported in capitals, and the command exits non-zero."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.peers.apps import apps, stateful_apps

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
PEER_PYTHON = VENV / "bin" / "python"
PINS = ["celestra==0.0.3", "cdk8s==2.70.115", "cdk8s-plus-35==2.0.5", "PyYAML"]
STAMP = VENV / ".installed"
ROUNDS = 3
ENV = {**os.environ, "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}


def _loud(message: str) -> None:
    print(f"\n!!! {message.upper()}\n", flush=True)


def _peer_venv() -> str | None:
    """Create and fill the peers' venv when needed; None when it is ready, else why it is not."""
    if STAMP.exists() and STAMP.read_text() == "\n".join(PINS):
        return None
    base = getattr(sys, "_base_executable", sys.executable)
    made = subprocess.run([base, "-m", "venv", "--clear", str(VENV)], capture_output=True, text=True, check=False)
    if made.returncode:
        return f"cannot create {VENV}: {made.stderr.strip()[-400:]}"
    pip = subprocess.run(
        [str(PEER_PYTHON), "-m", "pip", "install", "--quiet", *PINS], capture_output=True, text=True, check=False
    )
    if pip.returncode:
        return f"pip install {' '.join(PINS)} failed: {pip.stderr.strip()[-600:]}"
    STAMP.write_text("\n".join(PINS))
    return None


def _expected() -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for app in apps():
        found[("Deployment", str(app["name"]))] = app
        found[("Service", f"{app['name']}-svc")] = app
    return found


def _service_key(name: str) -> tuple[str, str]:
    """The expected Service a contender's Service stands for: celestra names it after the app (no -svc suffix)."""
    return ("Service", name if name.endswith("-svc") else f"{name}-svc")


def _documents(out: Path) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Every object a contender wrote under ``out`` (with where it is), and the ones not valid against the Kubernetes
    1.35 schemas (strict)."""
    from pykro import _yamlio as yamlio
    from pykro.schema._kubernetes import is_builtin, validate_object

    found: list[tuple[str, dict[str, Any]]] = []
    problems: list[str] = []
    for path in sorted(p for p in out.rglob("*") if p.suffix in (".yaml", ".yml")):
        for doc in yamlio.load_all(path.read_text(encoding="utf-8")):
            if not isinstance(doc, dict):
                continue
            kind, name = str(doc.get("kind")), str((doc.get("metadata") or {}).get("name"))
            where = f"{path.relative_to(out)}: {kind}/{name}"
            found.append((where, doc))
            if not is_builtin(str(doc.get("apiVersion")), kind):
                problems.append(f"{where}: not a built-in Kubernetes kind")
                continue
            problems += [f"{where}: {cause.message}" for cause in validate_object(doc, strict=True)]
    return found, problems


def _tally(count: int, expected: set[tuple[str, str]], seen: set[tuple[str, str]]) -> list[str]:
    problems = [f"{count} objects written, {len(expected)} expected"] if count != len(expected) else []
    missing = sorted(expected - seen)
    if missing:
        problems.append(f"{len(missing)} expected objects missing, e.g. {missing[:3]}")
    return problems


def check(out: Path) -> list[str]:
    """Problems with a contender's apps: missing or extra objects, wrong image or replicas, schema violations."""
    expected = _expected()
    seen: set[tuple[str, str]] = set()
    docs, problems = _documents(out)
    for where, doc in docs:
        kind, name = str(doc.get("kind")), str((doc.get("metadata") or {}).get("name"))
        key = _service_key(name) if kind == "Service" else (kind, name)
        app = expected.get(key)
        if app is None:
            problems.append(f"{where}: not one of the 400 expected objects")
            continue
        seen.add(key)
        if kind == "Deployment":
            spec = doc.get("spec") or {}
            images = [c.get("image") for c in spec.get("template", {}).get("spec", {}).get("containers", [])]
            if images != [app["image"]] or spec.get("replicas") != app["replicas"]:
                problems.append(f"{where}: image {images} replicas {spec.get('replicas')}, expected {app}")
    return problems + _tally(len(docs), set(expected), seen)


def check_stateful(out: Path) -> list[str]:
    """Problems with a contender's StatefulApps: missing or extra objects, a StatefulSet without the app's image,
    replicas or claim size, a Service that is not headless, schema violations."""
    apps_by_name = {str(app["name"]): app for app in stateful_apps()}
    expected = {(kind, name) for name in apps_by_name for kind in ("StatefulSet", "Service")}
    seen: set[tuple[str, str]] = set()
    docs, problems = _documents(out)
    for where, doc in docs:
        kind, name = str(doc.get("kind")), str((doc.get("metadata") or {}).get("name"))
        if (kind, name) not in expected:
            problems.append(f"{where}: not one of the 400 expected objects")
            continue
        seen.add((kind, name))
        app, spec = apps_by_name[name], doc.get("spec") or {}
        if kind == "Service" and spec.get("clusterIP") != "None":
            problems.append(f"{where}: not headless (clusterIP {spec.get('clusterIP')!r})")
        if kind == "StatefulSet":
            images = [c.get("image") for c in spec.get("template", {}).get("spec", {}).get("containers", [])]
            claims = spec.get("volumeClaimTemplates") or [{}]
            size = claims[0].get("spec", {}).get("resources", {}).get("requests", {}).get("storage")
            if images != [app["image"]] or spec.get("replicas") != app["replicas"] or size != app["storage"]:
                problems.append(f"{where}: image {images} replicas {spec.get('replicas')} claim {size}, expected {app}")
    return problems + _tally(len(docs), expected, seen)


def _run(argv: list[str], out: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([*argv, str(out)], capture_output=True, text=True, check=False, env=ENV, cwd=HERE)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(done.stderr.strip()[-800:])
    return elapsed


def _measure(
    contenders: dict[str, list[str]], verify: Callable[[Path], list[str]], failed: list[str]
) -> tuple[dict[str, list[float]], dict[str, list[str]]]:
    """Each contender's times (ROUNDS alternating rounds after a warm-up) and the problems of its last output."""
    contenders = dict(contenders)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    verdicts: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(ROUNDS + 1):  # the first round warms the file cache and is not counted
            for name, argv in list(contenders.items()):
                out = Path(tmp) / f"{round_}-{name.split()[0]}"
                out.mkdir()
                try:
                    took = _run(argv, out)
                except RuntimeError as exc:
                    _loud(f"{name} failed to render: {exc}")
                    failed.append(name)
                    del contenders[name], times[name]
                    continue
                if round_:
                    times[name].append(took)
                if round_ == ROUNDS:
                    verdicts[name] = verify(out)
                shutil.rmtree(out)
    return times, verdicts


def _report(title: str, base: str, times: dict[str, list[float]], verdicts: dict[str, list[str]]) -> bool:
    """Print a case's medians and ratios to ``base``; True when every output was valid."""
    print(f"{title}, whole process, median of {ROUNDS} rounds")
    reference = statistics.median(times[base]) if times.get(base) else None
    for name, samples in times.items():
        median = statistics.median(samples)
        problems = verdicts.get(name, ["not checked"])
        valid = "all 400 objects valid" if not problems else f"{len(problems)} PROBLEMS, e.g. {problems[0]}"
        ratio = f"{median / reference:5.2f}x {base}" if reference else ""
        print(f"  {name:24s} {median * 1e3:8.0f} ms  {ratio}  {valid}")
    return not any(verdicts.values())


def main() -> None:
    apps_case: dict[str, list[str]] = {"pykro": [sys.executable, str(HERE / "pykro_apps.py")]}
    stateful_case: dict[str, list[str]] = {
        "pykro builders": [sys.executable, str(HERE / "pykro_stateful.py")],
        "plain dicts + PyYAML": [sys.executable, str(HERE / "dicts_stateful.py")],
    }
    failed: list[str] = []
    why = _peer_venv()
    if why is not None:
        _loud(f"celestra and cdk8s not measured: {why}")
        failed += ["celestra", "cdk8s"]
    else:
        apps_case["celestra 0.0.3"] = [str(PEER_PYTHON), str(HERE / "celestra_apps.py")]
        apps_case["cdk8s + cdk8s-plus-35"] = [str(PEER_PYTHON), str(HERE / "cdk8s_apps.py")]
        stateful_case["celestra 0.0.3"] = [str(PEER_PYTHON), str(HERE / "celestra_stateful.py")]
    valid = _report(f"{len(apps())} apps (Deployment + Service) rendered to YAML files", "pykro",
                    *_measure(apps_case, check, failed))  # fmt: skip
    print()
    valid &= _report(
        f"{len(stateful_apps())} StatefulApps (StatefulSet with a claim template + headless Service) to YAML files",
        "pykro builders",
        *_measure(stateful_case, check_stateful, failed),
    )
    if failed or not valid:
        _loud(f"not measured: {', '.join(failed)}" if failed else "some output is not valid (see above)")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
