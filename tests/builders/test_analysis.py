"""Validator, SecurityScanner and CostEstimator on inputs whose findings and costs are known by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pykro.builders import (
    App,
    CloudProvider,
    CostEstimator,
    SecurityLevel,
    SecurityPolicy,
    SecurityScanner,
    StatefulApp,
    ValidationLevel,
    Validator,
)
from pykro.errors import PykroError

C = "spec.template.spec.containers[0]"


def test_validator_finds_the_missing_practices() -> None:
    findings = Validator().validate(App("web").image("nginx").port(80))
    got = {(f.level, f.obj, f.field, f.message) for f in findings}
    assert got == {
        (ValidationLevel.WARNING, "Deployment/web", f"{C}.resources", "no resource requests"),
        (ValidationLevel.WARNING, "Deployment/web", f"{C}.resources", "no resource limits"),
        (ValidationLevel.WARNING, "Deployment/web", f"{C}.image", "'nginx' is not pinned"),
        (ValidationLevel.WARNING, "Deployment/web", C, "no readiness probe"),
        (ValidationLevel.WARNING, "Deployment/web", C, "no liveness probe"),
        (ValidationLevel.INFO, "Deployment/web", "spec.replicas", "one replica: no redundancy"),
    }


def test_validator_is_quiet_on_a_well_made_app_and_reports_schema_errors() -> None:
    app = (
        App("web")
        .image("registry.example.com:5000/web:1.4.2")
        .port(8080)
        .replicas(3)
        .resources(cpu="250m", memory="256Mi", cpu_limit="1", memory_limit="512Mi")
        .health_check("/healthz")
    )
    assert Validator().validate(app) == []
    broken = app.objects()[0]
    broken["spec"]["replicas"] = "three"
    errors = Validator().errors([broken])
    assert [(f.obj, f.field) for f in errors] == [("Deployment/web", "spec.replicas")]


def test_security_scanner_findings() -> None:
    plain = App("web").image("nginx:1.27").port(80).expose(external=True).env("DB_PASSWORD", "hunter2")
    got = {(f.level, f.obj, f.message) for f in SecurityScanner().scan(plain)}
    assert got == {
        (SecurityLevel.HIGH, "Deployment/web", "privilege escalation is allowed"),
        (SecurityLevel.HIGH, "Deployment/web", "may run as root"),
        (SecurityLevel.HIGH, "Deployment/web", "DB_PASSWORD is a plain value"),
        (SecurityLevel.MEDIUM, "Deployment/web", "capabilities kept"),
        (SecurityLevel.MEDIUM, "Deployment/web", "root filesystem is writable"),
        (SecurityLevel.MEDIUM, "Deployment/web", "no seccomp profile"),
        (SecurityLevel.LOW, "Service/web", "exposed outside the cluster"),
    }
    hardened = (
        App("web")
        .image("nginx:1.27")
        .add_security_policy(SecurityPolicy("p").pod_security_standard("restricted").read_only_root_filesystem())
    )
    assert SecurityScanner().scan(hardened) == []
    privileged = App("web").image("x:1").security_context({"privileged": True}).objects()[0]
    privileged["spec"]["template"]["spec"]["hostNetwork"] = True
    critical = [f.field for f in SecurityScanner().scan(privileged) if f.level is SecurityLevel.CRITICAL]
    assert critical == ["spec.template.spec.hostNetwork", f"{C}.securityContext.privileged"]


def test_cost_estimates_by_hand() -> None:
    app = App("web").image("nginx:1.27").replicas(2).resources(cpu="500m", memory="1Gi")
    estimate = CostEstimator().estimate(app)
    assert (estimate.cpu_cores, estimate.memory_gib, estimate.storage_gib) == (1, 2, 0)  # type: ignore[comparison-overlap]
    assert estimate.monthly_cost == (Fraction("0.0336") * 1 + Fraction("0.0045") * 2) * 730  # $31.10
    assert str(estimate) == "$31.10/month"
    db = StatefulApp("db").image("postgres:15").replicas(3).storage("10Gi").resources(memory="512Mi")
    db_cost = CostEstimator(CloudProvider.GCP).estimate(db)
    assert (db_cost.cpu_cores, db_cost.memory_gib, db_cost.storage_gib) == (0, Fraction(3, 2), 30)  # type: ignore[comparison-overlap]
    assert db_cost.monthly_cost == Fraction(3, 2) * Fraction("0.0042") * 730 + 30 * Fraction("0.10")
    both = CostEstimator("aws").estimate([app, db])
    assert both.cpu_cores == 1 and both.memory_gib == Fraction(7, 2) and both.storage_gib == 30


def test_bad_inputs() -> None:
    with pytest.raises(PykroError, match="unknown cloud_provider 'ibm'"):
        CostEstimator("ibm")
    with pytest.raises(PykroError, match="expected a builder or Kubernetes objects"):
        Validator().validate(42)


@pytest.mark.parametrize(
    "name", ["TerraformOutput", "PluginManager", "PluginBase", "TemplateManager", "TemplateEngine"]
)
def test_terraform_and_plugins_are_not_supported(name: str) -> None:
    import pykro.celestra

    with pytest.raises(PykroError, match=rf"{name} is not supported: .*\. Use ") as caught:
        getattr(pykro.celestra, name)("anything", key="value")
    assert caught.value.where is not None and "test_analysis.py" in caught.value.where


def test_cost_optimization_recommendations() -> None:
    from pykro.builders import CostOptimization, Scaling, ValidationLevel

    web = App("web").image("nginx:1.27").replicas(3).resources(cpu="100m", memory="128Mi", cpu_limit="1")
    api = App("api").image("api:1").replicas(4).scale(Scaling("api").target_cpu_utilization(50).max_replicas(8))
    db = StatefulApp("db").image("postgres:15").storage("10Gi")
    optimizer = (
        CostOptimization("opt")
        .resource_optimization()
        .cpu_optimization(0.7)
        .spot_instance_recommendation()
        .autoscaling_optimization()
        .storage_optimization()
    )
    got = {(f.level, f.obj, f.field, f.message) for f in optimizer.analyze([web, api, db])}
    pod = "spec.template.spec.containers[0].resources"
    assert got == {
        (ValidationLevel.INFO, "Deployment/web", pod, "cpu limit is 10x the request"),
        (ValidationLevel.WARNING, "Deployment/api", pod, "no requests: the scheduler cannot pack it"),
        (ValidationLevel.WARNING, "StatefulSet/db", pod, "no requests: the scheduler cannot pack it"),
        (
            ValidationLevel.INFO,
            "HorizontalPodAutoscaler/api",
            "spec.metrics[0]",
            "cpu target 50% is below 70%: pods stay underused",
        ),
        (ValidationLevel.INFO, "Deployment/web", "spec.replicas", "spot nodes fit it (several replicas)"),
        (ValidationLevel.INFO, "Deployment/api", "spec.replicas", "spot nodes fit it (several replicas)"),
        (ValidationLevel.INFO, "Deployment/web", "spec.replicas", "fixed at 3: consider Scaling"),
        (
            ValidationLevel.INFO,
            "StatefulSet/db",
            "spec.volumeClaimTemplates[0].spec",
            "no storage class: the cluster default is used",
        ),
    }
    assert (
        CostOptimization()
        .resource_optimization()
        .resource_optimization(False)
        .spot_instance_recommendation()
        .analyze(App("one").image("x:1"))
        == []
    )
    with pytest.raises(PykroError, match="enables no check"):
        CostOptimization("o").analyze(web)
    with pytest.raises(PykroError, match=r"must be a fraction above 0\.0 and at most 1\.0, got 70"):
        CostOptimization("o").cpu_optimization(70)
