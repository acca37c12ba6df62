"""CronJobs: a CronJob that missed runs starts a Job for the most recent one only, records lastScheduleTime and, once
the simulated Job completes, lastSuccessfulTime (the reconcile is driven directly, with a creation time in the past,
so that no test waits for the clock to reach a scheduled minute)."""

from __future__ import annotations

import time
from typing import Any

from lightkube.codecs import from_dict
from lightkube.resources.batch_v1 import CronJob, Job
from tests.helpers import eventually

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._controller import ClusterAPI
from pykro.emulator._simulation import Simulator
from pykro.emulator._simulation.batch import reconcile_cron_job

CRON = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {"name": "tick", "namespace": "default"},
    "spec": {
        "schedule": "",  # set by the test: two runs in the last minutes, none in the next ones
        "jobTemplate": {
            "metadata": {"labels": {"app": "tick"}},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}},
        },
    },
}


def test_missed_runs_start_one_job_and_status_follows() -> None:
    sim = Simulator(seed=1)
    with LocalCluster(simulate=False, controllers=[sim]) as cluster:
        client: Any = cluster.client()
        now = time.time()
        a, b = time.gmtime(now - 4 * 60), time.gmtime(now - 2 * 60)
        schedule = f"{a.tm_min},{b.tm_min} {a.tm_hour},{b.tm_hour} * * *"
        client.create(from_dict({**CRON, "spec": {**CRON["spec"], "schedule": schedule}}))  # type: ignore[dict-item]
        stored = client.get(CronJob, "tick", namespace="default").to_dict()
        past = now - 5 * 60
        stored["metadata"]["creationTimestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(past))

        async def reconcile(api: ClusterAPI) -> None:
            await reconcile_cron_job(sim, stored)

        cluster.run(reconcile)
        (job,) = client.list(Job, namespace="default")
        scheduled_minute = int(job.metadata.name.rsplit("-", 1)[1])
        assert scheduled_minute == int(now - 2 * 60) // 60  # the latest missed run, not the first
        assert job.metadata.ownerReferences[0].name == "tick" and job.metadata.labels == {"app": "tick"}
        cron = client.get(CronJob, "tick", namespace="default")
        assert cron.status.lastScheduleTime.timestamp() == scheduled_minute * 60
        assert [ref.name for ref in cron.status.active] == [job.metadata.name]

        def completed() -> Any:
            cron = client.get(CronJob, "tick", namespace="default")
            return cron if cron.status.lastSuccessfulTime is not None else None

        cron = eventually(completed, "the CronJob's Job completed", interval=0.05)
        assert cron.status.lastSuccessfulTime is not None, "the Job never completed"
        assert not cron.status.active
        assert len(list(client.list(Job, namespace="default"))) == 1  # the next run is in the future
