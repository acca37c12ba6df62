"""kro's own chainsaw cases, run against the real kube-apiserver and the real kro v0.9.3 controller."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_chainsaw import Run
from e2e_kube import Kube
from tests.helpers import CHAINSAW

CASES = sorted(p.parent for p in CHAINSAW.glob("*/chainsaw-test.yaml"))


@pytest.mark.parametrize("case_dir", CASES, ids=[c.name for c in CASES])
def test_kro_chainsaw_case(kube: Kube, namespace: str, timeout: float, case_dir: Path) -> None:
    run = Run(kube, case_dir, namespace, timeout)
    try:
        run.run()
        assert run.checked > 0, f"{case_dir.name}: no assert or error step was checked"
    finally:
        run.cleanup()
