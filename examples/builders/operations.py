"""Celestra's StatefulApp page (seed 003), backup, health, strategy, networking and placement sections, in pykro's
builders.

    python examples/builders/operations.py          # print the YAML
    python examples/builders/operations.py ./k8s    # write one file per object into ./k8s
"""

import sys
from collections.abc import Callable
from typing import Any

from pykro import yamlio
from pykro.celestra import KubernetesOutput, Service, StatefulApp


def pg(name: str) -> StatefulApp:
    """The page's StatefulApp("postgres"), with the image and port pykro requires, under a name of its own."""
    return StatefulApp(name).image("postgres:15").port(5432)


# Backup Schedule: a CronJob <name>-backup running pg_dumpall of pod 0 into the claim <name>-backup
daily = pg("pg-daily").storage("20Gi").backup_schedule("0 2 * * *")  # daily at 02:00
weekly = pg("pg-weekly").storage("20Gi").backup_schedule("0 3 * * 0")  # Sundays at 03:00
six_hourly = pg("pg-six-hourly").storage("20Gi").backup_schedule("0 */6 * * *")  # every 6 hours
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

EXTRA: list[Any] = []  # objects of their own the examples use (none in this section)

APPS = [
    daily,
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
]

# What pykro leaves to the database (its configuration, or an operator such as CloudNativePG): each call says so.

REFUSED: dict[str, Callable[[], Any]] = {
    "backup_location s3": lambda: StatefulApp("postgres").backup_location("s3://my-backups/postgres"),
    "backup_location gcs": lambda: StatefulApp("postgres").backup_location("gcs://my-backups/postgres"),
    "enable_point_in_time_recovery": lambda: StatefulApp("postgres").enable_point_in_time_recovery(),
    "cluster_mode on": lambda: StatefulApp("postgres").cluster_mode(True),
    "cluster_mode off": lambda: StatefulApp("postgres").cluster_mode(False),
    "replication_factor kafka": lambda: StatefulApp("kafka").replication_factor(3),
    "replication_factor elasticsearch": lambda: StatefulApp("elasticsearch").replication_factor(2),
    "quorum_size": lambda: StatefulApp("postgres").replicas(3).quorum_size(3),
}

if __name__ == "__main__":
    if len(sys.argv) > 1:
        KubernetesOutput().generate([*APPS, *EXTRA], sys.argv[1])
    else:
        print(yamlio.dump_all([obj for app in [*APPS, *EXTRA] for obj in app.objects()]), end="")
