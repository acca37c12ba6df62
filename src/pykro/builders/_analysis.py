"""Celestra's analysis classes: Validator (schema and best-practice checks), SecurityScanner (pod security
findings) and CostEstimator (a monthly cost from resource requests, replicas and storage).

Each takes builders or Kubernetes object dicts and returns findings naming the object and the field, so a report
can be printed or asserted on: ``[f for f in SecurityScanner().scan(app) if f.level is SecurityLevel.HIGH]``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from pykro.authoring._location import fail
from pykro.builders._base import Builder
from pykro.cel._library.quantity import parse_quantity
from pykro.schema._kubernetes import validate_object

__all__ = [
    "CloudProvider",
    "CostEstimate",
    "CostEstimator",
    "CostOptimization",
    "Finding",
    "OptimizationStrategy",
    "Report",
    "SecurityLevel",
    "SecurityScanner",
    "ValidationLevel",
    "Validator",
]


class ValidationLevel(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class SecurityLevel(enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Finding:
    """One finding: its level, the object (``Kind/name``), the field path, and what is wrong."""

    level: ValidationLevel | SecurityLevel
    obj: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.level.value}: {self.obj} {self.field}: {self.message}"


class Report(list[Finding]):
    """Findings, with the API reference's questions about them: ``is_valid`` (no error), ``errors``,
    ``has_vulnerabilities`` / ``vulnerabilities`` (critical, high or medium security findings)."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self if f.level is ValidationLevel.ERROR]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def vulnerabilities(self) -> list[Finding]:
        serious = (SecurityLevel.CRITICAL, SecurityLevel.HIGH, SecurityLevel.MEDIUM)
        return [f for f in self if f.level in serious]

    @property
    def has_vulnerabilities(self) -> bool:
        return bool(self.vulnerabilities)


def _objects(target: Any) -> list[dict[str, Any]]:
    """The object dicts of a builder, of several builders, of an object dict, or of a list of them."""
    if isinstance(target, Builder):
        return target.objects()
    if isinstance(target, Mapping):
        return [dict(target)]
    if isinstance(target, Iterable) and not isinstance(target, str | bytes):
        return [obj for item in target for obj in _objects(item)]
    raise fail(f"expected a builder or Kubernetes objects, got {type(target).__name__}", "Pass App(...) or [obj, ...].")


def _label(obj: Mapping[str, Any]) -> str:
    return f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"


_POD_PATHS: Final = {
    "Deployment": "spec.template.spec",
    "StatefulSet": "spec.template.spec",
    "DaemonSet": "spec.template.spec",
    "ReplicaSet": "spec.template.spec",
    "Job": "spec.template.spec",
    "CronJob": "spec.jobTemplate.spec.template.spec",
    "Pod": "spec",
}


def _pod(obj: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    path = _POD_PATHS.get(str(obj.get("kind")))
    if path is None:
        return None
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return (path, value) if isinstance(value, dict) else None


def _containers(pod: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for key in ("initContainers", "containers"):
        for index, container in enumerate(pod.get(key) or []):
            out.append((f"{key}[{index}]", container))
    return out


class Validator:
    """Schema and best-practice checks: every object against the Kubernetes 1.35 schema (errors), containers
    without resource requests or limits, images without a pinned tag, workloads without probes (warnings), and
    Deployments of a single replica (info)."""

    def __init__(self, name: str = "validator") -> None:
        self.name = name

    def validate(self, target: Any) -> list[Finding]:
        findings: list[Finding] = []
        for obj in _objects(target):
            label = _label(obj)
            for cause in validate_object(obj):
                findings.append(Finding(ValidationLevel.ERROR, label, cause.field, cause.body))
            found = _pod(obj)
            if found is None:
                continue
            path, pod = found
            for where, container in _containers(pod):
                at = f"{path}.{where}"
                resources = container.get("resources") or {}
                if not resources.get("requests"):
                    findings.append(Finding(ValidationLevel.WARNING, label, f"{at}.resources", "no resource requests"))
                if not resources.get("limits"):
                    findings.append(Finding(ValidationLevel.WARNING, label, f"{at}.resources", "no resource limits"))
                image = str(container.get("image", ""))
                tag = image.rsplit("/", 1)[-1]
                if "@" not in image and (":" not in tag or tag.endswith(":latest")):
                    findings.append(Finding(ValidationLevel.WARNING, label, f"{at}.image", f"{image!r} is not pinned"))
                if where.startswith("containers") and obj.get("kind") in ("Deployment", "StatefulSet", "DaemonSet"):
                    if not container.get("readinessProbe"):
                        findings.append(Finding(ValidationLevel.WARNING, label, at, "no readiness probe"))
                    if not container.get("livenessProbe"):
                        findings.append(Finding(ValidationLevel.WARNING, label, at, "no liveness probe"))
            if obj.get("kind") == "Deployment" and (obj.get("spec") or {}).get("replicas", 1) == 1:
                findings.append(Finding(ValidationLevel.INFO, label, "spec.replicas", "one replica: no redundancy"))
        return findings

    def errors(self, target: Any) -> list[Finding]:
        """Only the schema errors (what the API server would reject)."""
        return [f for f in self.validate(target) if f.level is ValidationLevel.ERROR]


_SECRET_WORDS: Final = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY")


class SecurityScanner:
    """Pod security findings: privileged containers, host namespaces (critical); privilege escalation allowed,
    root allowed, secrets in plain environment values (high); capabilities not dropped, writable root filesystem,
    no seccomp profile (medium); LoadBalancer Services (low)."""

    def __init__(self, name: str = "scanner") -> None:
        self.name = name

    def scan(self, target: Any) -> list[Finding]:
        findings: list[Finding] = []
        for obj in _objects(target):
            label = _label(obj)
            if obj.get("kind") == "Service" and (obj.get("spec") or {}).get("type") == "LoadBalancer":
                findings.append(Finding(SecurityLevel.LOW, label, "spec.type", "exposed outside the cluster"))
            found = _pod(obj)
            if found is None:
                continue
            path, pod = found
            pod_context = pod.get("securityContext") or {}
            for key in ("hostNetwork", "hostPID", "hostIPC"):
                if pod.get(key):
                    findings.append(
                        Finding(SecurityLevel.CRITICAL, label, f"{path}.{key}", "shares the host's namespace")
                    )
            for where, container in _containers(pod):
                at = f"{path}.{where}"
                context = container.get("securityContext") or {}
                if context.get("privileged"):
                    findings.append(
                        Finding(SecurityLevel.CRITICAL, label, f"{at}.securityContext.privileged", "privileged")
                    )
                if context.get("allowPrivilegeEscalation") is not False:
                    findings.append(
                        Finding(SecurityLevel.HIGH, label, f"{at}.securityContext", "privilege escalation is allowed")
                    )
                if not (context.get("runAsNonRoot") or pod_context.get("runAsNonRoot")):
                    findings.append(Finding(SecurityLevel.HIGH, label, f"{at}.securityContext", "may run as root"))
                for index, env in enumerate(container.get("env") or []):
                    name = str(env.get("name", "")).upper()
                    if "value" in env and any(word in name for word in _SECRET_WORDS):
                        findings.append(
                            Finding(SecurityLevel.HIGH, label, f"{at}.env[{index}]", f"{env['name']} is a plain value")
                        )
                if "ALL" not in ((context.get("capabilities") or {}).get("drop") or []):
                    findings.append(Finding(SecurityLevel.MEDIUM, label, f"{at}.securityContext", "capabilities kept"))
                if not context.get("readOnlyRootFilesystem"):
                    findings.append(
                        Finding(SecurityLevel.MEDIUM, label, f"{at}.securityContext", "root filesystem is writable")
                    )
                if not (context.get("seccompProfile") or pod_context.get("seccompProfile")):
                    findings.append(Finding(SecurityLevel.MEDIUM, label, f"{at}.securityContext", "no seccomp profile"))
        return findings


class CloudProvider(enum.Enum):
    AWS = "aws"
    GCP = "gcp"
    AZURE = "azure"


# On-demand list prices in USD (general-purpose instances, per vCPU-hour and GiB-hour; block storage per
# GiB-month), rounded: an estimate for comparing configurations, not a bill.
PRICES: Final = {
    CloudProvider.AWS: {"cpu": Fraction("0.0336"), "memory": Fraction("0.0045"), "storage": Fraction("0.08")},
    CloudProvider.GCP: {"cpu": Fraction("0.0316"), "memory": Fraction("0.0042"), "storage": Fraction("0.10")},
    CloudProvider.AZURE: {"cpu": Fraction("0.0340"), "memory": Fraction("0.0046"), "storage": Fraction("0.075")},
}
HOURS_PER_MONTH: Final = 730
_GIB: Final = Fraction(1024**3)


@dataclass(frozen=True)
class CostEstimate:
    """A monthly estimate: the CPU cores, memory GiB and storage GiB requested in total, and their cost."""

    cpu_cores: Fraction
    memory_gib: Fraction
    storage_gib: Fraction
    monthly_cost: Fraction

    def __str__(self) -> str:
        return f"${float(self.monthly_cost):.2f}/month"


class CostEstimator:
    """The monthly cost of the resources requested: CPU and memory requests times replicas (a CronJob's or Job's
    pods count once, as if always running), and claim sizes (a StatefulSet's templates times its replicas)."""

    def __init__(self, cloud_provider: CloudProvider | str = CloudProvider.AWS) -> None:
        try:
            self.cloud_provider = CloudProvider(cloud_provider)
        except ValueError:
            raise fail(
                f"CostEstimator: unknown cloud_provider {cloud_provider!r}",
                f"Use one of {', '.join(p.value for p in CloudProvider)}.",
            ) from None

    def estimate(self, target: Any) -> CostEstimate:
        cpu = memory = storage = Fraction(0)
        for obj in _objects(target):
            spec = obj.get("spec") or {}
            replicas = Fraction(spec.get("replicas", 1)) if obj.get("kind") in ("Deployment", "StatefulSet") else 1
            found = _pod(obj)
            if found is not None:
                for where, container in _containers(found[1]):
                    if where.startswith("initContainers"):
                        continue
                    requests = (container.get("resources") or {}).get("requests") or {}
                    cpu += parse_quantity(str(requests.get("cpu", "0"))) * replicas
                    memory += parse_quantity(str(requests.get("memory", "0"))) / _GIB * replicas
            for claim in spec.get("volumeClaimTemplates") or []:
                size = (((claim.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage", "0")
                storage += parse_quantity(str(size)) / _GIB * replicas
            if obj.get("kind") == "PersistentVolumeClaim":
                storage += parse_quantity(str(spec["resources"]["requests"]["storage"])) / _GIB
        price = PRICES[self.cloud_provider]
        cost = (cpu * price["cpu"] + memory * price["memory"]) * HOURS_PER_MONTH + storage * price["storage"]
        return CostEstimate(cpu, memory, storage, cost)


def _fraction(value: Any, what: str, low: float = 0.0, high: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low < value <= high:
        raise fail(f"{what} must be a fraction above {low} and at most {high}, got {value!r}", "Write 0.7 for 70%.")
    return float(value)


class OptimizationStrategy(enum.Enum):
    """Presets of CostOptimization's checks (``set_strategy``): CONSERVATIVE only flags missing requests and
    oversized limits; BALANCED adds HPA targets below 70% CPU / 80% memory, fixed replica counts and claims without a
    storage class; AGGRESSIVE also recommends spot nodes and wants HPA targets of 80% / 85%; CUSTOM keeps the checks
    switched on one by one."""

    AGGRESSIVE = "aggressive"
    BALANCED = "balanced"
    CONSERVATIVE = "conservative"
    CUSTOM = "custom"


_PRESETS: Final[dict[str, dict[str, Any]]] = {
    "conservative": {"resource_optimization": True},
    "balanced": {
        "resource_optimization": True,
        "cpu": 0.7,
        "memory": 0.8,
        "autoscaling_optimization": True,
        "storage_optimization": True,
    },
    "aggressive": {
        "resource_optimization": True,
        "cpu": 0.8,
        "memory": 0.85,
        "autoscaling_optimization": True,
        "storage_optimization": True,
        "spot_instance_recommendation": True,
    },
}


class CostOptimization:
    """Cost recommendations for objects, each kind switched on by its method; ``analyze(target)`` returns them
    as findings (``ValidationLevel.INFO`` advice, ``WARNING`` for what prevents efficient packing)."""

    def __init__(self, name: str = "cost-optimization") -> None:
        self.name = name
        self._checks: dict[str, Any] = {}

    def _switch(self, check: str, enabled: Any, setting: Any = True) -> CostOptimization:
        if not isinstance(enabled, bool):
            raise fail(f"CostOptimization.{check}() takes True or False, got {enabled!r}")
        if enabled:
            self._checks[check] = setting
        else:
            self._checks.pop(check, None)
        return self

    def set_strategy(self, strategy: OptimizationStrategy | str) -> CostOptimization:
        """Switch on the checks of a preset (see OptimizationStrategy); CUSTOM leaves them as they are."""
        try:
            chosen = strategy if isinstance(strategy, OptimizationStrategy) else OptimizationStrategy(str(strategy))
        except ValueError:
            raise fail(
                f"CostOptimization.set_strategy() takes an OptimizationStrategy, got {strategy!r}",
                "Use OptimizationStrategy.BALANCED (or AGGRESSIVE, CONSERVATIVE, CUSTOM).",
            ) from None
        if chosen is not OptimizationStrategy.CUSTOM:
            self._checks = dict(_PRESETS[chosen.value])
        return self

    def resource_optimization(self, enabled: bool = True) -> CostOptimization:
        """Containers without requests (warning) and limits over 4x their request (info)."""
        return self._switch("resource_optimization", enabled)

    def cpu_optimization(self, target_utilization: float = 0.7) -> CostOptimization:
        """HorizontalPodAutoscalers whose CPU target is below ``target_utilization``."""
        return self._switch("cpu", True, _fraction(target_utilization, "cpu_optimization target_utilization"))

    def memory_optimization(self, target_utilization: float = 0.8) -> CostOptimization:
        """HorizontalPodAutoscalers whose memory target is below ``target_utilization``."""
        return self._switch("memory", True, _fraction(target_utilization, "memory_optimization target_utilization"))

    def spot_instance_recommendation(self, enabled: bool = True) -> CostOptimization:
        """Deployments of two or more replicas: they tolerate losing a node, so spot nodes fit them."""
        return self._switch("spot_instance_recommendation", enabled)

    def autoscaling_optimization(self, enabled: bool = True) -> CostOptimization:
        """Deployments fixed at three or more replicas with no HorizontalPodAutoscaler."""
        return self._switch("autoscaling_optimization", enabled)

    def storage_optimization(self, enabled: bool = True) -> CostOptimization:
        """Claims without a storage class (they get the cluster's default, often not the cheapest)."""
        return self._switch("storage_optimization", enabled)

    def analyze(self, target: Any) -> list[Finding]:
        if not self._checks:
            raise fail(f"CostOptimization {self.name!r} enables no check", "Call .resource_optimization() (or others).")
        objects = _objects(target)
        scaled = {
            ((o.get("spec") or {}).get("scaleTargetRef") or {}).get("name")
            for o in objects
            if o.get("kind") == "HorizontalPodAutoscaler"
        }
        findings: list[Finding] = []
        for obj in objects:
            findings += self._analyze(obj, scaled)
        return findings

    def _analyze(self, obj: dict[str, Any], scaled: set[Any]) -> list[Finding]:
        out: list[Finding] = []
        label, kind, spec = _label(obj), obj.get("kind"), obj.get("spec") or {}
        name = (obj.get("metadata") or {}).get("name")
        found = _pod(obj)
        if "resource_optimization" in self._checks and found is not None:
            for where, container in _containers(found[1]):
                at = f"{found[0]}.{where}.resources"
                resources = container.get("resources") or {}
                requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
                if not requests:
                    out.append(Finding(ValidationLevel.WARNING, label, at, "no requests: the scheduler cannot pack it"))
                for key in ("cpu", "memory"):
                    if key in requests and key in limits:
                        ratio = parse_quantity(str(limits[key])) / parse_quantity(str(requests[key]))
                        if ratio > 4:
                            out.append(
                                Finding(
                                    ValidationLevel.INFO, label, at, f"{key} limit is {float(ratio):g}x the request"
                                )
                            )
        if kind == "HorizontalPodAutoscaler":
            for index, metric in enumerate(spec.get("metrics") or []):
                resource_name = (metric.get("resource") or {}).get("name")
                percent = (((metric.get("resource") or {}).get("target")) or {}).get("averageUtilization")
                wanted = self._checks.get(resource_name) if resource_name in ("cpu", "memory") else None
                if wanted is not None and percent is not None and percent < wanted * 100:
                    out.append(
                        Finding(
                            ValidationLevel.INFO,
                            label,
                            f"spec.metrics[{index}]",
                            f"{resource_name} target {percent}% is below {wanted * 100:g}%: pods stay underused",
                        )
                    )
        replicas = spec.get("replicas", 1)
        if kind == "Deployment" and "spot_instance_recommendation" in self._checks and replicas >= 2:
            out.append(Finding(ValidationLevel.INFO, label, "spec.replicas", "spot nodes fit it (several replicas)"))
        if kind == "Deployment" and "autoscaling_optimization" in self._checks and replicas >= 3 and name not in scaled:
            out.append(Finding(ValidationLevel.INFO, label, "spec.replicas", f"fixed at {replicas}: consider Scaling"))
        if "storage_optimization" in self._checks:
            claims = [
                (f"spec.volumeClaimTemplates[{i}].spec", c.get("spec") or {})
                for i, c in enumerate(spec.get("volumeClaimTemplates") or [])
            ]
            if kind == "PersistentVolumeClaim":
                claims.append(("spec", spec))
            for at, claim in claims:
                if not claim.get("storageClassName"):
                    out.append(
                        Finding(ValidationLevel.INFO, label, at, "no storage class: the cluster default is used")
                    )
        return out
