"""Helpers for the output tests: the real tools (helm, kustomize, compose-check) built by scripts/tools.sh, golden
files, and loading examples. Where a tool is missing the tests skip, except under CI (CI=true), where they fail."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pykro import _yamlio as yamlio

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"


def tool(name: str) -> str:
    """The path of ``name`` from scripts/tools.sh's cache (or PATH); skip without it, fail under CI."""
    bindir = subprocess.run(
        [str(REPO / "scripts" / "tools.sh"), "bindir"], capture_output=True, text=True, check=True
    ).stdout.strip()
    found = Path(bindir) / name
    if found.is_file() and os.access(found, os.X_OK):
        return str(found)
    message = f"{name} is not built: run scripts/tools.sh build (make test does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError("unreachable")


def run(command: list[str], *, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if ok:
        assert result.returncode == 0, f"{' '.join(command)}\n{result.stderr}"
    return result


def check_golden_tree(name: str, directory: Path) -> None:
    """Every file under ``directory`` equals tests/render/golden/<name>/... (PYKRO_UPDATE_GOLDEN=1 rewrites them)."""
    target = GOLDEN / name
    files = sorted(p.relative_to(directory) for p in directory.rglob("*") if p.is_file())
    if os.environ.get("PYKRO_UPDATE_GOLDEN"):
        shutil.rmtree(target, ignore_errors=True)
        for rel in files:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_text((directory / rel).read_text(encoding="utf-8"), encoding="utf-8")
    assert target.is_dir(), f"missing golden directory {target}; run with PYKRO_UPDATE_GOLDEN=1"
    golden = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    assert files == golden
    for rel in files:
        assert (directory / rel).read_text(encoding="utf-8") == (target / rel).read_text(encoding="utf-8"), rel


def by_identity(docs: list[Any]) -> dict[tuple[str, str, str], Any]:
    """Objects keyed by (kind, namespace, name); no two alike."""
    out: dict[tuple[str, str, str], Any] = {}
    for doc in docs:
        if doc is None:
            continue
        meta = doc.get("metadata") or {}
        key = (str(doc.get("kind")), str(meta.get("namespace", "")), str(meta.get("name")))
        assert key not in out, f"two objects {key}"
        out[key] = doc
    return out


def load_all(text: str) -> list[Any]:
    return [d for d in yamlio.load_all(text) if d is not None]


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The helpers above (test modules cannot import conftest under --import-mode=importlib)."""
    return SimpleNamespace(
        tool=tool,
        run=run,
        check_golden_tree=check_golden_tree,
        by_identity=by_identity,
        load_all=load_all,
        examples=EXAMPLES,
        repo=REPO,
    )
