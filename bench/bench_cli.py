"""Whole commands, timed the way users wait: a new process each run (interpreter start, imports, GC on), pykro
and its yardstick run alternately, min and median of PAIRS pairs, and the ratio of the medians.

* ``pykro --help`` and ``pykro render examples/fullstack.py --rgd`` against ``kubectl version --client`` (both
  interpreter-vs-binary comparisons; goals ≤ 3× and ≤ 5×); the render also against its floor, the third-party
  libraries it imports (see RENDER_FLOOR).
* ``from pykro import Spec, Status, composition`` against ``python -c pass`` (goal: ≤ 100 ms over it), and against
  its floors: ``from pydantic import BaseModel`` (goal: pykro adds ≤ 15 ms), pydantic creating its first model class
  (validator deferred, as Spec's), and importing pydantic and building one model (every Spec is one).

Each row is followed by the CPU time of the same runs (user + system of the child process): on a busy
machine the wall clock also counts other processes' load, CPU time much less.
* ``pykro deploy examples/fullstack.py --local`` (waits for ready) against ``kubectl apply -f`` + ``kubectl wait``
  of the same rendered objects on the same emulator (goal ≤ 1.0×); each run deploys into a new namespace.

Python's bytecode is cached as after ``pip install`` (compiled once, into a temporary PYTHONPYCACHEPREFIX, by the
warm-up run), whatever PYTHONDONTWRITEBYTECODE says here: with it, every run would compile pykro's sources again,
which users do not wait for.

Needs ``kubectl`` on PATH for the kubectl rows (they are skipped with a note otherwise).
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

PAIRS = 10
ROOT = Path(__file__).resolve().parents[1]
FULLSTACK = ROOT / "examples" / "fullstack.py"
PYKRO = [sys.executable, "-m", "pykro"]
SPEC = ["--set", "name=bench", "--set", "appImage=node:20", "--set", "replicas=2"]
# The floor under `pykro render --rgd`: the libraries it runs on, imported as that command uses them (typer, which
# converts the one given argument with a pydantic TypeAdapter; pydantic building one model; the CEL engine with the
# extensions kro's environment uses; jsonschema-rs), and nothing of pykro. PyYAML is not in it: the command writes
# its RGD with pykro's own emitter and does not import PyYAML (pykro._yamlemit).
RENDER_FLOOR = """
import typer, typer._adapters, typer._coercion, jsonschema_rs, cel_expr_python.cel, inspect, ast, json
from cel_expr_python.ext import ext_bindings, ext_encoders, ext_optional, ext_strings
from typer.models import ArgumentInfo
from pydantic import BaseModel
class M(BaseModel):
    x: int
typer._adapters.try_build_adapter(str, ArgumentInfo())
"""


def _run(argv: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"bench cli: {' '.join(argv)} failed:\n{done.stderr.decode(errors='replace')}")
    return elapsed


def _pairs(ours: Callable[[int], float], theirs: Callable[[int], float]) -> tuple[list[float], list[float]]:
    a: list[float] = []
    b: list[float] = []
    ours(-1), theirs(-1)  # warm the file cache for both
    for i in range(PAIRS):
        a.append(ours(i))
        b.append(theirs(i))
    return a, b


def _row(label: str, a: list[float], b: list[float], yardstick: str, goal: str) -> None:
    ratio = statistics.median(a) / statistics.median(b)
    print(
        f"{label:<44} min {min(a) * 1e3:7.1f} ms  median {statistics.median(a) * 1e3:7.1f} ms | "
        f"{yardstick} min {min(b) * 1e3:6.1f} median {statistics.median(b) * 1e3:6.1f} ms | {ratio:5.2f}x ({goal})"
    )


def _run_cpu(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, from the child's resource usage) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = _run(argv, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _startup_pair(label: str, ours: list[str], theirs: list[str], yardstick: str, goal: str) -> None:
    """``ours`` against ``theirs``, alternately: the wall-clock row (what users wait), then the same runs' CPU time
    (steadier on a busy machine: other processes' load does not count). ``{over}`` in ``goal`` becomes the wall-clock
    difference of the medians in ms."""
    a, b = _pairs(lambda _: _run_cpu(ours), lambda _: _run_cpu(theirs))
    over = (statistics.median([w for w, _ in a]) - statistics.median([w for w, _ in b])) * 1e3
    _row(label, [w for w, _ in a], [w for w, _ in b], yardstick, goal.format(over=f"{over:.0f}"))
    _cpu_row([c for _, c in a], [c for _, c in b])


def _cpu_row(cpu_a: list[float], cpu_b: list[float]) -> None:
    """The CPU time (user + system of the child processes) of the runs of the row above."""
    print(
        f"{'  same runs, CPU time':<44} min {min(cpu_a) * 1e3:7.1f} ms  median {statistics.median(cpu_a) * 1e3:7.1f} "
        f"ms | min {min(cpu_b) * 1e3:6.1f} median {statistics.median(cpu_b) * 1e3:6.1f} ms | "
        f"{statistics.median(cpu_a) / statistics.median(cpu_b):5.2f}x, "
        f"{(statistics.median(cpu_a) - statistics.median(cpu_b)) * 1e3:.0f} ms over"
    )


def _startup(kubectl: str | None) -> None:
    if kubectl is None:
        print("kubectl not on PATH: the kubectl rows are skipped")
    else:
        yard = [kubectl, "version", "--client"]
        _startup_pair("pykro --help", [*PYKRO, "--help"], yard, "kubectl version --client", "goal <= 3x")
        render = [*PYKRO, "render", str(FULLSTACK), "--rgd"]
        label = "pykro render examples/fullstack.py --rgd"
        _startup_pair(label, render, yard, "kubectl version --client", "goal <= 5x")
        floor = [sys.executable, "-c", RENDER_FLOOR]
        _startup_pair(label, render, floor, "its floor", "pykro over what it imports from others")
    define = "from pykro import Spec, Status, composition"
    python = [sys.executable, "-c"]
    _startup_pair(define, [*python, define], [*python, "pass"], "python -c pass", "{over} ms over; goal <= 100")
    # The floors under it: pydantic imported (what pykro adds: goal <= 15 ms); pydantic creating its first class, its
    # validator deferred as Spec's is (the first subclass of BaseModel imports pydantic.fields, pydantic.types,
    # annotated_types and hashlib: what any library whose Spec is a pydantic model pays); and building one model.
    imported = "from pydantic import BaseModel"
    _startup_pair(define, [*python, define], [*python, imported], "pydantic imported", "{over} ms over; goal <= 15")
    deferred = "from pydantic import BaseModel, ConfigDict\nclass M(BaseModel):\n"
    deferred += "    model_config = ConfigDict(defer_build=True)"
    _startup_pair(define, [*python, define], [*python, deferred], "pydantic's 1st class", "{over} ms over it")
    floor = "from pydantic import BaseModel\nclass M(BaseModel):\n    x: int"
    _startup_pair(define, [*python, define], [*python, floor], "pydantic + 1 model", "pykro over its pydantic floor")


def _deploy(kubectl: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "XDG_STATE_HOME": tmp}
        kubeconfig = Path(tmp) / "pykro" / "emulator" / "kubeconfig"
        manifests = Path(tmp) / "fullstack.yaml"
        try:
            _run([*PYKRO, "deploy", str(FULLSTACK), "--local", "-n", "bench-warm", *SPEC], env)  # starts the emulator
            # The same objects for kubectl: rendered offline with the one live value (the Service's clusterIP).
            observed = Path(tmp) / "observed.yaml"
            observed.write_text("dbSvc:\n  spec:\n    clusterIP: 10.96.0.10\n")
            rendered = subprocess.run(
                [*PYKRO, "render", str(FULLSTACK), "--manifests", *SPEC, "--observed", str(observed)],
                capture_output=True,
                check=True,
                env=env,
            ).stdout.decode()

            def ours(i: int) -> tuple[float, float]:
                return _run_cpu([*PYKRO, "deploy", str(FULLSTACK), "--local", "-n", f"bench-p{i + 1}", *SPEC], env)

            def theirs(i: int) -> tuple[float, float]:
                ns = f"bench-k{i + 1}"
                manifests.write_text(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n---\n{rendered}")
                k = [kubectl, "--kubeconfig", str(kubeconfig)]
                apply = _run_cpu([*k, "apply", "-n", ns, "-f", str(manifests)], env)
                wait = [*k, "wait", "-n", ns, "--for=condition=Available", "deployment", "--all", "--timeout=300s"]
                waited = _run_cpu(wait, env)
                return apply[0] + waited[0], apply[1] + waited[1]

            a, b = _pairs(ours, theirs)
            label = "pykro deploy examples/fullstack.py --local"
            _row(label, [w for w, _ in a], [w for w, _ in b], "kubectl apply+wait", "goal <= 1.0x")
            _cpu_row([c for _, c in a], [c for _, c in b])
        finally:
            subprocess.run([*PYKRO, "emulator", "stop"], capture_output=True, env=env, check=False)


@contextmanager
def _bytecode_cached() -> Iterator[None]:
    """Child processes write and read their bytecode in a temporary cache (as an installed package has it)."""
    saved = {k: os.environ.get(k) for k in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    with tempfile.TemporaryDirectory() as cache:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = cache
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def main() -> None:
    kubectl = shutil.which("kubectl")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"whole processes, {PAIRS} alternating pairs each (median ratio), bytecode cached; load average {load}")
    with _bytecode_cached():
        _startup(kubectl)
        if kubectl is not None:
            _deploy(kubectl)


if __name__ == "__main__":
    main()
