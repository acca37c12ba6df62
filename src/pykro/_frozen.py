"""``Frozen``: what ``@dataclass(frozen=True)`` gives a small value class, written once. A dataclass compiles its
methods when its class is created; the classes every ``import pykro`` creates derive from this instead."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any, ClassVar

__all__ = ["Frozen", "set_field"]

set_field = object.__setattr__  # for __init__: ``set_field(self, "name", value)``


class Frozen:
    """Equality (same class and equal ``_key()``) and hash over ``_key()``, a dataclass ``repr`` of the attributes
    named in ``_fields``, and immutability: assigning or deleting any attribute raises ``FrozenInstanceError``."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]]

    def _key(self) -> tuple[Any, ...]:
        """The values that take part in equality and hashing, in field order."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self.__class__.__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
