"""A pure-Python Go template engine: Go's ``text/template`` semantics, Sprig v3's functions and Lynq's extras, so
LynqForm templates run unchanged.

    parse(source, name=..., funcs=..., missing_key=...) -> Template      # parse once
    Template.execute(data) -> str                                        # execute per row (thread-safe)
    render(source, data, **kw) -> str                                    # both
    FUNCS                                                                # every predefined function
    parse_typed_value(text)                                              # Lynq's int/float/bool markers

Data is JSON-like: str, bool, int, float, None, lists and dicts with string keys (another Python type is an
error naming it). Errors, in parsing and execution, are :class:`GoTemplateError` with ``name:line:col``.
Functions whose Go behaviour cannot be reproduced raise "not supported" instead of differing. Lynq renders with
``missingkey=error``: LynqForms should be parsed with ``missing_key="error"`` (see ``lynq`` for the markers).

Modules: ``lexer``, ``parser``/``nodes`` (parse trees, variables resolved to slots), ``exec``/``operands``
(trees compiled to closures), ``values`` (Go values, printing and truth), ``gofmt`` (printf), ``sig`` (Go
parameter types), ``builtins`` (Go's functions), ``convert``, ``sprig_strings``, ``sprig_words``,
``sprig_lists``, ``sprig_encoding``, ``sprig_regex``, ``sprig_misc`` (Sprig by family), ``lynq`` and ``funcmap``.
The differential test (tests/gotemplate) checks all of it against Go and Sprig themselves.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import FrameType, MappingProxyType
from typing import Final, Literal, TypeVar, cast

from ..errors import PykroError
from .exec import Compiled, ExecError, compile_trees
from .funcmap import ALL_FUNCS
from .lynq import parse_typed_value
from .parser import ParseError, parse_trees
from .values import MISSING, FuncError

__all__ = ["FUNCS", "GoTemplateError", "Template", "parse", "parse_typed_value", "render"]

FUNCS: Final[Mapping[str, Callable[..., object]]] = MappingProxyType(ALL_FUNCS)

MissingKey = Literal["default", "zero", "error"]

# Python frames the deepest template the engine's own limits allow (100 levels of nesting, 100 nested
# {{template}} calls) needs to parse, compile and execute, with a wide margin.
_HEADROOM: Final = 4000
_STACK_LOCK: Final = threading.Lock()
_T = TypeVar("_T")


class GoTemplateError(PykroError):
    """A Go template that does not parse or fails while executing."""


def _where(source: str, name: str, pos: int) -> str:
    pos = max(0, min(pos, len(source)))
    line = source.count("\n", 0, pos) + 1
    col = pos - (source.rfind("\n", 0, pos) + 1) + 1
    return f"{name}:{line}:{col}"


def _with_stack(run: Callable[[], _T]) -> _T:
    """``run()``; when it hits Python's recursion limit, run it once more with the limit raised so that
    ``_HEADROOM`` frames fit above the caller (the engine's nesting limits, not how deep the caller's stack happens
    to be, decide whether a template is too deep), and put the limit back afterwards. One thread at a time raises
    and restores it."""
    try:
        return run()
    except RecursionError:
        pass
    with _STACK_LOCK:
        depth, frame = 0, cast("FrameType | None", sys._getframe())
        while frame is not None:
            depth, frame = depth + 1, frame.f_back
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, depth + _HEADROOM))
        try:
            return run()
        finally:
            sys.setrecursionlimit(limit)


def _fix(message: str, parsing: bool) -> str:
    if "not defined" in message and "function" in message:
        return "Use a Go template builtin, a Sprig v3 function or one of Lynq's (toHost, trunc63, sha1sum, fromJson)."
    if "not supported" in message:
        return "Rewrite the template without it."
    if "no entry for key" in message:
        return (
            "Check the key's spelling, or provide it in the data "
            "(for a LynqForm: map a column to it in the LynqHub's extraValueMappings)."
        )
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
        try:
            return _with_stack(lambda: self._run(data))
        except ExecError as err:
            message = str(err)
            raise GoTemplateError(
                message, where=_where(self.source, self.name, err.pos), fix=_fix(message, parsing=False)
            ) from None
        except FuncError as err:  # a value the template cannot print
            raise GoTemplateError(
                str(err), where=self.name, fix="Convert the value before rendering the template."
            ) from None
        except RecursionError:
            raise GoTemplateError(
                "template recursion too deep", where=self.name, fix="Make the recursive template stop."
            ) from None

    def _run(self, data: object) -> str:
        run, nslots = self._compiled.templates[self.name]
        dot = MISSING if data is None else data
        frame: list[object] = [None] * (nslots + 1)
        frame[0] = dot
        frame[-1] = 0  # template call depth
        out: list[str] = []
        run(dot, frame, out)
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
    """Parse ``source``; ``funcs`` adds or replaces functions; ``missing_key`` is Go's ``missingkey`` option.

    Without ``funcs`` the result is cached (a Template is immutable), so the same field text in many forms is
    parsed once."""
    if funcs:
        return _parse(source, name, {**ALL_FUNCS, **funcs}, missing_key)
    return _parse_cached(source, name, missing_key)


@lru_cache(maxsize=2048)
def _parse_cached(source: str, name: str, missing_key: MissingKey) -> Template:
    return _parse(source, name, ALL_FUNCS, missing_key)


def _parse(source: str, name: str, table: Mapping[str, Callable[..., object]], missing_key: MissingKey) -> Template:
    if missing_key not in ("default", "zero", "error"):
        raise GoTemplateError(
            f"unknown missing_key {missing_key!r}", where=name, fix="Use 'default', 'zero' or 'error'."
        )
    try:
        compiled = _with_stack(lambda: _build(source, name, table, missing_key))
    except (ParseError, ExecError) as err:
        message = str(err)
        raise GoTemplateError(message, where=_where(source, name, err.pos), fix=_fix(message, parsing=True)) from None
    except RecursionError:
        raise GoTemplateError(
            "the template nests too deeply", where=name, fix="Use fewer nested parentheses and blocks."
        ) from None
    return Template(name, source, compiled)


def _build(source: str, name: str, table: Mapping[str, Callable[..., object]], missing_key: MissingKey) -> Compiled:
    _, trees = parse_trees(source, name, table)
    return compile_trees(trees, table, missing_key)


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
