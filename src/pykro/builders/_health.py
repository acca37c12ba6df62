"""Health and Observability: settings bundles applied to the workloads they are added to
(``App(...).health(Health().liveness_probe("/live"))``, ``.add_observability(Observability("m").enable_metrics())``)."""

from __future__ import annotations

from typing import Any, Final

from pykro.authoring._location import fail
from pykro.builders._base import Part, absolute_path, builder_method, choice
from pykro.builders._base import count as check_count
from pykro.builders._base import port as check_port

__all__ = ["Health", "Observability"]

_LEVELS: Final = {k.lower(): k for k in ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL")}
_FORMATS: Final = {"json": "json", "text": "text", "logfmt": "logfmt"}


class Health(Part):
    """Probes for a workload: ``app.health(Health().startup_probe("/start").liveness_probe("/live"))``."""

    def __init__(self, name: Any = "health") -> None:
        super().__init__(name)
        self._probes: dict[str, dict[str, Any]] = {}

    def _probe(
        self, kind: str, path: Any, port_: Any, initial_delay: Any, period: Any, timeout: Any, failures: Any
    ) -> Health:
        self._probes[kind] = {
            "path": absolute_path(path, f"{kind}_probe path"),
            "port": None if port_ is None else check_port(port_, f"{kind}_probe port"),
            "initial_delay": check_count(initial_delay, "initial_delay"),
            "period": check_count(period, "period", least=1),
            "timeout": check_count(timeout, "timeout", least=1),
            "failure_threshold": check_count(failures, "failure_threshold", least=1),
        }
        return self

    @builder_method
    def startup_probe(
        self,
        path: Any,
        port: Any = None,
        initial_delay: Any = 10,
        period: Any = 10,
        timeout: Any = 5,
        failure_threshold: Any = 30,
    ) -> Health:
        return self._probe("startup", path, port, initial_delay, period, timeout, failure_threshold)

    @builder_method
    def readiness_probe(
        self,
        path: Any,
        port: Any = None,
        initial_delay: Any = 5,
        period: Any = 5,
        timeout: Any = 3,
        failure_threshold: Any = 3,
    ) -> Health:
        return self._probe("readiness", path, port, initial_delay, period, timeout, failure_threshold)

    @builder_method
    def liveness_probe(
        self,
        path: Any,
        port: Any = None,
        initial_delay: Any = 30,
        period: Any = 10,
        timeout: Any = 5,
        failure_threshold: Any = 3,
    ) -> Health:
        return self._probe("liveness", path, port, initial_delay, period, timeout, failure_threshold)

    def probes(self) -> dict[str, dict[str, Any]]:
        """The probes by kind (``startup``, ``readiness``, ``liveness``), as keyword dicts."""
        if not self._probes:
            raise fail(f"Health {self._name!r} has no probe", "Add one, e.g. .liveness_probe('/live').")
        return {k: dict(v) for k, v in self._probes.items()}


class Observability(Part):
    """Metrics, logging and tracing settings of a workload: Prometheus scrape annotations and a ``metrics`` port,
    ``LOG_LEVEL``/``LOG_FORMAT`` and the OpenTelemetry ``OTEL_*`` environment variables."""

    def __init__(self, name: Any = "observability") -> None:
        super().__init__(name)
        self._metrics: tuple[Any, Any] | None = None
        self._env: dict[str, Any] = {}

    @builder_method
    def enable_metrics(self, port: Any = 9090, path: Any = "/metrics") -> Observability:
        """A ``metrics`` port and the ``prometheus.io/scrape``, ``/port`` and ``/path`` pod annotations."""
        self._metrics = (check_port(port, "metrics port"), absolute_path(path, "metrics path"))
        return self

    @builder_method
    def enable_logging(self, level: str = "INFO", format: str = "json") -> Observability:
        """Sets ``LOG_LEVEL`` and ``LOG_FORMAT`` in the container (the variables your application must read)."""
        self._env["LOG_LEVEL"] = choice(level, "log level", _LEVELS)
        self._env["LOG_FORMAT"] = choice(format, "log format", _FORMATS)
        return self

    @builder_method
    def enable_tracing(self, endpoint: Any = "http://otel-collector:4317", sampling_rate: Any = 1.0) -> Observability:
        """OpenTelemetry: ``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_TRACES_SAMPLER=parentbased_traceidratio`` and its
        ratio."""
        if not (isinstance(endpoint, str) and endpoint.startswith(("http://", "https://"))):
            raise fail(f"enable_tracing() endpoint {endpoint!r} must be an http(s) URL", "Write 'http://otel:4317'.")
        if isinstance(sampling_rate, bool) or not isinstance(sampling_rate, int | float) or not 0 <= sampling_rate <= 1:
            raise fail(f"enable_tracing() sampling_rate must be from 0 to 1, got {sampling_rate!r}", "Write 0.1.")
        self._env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
        self._env["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio"
        self._env["OTEL_TRACES_SAMPLER_ARG"] = str(sampling_rate)
        return self

    def settings(self) -> tuple[tuple[Any, Any] | None, dict[str, Any]]:
        """The metrics (port, path) if enabled, and the environment variables."""
        if self._metrics is None and not self._env:
            raise fail(f"Observability {self._name!r} enables nothing", "Call .enable_metrics() (or logging/tracing).")
        return self._metrics, dict(self._env)
