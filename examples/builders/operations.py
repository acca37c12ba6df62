"""Celestra's StatefulApp page (seed 003), backup, health, strategy, networking and placement sections, in pykro's
builders.

    python examples/builders/operations.py          # print the YAML
    python examples/builders/operations.py ./k8s    # write one file per object into ./k8s
"""

import sys
from collections.abc import Callable
from typing import Any

from pykro import _yamlio as yamlio
from pykro.celestra import KubernetesOutput, Service, StatefulApp


def pg(name: str) -> StatefulApp:
    """The page's StatefulApp("postgres"), with the image and port pykro requires, under a name of its own."""
    return StatefulApp(name).image("postgres:15").port(5432)


# Backup Schedule: a CronJob <name>-backup running pg_dumpall of pod 0 into the claim <name>-backup
daily = pg("pg-daily").storage("20Gi").backup_schedule("0 2 * * *")  # daily at 02:00
weekly = pg("pg-weekly").storage("20Gi").backup_schedule("0 3 * * 0")  # Sundays at 03:00
six_hourly = pg("pg-six-hourly").storage("20Gi").backup_schedule("0 */6 * * *")  # every 6 hours
# Backup Location: an s3:// URL (the dump is uploaded with aws s3 cp, credentials from the Secret s3-creds, which
# you create) or the name of an existing claim; the page's gcs:// location is refused below
to_s3 = (
    pg("pg-to-s3")
    .storage("20Gi")
    .backup_schedule("0 2 * * *")
    .backup_location("s3://my-backups/postgres", credentials_secret="s3-creds")
)
# Backup Retention (and best practice 2): dumps older than 30 days are deleted after each run
retained = pg("pg-retained").storage("20Gi").backup_schedule("0 2 * * *").backup_retention(30)

# Health Check: an HTTP liveness and readiness probe (postgres itself answers no HTTP; a sidecar or exporter would)
health = pg("pg-health").health_check("/health")
kafka_health = StatefulApp("kafka-health").image("confluentinc/cp-kafka:7.4.0").health_check("/health", port=9092)
probes = pg("pg-probes").liveness_probe("/health").readiness_probe("/ready")

# Deployment Strategy: rolling (the StatefulSet default) or on-delete
rolling = pg("pg-rolling").deployment_strategy("rolling")
on_delete = pg("pg-on-delete").deployment_strategy("on-delete")
partitioned = pg("pg-partitioned").rolling_update(partition=1)
on_delete_setter = pg("pg-on-delete-setter").on_delete_strategy()

# Expose: a ClusterIP Service <name>-client besides the headless one; external=True makes it a LoadBalancer
exposed = pg("pg-exposed").expose()
external = pg("pg-external").expose(external=True)
# Add Service: a Service of your own, selecting the database's pods (pykro needs its port)
with_service = pg("pg-service").add_service(
    Service("postgres-service").type("ClusterIP").add_port("postgres", 5432, 5432)
)

# Labels and annotations
labelled = pg("pg-labelled").add_label("environment", "production").add_label("tier", "database")
labels = {"environment": "production", "tier": "database", "team": "data-platform"}
many_labels = pg("pg-labels").add_labels(labels)
annotations = {"description": "Primary database", "owner": "data-team", "backup-schedule": "daily"}
annotated = pg("pg-annotated").add_annotations(annotations)

# Tolerations and Affinity
tolerations = [{"key": "dedicated", "operator": "Equal", "value": "database", "effect": "NoSchedule"}]
tolerating = pg("pg-tolerations").tolerations(tolerations)
affinity = {
    "podAntiAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {
                "weight": 100,
                "podAffinityTerm": {
                    "labelSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["postgres"]}]},
                    "topologyKey": "kubernetes.io/hostname",
                },
            }
        ]
    }
}
spread = pg("postgres").affinity(affinity)

# Cluster Mode and Replication Factor, for the images pykro knows: Redis/Valkey a Redis Cluster (args, the cluster
# bus port and a Job <name>-cluster-init running redis-cli --cluster create), mongo a replica set (--replSet and a
# Job running rs.initiate), kafka the topics' replication factor. The page's postgres calls are refused below.
valkey_cluster = (
    StatefulApp("valkey-cluster")
    .image("valkey/valkey:8.1")
    .redis_port()
    .storage("1Gi")
    .replicas(6)
    .cluster_mode(True)
    .replication_factor(1)  # 3 masters, one replica each
)
redis_cluster = (
    StatefulApp("redis-cluster").image("redis:7.4").redis_port().storage("1Gi").replicas(3).cluster_mode(True)
)
mongo_rs = StatefulApp("mongo-rs").image("mongo:7.0").mongodb_port().storage("5Gi").replicas(3).replication_factor(3)
kafka_rf = StatefulApp("kafka").image("apache/kafka:3.9.0").kafka_port().replicas(3).replication_factor(3)
single = pg("pg-single").cluster_mode(False)  # the default: one server

EXTRA: list[Any] = []  # objects of their own the examples use (none in this section)

APPS = [
    daily,
    to_s3,
    weekly,
    six_hourly,
    retained,
    health,
    kafka_health,
    probes,
    rolling,
    on_delete,
    partitioned,
    on_delete_setter,
    exposed,
    external,
    with_service,
    labelled,
    many_labels,
    annotated,
    tolerating,
    spread,
    valkey_cluster,
    redis_cluster,
    mongo_rs,
    kafka_rf,
    single,
]

# What pykro leaves to the database (its configuration, or an operator such as CloudNativePG): each call says so.

REFUSED: dict[str, Callable[[], Any]] = {
    "backup_location gcs": lambda: StatefulApp("postgres").backup_location("gcs://my-backups/postgres"),
    "enable_point_in_time_recovery": lambda: StatefulApp("postgres").enable_point_in_time_recovery(),
    "cluster_mode on": lambda: StatefulApp("postgres").image("postgres:15").cluster_mode(True),
    "replication_factor elasticsearch": lambda: StatefulApp("es").image("elasticsearch:8.15.0").replication_factor(2),
    "quorum_size": lambda: StatefulApp("postgres").image("postgres:15").replicas(3).quorum_size(3),
}

if __name__ == "__main__":
    if len(sys.argv) > 1:
        KubernetesOutput().generate([*APPS, *EXTRA], sys.argv[1])
    else:
        print(yamlio.dump_all([obj for app in [*APPS, *EXTRA] for obj in app.objects()]), end="")
