"""pykro's Go template engine against Go itself: every case in gotemplate_cases.py runs through both (Go through
tools/gotemplate-check, built by scripts/tools.sh) and must give the same text, or fail in both."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from tests.gotemplate.checker import checker_path
from tests.gotemplate.gotemplate_cases import CASES

from pykro._gotemplate import GoTemplateError, render
from pykro._gotemplate.funcmap import SPRIG_FUNCS


def _options(case: tuple[Any, ...]) -> dict[str, str]:
    return case[2] if len(case) > 2 else {}


@pytest.fixture(scope="module")
def go_results() -> list[dict[str, str]]:
    payload = [
        {"template": c[0], "data": c[1], "missingkey": _options(c).get("missingkey", "default"),
         "funcs": _options(c).get("funcs", "lynq")}
        for c in CASES
    ]  # fmt: skip
    done = subprocess.run([checker_path()], input=json.dumps(payload), capture_output=True, text=True, check=True)
    results: list[dict[str, str]] = json.loads(done.stdout)
    assert len(results) == len(CASES)
    return results


def test_enough_cases() -> None:
    assert len(CASES) >= 200


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0][:60] for c in CASES])
def test_same_as_go(index: int, go_results: list[dict[str, str]]) -> None:
    case = CASES[index]
    options = _options(case)
    funcs = SPRIG_FUNCS if options.get("funcs") == "sprig" else None
    expected = go_results[index]
    try:
        got: str | None = render(
            case[0],
            case[1],
            funcs=funcs,
            missing_key=options.get("missingkey", "default"),  # type: ignore[arg-type]
        )
        error = None
    except GoTemplateError as err:
        got, error = None, str(err)
    if "err" in expected:
        assert error is not None, f"Go failed ({expected['err']}) but pykro rendered {got!r}"
    else:
        assert error is None, f"pykro failed ({error}) but Go rendered {expected['out']!r}"
        assert got == expected["out"]
