"""Helpers shared by the tests and the benchmarks (a plain module, `from tests.helpers import ...`; conftest files
hold fixtures only): where the team's shared fixtures are, and waiting without timing assumptions."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from tests.paths import REPO as REPO
from tests.paths import SHARED

T = TypeVar("T")
Raw = Callable[..., tuple[int, dict[str, str], Any]]  # the emulator tests' `raw` fixture: (status, headers, body)


# Only stops a broken emulator, simulator or operator from hanging the suite; no test relies on timing.
HANG_GUARD_S = 600.0


def shared(*parts: str) -> Path:
    """``../shared/<parts>``; stops with a message naming the path when it is missing (a test that sweeps the
    fixtures must not pass by finding none)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"the shared fixtures are missing: expected {path} (the repository's ../shared)", pytrace=False)
    return path


KRO_FIXTURES = shared("fixtures", "kro")
CHAINSAW = shared("fixtures", "kro", "test", "e2e", "chainsaw")
RGD_CRD = shared("fixtures", "kro", "helm", "crds", "kro.run_resourcegraphdefinitions.yaml")


def eventually(probe: Callable[[], T | None], what: str, interval: float = 0.02) -> T:
    """Poll ``probe`` until it returns something truthy, and return that; fails naming ``what`` only when the
    hang guard runs out."""
    deadline = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"never happened: {what}")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``pykro ARGV`` in this process: (exit code, stdout, stderr)."""
    from pykro.cli.main import main

    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def crd(group: str, kind: str, plural: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A namespaced CustomResourceDefinition with one served version ``v1`` whose ``spec`` has the ``spec``
    properties (OpenAPI schemas by field name)."""
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": spec}}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "names": {"kind": kind, "plural": plural},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}],
        },
    }
