"""Entry point of the `pykro` command: sub-command groups are registered here; a user error becomes a
one-paragraph message with exit code 1, a usage error (unknown command or option, missing or extra argument) one
line with exit code 2. Never a traceback; everything the user wrote is printed verbatim."""

from __future__ import annotations

import functools
import importlib
import itertools
import os
import sys
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from pykro import __version__
from pykro.errors import PykroError, terminal_safe

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


# The root command's entries, in the order `pykro --help` lists them: sub-command groups and commands, as
# (module, attribute), imported when the entry is used: a run of one command loads only that command's module.
_GROUPS: dict[str, tuple[str, str]] = {
    "rgd": ("pykro.cli._rgd", "app"),
    "emulator": ("pykro.cli._emulator", "app"),
    "hub": ("pykro.hub._cli", "app"),
}
_COMMANDS: dict[str, tuple[str, str]] = {
    "render": ("pykro.cli._render", "render"),
    "types": ("pykro.cli._types", "types"),
    "deploy": ("pykro.cli._deploy", "deploy"),
    "status": ("pykro.cli._deploy", "status"),
    "diff": ("pykro.cli._deploy", "diff"),
    "delete": ("pykro.cli._deploy", "delete"),
    "list": ("pykro.cli._deploy", "list_"),
    "build": ("pykro.cli._build", "build"),
}
_ORDER = ("rgd", "emulator", "render", "deploy", "status", "diff", "delete", "list", "types", "build", "hub")


def _entry(table: dict[str, tuple[str, str]], name: str) -> Any:
    module, attribute = table[name]
    return getattr(importlib.import_module(module), attribute)


def _listed_only() -> None:
    """Stands in for a command in the root listing (see `_make_app`); never invoked."""
    raise RuntimeError("a listing-only stand-in of a pykro command was invoked")


def _stand_in(name: str) -> Callable[[], None] | typer.Typer:
    """What `pykro --help` needs of an entry and nothing more: a group with its own help settings and callback
    but no commands, a command as a function without parameters carrying the real docstring. typer derives the
    listed help text from exactly these, so the listing is the same as the full app's (a test compares them)."""
    if name in _GROUPS:
        real: typer.Typer = _entry(_GROUPS, name)
        group = typer.Typer()
        group.info = real.info
        group.registered_callback = real.registered_callback
        group.pretty_exceptions_enable = real.pretty_exceptions_enable
        group.rich_markup_mode = real.rich_markup_mode
        return group
    command = types.FunctionType(_listed_only.__code__, _listed_only.__globals__, name)
    command.__doc__ = _entry(_COMMANDS, name).__doc__
    return command


def _make_app(only: str | None = None, *, listing: bool = False) -> typer.Typer:
    """The `pykro` command; with ``only``, the root with just that entry registered: typer builds the parameters of
    every registered command on each run, and a run of one command need not pay for the others (its parsing,
    help and errors are the same: they come from that command alone). With ``listing``, the entries are
    stand-ins that carry only what the root's help, version and unknown-command errors read (`_stand_in`)."""
    root = typer.Typer(
        name="pykro",
        help="Typed Kubernetes infrastructure with KRO's semantics.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    root.callback()(_root)
    for name in _ORDER if only is None else (only,):
        entry = _stand_in(name) if listing else _entry(_GROUPS if name in _GROUPS else _COMMANDS, name)
        if isinstance(entry, typer.Typer):
            root.add_typer(entry, name=name)
        else:
            root.command(name)(entry)
    return root


def _choose_app(args: list[str]) -> typer.Typer:
    """The root for a run: just the named entry's for `pykro CMD ...`; the listing stand-ins when no argument names
    an entry (help, version, unknown command or option: no command can run); the full app otherwise."""
    if args and args[0] in _ORDER:
        return _make_app(only=args[0])
    if not any(arg in _ORDER for arg in args):
        return _make_app(listing=True)
    return _full_app()


@functools.cache
def _full_app() -> typer.Typer:
    return _make_app()


if TYPE_CHECKING:
    app: typer.Typer  # the whole `pykro` command (built on first use)
else:

    def __getattr__(name: str) -> Any:
        if name == "app":
            return _full_app()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}", name=name, obj=sys.modules[__name__])


def _click_command(app: typer.Typer) -> Any:
    """The click command typer builds for ``app`` (what ``app(...)`` runs; pykro's root has typer's pretty exceptions
    off, so calling it directly is the same), its parameters' value conversion deferred (`_defer_coercion`)."""
    command = typer.main.get_command(app)
    _defer_coercion(command)
    return command


def _defer_coercion(command: Any) -> None:
    """typer (0.29) converts each parameter's value with a pydantic TypeAdapter that it builds for every parameter,
    given or not, on each run (a dozen for `pykro render`, ~0.2 ms apiece). Here a parameter's converter is
    typer's own, built when a value arrives: an absent option (None or an empty tuple, which typer returns before
    converting anything) costs nothing. Typers without that machinery are left as they are."""
    deferred = _deferred_coercion()
    if deferred is None:
        return
    for param in command.params:
        if getattr(param, "_runtime_param", False) is None and hasattr(param, "type_descriptor"):
            param._runtime_param = deferred(param.type_descriptor)
    for sub in getattr(command, "commands", {}).values():
        _defer_coercion(sub)


@functools.cache
def _deferred_coercion() -> Callable[[Any], Any] | None:
    """A typer RuntimeParam that builds typer's real one (`build_runtime_param`) on the first value it converts."""
    try:
        from typer._coercion import RuntimeParam, build_runtime_param
    except ImportError:  # pragma: no cover - a typer before 0.29 converts values with click's types
        return None

    class Deferred(RuntimeParam):  # not a dataclass of its own: creating one costs ~0.5 ms
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            real = build_runtime_param(param.type_descriptor)
            param._runtime_param = real
            return real._coerce_value(value, param=param, ctx=ctx)

    def deferred(descriptor: Any) -> Any:
        return Deferred(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)

    return deferred


def _option_as_value(command: Any, args: list[str]) -> str | None:
    """The usage error for ``--helm --include-secrets`` and the like, or None: click takes the next word as an
    option's value even when it is another option, so the chart went to a directory named ``--include-secrets`` and
    the flag was lost. A value that is one of the command's own options, or starts with ``--``, is a missing value."""
    path = ["pykro"]
    while args and args[0] in (getattr(command, "commands", None) or {}):  # typer vendors click: no isinstance
        command, args = command.commands[args[0]], args[1:]
        path.append(command.name)
    names: set[str] = set()
    takes_value: set[str] = set()
    for param in command.params:
        if getattr(param, "param_type_name", None) == "option":
            names.update(param.opts + param.secondary_opts)
            if not (param.is_flag or param.count):
                takes_value.update(param.opts)
    for option, value in itertools.pairwise(args):
        if option == "--":
            break
        if option in takes_value and (value in names or value.startswith("--")):
            return (
                f"{option} needs a value, but the next word is {value!r}, an option. Give {option} its value "
                f"first ({option} VALUE {value}). See `{' '.join(path)} --help`."
            )
    return None


def say_error(message: str) -> None:
    """Print ``error: message`` on stderr: the message verbatim (no markup), control characters escaped."""
    from rich.text import Text

    from pykro.cli._out import console

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
        command = _choose_app(args)
        if not args or "--help" in args or (len(args) == 1 and args[0] in _GROUPS):
            _import_rich_help()
        click_command = _click_command(command)
        misplaced = _option_as_value(click_command, args)
        if misplaced is not None:
            _exit(2, misplaced)
        code = click_command(args=args, prog_name="pykro", standalone_mode=False)
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


# Other tools' words for pykro's commands (`destroy` is spelt closest to `deploy`).
_SYNONYMS = {"destroy": "delete", "remove": "delete", "rm": "delete", "uninstall": "delete", "down": "delete"}
_SYNONYMS |= {"apply": "deploy", "install": "deploy", "up": "deploy", "template": "render", "ls": "list"}


def _usage_message(exc: Exception) -> str:
    """click's message for a usage error, plus where to read the usage (``pykro CMD --help``)."""
    fmt = getattr(exc, "format_message", None)
    text = str(fmt() if callable(fmt) else exc).strip()
    if not text:
        return ""
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or "pykro"
    unknown = text.removeprefix("No such command '").partition("'")[0] if path == "pykro" else ""
    if text.startswith("No such command '") and unknown in _SYNONYMS:  # click's closest spelling may mean the opposite
        text = f"No such command '{unknown}'. Did you mean '{_SYNONYMS[unknown]}'?"
    text = text.replace("\n", "\\n")  # click quotes the user's words as they are: keep the message on one line
    return f"{text}{'' if text.endswith(('.', '?')) else '.'} See `{path} --help`."


class _Deferred(type):
    """A stand-in class that loads the real one (``_module``, ``_name``) when called or asked for an attribute."""

    _module: str
    _name: str

    def _real(cls) -> Any:
        return getattr(importlib.import_module(cls._module), cls._name)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._real()(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls._real(), name)


def _import_rich_help() -> None:
    """Import typer's help formatter (typer.rich_utils) without rich's Markdown and Traceback modules (markdown-it,
    pygments, attrs: a third of `pykro --help`'s time). pykro's help uses neither (no markdown markup mode, no
    pretty tracebacks); the names typer imports from them stand in for the real classes and load them if used.
    Any surprise (another typer importing other names) falls back to typer's own import on first use."""
    if "typer.rich_utils" in sys.modules:
        return
    placed: dict[str, types.ModuleType] = {}
    for module, name in (("rich.markdown", "Markdown"), ("rich.traceback", "Traceback")):
        if module not in sys.modules:
            placed[module] = types.ModuleType(module)
            setattr(placed[module], name, _Deferred(name, (), {"_module": module, "_name": name}))
    sys.modules.update(placed)
    try:
        importlib.import_module("typer.rich_utils")
    except ImportError:
        pass
    finally:
        for module, stand_in in placed.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]
