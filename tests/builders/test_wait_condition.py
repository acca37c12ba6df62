"""WaitCondition: each method changes the Job's script or limits as expected, the Role grants exactly what the
script reads, every object is valid Kubernetes 1.35, and the script is valid sh; bad values stop at the call."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from pykro.builders import WaitCondition
from pykro.errors import PykroError
from pykro.schema._kubernetes import validate_object

from .test_every_method import at, implemented

CMD = "spec.template.spec.containers[0].command[2]"
META = {"namespace", "add_label", "add_labels", "add_annotation", "add_annotations"}
# method -> (call, path in the Job, expected value or a line the script must contain)
CASES: dict[str, tuple[Any, str, Any]] = {
    "wait_for_deployment": (
        lambda w: w.wait_for_deployment("api"),
        CMD,
        "kubectl wait --for=condition=Available deployment/api --timeout=300s",
    ),
    "wait_for_statefulset": (
        lambda w: w.wait_for_statefulset("db"),
        CMD,
        "kubectl rollout status statefulset/db --timeout=300s",
    ),
    "wait_for_job": (lambda w: w.wait_for_job("migrate"), CMD, "kubectl wait --for=condition=Complete job/migrate"),
    "wait_for_pod": (lambda w: w.wait_for_pod("db-0"), CMD, "kubectl wait --for=condition=Ready pod/db-0"),
    "wait_for_service": (lambda w: w.wait_for_service("cache"), CMD, "kubectl get endpoints/cache -o jsonpath="),
    "wait_for_configmap": (lambda w: w.wait_for_configmap("cfg"), CMD, "until kubectl get configmap/cfg"),
    "wait_for_secret": (lambda w: w.wait_for_secret("creds"), CMD, "until kubectl get secret/creds"),
    "timeout": (lambda w: w.timeout(60), "spec.activeDeadlineSeconds", 60),
    "retry_interval": (lambda w: w.retry_interval(2), CMD, "do sleep 2; done"),
    "image": (lambda w: w.image("registry.k8s.io/kubectl:v1.35.0"), "spec.template.spec.containers[0].image", None),
}


def base() -> WaitCondition:
    return WaitCondition("ready").wait_for_deployment("app")


def test_every_method_has_a_case() -> None:
    assert implemented(WaitCondition) - META == set(CASES)


@pytest.mark.parametrize("method", sorted(CASES))
def test_the_call_changes_the_job(method: str) -> None:
    call, path, expected = CASES[method]
    before, after = base().objects(), call(base()).objects()
    assert at(after, "Job", "ready", path) != at(before, "Job", "ready", path)
    got = at(after, "Job", "ready", path)
    if isinstance(expected, str) and path == CMD:
        assert expected in got
    elif expected is not None:
        assert got == expected
    for obj in after:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))


def test_the_role_grants_what_the_script_reads() -> None:
    objects = base().wait_for_job("migrate").wait_for_secret("creds").wait_for_service("cache").objects()
    role = next(o for o in objects if o["kind"] == "Role")
    assert role["rules"] == [
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]},
        {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "watch"]},
        {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["creds"], "verbs": ["get"]},
        {"apiGroups": [""], "resources": ["endpoints"], "verbs": ["get", "list", "watch"]},
    ]
    binding = next(o for o in objects if o["kind"] == "RoleBinding")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "ready"}]
    job = next(o for o in objects if o["kind"] == "Job")
    assert job["spec"]["template"]["spec"]["serviceAccountName"] == "ready"


@pytest.mark.skipif(shutil.which("sh") is None, reason="no sh")
def test_the_script_is_valid_sh() -> None:
    script = at(base().wait_for_service("cache").wait_for_statefulset("db").objects(), "Job", "ready", CMD)
    subprocess.run(["sh", "-n", "-c", script], check=True)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: WaitCondition("w").wait_for_deployment("My App"), "is not a valid DNS-1123"),
        (lambda: WaitCondition("w").timeout(0), "timeout must be a whole number >= 1"),
        (lambda: WaitCondition("w").retry_interval("5s"), "retry_interval must be a whole number"),
    ],
)
def test_bad_values_stop_at_the_call(make: Any, message: str) -> None:
    with pytest.raises(PykroError, match=message) as caught:
        make()
    assert caught.value.where is not None and "test_wait_condition.py" in caught.value.where


def test_waiting_for_nothing_is_an_error() -> None:
    with pytest.raises(PykroError, match="waits for nothing"):
        WaitCondition("w").objects()


def test_dependency_manager_methods_are_waits() -> None:
    from pykro.builders import DependencyManager

    cases = {
        "depends_on": (lambda d: d.depends_on("database"), "kubectl get endpoints/database -o jsonpath="),
        "depends_on_service": (lambda d: d.depends_on_service("cache"), "until kubectl get endpoints/cache"),
        "depends_on_deployment": (lambda d: d.depends_on_deployment("api"), "condition=Available deployment/api"),
        "depends_on_statefulset": (lambda d: d.depends_on_statefulset("db"), "rollout status statefulset/db"),
        "depends_on_job": (lambda d: d.depends_on_job("migrate"), "condition=Complete job/migrate"),
        "depends_on_secret": (lambda d: d.depends_on_secret("creds"), "until kubectl get secret/creds"),
        "depends_on_configmap": (lambda d: d.depends_on_configmap("cfg"), "until kubectl get configmap/cfg"),
        "dependency_timeout": (lambda d: d.dependency_timeout(90), "--timeout=90s"),
        "dependency_retry_interval": (lambda d: d.dependency_retry_interval(3), "do sleep 3; done"),
    }
    assert implemented(DependencyManager) - META - set(CASES) == set(cases)
    for method, (call, line) in cases.items():
        before = at(DependencyManager("deps").depends_on_deployment("x").objects(), "Job", "deps", CMD)
        objects = call(DependencyManager("deps").depends_on_deployment("x")).objects()
        after = at(objects, "Job", "deps", CMD)
        assert after != before and line in after, method
        for obj in objects:
            assert validate_object(obj) == [], (obj["kind"], validate_object(obj))
