"""Scaling (a HorizontalPodAutoscaler) and DeploymentStrategy (a Deployment's update strategy) with Celestra's
names. ``App(...).scale(Scaling("hpa").target_cpu_utilization(70).max_replicas(10))`` scales that app;
``App(...).deployment_strategy(DeploymentStrategy("s").rolling_update().max_surge("25%"))`` sets its strategy."""

from __future__ import annotations

import re
from typing import Any

from pykro.authoring._location import fail
from pykro.authoring._resource import ResourceRef
from pykro.builders._base import Builder, builder_method, dns_name, unsupported
from pykro.builders._base import count as check_count
from pykro.simple import HorizontalPodAutoscaler as _HPA

__all__ = ["DeploymentStrategy", "Scaling"]


def _percent(value: Any, what: str) -> Any:
    check_count(value, what, least=1)
    if isinstance(value, int) and value > 1000:
        raise fail(f"{what} must be a percentage from 1 to 1000, got {value}", "Write 70 for 70%.")
    return value


def amount(value: Any, what: str) -> Any:
    """A count (0 or more) or a percentage such as ``"25%"``."""
    if isinstance(value, str) and re.fullmatch(r"\d{1,3}%", value):
        return value
    return check_count(value, what)


class Scaling(Builder):
    """An autoscaling/v2 HorizontalPodAutoscaler: between ``min_replicas`` and ``max_replicas`` on CPU and memory
    utilization; with no ``scale_target()`` it scales the App it is given to (``App.scale(scaling)``)."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._min: Any = None
        self._max: Any = None
        self._cpu: Any = None
        self._memory: Any = None
        self._behavior: dict[str, Any] = {}
        self._target: tuple[str, Any] | None = None

    @builder_method
    def horizontal_pod_autoscaler(self) -> Scaling:
        """A CPU target of 80% (Kubernetes' usual default) unless a target is set."""
        if self._cpu is None and self._memory is None:
            self._cpu = 80
        return self

    @builder_method
    def target_cpu_utilization(self, percentage: Any) -> Scaling:
        self._cpu = _percent(percentage, "target_cpu_utilization")
        return self

    @builder_method
    def target_memory_utilization(self, percentage: Any) -> Scaling:
        self._memory = _percent(percentage, "target_memory_utilization")
        return self

    @builder_method
    def min_replicas(self, count: Any) -> Scaling:
        self._min = check_count(count, "min_replicas", least=1)
        return self

    @builder_method
    def max_replicas(self, count: Any) -> Scaling:
        self._max = check_count(count, "max_replicas", least=1)
        return self

    @builder_method
    def scale_up_delay(self, seconds: Any) -> Scaling:
        """How long the HPA waits before scaling up again (scaleUp stabilizationWindowSeconds, at most 3600)."""
        self._behavior["scaleUp"] = {"stabilizationWindowSeconds": self._window(seconds, "scale_up_delay")}
        return self

    @builder_method
    def scale_down_delay(self, seconds: Any) -> Scaling:
        """How long the HPA waits before scaling down (scaleDown stabilizationWindowSeconds, at most 3600)."""
        self._behavior["scaleDown"] = {"stabilizationWindowSeconds": self._window(seconds, "scale_down_delay")}
        return self

    @staticmethod
    def _window(seconds: Any, what: str) -> Any:
        check_count(seconds, what)
        if isinstance(seconds, int) and seconds > 3600:
            raise fail(f"{what} must be at most 3600 seconds, got {seconds}", "Kubernetes allows one hour at most.")
        return seconds

    @builder_method
    def scale_target(self, name: Any, kind: str = "Deployment") -> Scaling:
        """What a standalone Scaling scales: a Deployment (default) or StatefulSet named ``name``."""
        if kind not in ("Deployment", "StatefulSet"):
            raise fail(f"scale_target() kind must be Deployment or StatefulSet, got {kind!r}")
        self._target = (kind, dns_name(name, "scale_target name"))
        return self

    def for_target(self, target: Any, meta: dict[str, Any]) -> list[ResourceRef]:
        """The HPA scaling ``target`` (a workload resource) unless scale_target() named another."""
        if self._max is None:
            raise fail(f"Scaling {self._name!r} has no max_replicas", "Call .max_replicas(10).")
        if isinstance(self._min, int) and isinstance(self._max, int) and self._min > self._max:
            raise fail(f"Scaling {self._name!r}: min_replicas {self._min} is above max_replicas {self._max}")
        kind = "Deployment"
        if self._target is not None:
            kind, target = self._target
        return [
            _HPA(
                self._name,
                target=target,
                target_kind=kind,
                min_replicas=self._min,
                max_replicas=self._max,
                cpu_utilization=self._cpu,
                memory_utilization=self._memory,
                behavior={k: dict(v) for k, v in self._behavior.items()} or None,
                **meta,
            )
        ]

    def _make(self) -> list[ResourceRef]:
        if self._target is None:
            raise fail(f"Scaling {self._name!r} scales nothing", "Call .scale_target('web') or App('web').scale(it).")
        return self.for_target(None, self._meta())


class DeploymentStrategy(Builder):
    """A Deployment update strategy: ``rolling_update()`` with ``max_surge``/``max_unavailable``, or
    ``recreate()``; blue-green and canary need a progressive-delivery controller and raise."""

    KIND_NAME_IS_LABEL = True

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._type = "RollingUpdate"
        self._rolling: dict[str, Any] = {}
        self._min_ready: Any = None

    @builder_method
    def rolling_update(self, max_surge: Any = "25%", max_unavailable: Any = "25%") -> DeploymentStrategy:
        """A RollingUpdate (default: at most 25% extra and 25% unavailable pods, as Kubernetes does)."""
        self._type = "RollingUpdate"
        return self.max_surge(max_surge).max_unavailable(max_unavailable)

    @builder_method
    def recreate(self) -> DeploymentStrategy:
        """Stop every old pod before starting new ones."""
        self._type = "Recreate"
        self._rolling = {}
        return self

    @builder_method
    def recreate_strategy(self) -> DeploymentStrategy:
        """Same as recreate()."""
        return self.recreate()

    @builder_method
    def max_surge(self, surge: Any) -> DeploymentStrategy:
        self._rolling_field("maxSurge", amount(surge, "max_surge"))
        return self

    @builder_method
    def max_unavailable(self, unavailable: Any) -> DeploymentStrategy:
        self._rolling_field("maxUnavailable", amount(unavailable, "max_unavailable"))
        return self

    def _rolling_field(self, key: str, value: Any) -> None:
        if self._type != "RollingUpdate":
            raise fail(f"DeploymentStrategy {self._name!r} is Recreate: it has no {key}", "Call .rolling_update().")
        self._rolling[key] = value

    @builder_method
    def min_ready_seconds(self, seconds: Any) -> DeploymentStrategy:
        """How long a new pod must be ready before it counts as available."""
        self._min_ready = check_count(seconds, "min_ready_seconds")
        return self

    def settings(self) -> tuple[dict[str, Any], Any]:
        """The Deployment's strategy dict and minReadySeconds (None when not set)."""
        strategy: dict[str, Any] = {"type": self._type}
        if self._rolling:
            strategy["rollingUpdate"] = dict(self._rolling)
        return strategy, self._min_ready

    def _make(self) -> list[ResourceRef]:
        raise fail(
            f"DeploymentStrategy {self._name!r} makes no object of its own", "Pass it to App.deployment_strategy()."
        )

    blue_green_deployment = unsupported(
        "blue_green_deployment", "it needs a progressive-delivery controller", ".rolling_update(), or Argo Rollouts"
    )
    canary_deployment = unsupported(
        "canary_deployment",
        "it needs a progressive-delivery controller",
        ".rolling_update(), or Argo Rollouts / Flagger",
    )
