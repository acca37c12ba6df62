"""Seed 003 (Celestra's StatefulApp page) in pykro's Python form: the same fluent calls, where every call changes
the YAML and every value is checked where it is written.

    python examples/celestra_db.py            # print the YAML of the three databases
    python examples/celestra_db.py ./k8s      # write one file per object into ./k8s/<database>/
    pykro deploy examples/celestra_db.py --local -n demo --name db   # the same builders in a composition

Where the seed calls something pykro does not do, the comment says what is written instead (docs/builders.md).
"""

import sys
from pathlib import Path
from typing import Any

from pykro import Spec, Status, composition, _yamlio as yamlio
from pykro.celestra import (
    ConfigMap,
    KubernetesOutput,
    NetworkPolicy,
    Role,
    Secret,
    ServiceAccount,
    StatefulApp,
)

# Basic usage
basic = StatefulApp("postgres").image("postgres:15").port(5432).storage("20Gi")

# Production-ready database: a StatefulSet of 3, its headless Service, a 100Gi claim per pod, and a CronJob that
# runs pg_dumpall of pod 0 every night at 02:00 into the claim production-db-backup.
production = (
    StatefulApp("production-db")
    .image("postgres:15")
    .port(5432)
    .storage("100Gi")
    .replicas(3)
    .resources(cpu="1000m", memory="4Gi")
    .backup_schedule("0 2 * * *")
)

# Complete example. The Secret's keys become environment variables, so the key is the variable postgres reads.
db_secret = Secret("postgres-ha-secret").add("POSTGRES_PASSWORD", "secure-password")
db_config = ConfigMap("postgres-ha-config").add("max_connections", "200")
# The ServiceAccount is created with the database; the Role is bound to it (RoleBinding postgres-ha-postgres-role);
# the NetworkPolicy selects the database's pods and lets in pods labelled app=api.
sa = ServiceAccount("postgres-sa")
role = Role("postgres-role").add_policy("get", "pods")
network_policy = NetworkPolicy("postgres-policy").allow_pods_with_label("app", "api")
complete = (
    StatefulApp("postgres-ha")
    .image("postgres:15")
    .postgres_port(5432)
    .storage("100Gi", "/var/lib/postgresql/data", "fast-ssd")
    .replicas(3)
    .resources(cpu="2000m", memory="8Gi", cpu_limit="4000m", memory_limit="16Gi")
    .env("POSTGRES_DB", "myapp")
    .env("POSTGRES_USER", "admin")
    .add_secret(db_secret)
    .add_config(db_config)
    .add_service_account(sa)
    .add_role(role)
    .add_network_policy(network_policy)
    .backup_schedule("0 2 * * *")
    .backup_retention(30)  # backups older than 30 days are deleted after each run
    # .backup_location("s3://my-backups/postgres", credentials_secret=...) would upload the dumps, without this
    # retention (an S3 bucket expires objects with its own lifecycle rule)
    # .health_check("/health"): postgres answers no HTTP, so the seed's probes are left out here
    .expose()  # a ClusterIP Service postgres-ha-client besides the headless one
)

DATABASES = {"basic": basic, "production": production, "complete": complete}


def objects() -> list[dict[str, Any]]:
    """Every object of the three examples (the complete one with its RBAC and NetworkPolicy)."""
    return [obj for db in DATABASES.values() for obj in db.objects()]


# The same builders inside a composition: values may come from the spec (checked by type when the graph is built).
class DatabaseSpec(Spec):
    replicas: int = 3
    storage: str = "100Gi"
    backup_schedule: str = "0 2 * * *"


class DatabaseStatus(Status):
    ready: bool
    ready_replicas: int


@composition(api_version="example.com/v1alpha1", kind="CelestraDatabase")
def database(spec: DatabaseSpec) -> DatabaseStatus:
    refs = (
        StatefulApp("db")
        .image("postgres:15")
        .port(5432)
        .storage(spec.storage)
        .replicas(spec.replicas)
        .resources(cpu="1000m", memory="4Gi")
        .backup_schedule(spec.backup_schedule)
    ).to_resources()
    db = refs.of("StatefulSet", "db")
    return DatabaseStatus(ready=db.status.readyReplicas >= spec.replicas, ready_replicas=db.status.readyReplicas)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        for folder, db in DATABASES.items():
            KubernetesOutput().generate(db, Path(sys.argv[1]) / folder)
    else:
        print(yamlio.dump_all(objects()), end="")
