"""Entry point of the `pykro` command: sub-command groups are registered here; a user error becomes a
one-paragraph message with exit code 1, a usage error (unknown command or option, missing or extra argument) one
line with exit code 2. Never a traceback; everything the user wrote is printed verbatim."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import NoReturn

import typer

from pykro import __version__
from pykro.cli import deploy as deploy_cli
from pykro.cli import emulator as emulator_cli
from pykro.cli import render as render_cli
from pykro.cli import rgd as rgd_cli
from pykro.errors import PykroError, terminal_safe
from pykro.hub import cli as hub_cli

__all__ = ["app", "main", "say_error"]


@functools.cache
def _usage_errors() -> tuple[type[Exception], ...]:
    """The exception classes of click's usage errors: typer's bundled copy and, if installed, click itself."""
    found: list[type[Exception]] = []
    typer_base = getattr(typer, "TyperException", None)
    if isinstance(typer_base, type) and issubclass(typer_base, Exception):
        found.append(typer_base)
    try:
        from click.exceptions import ClickException
    except ImportError:  # pragma: no cover - typer without a separate click
        pass
    else:
        found.append(ClickException)
    return tuple(found)


def _is_usage_error(exc: Exception) -> bool:
    """A click usage error, whichever copy of click raised it (some typer versions bundle their own)."""
    if isinstance(exc, _usage_errors()):
        return True
    return (
        "click" in type(exc).__module__
        and callable(getattr(exc, "format_message", None))
        and isinstance(getattr(exc, "exit_code", None), int)
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pykro {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Typed Kubernetes infrastructure with KRO's semantics."""


# The root command's entries, in the order `pykro --help` lists them: sub-command groups and commands.
_GROUPS: dict[str, typer.Typer] = {"rgd": rgd_cli.app, "emulator": emulator_cli.app, "hub": hub_cli.app}
_COMMANDS: dict[str, Callable[..., None]] = {
    "render": render_cli.render,
    "deploy": deploy_cli.deploy,
    "status": deploy_cli.status,
    "diff": deploy_cli.diff,
    "delete": deploy_cli.delete,
    "list": deploy_cli.list_,
}
_ORDER = ("rgd", "emulator", "render", "deploy", "status", "diff", "delete", "list", "hub")


def _make_app(only: str | None = None) -> typer.Typer:
    """The `pykro` command; with ``only``, the root with just that entry registered: typer builds the parameters of
    every registered command on each run, and a run of one command need not pay for the others (its parsing,
    help and errors are the same: they come from that command alone)."""
    root = typer.Typer(
        name="pykro",
        help="Typed Kubernetes infrastructure with KRO's semantics.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    root.callback()(_root)
    for name in _ORDER if only is None else (only,):
        if name in _GROUPS:
            root.add_typer(_GROUPS[name], name=name)
        else:
            root.command(name)(_COMMANDS[name])
    return root


app = _make_app()


def say_error(message: str) -> None:
    """Print ``error: message`` on stderr: the message verbatim (no markup), control characters escaped."""
    from rich.text import Text

    from pykro.cli.out import console

    console(stderr=True).print(Text.assemble(("error:", "bold red"), " ", terminal_safe(message)))


def _exit(code: int, message: str | None = None) -> NoReturn:
    if message is not None:
        say_error(message)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: PykroError -> one paragraph and exit 1 (or the error's ``exit_code``); usage errors -> one line
    and exit 2."""
    try:
        args = sys.argv[1:] if argv is None else argv
        command = app if not args or args[0] not in _ORDER else _make_app(only=args[0])
        code = command(args=args, prog_name="pykro", standalone_mode=False)
        if isinstance(code, int) and code:  # typer.Exit(n) comes back as a return value without standalone mode
            sys.exit(code)
    except PykroError as exc:
        _exit(int(getattr(exc, "exit_code", 1)), str(exc))
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _exit(130, "aborted")
    except KeyboardInterrupt:
        _exit(130, "interrupted")
    except Exception as exc:
        if _is_usage_error(exc):  # the help text was already printed when the message is empty (no arguments)
            _exit(int(getattr(exc, "exit_code", 2)), _usage_message(exc) or None)
        if os.environ.get("PYKRO_DEBUG"):  # a bug in pykro: still one paragraph, the traceback only on request
            raise
        _exit(
            1,
            f"internal error: {type(exc).__name__}: {str(exc).rstrip('.')}. This is a bug in pykro; "
            "run again with PYKRO_DEBUG=1 for the traceback and report it.",
        )


def _usage_message(exc: Exception) -> str:
    """click's message for a usage error, plus where to read the usage (``pykro CMD --help``)."""
    fmt = getattr(exc, "format_message", None)
    text = str(fmt() if callable(fmt) else exc).strip()
    if not text:
        return ""
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or "pykro"
    text = text.replace("\n", "\\n")  # click quotes the user's words as they are: keep the message on one line
    return f"{text}{'' if text.endswith(('.', '?')) else '.'} See `{path} --help`."
