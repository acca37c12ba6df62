"""An option given where another option's value belongs (``--helm --include-secrets``): click takes the next word as
the value whatever it is, so the chart went to a directory named ``--include-secrets`` and the flag was lost. Every
such case is a usage error naming both, before anything runs or is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import run_cli

WEBAPP = str(Path(__file__).resolve().parents[2] / "examples" / "webapp.py")


@pytest.mark.parametrize(
    ("argv", "option", "word", "command"),
    [
        (["render", WEBAPP, "--helm", "--include-secrets"], "--helm", "--include-secrets", "pykro render"),
        (["render", WEBAPP, "--manifests", "-o", "-f", "x.yaml"], "-o", "-f", "pykro render"),
        (["render", WEBAPP, "--manifests", "--set", "--name", "x"], "--set", "--name", "pykro render"),
        (["hub", "plan", "--source", "--mode", "direct"], "--source", "--mode", "pykro hub plan"),
        (["emulator", "start", "--state", "--port", "1"], "--state", "--port", "pykro emulator start"),
    ],
)
def test_an_option_where_a_value_belongs_is_a_usage_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    option: str,
    word: str,
    command: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == "", err
    assert err == (
        f"error: {option} needs a value, but the next word is {word!r}, an option. Give {option} its value first "
        f"({option} VALUE {word}). See `{command} --help`.\n"
    )
    assert list(tmp_path.iterdir()) == []  # nothing written (the chart used to land in ./--include-secrets)


def test_values_that_only_look_like_options_still_work(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "render", WEBAPP, "--manifests", "--set", "replicas=2", "--", "--set")
    assert code == 2 and "unexpected extra argument" in err and "(--set)" in err  # after `--`: an argument (click)
    code, out, err = run_cli(capsys, "render", WEBAPP, "--manifests", "--set", "replicas=2")
    assert code == 0 and "replicas: 2" in out, err
