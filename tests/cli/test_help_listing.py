"""`pykro --help`, `--version` and unknown commands run on a root whose entries are stand-ins (only their help
texts, see pykro.cli.main._make_app): what they print must be exactly what the full app prints."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

import pytest
import typer

from pykro.cli import main as cli_main


def _run(app: typer.Typer, args: list[str]) -> tuple[str, str, object]:
    out, err = io.StringIO(), io.StringIO()
    result: object = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result = app(args=args, prog_name="pykro", standalone_mode=False)
        except Exception as exc:  # usage errors: compare the messages
            result = (type(exc).__name__, str(exc))
    return out.getvalue(), err.getvalue(), result


@pytest.mark.parametrize("args", [["--help"], [], ["--version"], ["deplyo"], ["--bogus"]])
def test_the_listing_root_prints_what_the_full_app_prints(args: list[str]) -> None:
    full = _run(cli_main._make_app(), args)
    listing = _run(cli_main._make_app(listing=True), args)
    assert listing == full
    if args == ["--help"]:
        for name in cli_main._ORDER:  # every entry is listed, with its help text
            assert f" {name} " in full[0]
        assert "Render a composition" in full[0]


def test_a_command_named_anywhere_runs_on_the_real_commands() -> None:
    assert cli_main._choose_app(["--", "render"]) is cli_main._full_app()
    only = cli_main._choose_app(["render", "x.py"])
    assert [c.name for c in only.registered_commands] == ["render"]
    assert only.registered_commands[0].callback is sys.modules["pykro.cli._render"].render


def test_a_stand_in_never_runs() -> None:
    command = cli_main._stand_in("render")
    assert callable(command) and not isinstance(command, typer.Typer)
    with pytest.raises(RuntimeError, match="stand-in"):
        command()


_LEAN = """
import contextlib, io, sys
from pykro.cli.main import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main(["--help"])
    except SystemExit:
        pass
assert "Usage: pykro" in out.getvalue(), out.getvalue()
assert "rich.markdown" not in sys.modules and "rich.traceback" not in sys.modules, "loaded"
import typer.rich_utils
made = typer.rich_utils.Markdown("*x*")
import rich.markdown
assert type(made) is rich.markdown.Markdown, type(made)
assert typer.rich_utils.Traceback.from_exception.__self__ is __import__("rich.traceback").traceback.Traceback
print("ok")
"""


def test_help_loads_no_markdown_and_the_names_typer_imported_still_work() -> None:
    """The help formatter is imported without rich.markdown and rich.traceback; the names typer took from them
    load the real classes when used, and the modules import for real afterwards."""
    done = subprocess.run([sys.executable, "-c", _LEAN], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
