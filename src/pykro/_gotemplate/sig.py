"""Go parameter types of template functions, so calls are checked the way Go's reflection checks them.

A function registered with :func:`go` declares each parameter's Go type with a code:

``any`` interface{} · ``value`` reflect.Value (sees a missing value as such) · ``str`` string · ``int`` int ·
``i64`` int64 · ``float`` float64 · ``bool`` bool · ``list`` []interface{} · ``map`` map[string]interface{}.

A callable without a declaration (a caller's own function) takes any number of ``any`` arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar

__all__ = ["GO_TYPE_NAMES", "Sig", "go", "sig_of"]

F = TypeVar("F", bound=Callable[..., object])

GO_TYPE_NAMES: Final = {
    "any": "interface {}",
    "value": "reflect.Value",
    "str": "string",
    "int": "int",
    "i64": "int64",
    "float": "float64",
    "bool": "bool",
    "list": "[]interface {}",
    "map": "map[string]interface {}",
}


@dataclass(frozen=True, slots=True)
class Sig:
    params: tuple[str, ...]
    variadic: str | None = None


_ANY: Final = Sig((), "any")


def go(*params: str, variadic: str | None = None) -> Callable[[F], F]:
    """Declare the Go signature of a template function."""

    def deco(fn: F) -> F:
        fn.__gosig__ = Sig(params, variadic)  # type: ignore[attr-defined]
        return fn

    return deco


def sig_of(fn: Callable[..., object]) -> Sig:
    found = getattr(fn, "__gosig__", None)
    return found if isinstance(found, Sig) else _ANY
