"""What deploy and status return: an `Instance` handle with the hydrated status (typed when the factory has a
status model, otherwise a read-only `StatusView` with attribute access), and `InstanceInfo` rows for listings."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from pykro.runtime import ResourceState

__all__ = ["Instance", "InstanceInfo", "StatusView"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class StatusView(Mapping[str, Any]):
    """A read-only status mapping: ``view.ready``, ``view.db_ready`` (camelCase ``dbReady``) or ``view["ready"]``."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        value = self._data[key]
        return StatusView(value) if isinstance(value, Mapping) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        for key in (name, _camel(name)):
            if key in self._data:
                return self[key]
        known = ", ".join(_snake(k) for k in self._data) or "none"
        raise AttributeError(f"the status has no field {name!r} (fields: {known})")

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data)

    def __repr__(self) -> str:
        return f"StatusView({self._data!r})"


@dataclass
class Instance:
    """A deployed instance: where it is, its state (ACTIVE, IN_PROGRESS, ERROR or FAILED), the status hydrated
    from the live objects (or read from the CR in kro mode), and per-resource states (direct mode)."""

    name: str
    namespace: str
    composition: str
    mode: str
    state: str
    status_data: dict[str, Any]
    # left out of repr: they hold the rendered and live objects, Secrets' values included
    resources: dict[str, ResourceState] = field(default_factory=dict, repr=False)
    objects: list[dict[str, Any]] = field(default_factory=list, repr=False)
    status_model: type[BaseModel] | None = field(default=None, repr=False)

    @property
    def status(self) -> Any:
        """The hydrated status: the factory's status model when it has one, else a `StatusView`."""
        fields = {k: v for k, v in self.status_data.items() if k not in ("conditions", "state")}
        if self.status_model is not None:
            return self.status_model.model_validate(fields)
        return StatusView(fields)

    @property
    def ready(self) -> bool:
        return self.state == "ACTIVE"

    @property
    def conditions(self) -> list[dict[str, Any]]:
        return list(self.status_data.get("conditions") or [])


@dataclass(frozen=True)
class InstanceInfo:
    """One row of `instances()` / `pykro list`."""

    name: str
    namespace: str
    composition: str
    mode: str
    state: str
