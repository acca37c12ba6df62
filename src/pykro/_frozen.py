"""``Frozen``: what ``@dataclass(frozen=True)`` gives a small value class, written once. A dataclass compiles its
methods when its class is created; the classes every ``import pykro`` creates derive from this instead."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import ClassVar

__all__ = ["Frozen", "set_field"]

set_field = object.__setattr__  # for __init__: ``set_field(self, "name", value)``


class Frozen:
    """A dataclass ``repr`` of the attributes named in ``_fields``, and immutability: assigning or deleting any
    attribute raises ``FrozenInstanceError``. Each class writes its own ``__init__``, ``__eq__`` (same class, equal
    fields as tuples, else NotImplemented) and ``__hash__``, as a dataclass generates them."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self.__class__.__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
