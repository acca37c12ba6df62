"""Celestra's StatefulApp page (seed 003), storage, environment, resource and database-configuration sections, in
pykro's builders.

    python examples/builders/storage.py          # print the YAML
    python examples/builders/storage.py ./k8s    # write one file per object into ./k8s
"""

import sys
from collections.abc import Callable
from typing import Any

from pykro import _yamlio as yamlio
from pykro.celestra import ConfigMap, KubernetesOutput, StatefulApp, Volume

# Storage: a claim template per pod; the mount path and storage class are optional
storage_basic = StatefulApp("pg-storage").image("postgres:15").port(5432).storage("20Gi")
storage_mounted = StatefulApp("pg-mounted").image("postgres:15").port(5432).storage("20Gi", "/var/lib/postgresql/data")
storage_class = (
    StatefulApp("pg-fast").image("postgres:15").port(5432).storage("20Gi", "/var/lib/postgresql/data", "fast-ssd")
)
# Mount Path and Storage Class (the page names them without examples): the same, one setter each
storage_setters = (
    StatefulApp("pg-setters")
    .image("postgres:15")
    .port(5432)
    .storage("20Gi")
    .mount_path("/var/lib/postgresql/data")
    .storage_class("fast-ssd")
)

# Add Volume(s): a Volume builder (its source and where it is mounted), or a Kubernetes volume source mounted by
# name. The ConfigMap they mount is written with them (EXTRA below).
db_config = ConfigMap("db-config").add("postgresql.conf", "max_connections = 200\n")
volume_config = (
    StatefulApp("pg-volume")
    .image("postgres:15")
    .port(5432)
    .add_volume(Volume("config-volume").config_map("db-config").mount_path("/etc/postgresql").read_only())
)
volumes = (
    StatefulApp("pg-volumes")
    .image("postgres:15")
    .port(5432)
    .storage("20Gi", "/var/lib/postgresql/data")  # Volume("data-volume").persistent_volume_claim("20Gi")
    .add_volume("config-volume", {"configMap": {"name": "db-config"}})
    .backup_schedule("0 2 * * *")  # creates the claim pg-volumes-backup (the page's 50Gi backup volume)
    .add_volume("backup-volume", {"persistentVolumeClaim": {"claimName": "pg-volumes-backup"}})
    .mount_volume("config-volume", "/etc/postgresql", read_only=True)
    .mount_volume("backup-volume", "/backup")
)

# Environment: several variables at once, or one at a time
db_env = {
    "POSTGRES_DB": "myapp",
    "POSTGRES_USER": "admin",
    "POSTGRES_PASSWORD": "password",  # as on the page; a real password belongs in a Secret (see security.py)
    "POSTGRES_INITDB_ARGS": "--encoding=UTF-8",
}
environment = StatefulApp("pg-environment").image("postgres:15").port(5432).environment(db_env)
env_one = StatefulApp("pg-env").image("postgres:15").port(5432).env("POSTGRES_DB", "myapp")
env_many = (
    StatefulApp("pg-env-many")
    .image("postgres:15")
    .port(5432)
    .env("POSTGRES_DB", "myapp")
    .env("POSTGRES_USER", "admin")
    .env("POSTGRES_PASSWORD", "password")
)

# Resources: requests, requests and limits, a large database
resources_basic = StatefulApp("pg-small").image("postgres:15").port(5432).resources(cpu="500m", memory="1Gi")
resources_limits = (
    StatefulApp("pg-limits")
    .image("postgres:15")
    .port(5432)
    .resources(cpu="1000m", memory="4Gi", cpu_limit="2000m", memory_limit="8Gi")
)
resources_large = (
    StatefulApp("pg-large")
    .image("postgres:15")
    .port(5432)
    .resources(cpu="4000m", memory="16Gi", cpu_limit="8000m", memory_limit="32Gi")
)

# Replicas
single = StatefulApp("pg-single").image("postgres:15").port(5432).replicas(1)
ha = StatefulApp("pg-ha").image("postgres:15").port(5432).replicas(3)
read_replicas = StatefulApp("pg-read").image("postgres:15").port(5432).replicas(5)

# Database-specific configuration: postgres gets `-c key=value` arguments, mysql `--key=value`, redis `--key value`
# (the official images hand them to the server); kafka gets KAFKA_<KEY> environment variables (Confluent's images)
postgres_config = {
    "max_connections": "200",
    "shared_buffers": "256MB",
    "effective_cache_size": "1GB",
    "maintenance_work_mem": "64MB",
}
pg_configured = StatefulApp("pg-configured").image("postgres:15").port(5432).postgres_config(postgres_config)
mysql_config = {"innodb_buffer_pool_size": "1G", "max_connections": "200", "query_cache_size": "64M"}
mysql = StatefulApp("mysql").image("mysql:8.4").mysql_port().mysql_config(mysql_config)
redis_config = {"maxmemory": "2gb", "maxmemory-policy": "allkeys-lru", "save": "900 1 300 10 60 10000"}
redis = StatefulApp("redis").image("redis:7-alpine").redis_port().redis_config(redis_config)
kafka_config = {
    "num.partitions": "3",
    "default.replication.factor": "3",
    "min.insync.replicas": "2",
    "offsets.topic.replication.factor": "3",
}
kafka = StatefulApp("kafka").image("confluentinc/cp-kafka:7.4.0").kafka_port().kafka_config(kafka_config)

APPS = [
    storage_basic,
    storage_mounted,
    storage_class,
    storage_setters,
    volume_config,
    volumes,
    environment,
    env_one,
    env_many,
    resources_basic,
    resources_limits,
    resources_large,
    single,
    ha,
    read_replicas,
    pg_configured,
    mysql,
    redis,
    kafka,
]
EXTRA: list[Any] = [db_config]  # objects of their own the examples use

REFUSED: dict[str, Callable[[], Any]] = {}

if __name__ == "__main__":
    if len(sys.argv) > 1:
        KubernetesOutput().generate([*APPS, *EXTRA], sys.argv[1])
    else:
        print(yamlio.dump_all([obj for app in [*APPS, *EXTRA] for obj in app.objects()]), end="")
