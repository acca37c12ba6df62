"""The simulator settles: once every object reached its outcome (ready, failed, or never), it stops writing — no
status flapping, no reconcile loops — even for crash-looping pods, pending claims and finished Jobs."""

from __future__ import annotations

from typing import Any

from lightkube.codecs import from_dict
from lightkube.resources.apps_v1 import DaemonSet, Deployment, StatefulSet
from lightkube.resources.batch_v1 import Job
from lightkube.resources.core_v1 import PersistentVolumeClaim, Service

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._simulation import Rule, SimulationRules, Simulator


def manifests() -> list[dict[str, Any]]:
    def template(app: str, **spec: Any) -> dict[str, Any]:
        return {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "c", "image": "i"}], **spec}}

    def workload(kind: str, name: str, **spec: Any) -> dict[str, Any]:
        body = {"selector": {"matchLabels": {"app": name}}, "template": template(name), **spec}
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "default"}, "spec": body}

    claim = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    job_pod = template("job", restartPolicy="Never")
    return [
        workload("Deployment", "web", replicas=2),
        workload("Deployment", "fail-web"),
        workload("Deployment", "never-web"),
        workload(
            "StatefulSet",
            "db",
            replicas=2,
            serviceName="db",
            volumeClaimTemplates=[{"metadata": {"name": "d"}, "spec": claim}],
        ),
        workload("DaemonSet", "agent"),
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "ok", "namespace": "default"},
            "spec": {"template": job_pod},
        },
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "fail-job", "namespace": "default"},
            "spec": {"backoffLimit": 1, "template": job_pod},
        },
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "never-claim", "namespace": "default"},
            "spec": claim,
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "lb", "namespace": "default"},
            "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80}]},
        },
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "nightly", "namespace": "default"},
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": job_pod}}},
        },
    ]


def condition(obj: Any, type_: str) -> str:
    """ "status:reason" of one condition ("" when absent)."""
    found = next((c for c in (obj.status.conditions or []) if c.type == type_), None)
    return f"{found.status}:{found.reason}" if found is not None else ""


def test_simulation_reaches_a_fixed_point() -> None:
    rules = SimulationRules(rules=[Rule(name="fail-*", outcome="fail"), Rule(name="never-*", outcome="never")])
    sim = Simulator(rules, seed=2)
    with LocalCluster(simulate=False, controllers=[sim]) as cluster:
        client: Any = cluster.client()
        for manifest in manifests():
            client.create(from_dict(manifest))

        def revision() -> int:
            """The store's resourceVersion, read by writing a probe object (itself one change)."""
            probe = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"generateName": "probe-", "namespace": "default"},
            }
            return int(client.create(from_dict(probe)).metadata.resourceVersion)

        cluster.settle()  # waits on the simulator's own idle signal; its timeout only guards against a hang
        assert cluster.simulator is sim and sim.idle()
        assert sim.pending() == {("batch/v1", "CronJob", "default", "nightly")}  # its next run is at 03:00

        def get(kind: Any, name: str) -> Any:
            return client.get(kind, name, namespace="default")

        assert condition(get(Deployment, "web"), "Available") == "True:MinimumReplicasAvailable"
        assert condition(get(Deployment, "fail-web"), "Progressing") == "False:ProgressDeadlineExceeded"
        assert condition(get(Deployment, "never-web"), "Available") == "False:MinimumReplicasUnavailable"
        assert get(StatefulSet, "db").status.readyReplicas == 2
        assert get(DaemonSet, "agent").status.numberReady == 1
        assert condition(get(Job, "ok"), "Complete") == "True:CompletionsReached"
        assert condition(get(Job, "fail-job"), "Failed") == "True:BackoffLimitExceeded"
        assert get(PersistentVolumeClaim, "never-claim").status.phase == "Pending"
        assert get(Service, "lb").status.loadBalancer.ingress

        for _ in range(3):  # settled means settled: nothing is written between two probes but the probe itself
            before = revision()
            cluster.settle()
            assert revision() == before + 1
