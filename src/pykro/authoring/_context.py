"""The composition being built: registered resources, and the includeWhen conditions and forEach loops that the
statements currently executing are inside of."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pykro._frozen import Frozen, set_field
from pykro.authoring._refs import Ref

if TYPE_CHECKING:
    from pykro.authoring._resource import ResourceRef

__all__ = ["Build", "Loop", "building", "current", "prefixed"]


class Loop(Frozen):
    """One forEach dimension: the iterator name (as CEL sees it) and the list it walks. Immutable; equal only to
    itself."""

    __match_args__ = ("name", "iterable", "where")
    _fields = __match_args__
    name: str
    iterable: Ref
    where: str | None

    def __init__(self, name: str, iterable: Ref, where: str | None) -> None:
        set_field(self, "name", name)
        set_field(self, "iterable", iterable)
        set_field(self, "where", where)

    __eq__ = object.__eq__
    __hash__ = object.__hash__


class Build:
    """State of one composition run; nested compositions share their parent's with an id prefix."""

    _FIELDS = ("name", "resources", "conditions", "loops", "prefix", "nested")
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(self, name: str) -> None:
        self.name = name
        self.resources: list[ResourceRef] = []
        self.conditions: list[Ref] = []
        self.loops: list[Loop] = []
        self.prefix = ""
        self.nested: set[str] = set()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"Build({shown})"

    @property
    def ids(self) -> set[str]:
        return {r.id for r in self.resources if r.id}


_current: contextvars.ContextVar[Build | None] = contextvars.ContextVar("pykro_build", default=None)


def current() -> Build | None:
    """The composition being built, or None outside one."""
    return _current.get()


@contextmanager
def building(build: Build) -> Iterator[Build]:
    token = _current.set(build)
    try:
        yield build
    finally:
        _current.reset(token)


@contextmanager
def prefixed(prefix: str) -> Iterator[None]:
    """Run a nested composition: its resource ids get ``prefix`` in front."""
    build = current()
    assert build is not None
    saved = build.prefix
    build.prefix = prefix
    try:
        yield
    finally:
        build.prefix = saved
