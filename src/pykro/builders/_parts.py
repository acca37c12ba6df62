"""The container-level parts every workload shares: companion containers (sidecars and init containers) and the
main container's lifecycle hooks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pykro.authoring._location import fail
from pykro.builders._base import builder_method, items
from pykro.builders._companion import Companion, Lifecycle
from pykro.builders._policies import Policies

__all__ = ["Parts"]

P = TypeVar("P", bound="Parts")


class Parts(Policies):
    """Companions and lifecycle hooks of a workload."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._companions: list[Companion] = []
        self._lifecycle = Lifecycle()  # pre_stop_command() and post_start_command() set its hooks

    @builder_method
    def add_companion(self: P, companion: Any) -> P:
        """Add a sidecar or init container (a pykro.builders.Companion)."""
        if not isinstance(companion, Companion):
            raise fail(f"add_companion() takes a pykro.builders.Companion, got {type(companion).__name__}")
        if any(c.name == companion.name for c in self._companions) or companion.name == self._name:
            raise fail(f"{type(self).__name__} {self._name!r} has two containers named {companion.name!r}")
        self._companions.append(companion)
        return self

    @builder_method
    def add_companions(self: P, companions: Sequence[Any]) -> P:
        for companion in items(companions, "companions"):
            self.add_companion(companion)
        return self

    @builder_method
    def lifecycle(self: P, lifecycle: Any) -> P:
        """Same as add_lifecycle() (the API reference's name)."""
        return self.add_lifecycle(lifecycle)

    @builder_method
    def add_lifecycle(self: P, lifecycle: Any) -> P:
        """Apply a Lifecycle's hooks and grace period to the main container (a hook already set is an error)."""
        if not isinstance(lifecycle, Lifecycle):
            raise fail(f"add_lifecycle() takes a pykro.builders.Lifecycle, got {type(lifecycle).__name__}")
        hooks, grace = lifecycle.settings()
        mine = self._lifecycle._hooks
        for key, hook in hooks.items():
            if key in mine and mine[key] != hook:
                raise fail(f"add_lifecycle(): the {key} hook is already set", "Keep one of the two hooks.")
            mine[key] = hook
        if grace is not None:
            self._lifecycle.termination_grace_period(grace)
        return self

    @builder_method
    def pre_stop_command(self: P, command: Sequence[Any]) -> P:
        """Run ``command`` in the main container before it is stopped."""
        self._lifecycle.pre_stop(command)
        return self

    @builder_method
    def post_start_command(self: P, command: Sequence[Any]) -> P:
        """Run ``command`` in the main container right after it starts."""
        self._lifecycle.post_start(command)
        return self

    def _part_keywords(self) -> dict[str, Any]:
        """containers, init_containers, lifecycle and grace period keywords, and the shared volumes and mounts."""
        sidecars: list[dict[str, Any]] = []
        inits: list[dict[str, Any]] = []
        volumes: list[dict[str, Any]] = []
        mounts: list[dict[str, Any]] = []
        for companion in self._companions:
            kind, container, shared = companion.container()
            (inits if kind == "init" else sidecars).append(container)
            for volume, path in shared:
                volumes.append({"name": volume, "emptyDir": {}})
                mounts.append({"name": volume, "mountPath": path})
        hooks, grace = self._lifecycle._hooks, self._lifecycle._grace
        return {
            "containers": sidecars or None,
            "init_containers": inits or None,
            "lifecycle": {k: dict(v) for k, v in hooks.items()} or None,
            "termination_grace_period_seconds": grace,
            "volumes": volumes,
            "mounts": mounts,
        }
