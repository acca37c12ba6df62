"""The CLI converts option values with typer's own converters, built only for the options a command line gives
(pykro.cli.main._defer_coercion): the values a command receives and the errors for bad values are the same as
typer's, and an absent option builds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from pykro.cli import main as cli_main

_coercion = pytest.importorskip("typer._coercion")  # typers before 0.29 convert with click's types: none deferred


def _parse(command: Any, args: list[str]) -> Any:
    """The parameters ``command`` parses from ``args``, or the usage error's type and message."""
    try:
        return command.make_context(command.name, list(args)).params
    except Exception as exc:  # a usage error: compare the messages
        return type(exc).__name__, str(exc)


def _commands(name: str) -> tuple[Any, Any]:
    """The sub-command ``name`` of pykro's root: as typer builds it, and with deferred conversion."""
    plain = typer.main.get_command(cli_main._make_app(only=name)).commands[name]  # type: ignore[attr-defined]
    deferred = cli_main._click_command(cli_main._make_app(only=name)).commands[name]
    return plain, deferred


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("render", ["x.py", "--rgd"]),
        ("render", ["x.py", "--manifests", "--set", "a=1", "--set", "b=2", "-f", "v.yaml", "-o", "out", "-n", "ns"]),
        ("render", ["x.py", "--kustomize", "k", "--overlay", "dev=dev.yaml", "--include-secrets"]),
        ("deploy", ["x.py", "--timeout", "12.5", "--resource-timeout", "3"]),
        ("deploy", ["x.py", "--timeout", "soon"]),
        ("emulator", ["start", "--port", "70000"]),
        ("emulator", ["start", "--port", "x", "--seed", "3"]),
        ("types", ["a.yaml", "b.yaml", "-o", "m.py"]),
    ],
)
def test_the_values_and_errors_are_typers_own(name: str, args: list[str]) -> None:
    plain, deferred = _commands(name)
    if name == "emulator":  # a group: compare its sub-command
        plain, deferred, args = plain.commands[args[0]], deferred.commands[args[0]], args[1:]
    assert _parse(deferred, args) == _parse(plain, args)


def test_an_absent_option_builds_no_converter() -> None:
    _, render = _commands("render")
    params = render.make_context("render", ["x.py", "--rgd", "-o", "out"]).params
    assert params["output_dir"] == Path("out") and params["sets"] == () and params["helm"] is None
    real = (_coercion.AdapterRuntimeParam, _coercion.FileRuntimeParam, _coercion.PassThroughRuntimeParam)
    built = {p.name for p in render.params if isinstance(p._runtime_param, real)}
    assert built == {"target", "output_dir"}  # --rgd is a flag: typer passes its bool through unconverted
