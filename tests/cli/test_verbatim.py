"""User text is printed verbatim (issue 10 item 5): rich markup is never interpreted, so ``[tenant]``, ``[bold]`` and
regex character classes survive, and control characters (ANSI escapes) are shown escaped instead of reaching the
terminal. Covers errors (through the real `pykro` process), progress lines, the live progress table and events."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pykro.deploy._progress import PlainReporter, ProgressEvent, RichReporter

TRICKY = "references unknown identifiers: [tenant] ^[a-z][a-zA-Z0-9]*$ [bold]loud[/bold] [/] :smile: \x1b[31mred"
SHOWN = "references unknown identifiers: [tenant] ^[a-z][a-zA-Z0-9]*$ [bold]loud[/bold] [/] :smile: \\x1b[31mred"


def test_errors_are_printed_verbatim_by_the_real_command(tmp_path: Path) -> None:
    comp = tmp_path / "comp.py"
    comp.write_text(f"from pykro.errors import PykroError\n\nraise PykroError({TRICKY!r}, where='[x]')\n")
    proc = subprocess.run(
        [sys.executable, "-m", "pykro", "render", str(comp), "--rgd"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert proc.stderr == f"error: [x]: {SHOWN}\n"


def test_file_names_with_brackets_survive(tmp_path: Path) -> None:
    missing = tmp_path / "[bold]values[/bold].yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "pykro", "render", "examples/webapp.py", "--manifests", "-f", str(missing)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 1 and str(missing) in proc.stderr, proc.stderr


def _events() -> list[ProgressEvent]:
    return [
        ProgressEvent("start", message=f"deploying {TRICKY}"),
        ProgressEvent("state", resource="[db]", kind="Deployment", name="app", state="waiting", waiting_on=TRICKY),
        ProgressEvent("event", kind="Pod", name="p", event_type="Warning", message=TRICKY),
        ProgressEvent("done", message=TRICKY),
    ]


def test_plain_progress_lines_are_verbatim(capsys: pytest.CaptureFixture[str]) -> None:
    reporter = PlainReporter(verbose=True)
    for event in _events():
        reporter.emit(event)
    err = capsys.readouterr().err
    assert err.count(SHOWN) == 4 and "\x1b" not in err, err


def test_live_progress_table_and_events_are_verbatim(capsys: pytest.CaptureFixture[str]) -> None:
    reporter = RichReporter(verbose=True)
    for event in _events():
        reporter.emit(event)
    reporter.close()
    err = capsys.readouterr().err
    assert "\x1b" not in err, repr(err)
    flat = " ".join(err.split())  # the console wraps long lines at its width
    assert " ".join(f"Warning Pod/p: {SHOWN}".split()) in flat
    for fragment in ("[tenant]", "[bold]loud[/bold]", "[db]", "^[a-z][a-zA-Z0-9]*$"):
        assert fragment in err, err
