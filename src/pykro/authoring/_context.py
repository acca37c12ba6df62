"""The composition being built: registered resources, and the includeWhen conditions and forEach loops that the
statements currently executing are inside of."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pykro.authoring._refs import Ref

if TYPE_CHECKING:
    from pykro.authoring._resource import ResourceRef

__all__ = ["Build", "Loop", "building", "current", "prefixed"]


@dataclass(frozen=True, eq=False)
class Loop:
    """One forEach dimension: the iterator name (as CEL sees it) and the list it walks."""

    name: str
    iterable: Ref
    where: str | None


@dataclass
class Build:
    """State of one composition run; nested compositions share their parent's with an id prefix."""

    name: str
    resources: list[ResourceRef] = field(default_factory=list)
    conditions: list[Ref] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    prefix: str = ""
    nested: set[str] = field(default_factory=set)

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
