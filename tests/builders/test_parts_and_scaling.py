"""Companion, Lifecycle, Scaling and DeploymentStrategy: every method (enumerated) changes the rendered objects at
its path, to the value expected; the objects are valid Kubernetes 1.35; bad values stop at the caller's line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pykro.builders import App, Companion, DeploymentStrategy, Lifecycle, Scaling, StatefulApp
from pykro.errors import PykroError
from pykro.schema._kubernetes import validate_object

from .test_every_method import at, implemented

POD = "spec.template.spec"
META_SKIPPED = {"namespace", "add_label", "add_labels", "add_annotation", "add_annotations"}


def _with_companion(call: Callable[[Companion], Any]) -> list[dict[str, Any]]:
    companion = Companion("side").image("busybox:1")
    call(companion)
    return App("web").image("nginx").add_companion(companion).objects()


def _with_lifecycle(call: Callable[[Lifecycle], Any]) -> list[dict[str, Any]]:
    lifecycle = Lifecycle().post_start(["true"])
    call(lifecycle)
    return App("web").image("nginx").add_lifecycle(lifecycle).objects()


def _with_scaling(call: Callable[[Scaling], Any]) -> list[dict[str, Any]]:
    scaling = Scaling("web-hpa").max_replicas(5)
    call(scaling)
    return App("web").image("nginx").scale(scaling).objects()


def _with_strategy(call: Callable[[DeploymentStrategy], Any]) -> list[dict[str, Any]]:
    strategy = DeploymentStrategy("s")
    call(strategy)
    return App("web").image("nginx").deployment_strategy(strategy).objects()


C1 = f"{POD}.containers[1]"
# class -> method -> (call, kind, name, path, expected)
CASES: dict[type, tuple[Callable[..., list[dict[str, Any]]], dict[str, tuple[Any, str, str, str, Any]]]] = {
    Companion: (
        _with_companion,
        {
            "image": (lambda c: c.image("busybox:2"), "Deployment", "web", f"{C1}.image", "busybox:2"),
            "type": (lambda c: c.type("init"), "Deployment", "web", f"{POD}.initContainers[0].name", "side"),
            "wait_for_completion": (
                lambda c: c.wait_for_completion(),
                "Deployment",
                "web",
                f"{POD}.initContainers[0].image",
                "busybox:1",
            ),
            "command": (lambda c: c.command(["tail", "-F", "/x"]), "Deployment", "web", f"{C1}.command", None),
            "args": (lambda c: c.args(["-v"]), "Deployment", "web", f"{C1}.args", ["-v"]),
            "port": (
                lambda c: c.port(9000, "side"),
                "Deployment",
                "web",
                f"{C1}.ports",
                [{"containerPort": 9000, "protocol": "TCP", "name": "side"}],
            ),
            "env": (lambda c: c.env("LEVEL", 3), "Deployment", "web", f"{C1}.env", [{"name": "LEVEL", "value": "3"}]),
            "environment": (
                lambda c: c.environment({"A": "1"}),
                "Deployment",
                "web",
                f"{C1}.env",
                [{"name": "A", "value": "1"}],
            ),
            "resources": (
                lambda c: c.resources(cpu="50m", memory_limit="64Mi"),
                "Deployment",
                "web",
                f"{C1}.resources",
                {"requests": {"cpu": "50m"}, "limits": {"memory": "64Mi"}},
            ),
            "mount_shared_volume": (
                lambda c: c.mount_shared_volume("/var/log"),
                "Deployment",
                "web",
                f"{POD}.containers[0].volumeMounts",
                [{"name": "side-shared", "mountPath": "/var/log"}],
            ),
            "sidecar_image": (lambda c: c.sidecar_image("busybox:3"), "Deployment", "web", f"{C1}.image", "busybox:3"),
            "sidecar_port": (
                lambda c: c.sidecar_port(9100),
                "Deployment",
                "web",
                f"{C1}.ports",
                [{"containerPort": 9100, "protocol": "TCP"}],
            ),
            "sidecar_command": (lambda c: c.sidecar_command(["run"]), "Deployment", "web", f"{C1}.command", ["run"]),
            "sidecar_args": (lambda c: c.sidecar_args(["-q"]), "Deployment", "web", f"{C1}.args", ["-q"]),
            "sidecar_environment": (
                lambda c: c.sidecar_environment({"B": "2"}),
                "Deployment",
                "web",
                f"{C1}.env",
                [{"name": "B", "value": "2"}],
            ),
            "sidecar_resources": (
                lambda c: c.sidecar_resources(cpu="10m"),
                "Deployment",
                "web",
                f"{C1}.resources",
                {"requests": {"cpu": "10m"}},
            ),
            "init_container": (
                lambda c: c.init_container("side", "busybox:4"),
                "Deployment",
                "web",
                f"{POD}.initContainers[0].image",
                "busybox:4",
            ),
            "init_command": (
                lambda c: c.init_command(["migrate"]),
                "Deployment",
                "web",
                f"{POD}.initContainers[0].command",
                ["migrate"],
            ),
            "init_args": (lambda c: c.init_args(["-x"]), "Deployment", "web", f"{POD}.initContainers[0].args", ["-x"]),
            "init_environment": (
                lambda c: c.init_environment({"C": "3"}),
                "Deployment",
                "web",
                f"{POD}.initContainers[0].env",
                [{"name": "C", "value": "3"}],
            ),
            "init_resources": (
                lambda c: c.init_resources(memory="32Mi"),
                "Deployment",
                "web",
                f"{POD}.initContainers[0].resources",
                {"requests": {"memory": "32Mi"}},
            ),
        },
    ),
    Lifecycle: (
        _with_lifecycle,
        {
            "post_start": (
                lambda lc: lc.post_start(["sh", "-c", "echo hi"]),
                "Deployment",
                "web",
                f"{POD}.containers[0].lifecycle.postStart.exec.command",
                ["sh", "-c", "echo hi"],
            ),
            "post_start_command": (
                lambda lc: lc.post_start_command(["warm"]),
                "Deployment",
                "web",
                f"{POD}.containers[0].lifecycle.postStart.exec.command",
                ["warm"],
            ),
            "pre_stop": (
                lambda lc: lc.pre_stop(["sleep", "5"]),
                "Deployment",
                "web",
                f"{POD}.containers[0].lifecycle.preStop.exec.command",
                ["sleep", "5"],
            ),
            "pre_stop_command": (
                lambda lc: lc.pre_stop_command(["drain"]),
                "Deployment",
                "web",
                f"{POD}.containers[0].lifecycle.preStop.exec.command",
                ["drain"],
            ),
            "pre_stop_http": (
                lambda lc: lc.pre_stop_http("/shutdown", 8080),
                "Deployment",
                "web",
                f"{POD}.containers[0].lifecycle.preStop.httpGet",
                {"path": "/shutdown", "port": 8080},
            ),
            "termination_grace_period": (
                lambda lc: lc.termination_grace_period(45),
                "Deployment",
                "web",
                f"{POD}.terminationGracePeriodSeconds",
                45,
            ),
        },
    ),
    Scaling: (
        _with_scaling,
        {
            "horizontal_pod_autoscaler": (
                lambda s: s.horizontal_pod_autoscaler(),
                "HorizontalPodAutoscaler",
                "web-hpa",
                "spec.metrics[0].resource.target.averageUtilization",
                80,
            ),
            "target_cpu_utilization": (
                lambda s: s.target_cpu_utilization(70),
                "HorizontalPodAutoscaler",
                "web-hpa",
                "spec.metrics[0].resource",
                {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
            ),
            "target_memory_utilization": (
                lambda s: s.target_memory_utilization(80),
                "HorizontalPodAutoscaler",
                "web-hpa",
                "spec.metrics[0].resource.name",
                "memory",
            ),
            "min_replicas": (lambda s: s.min_replicas(2), "HorizontalPodAutoscaler", "web-hpa", "spec.minReplicas", 2),
            "max_replicas": (lambda s: s.max_replicas(9), "HorizontalPodAutoscaler", "web-hpa", "spec.maxReplicas", 9),
            "scale_up_delay": (
                lambda s: s.scale_up_delay(60),
                "HorizontalPodAutoscaler",
                "web-hpa",
                "spec.behavior.scaleUp.stabilizationWindowSeconds",
                60,
            ),
            "scale_down_delay": (
                lambda s: s.scale_down_delay(300),
                "HorizontalPodAutoscaler",
                "web-hpa",
                "spec.behavior.scaleDown.stabilizationWindowSeconds",
                300,
            ),
            "scale_target": (
                lambda s: s.scale_target("api", "StatefulSet"),
                "HorizontalPodAutoscaler",
                "web-hpa",
                "spec.scaleTargetRef",
                {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "api"},
            ),
        },
    ),
    DeploymentStrategy: (
        _with_strategy,
        {
            "recreate": (lambda d: d.recreate(), "Deployment", "web", "spec.strategy", {"type": "Recreate"}),
            "rolling_update": (
                lambda d: d.rolling_update(max_surge=2),
                "Deployment",
                "web",
                "spec.strategy",
                {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2, "maxUnavailable": "25%"}},
            ),
            "max_surge": (
                lambda d: d.max_surge("25%"),
                "Deployment",
                "web",
                "spec.strategy.rollingUpdate",
                {"maxSurge": "25%"},
            ),
            "max_unavailable": (
                lambda d: d.max_unavailable(0),
                "Deployment",
                "web",
                "spec.strategy.rollingUpdate",
                {"maxUnavailable": 0},
            ),
            "min_ready_seconds": (lambda d: d.min_ready_seconds(10), "Deployment", "web", "spec.minReadySeconds", 10),
            "recreate_strategy": (
                lambda d: d.recreate_strategy(),
                "Deployment",
                "web",
                "spec.strategy",
                {"type": "Recreate"},
            ),
        },
    ),
}


def test_every_method_has_a_case() -> None:
    for cls, (_, cases) in CASES.items():
        assert implemented(cls) - META_SKIPPED == set(cases), (cls.__name__, implemented(cls) ^ set(cases))


PARAMS = [(cls, m) for cls, (_, cases) in CASES.items() for m in sorted(cases)]


@pytest.mark.parametrize(("cls", "method"), PARAMS, ids=[f"{c.__name__}.{m}" for c, m in PARAMS])
def test_the_call_changes_the_output(cls: type, method: str) -> None:
    render, cases = CASES[cls]
    call, kind, name, path, expected = cases[method]
    before, after = render(lambda b: b), render(call)
    assert at(after, kind, name, path) != at(before, kind, name, path)
    if expected is not None:
        assert at(after, kind, name, path) == expected
    for obj in after:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))


def test_a_stateful_app_with_a_companion_and_a_standalone_scaling() -> None:
    db = StatefulApp("db").image("postgres:15").storage("1Gi")
    db.add_companion(Companion("exporter").image("postgres-exporter:0.15").port(9187, "metrics"))
    objects = db.objects() + Scaling("db-hpa").scale_target("db", "StatefulSet").max_replicas(3).objects()
    for obj in objects:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))
    names = [c["name"] for c in at(objects, "StatefulSet", "db", f"{POD}.containers")]
    assert names == ["db", "exporter"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Companion("side").type("ambassador"), "Companion type must be one of"),
        (lambda: Companion("side").port(0), "from 1 to 65535"),
        (lambda: Companion("side").mount_shared_volume("logs"), "must be an absolute path"),
        (lambda: Companion("side").resources(cpu="lots"), "must be a Kubernetes quantity"),
        (lambda: Companion("side").resources(memory_limit="lots"), r"\(\): memory_limit must be a Kubernetes quantity"),
        (lambda: Companion("side").env("A", None), "must be text or a number"),
        (lambda: Companion("Side Car"), "is not a valid DNS-1123 label"),
        (lambda: App("web").add_companion(Companion("web")), "two containers named 'web'"),
        (lambda: Lifecycle().pre_stop([]), "pre_stop is empty"),
        (lambda: Lifecycle().pre_stop_http("/x", 70000), "from 1 to 65535"),
        (lambda: Lifecycle().termination_grace_period(-5), "termination_grace_period must be a whole number"),
        (lambda: Scaling("h").target_cpu_utilization(0), "target_cpu_utilization must be a whole number >= 1"),
        (lambda: Scaling("h").min_replicas(0), "min_replicas must be a whole number >= 1"),
        (lambda: Scaling("h").scale_down_delay(7200), "at most 3600 seconds"),
        (lambda: Scaling("h").scale_target("web", "DaemonSet"), "must be Deployment or StatefulSet"),
        (lambda: DeploymentStrategy("s").max_surge("lots"), "max_surge must be a whole number"),
        (lambda: DeploymentStrategy("s").recreate().max_surge(1), "is Recreate: it has no maxSurge"),
        (lambda: DeploymentStrategy("s").canary_deployment(), r"canary_deployment\(\) is not supported"),
    ],
)
def test_bad_values_stop_at_the_call(make: Any, message: str) -> None:
    with pytest.raises(PykroError, match=message) as caught:
        make()
    assert caught.value.where is not None and "test_parts_and_scaling.py" in caught.value.where


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: App("web").image("x").add_companion(Companion("side")), "Companion 'side' has no image"),
        (lambda: App("web").image("x").scale(Scaling("h")), "has no max_replicas"),
        (lambda: App("web").image("x").scale(Scaling("h").min_replicas(5).max_replicas(2)), "is above max_replicas"),
        (lambda: Scaling("h").max_replicas(2), "scales nothing"),
        (lambda: Lifecycle(), "makes no object of its own"),
    ],
)
def test_incomplete_parts_fail_when_rendered(make: Any, message: str) -> None:
    with pytest.raises(PykroError, match=message):
        make().objects()
