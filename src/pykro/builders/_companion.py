"""Companion (a sidecar or init container of a workload) and Lifecycle (the main container's postStart/preStop
hooks and the pod's termination grace period), with Celestra's names. Both make no object of their own: add them
to a workload (``App(...).add_companion(Companion("log").image("fluent-bit:3"))``, ``.add_lifecycle(...)``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pykro.authoring._location import fail
from pykro.builders._base import (
    Part,
    absolute_path,
    builder_method,
    choice,
    items,
    mapping,
    port_name,
    requirements,
    text,
)
from pykro.builders._base import count as check_count
from pykro.builders._base import image as check_image
from pykro.builders._base import port as check_port

__all__ = ["Companion", "Lifecycle"]


def _command(command: Any, what: str) -> list[Any]:
    listed = [text(c, f"{what} item") for c in items(command, what)]
    if not listed:
        raise fail(f"{what} is empty", f"Write {what}(['sh', '-c', '...']).")
    return listed


class Companion(Part):
    """A container beside the workload's main one: a ``sidecar`` (default, runs alongside) or an ``init``
    container (runs to completion before the main container starts)."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._kind = "sidecar"
        self._kind_given = False  # type() or a sidecar_*/init_* setter chose it
        self._container: dict[str, Any] = {}
        self._env: dict[str, Any] = {}
        self._ports: list[dict[str, Any]] = []
        self._resources: dict[str, dict[str, Any]] = {}
        self._shared: list[Any] = []

    @builder_method
    def image(self, image: Any) -> Companion:
        self._container["image"] = check_image(image, "Companion image")
        return self

    @builder_method
    def type(self, companion_type: str) -> Companion:
        """``sidecar`` or ``init``."""
        self._kind = choice(companion_type, "Companion type", {"sidecar": "sidecar", "init": "init"})
        self._kind_given = True
        return self

    def _as(self, kind: str, method: str) -> Companion:
        """Celestra's ``sidecar_*``/``init_*`` setters: the Companion is (and stays) that kind of container."""
        if self._kind_given and self._kind != kind:
            raise fail(
                f"{method}() is for the {kind} container, but Companion {self._name!r} is a {self._kind} container",
                f"A Companion is one container: make another Companion(...).type({kind!r}) for the {kind} one.",
            )
        return self.type(kind)

    @builder_method
    def sidecar_image(self, image: Any) -> Companion:
        """A sidecar running ``image``."""
        return self._as("sidecar", "sidecar_image").image(image)

    @builder_method
    def sidecar_port(self, port: Any, name: Any = None) -> Companion:
        return self._as("sidecar", "sidecar_port").port(port, name)

    @builder_method
    def sidecar_command(self, command: Sequence[Any]) -> Companion:
        return self._as("sidecar", "sidecar_command").command(command)

    @builder_method
    def sidecar_args(self, args: Sequence[Any]) -> Companion:
        return self._as("sidecar", "sidecar_args").args(args)

    @builder_method
    def sidecar_environment(self, env_vars: Mapping[str, Any]) -> Companion:
        return self._as("sidecar", "sidecar_environment").environment(env_vars)

    @builder_method
    def sidecar_resources(
        self, cpu: Any = None, memory: Any = None, cpu_limit: Any = None, memory_limit: Any = None
    ) -> Companion:
        return self._as("sidecar", "sidecar_resources").resources(cpu, memory, cpu_limit, memory_limit)

    @builder_method
    def init_container(self, name: Any, image: Any) -> Companion:
        """An init container running ``image``; ``name`` must be the Companion's (it is one container)."""
        if name != self._name:
            raise fail(
                f"init_container({name!r}, ...) on Companion {self._name!r}: a Companion is one container, named "
                "after the Companion",
                f"Write Companion({name!r}).type('init').image({image!r}).",
            )
        return self._as("init", "init_container").image(image)

    @builder_method
    def init_command(self, command: Sequence[Any]) -> Companion:
        return self._as("init", "init_command").command(command)

    @builder_method
    def init_args(self, args: Sequence[Any]) -> Companion:
        return self._as("init", "init_args").args(args)

    @builder_method
    def init_environment(self, env_vars: Mapping[str, Any]) -> Companion:
        return self._as("init", "init_environment").environment(env_vars)

    @builder_method
    def init_resources(
        self, cpu: Any = None, memory: Any = None, cpu_limit: Any = None, memory_limit: Any = None
    ) -> Companion:
        return self._as("init", "init_resources").resources(cpu, memory, cpu_limit, memory_limit)

    @builder_method
    def wait_for_completion(self) -> Companion:
        """Run as an init container: the main container starts once it has finished."""
        return self.type("init")

    @builder_method
    def command(self, command: Sequence[Any]) -> Companion:
        self._container["command"] = _command(command, "command")
        return self

    @builder_method
    def args(self, args: Sequence[Any]) -> Companion:
        self._container["args"] = [
            *self._container.get("args", []),
            *(text(a, "args item") for a in items(args, "args")),
        ]
        return self

    @builder_method
    def port(self, port: Any, name: Any = None) -> Companion:
        entry = {"containerPort": check_port(port, f"Companion {self._name!r} port"), "protocol": "TCP"}
        if name is not None:
            entry["name"] = port_name(name)
        self._ports.append(entry)
        return self

    @builder_method
    def env(self, key: str, value: Any) -> Companion:
        if not isinstance(key, str) or not key or "=" in key:
            raise fail(f"environment variable name {key!r} is not valid", "Use a name such as 'LOG_LEVEL'.")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise fail(f"environment variable {key} must be text or a number, got {type(value).__name__}")
        if key in self._env and self._env[key] != str(value):
            raise fail(
                f"environment variable {key} is already set to another value: the second would replace the first",
                "Set each variable once, or remove the earlier call.",
            )
        self._env[key] = str(value)
        return self

    @builder_method
    def environment(self, env_vars: Mapping[str, Any]) -> Companion:
        for key, value in mapping(env_vars, "environment").items():
            self.env(key, value)
        return self

    @builder_method
    def resources(
        self, cpu: Any = None, memory: Any = None, cpu_limit: Any = None, memory_limit: Any = None
    ) -> Companion:
        requirements(self._resources, cpu, memory, cpu_limit, memory_limit)
        if not self._resources:
            raise fail("resources() needs at least one of cpu, memory, cpu_limit, memory_limit")
        return self

    @builder_method
    def mount_shared_volume(self, path: Any) -> Companion:
        """Share an emptyDir between this container and the main one, mounted at ``path`` in both."""
        self._shared.append(absolute_path(path, "mount_shared_volume path"))
        return self

    def container(self) -> tuple[str, dict[str, Any], list[tuple[str, Any]]]:
        """``sidecar``/``init``, the container dict, and its shared volumes as (volume name, mount path)."""
        if "image" not in self._container:
            raise fail(f"Companion {self._name!r} has no image", "Call .image('registry/name:tag').")
        shared = [
            (f"{self._name}-shared" if i == 0 else f"{self._name}-shared-{i}", p) for i, p in enumerate(self._shared)
        ]
        container: dict[str, Any] = {"name": self._name, **self._container}
        if self._ports:
            container["ports"] = [dict(p) for p in self._ports]
        if self._env:
            container["env"] = [{"name": k, "value": v} for k, v in self._env.items()]
        if self._resources:
            container["resources"] = {k: dict(v) for k, v in self._resources.items()}
        if shared:
            container["volumeMounts"] = [{"name": n, "mountPath": p} for n, p in shared]
        return self._kind, container, shared


class Lifecycle(Part):
    """Container hooks: ``Lifecycle().pre_stop(["sh", "-c", "sleep 5"]).termination_grace_period(30)``."""

    def __init__(self, name: Any = "lifecycle") -> None:
        super().__init__(name)
        self._hooks: dict[str, dict[str, Any]] = {}
        self._grace: Any = None

    @builder_method
    def post_start(self, command: Sequence[Any]) -> Lifecycle:
        """Run ``command`` in the container right after it starts."""
        self._hooks["postStart"] = {"exec": {"command": _command(command, "post_start")}}
        return self

    @builder_method
    def pre_stop(self, command: Sequence[Any]) -> Lifecycle:
        """Run ``command`` in the container before it is stopped."""
        self._hooks["preStop"] = {"exec": {"command": _command(command, "pre_stop")}}
        return self

    @builder_method
    def pre_stop_command(self, command: Sequence[Any]) -> Lifecycle:
        """Same as pre_stop()."""
        return self.pre_stop(command)

    @builder_method
    def post_start_command(self, command: Sequence[Any]) -> Lifecycle:
        """Same as post_start()."""
        return self.post_start(command)

    @builder_method
    def pre_stop_http(self, path: Any, port: Any) -> Lifecycle:
        """GET ``path`` on ``port`` of the container before it is stopped."""
        self._hooks["preStop"] = {
            "httpGet": {
                "path": absolute_path(path, "pre_stop_http path"),
                "port": check_port(port, "pre_stop_http port"),
            }
        }
        return self

    @builder_method
    def termination_grace_period(self, seconds: Any) -> Lifecycle:
        """How long the pod may take to stop before it is killed (terminationGracePeriodSeconds)."""
        self._grace = check_count(seconds, "termination_grace_period")
        return self

    def settings(self) -> tuple[dict[str, Any], Any]:
        """The container's lifecycle dict and the grace period (None when not set)."""
        if not self._hooks and self._grace is None:
            raise fail(f"Lifecycle {self._name!r} sets nothing", "Call .pre_stop([...]) or .post_start([...]).")
        return {k: dict(v) for k, v in self._hooks.items()}, self._grace
