"""Engine-independent declarations of library functions: a name, overloads, Python implementations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pykro.cel._types import CelType

__all__ = ["Fn", "LibraryError", "Overload", "fn", "glob", "member"]


class LibraryError(Exception):
    """An error value raised by a library function (becomes a CEL evaluation error with this message)."""


@dataclass(frozen=True)
class Overload:
    """One signature: ``params`` include the receiver first when ``member``."""

    id: str
    params: tuple[CelType, ...]
    result: CelType
    impl: Callable[..., Any]
    member: bool = False


@dataclass(frozen=True)
class Fn:
    """A function name (possibly qualified, like ``hash.sha256``) and its overloads."""

    name: str
    overloads: tuple[Overload, ...]


def fn(name: str, *overloads: Overload) -> Fn:
    return Fn(name, overloads)


def member(oid: str, params: tuple[CelType, ...], result: CelType, impl: Callable[..., Any]) -> Overload:
    return Overload(oid, params, result, impl, member=True)


def glob(oid: str, params: tuple[CelType, ...], result: CelType, impl: Callable[..., Any]) -> Overload:
    return Overload(oid, params, result, impl, member=False)
