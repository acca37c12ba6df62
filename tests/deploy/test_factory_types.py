"""`pykro.deploy.factory` and the factories' interface: the mode picks the factory's type (to mypy and at run
time), every option is a named keyword (an unknown one is a TypeError at the call), `FactoryBase` is abstract."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from mypy import api as mypy_api

from pykro.deploy import DirectFactory, FactoryBase, KroFactory, factory
from pykro.graph import Graph

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = Graph.from_file(str(ROOT / "examples" / "rgd" / "webapp.yaml"))


def _mypy(snippet: str) -> tuple[str, int]:
    """mypy --strict (the project's settings) on ``snippet``: its report and exit status."""
    out, err, status = mypy_api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--no-incremental", "-c", textwrap.dedent(snippet)]
    )
    return out + err, status


@pytest.mark.slow
def test_mypy_sees_the_factory_type_of_each_mode() -> None:
    report, status = _mypy(
        """
        from typing import assert_type
        from pykro.deploy import DirectFactory, KroFactory, factory
        from pykro.graph import Graph

        def check(graph: Graph) -> None:
            assert_type(factory(graph), DirectFactory)
            assert_type(factory(graph, "direct", namespace="dev"), DirectFactory)
            assert_type(factory(graph, "kro", kubeconfig="kc", context="c"), KroFactory)
            factory(graph, "direct").deploy({}, force_takeover=True)
        """
    )
    assert status == 0, report


@pytest.mark.slow
def test_mypy_refuses_a_wrong_type_and_an_unknown_option() -> None:
    report, status = _mypy(
        """
        from typing import assert_type
        from pykro.deploy import DirectFactory, factory
        from pykro.graph import Graph

        def check(graph: Graph) -> None:
            assert_type(factory(graph, "kro"), DirectFactory)
            factory(graph, "direct", timeout=5)
            factory(graph, "kro").deploy({}, force_takeover=True)
        """
    )
    assert status == 1, report
    assert 'Expression is of type "KroFactory", not "DirectFactory"' in report
    assert {line.split(":")[1] for line in report.splitlines() if ": error:" in line} == {"7", "8", "9"}, report
    assert '"timeout"' in report and '"force_takeover"' in report


@pytest.mark.parametrize("mode, kind", [("direct", DirectFactory), ("kro", KroFactory)])
def test_the_mode_picks_the_factory(mode: Any, kind: type[FactoryBase]) -> None:
    made = factory(WEBAPP, mode, namespace="dev")
    assert type(made) is kind and made.mode == mode


@pytest.mark.parametrize("mode", ["direct", "kro"])
def test_an_unknown_option_is_a_type_error_at_the_call(mode: Any) -> None:
    with pytest.raises(TypeError, match="timeout"):
        factory(WEBAPP, mode, timeout=5)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="bogus"):
        factory(WEBAPP, mode).deploy({}, bogus=1)


def test_the_base_is_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        FactoryBase(WEBAPP)  # type: ignore[abstract]
