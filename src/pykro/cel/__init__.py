"""pykro.cel: kro v0.9.3's CEL — engine wrapper, function library, typed AST, parser, printer, ``${...}`` templates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pykro import _lazy

if TYPE_CHECKING:
    from pykro.cel._ast import to_cel
    from pykro.cel._engine import OMIT, Evaluator, Program, is_data_pending
    from pykro.cel._errors import CelCompileError, CelDataPending, CelError, CelEvalError, CelUnsupportedLocally
    from pykro.cel._parser import parse
    from pykro.cel._references import Reference, identifiers, references
    from pykro.cel._template import (
        Expr,
        Standalone,
        Template,
        find_expressions,
        parse_value,
        render_template,
        template_to_cel,
    )
    from pykro.cel._types import CelType, cel_type_from_openapi

# Imported on first use: `pykro.cel._ast` (used while compositions are defined) must not load the CEL engine.
_LAZY = {
    "to_cel": "pykro.cel._ast",
    **dict.fromkeys(("OMIT", "Evaluator", "Program", "is_data_pending"), "pykro.cel._engine"),
    **dict.fromkeys(
        ("CelCompileError", "CelDataPending", "CelError", "CelEvalError", "CelUnsupportedLocally"), "pykro.cel._errors"
    ),
    "parse": "pykro.cel._parser",
    **dict.fromkeys(("Reference", "identifiers", "references"), "pykro.cel._references"),
    **dict.fromkeys(
        (
            "Expr",
            "Standalone",
            "Template",
            "find_expressions",
            "parse_value",
            "render_template",
            "template_to_cel",
        ),
        "pykro.cel._template",
    ),
    **dict.fromkeys(("CelType", "cel_type_from_openapi"), "pykro.cel._types"),
}

_ESCAPE_HATCH = ("concat", "default", "dyn", "expr", "has")
_HATCHES: dict[str, str] = {}  # name -> the module defining it


def register_escape_hatch(module: str) -> None:
    """Called by pykro.authoring (which builds on this package) to make ``pykro.cel.expr/has/default/concat/dyn``
    reachable here, as those of ``module`` (imported on first use): this layer cannot import the authoring layer."""
    _HATCHES.update(dict.fromkeys(_ESCAPE_HATCH, module))


def __getattr__(name: str) -> Any:
    """The names above, imported on first use, and ``pykro.cel.expr/has/default/concat/dyn``: the composition escape
    hatch, registered by pykro.authoring."""
    if name in _LAZY:
        return _lazy.load(__name__, _LAZY, name)
    if name in _ESCAPE_HATCH:
        if name not in _HATCHES:
            raise AttributeError(
                f"pykro.cel.{name} is part of the composition API: import pykro.authoring (or `from pykro import "
                f"composition`) before using it"
            )
        return _lazy.load(__name__, _HATCHES, name)
    raise AttributeError(f"module 'pykro.cel' has no attribute {name!r}")


__all__ = [
    "OMIT",
    "CelCompileError",
    "CelDataPending",
    "CelError",
    "CelEvalError",
    "CelType",
    "CelUnsupportedLocally",
    "Evaluator",
    "Expr",
    "Program",
    "Reference",
    "Standalone",
    "Template",
    "cel_type_from_openapi",
    "find_expressions",
    "identifiers",
    "is_data_pending",
    "parse",
    "parse_value",
    "references",
    "render_template",
    "template_to_cel",
    "to_cel",
]
