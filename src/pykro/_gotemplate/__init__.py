"""A pure-Python Go template engine: Go's ``text/template`` semantics, Sprig v3's functions and Lynq's extras, so
LynqForm templates run unchanged.

    parse(source, name=..., funcs=..., missing_key=...) -> Template      # parse once
    Template.execute(data) -> str                                        # execute per row
    render(source, data, **kw) -> str                                    # both
    FUNCS                                                                # every predefined function

Data is JSON-like (str, bool, int, float, list, dict with str keys, None). Errors, in parsing and execution, are
:class:`GoTemplateError` with ``name:line:col``. Functions whose Go behaviour cannot be reproduced raise
"not supported" rather than differ. Modules: ``lexer``, ``parser``/``nodes``, ``exec``, ``values`` (Go printing
and truth), ``gofmt`` (printf), ``builtins``, ``sprig_*`` (by family), ``lynq`` (Lynq's functions and how the
loader applies its typed markers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final, Literal

from ..errors import PykroError
from .exec import Compiled, ExecError, compile_trees
from .funcmap import ALL_FUNCS
from .parser import ParseError, parse_trees
from .values import MISSING

__all__ = ["FUNCS", "GoTemplateError", "Template", "parse", "render"]

FUNCS: Final[Mapping[str, Callable[..., object]]] = MappingProxyType(ALL_FUNCS)

MissingKey = Literal["default", "zero", "error"]


class GoTemplateError(PykroError):
    """A Go template that does not parse or fails while executing."""


def _where(source: str, name: str, pos: int) -> str:
    pos = max(0, min(pos, len(source)))
    line = source.count("\n", 0, pos) + 1
    col = pos - (source.rfind("\n", 0, pos) + 1) + 1
    return f"{name}:{line}:{col}"


def _fix(message: str, parsing: bool) -> str:
    if "not defined" in message and "function" in message:
        return "Use a Go template builtin, a Sprig v3 function or one of Lynq's (toHost, trunc63, sha1sum, fromJson)."
    if "not supported" in message:
        return "Rewrite the template without it."
    if "no entry for key" in message:
        return 'Add the key to the data, or give it a fallback with `default`, e.g. {{ .key | default "x" }}.'
    if parsing:
        return "Fix the template's syntax (Go text/template: https://pkg.go.dev/text/template)."
    return "Check the values the template reads and the types its functions take."


class Template:
    """A parsed template; ``execute`` may be called any number of times (and from several threads)."""

    __slots__ = ("_compiled", "name", "source")

    def __init__(self, name: str, source: str, compiled: Compiled) -> None:
        self.name = name
        self.source = source
        self._compiled = compiled

    def execute(self, data: object) -> str:
        """Render with ``data`` as dot (``.``) and ``$``."""
        run, nslots = self._compiled.templates[self.name]
        dot = MISSING if data is None else data
        frame: list[object] = [None] * nslots
        frame[0] = dot
        out: list[str] = []
        try:
            run(dot, frame, out)
        except ExecError as err:
            message = str(err)
            raise GoTemplateError(
                message, where=_where(self.source, self.name, err.pos), fix=_fix(message, parsing=False)
            ) from None
        except RecursionError:
            raise GoTemplateError(
                "template recursion too deep", where=self.name, fix="Make the recursive template stop."
            ) from None
        return "".join(out)

    def __repr__(self) -> str:
        return f"<Template {self.name!r}>"


def parse(
    source: str,
    *,
    name: str = "template",
    funcs: Mapping[str, Callable[..., object]] | None = None,
    missing_key: MissingKey = "default",
) -> Template:
    """Parse ``source``; ``funcs`` adds or replaces functions; ``missing_key`` is Go's ``missingkey`` option."""
    if missing_key not in ("default", "zero", "error"):
        raise GoTemplateError(
            f"unknown missing_key {missing_key!r}", where=name, fix="Use 'default', 'zero' or 'error'."
        )
    table: Mapping[str, Callable[..., object]] = {**ALL_FUNCS, **funcs} if funcs else ALL_FUNCS
    try:
        _, trees = parse_trees(source, name, table)
        compiled = compile_trees(trees, table, missing_key)
    except (ParseError, ExecError) as err:
        message = str(err)
        raise GoTemplateError(message, where=_where(source, name, err.pos), fix=_fix(message, parsing=True)) from None
    return Template(name, source, compiled)


def render(
    source: str,
    data: object,
    *,
    name: str = "template",
    funcs: Mapping[str, Callable[..., object]] | None = None,
    missing_key: MissingKey = "default",
) -> str:
    """Parse ``source`` and execute it with ``data``."""
    return parse(source, name=name, funcs=funcs, missing_key=missing_key).execute(data)
