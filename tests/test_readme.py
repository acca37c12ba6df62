"""README.md's tour runs as written (issue 10 item 14): every command of its shell blocks is one command per line
and runs from the repository root — the offline ones directly, the `--local` ones against a background emulator
in a private state directory — and its Python deploy snippet runs against that emulator too. Also keeps the
README's claims about the examples true (the microservices values file, when a typo in a reference fails)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pykro import Spec, Status, composition
from pykro import _yamlio as yamlio
from pykro.errors import CompositionError
from pykro.simple import Deployment

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, flags=re.M | re.S)
SHELL = [line for lang, body in BLOCKS if lang == "" for line in body.splitlines() if line.strip()]
PYTHON = [body for lang, body in BLOCKS if lang == "python"]
SETUP = {"make demo", "make test", "make setup", ". .venv/bin/activate"}
# Commands that talk to a cluster: they run (in README order) against the --local emulator.
CLUSTER = [line for line in SHELL if "--local" in line.split() or line.startswith("pykro emulator stop")]
OFFLINE = [line for line in SHELL if line.startswith("pykro ") and line not in CLUSTER]


def _run(line: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(line, comments=True)
    assert argv[0] == "pykro", line
    return subprocess.run(
        [sys.executable, "-m", "pykro", *argv[1:]], capture_output=True, text=True, cwd=REPO, env=env, check=False
    )


def test_shell_blocks_hold_one_known_command_per_line() -> None:
    assert len(CLUSTER) >= 5 and len(OFFLINE) >= 6
    for line in SHELL:
        command = line.split("#")[0].strip()
        assert command in SETUP or command.startswith("pykro "), f"not a command: {line!r}"
        assert command.count("pykro ") <= 1 and "..." not in command and "[" not in command, f"not runnable: {line!r}"
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for target in ("setup", "demo", "test"):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target


@pytest.fixture
def state_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private home for the --local emulator; stopped afterwards whatever happened."""
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    yield env
    _run("pykro emulator stop", env)


@pytest.mark.parametrize("line", OFFLINE)
def test_offline_commands_run(line: str, tmp_path: Path) -> None:
    proc = _run(line, {**os.environ, "XDG_STATE_HOME": str(tmp_path)})
    assert proc.returncode == 0, f"{line}\n{proc.stderr}"
    assert proc.stdout.strip(), line


def test_local_commands_and_the_python_snippet_run(state_env: dict[str, str]) -> None:
    for line in CLUSTER:
        proc = _run(line, state_env)
        expected = 1 if line.startswith("pykro diff") else 0  # the README's diff changes the image: exit 1
        assert proc.returncode == expected, f"{line}\n{proc.stdout}\n{proc.stderr}"
        if line.startswith("pykro deploy"):
            assert "ready: true" in proc.stdout, proc.stdout
    deploy_snippets = [body for body in PYTHON if ".factory(" in body]
    assert len(deploy_snippets) == 1
    proc = subprocess.run(
        [sys.executable, "-c", deploy_snippets[0]], capture_output=True, text=True, cwd=REPO, env=state_env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ACTIVE True", proc.stdout


VALUES = ["-f", "examples/microservices-values.yaml"]


def test_the_microservices_values_file_is_the_seeds_dev_configuration() -> None:
    assert "-f examples/microservices-values.yaml" in README
    proc = subprocess.run(
        [sys.executable, "-m", "pykro", "render", "examples/microservices.py", "--manifests", *VALUES, "--name", "dev"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    golden = (REPO / "tests" / "examples" / "golden" / "microservices.dev.manifests.yaml").read_text()
    assert list(yamlio.load_all(proc.stdout)) == list(yamlio.load_all(golden))


def test_a_reference_typo_fails_when_the_composition_is_compiled() -> None:
    """The README says so: defining the function is fine (it is defined at import of this module), compiling it
    names the line and the fix."""
    assert "fails when the composition is compiled" in README
    with pytest.raises(CompositionError) as info:
        typo.to_rgd()
    assert "Did you mean status.readyReplicas?" in str(info.value)
    assert str(info.value).startswith(f"{__file__}:")


class TypoSpec(Spec):
    replicas: int


class TypoStatus(Status):
    ready: bool


@composition(api_version="example.com/v1", kind="Typo")
def typo(spec: TypoSpec) -> TypoStatus:
    db = Deployment(name="db", image="nginx", replicas=spec.replicas)
    return TypoStatus(ready=db.status.reedyReplicas > 0)
