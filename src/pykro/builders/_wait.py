"""WaitCondition: a Job that waits until other objects are ready (``kubectl wait``/``rollout status`` in a pod),
with the ServiceAccount, Role and RoleBinding that let it read exactly those objects.

``WaitCondition("app-ready").wait_for_deployment("app").wait_for_job("migrate").timeout(300)`` makes a Job
``app-ready`` that succeeds once Deployment ``app`` is Available and Job ``migrate`` Complete, and fails after 300s.
"""

from __future__ import annotations

import shlex
from typing import Any, Final

from pykro.authoring._location import fail
from pykro.authoring._resource import ResourceRef
from pykro.builders._base import Builder, builder_method, dns_name
from pykro.builders._base import count as check_count
from pykro.builders._base import image as check_image
from pykro.builders._rbac import Role, RoleBinding, ServiceAccount
from pykro.simple import Job as _Job

__all__ = ["DependencyManager", "WaitCondition"]

KUBECTL_IMAGE: Final = "bitnami/kubectl:1.35"
# kind -> (api group, resource, what kubectl waits for)
_TARGETS: Final = {
    "deployment": ("apps", "deployments", "condition=Available"),
    "statefulset": ("apps", "statefulsets", None),  # rollout status
    "job": ("batch", "jobs", "condition=Complete"),
    "pod": ("", "pods", "condition=Ready"),
    "service": ("", "endpoints", None),  # until it has an address
    "configmap": ("", "configmaps", None),  # until it exists
    "secret": ("", "secrets", None),
}


class WaitCondition(Builder):
    """A Job that waits for Deployments, StatefulSets, Jobs, Pods, Services (an endpoint address), ConfigMaps and
    Secrets (they exist), in the order the calls were made."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._waits: list[tuple[str, str]] = []
        self._timeout: Any = 300
        self._interval: Any = 5
        self._image: Any = KUBECTL_IMAGE

    def _wait(self, kind: str, name: Any) -> WaitCondition:
        self._waits.append((kind, dns_name(name, f"wait_for_{kind} name")))
        return self

    @builder_method
    def wait_for_deployment(self, name: str) -> WaitCondition:
        return self._wait("deployment", name)

    @builder_method
    def wait_for_statefulset(self, name: str) -> WaitCondition:
        return self._wait("statefulset", name)

    @builder_method
    def wait_for_job(self, name: str) -> WaitCondition:
        return self._wait("job", name)

    @builder_method
    def wait_for_pod(self, name: str) -> WaitCondition:
        return self._wait("pod", name)

    @builder_method
    def wait_for_service(self, name: str) -> WaitCondition:
        return self._wait("service", name)

    @builder_method
    def wait_for_configmap(self, name: str) -> WaitCondition:
        return self._wait("configmap", name)

    @builder_method
    def wait_for_secret(self, name: str) -> WaitCondition:
        return self._wait("secret", name)

    @builder_method
    def timeout(self, seconds: Any) -> WaitCondition:
        """How long to wait in all (the Job's activeDeadlineSeconds and each kubectl --timeout)."""
        self._timeout = check_count(seconds, "timeout", least=1)
        return self

    @builder_method
    def retry_interval(self, seconds: Any) -> WaitCondition:
        """Seconds between two looks at a Service, ConfigMap or Secret."""
        self._interval = check_count(seconds, "retry_interval", least=1)
        return self

    @builder_method
    def image(self, image: Any) -> WaitCondition:
        """The image with kubectl and sh (default ``bitnami/kubectl:1.35``)."""
        self._image = check_image(image)
        return self

    def _script(self) -> str:
        """One step per wait, in call order: first until the object exists, then until it is ready."""
        steps = []
        limit = f"--timeout={self._timeout}s"
        for kind, name in self._waits:
            target = f"{'endpoints' if kind == 'service' else kind}/{shlex.quote(name)}"
            steps.append(f"until kubectl get {target} >/dev/null 2>&1; do sleep {self._interval}; done")
            condition = _TARGETS[kind][2]
            if condition is not None:
                steps.append(f"kubectl wait --for={condition} {target} {limit}")
            elif kind == "statefulset":
                steps.append(f"kubectl rollout status {target} {limit}")
            elif kind == "service":
                probe = f"kubectl get {target} -o jsonpath='{{.subsets[*].addresses[*].ip}}'"
                steps.append(f'until [ -n "$({probe})" ]; do sleep {self._interval}; done')
        return "set -e\n" + "\n".join(steps)

    def _role(self) -> Role:
        """get/list/watch on the kinds waited for; ConfigMaps and Secrets: get on the named ones only."""
        role = Role(self._name)
        for kind in dict.fromkeys(kind for kind, _ in self._waits):
            group, plural, _ = _TARGETS[kind]
            if kind in ("configmap", "secret"):
                names = [name for k, name in self._waits if k == kind]
                role._rules.append(
                    {"apiGroups": [group], "resources": [plural], "resourceNames": names, "verbs": ["get"]}
                )
            else:
                role.add_policies([{"verbs": ["get", "list", "watch"], "resources": [plural], "api_groups": [group]}])
        return role

    def _make(self) -> list[ResourceRef]:
        if not self._waits:
            raise fail(f"WaitCondition {self._name!r} waits for nothing", "Call .wait_for_deployment('app').")
        account = ServiceAccount(self._name)
        role = self._role()
        binding = RoleBinding(self._name).bind_role(role).bind_service_account(account)
        out: list[ResourceRef] = []
        for builder in (account, role, binding):
            builder._namespace, builder._labels = self._namespace, dict(self._labels)
            builder._annotations = dict(self._annotations)
            out += builder.to_resources()
        out.append(
            _Job(
                self._name,
                image=self._image,
                command=["sh", "-c", self._script()],
                service_account=self._name,
                active_deadline_seconds=self._timeout,
                backoff_limit=0,
                **self._meta(),
            )
        )
        return out


class DependencyManager(WaitCondition):
    """Celestra's dependency names for a WaitCondition Job: ``DependencyManager("app-deps").depends_on("database")``
    waits until the Service ``database`` has an endpoint; ``depends_on_deployment`` etc. wait for that object."""

    @builder_method
    def depends_on(self, name: str) -> DependencyManager:
        """Wait until the Service ``name`` has a ready endpoint (how a dependency is reached)."""
        self._wait("service", name)
        return self

    @builder_method
    def depends_on_service(self, name: str) -> DependencyManager:
        self._wait("service", name)
        return self

    @builder_method
    def depends_on_deployment(self, name: str) -> DependencyManager:
        self._wait("deployment", name)
        return self

    @builder_method
    def depends_on_statefulset(self, name: str) -> DependencyManager:
        self._wait("statefulset", name)
        return self

    @builder_method
    def depends_on_job(self, name: str) -> DependencyManager:
        self._wait("job", name)
        return self

    @builder_method
    def depends_on_secret(self, name: str) -> DependencyManager:
        self._wait("secret", name)
        return self

    @builder_method
    def depends_on_configmap(self, name: str) -> DependencyManager:
        self._wait("configmap", name)
        return self

    @builder_method
    def dependency_timeout(self, seconds: Any) -> DependencyManager:
        self.timeout(seconds)
        return self

    @builder_method
    def dependency_retry_interval(self, seconds: Any) -> DependencyManager:
        self.retry_interval(seconds)
        return self
