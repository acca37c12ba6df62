"""Workload builders with Celestra's names: App (Deployment + Service), StatefulApp (StatefulSet + headless
Service + volumeClaimTemplates, ``backup_schedule`` -> a CronJob), Job and CronJob.

Every setter changes the objects ``to_resources()`` makes; a documented Celestra method pykro cannot honour raises a
PykroError saying what to use instead. The shared setters live by concern in ``_container`` (image, ports, env,
resources), ``_pod`` (probes, placement, attachments, volumes) and ``_workload`` (assembly, exposure).
"""

from __future__ import annotations

from typing import Any

from pykro.authoring._location import fail
from pykro.authoring._resource import ResourceRef
from pykro.builders._base import builder_method, choice, unsupported
from pykro.builders._base import count as check_count
from pykro.builders._batch import CronJob, Job
from pykro.builders._scaling import DeploymentStrategy, Scaling, amount
from pykro.builders._stateful import StatefulApp
from pykro.builders._workload import BUILD_INSTEAD, NOT_BUILT, _Exposed, _Workload
from pykro.simple import Deployment as _Deployment
from pykro.simple import HorizontalPodAutoscaler as _HPA
from pykro.simple import Service as _Service

__all__ = ["App", "CronJob", "Job", "StatefulApp", "_Workload"]


class App(_Exposed):
    """A stateless application: a Deployment and, when it has ports, a Service selecting its pods."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._replicas: Any = 1
        self._replicas_set = False
        self._strategy: dict[str, Any] | None = None
        self._min_ready: Any = None
        self._scale: dict[str, Any] | None = None
        self._scaling: Scaling | None = None

    @builder_method
    def replicas(self, count: Any) -> App:
        """The number of pods (0 or more)."""
        self._replicas = check_count(count, "replicas")
        self._replicas_set = True
        return self

    @builder_method
    def scale(self, min_replicas: Any = 1, max_replicas: Any = 10, target_cpu_utilization: Any = 70) -> App:
        """A HorizontalPodAutoscaler between ``min_replicas`` and ``max_replicas`` at ``target_cpu_utilization`` %,
        or the one a pykro.builders.Scaling describes (``scale(Scaling("hpa").max_replicas(5))``)."""
        if isinstance(min_replicas, Scaling):
            self._scaling, self._scale = min_replicas, None
            return self
        self._scaling = None
        low = check_count(min_replicas, "min_replicas", least=1)
        high = check_count(max_replicas, "max_replicas", least=1)
        if isinstance(low, int) and isinstance(high, int) and low > high:
            raise fail(f"scale(): min_replicas {low} is above max_replicas {high}", "Swap them.")
        self._scale = {
            "min_replicas": low,
            "max_replicas": high,
            "cpu_utilization": check_count(target_cpu_utilization, "target_cpu_utilization", least=1),
        }
        return self

    @builder_method
    def deployment_strategy(self, strategy: Any, **kwargs: Any) -> App:
        """``rolling`` (keywords of rolling_update()), ``recreate``, or a pykro.builders.DeploymentStrategy."""
        if isinstance(strategy, DeploymentStrategy):
            if kwargs:
                raise fail(f"deployment_strategy(DeploymentStrategy) takes no keywords, got {sorted(kwargs)}")
            self._strategy, self._min_ready = strategy.settings()
            return self
        kind = choice(
            strategy,
            "deployment strategy",
            {
                "rolling": "RollingUpdate",
                "rollingupdate": "RollingUpdate",
                "recreate": "Recreate",
                "bluegreen": "blue-green",
                "canary": "canary",
            },
        )
        if kind in ("blue-green", "canary"):
            raise fail(
                f"deployment_strategy({strategy!r}) is not supported: it needs a progressive-delivery controller",
                "Use 'rolling' or 'recreate', or Argo Rollouts / Flagger.",
            )
        if kind == "Recreate":
            if kwargs:
                raise fail(f"deployment_strategy('recreate') takes no keywords, got {sorted(kwargs)}")
            self._strategy = {"type": "Recreate"}
            return self
        return self.rolling_update(**kwargs)

    @builder_method
    def rolling_update(self, max_surge: Any = 1, max_unavailable: Any = 0, min_ready_seconds: Any = 0) -> App:
        """A RollingUpdate strategy (counts or percentages such as ``"25%"``)."""
        self._strategy = {
            "type": "RollingUpdate",
            "rollingUpdate": {
                "maxSurge": amount(max_surge, "max_surge"),
                "maxUnavailable": amount(max_unavailable, "max_unavailable"),
            },
        }
        self._min_ready = check_count(min_ready_seconds, "min_ready_seconds")
        return self

    @builder_method
    def add_ingress(self, ingress: Any) -> App:
        """Create an Ingress builder with the app."""
        from pykro.builders._network import Ingress

        if not isinstance(ingress, Ingress):
            raise fail(f"add_ingress() takes a pykro.builders.Ingress, got {type(ingress).__name__}")
        self._ingresses.append(ingress)
        return self

    build = unsupported("build", NOT_BUILT, BUILD_INSTEAD)
    blue_green_deployment = unsupported(
        "blue_green_deployment", "it needs a progressive-delivery controller", ".rolling_update(...), or Argo Rollouts"
    )
    canary_deployment = unsupported(
        "canary_deployment",
        "it needs a progressive-delivery controller",
        ".rolling_update(...), or Argo Rollouts / Flagger",
    )

    def _check_replicas_in_range(self) -> None:
        """replicas() outside the autoscaler's range would be changed by it at once (0 pauses it: allowed)."""
        low, high = (
            (self._scale["min_replicas"], self._scale["max_replicas"])
            if self._scale is not None
            else (self._scaling._min or 1, self._scaling._max)
            if self._scaling is not None
            else (None, None)
        )
        count = self._replicas
        if not self._replicas_set or not isinstance(count, int) or count == 0:
            return
        if (isinstance(low, int) and count < low) or (isinstance(high, int) and count > high):
            raise fail(
                f"App {self._name!r} has replicas {count}, outside its autoscaler's {low} to {high}: the "
                "HorizontalPodAutoscaler would change it at once",
                "Give replicas within the range, or drop .replicas() (the autoscaler sets the count).",
            )

    def _make(self) -> list[ResourceRef]:
        """The Deployment, its Service (when it has ports), the added Secrets/ConfigMaps, Services, Ingresses and
        HorizontalPodAutoscaler. Inside a ``@composition`` they join the graph (call it once per app)."""
        out = self._added()
        self._check_replicas_in_range()
        deployment = _Deployment(
            self._name,
            image=self._image,
            replicas=self._replicas,
            strategy=self._strategy,
            min_ready_seconds=self._min_ready,
            **self._meta(),
            **self._pod_keywords(),
        )
        out.append(deployment)
        if self._ports:
            out.append(
                _Service(
                    self._name,
                    selector=deployment,
                    ports=self._service_ports(),
                    type=self._service_type,
                    **self._meta(),
                )
            )
        if self._scale is not None:
            out.append(_HPA(self._name, target=deployment, **self._scale, **self._meta()))
        if self._scaling is not None:
            out += self._scaling.for_target(deployment, self._meta())
        return out + self._extra(deployment)
