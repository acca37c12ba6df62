"""Entry point of the `pykro` command: sub-command groups are registered here, user errors become a
one-paragraph message and exit code 1 (never a traceback)."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from pykro import __version__
from pykro.cli import deploy as deploy_cli
from pykro.cli import emulator as emulator_cli
from pykro.cli import render as render_cli
from pykro.cli import rgd as rgd_cli
from pykro.errors import PykroError

app = typer.Typer(
    name="pykro",
    help="Typed Kubernetes infrastructure with KRO's semantics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(rgd_cli.app, name="rgd")
app.add_typer(emulator_cli.app, name="emulator")
app.command("render")(render_cli.render)
deploy_cli.register(app)

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pykro {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Typed Kubernetes infrastructure with KRO's semantics."""


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a PykroError is printed as one paragraph with exit code 1 (or the error's ``exit_code``)."""
    try:
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code:  # typer.Exit(n) comes back as a return value without standalone mode
            sys.exit(code)
    except PykroError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", markup=True)
        sys.exit(getattr(exc, "exit_code", 1))
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors
        from click.exceptions import ClickException

        if isinstance(exc, ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
