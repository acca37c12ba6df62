"""The simulator settles: once every object reached its outcome (ready, failed, or never), it stops writing — no
status flapping, no reconcile loops — even for crash-looping pods, pending claims and finished Jobs."""

from __future__ import annotations

import time
from typing import Any

from lightkube.codecs import from_dict

from pykro.emulator.cluster import LocalCluster
from pykro.emulator.simulation import Rule, SimulationRules, Simulator

HANG_GUARD_S = 120.0


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


def test_simulation_reaches_a_fixed_point() -> None:
    rules = SimulationRules(rules=[Rule(name="fail-*", outcome="fail"), Rule(name="never-*", outcome="never")])
    sim = Simulator(rules, seed=2)
    with LocalCluster(simulate=False, controllers=[sim]) as cluster:
        client: Any = cluster.client()
        for manifest in manifests():
            client.create(from_dict(manifest))

        def revision() -> int:
            """The store's resourceVersion, read by writing a probe object (itself one change)."""
            return int(
                client.create(
                    from_dict(
                        {
                            "apiVersion": "v1",
                            "kind": "ConfigMap",
                            "metadata": {"generateName": "probe-", "namespace": "default"},
                        }
                    )
                ).metadata.resourceVersion
            )

        deadline = time.monotonic() + HANG_GUARD_S
        quiet = 0
        last = revision()
        while quiet < 5:  # five consecutive polls with nothing written but the probe itself
            assert time.monotonic() < deadline, "the simulator never settled"
            time.sleep(0.1)
            now = revision()
            idle = sim.pending() <= {("batch/v1", "CronJob", "default", "nightly")}  # waits for 03:00
            quiet = quiet + 1 if now == last + 1 and idle else 0
            last = now
