"""Celestra's StatefulApp page (seed 003), container and port sections, in pykro's builders.

python examples/builders/containers.py          # print the YAML
python examples/builders/containers.py ./k8s    # write one file per object into ./k8s
"""

import sys
from collections.abc import Callable
from typing import Any

from pykro import _yamlio as yamlio
from pykro.celestra import KubernetesOutput, StatefulApp

# Image
postgres = StatefulApp("postgres").image("postgres:15").port(5432)
redis = StatefulApp("redis").image("redis:7-alpine").port(6379)
kafka = StatefulApp("kafka").image("confluentinc/cp-kafka:7.4.0").port(9092)

# Command and Arguments
postgres_command = (
    StatefulApp("postgres-command")
    .image("postgres:15")
    .port(5432)
    .command(["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf"])
)
postgres_args = (
    StatefulApp("postgres-args").image("postgres:15").port(5432).args(["--config-file=/etc/postgresql/postgresql.conf"])
)

# Port: named ports; several ports on one app (port() and its alias add_port() do the same)
postgres_named = StatefulApp("postgres-named").image("postgres:15").port(5432, "postgres")
kafka_ports = (
    StatefulApp("kafka-ports")
    .image("confluentinc/cp-kafka:7.4.0")
    .port(9092, "kafka")
    .port(9093, "kafka-internal")
    .port(9094, "kafka-external")
)
kafka_add_port = (
    StatefulApp("kafka-add-port")
    .image("confluentinc/cp-kafka:7.4.0")
    .add_port(9092, "kafka")
    .add_port(9093, "kafka-internal")
    .add_port(9094, "kafka-external")
)

# Ports: several at once
ports_config = [
    {"port": 9092, "name": "kafka"},
    {"port": 9093, "name": "kafka-internal"},
    {"port": 9094, "name": "kafka-external"},
]
kafka_bulk = StatefulApp("kafka-bulk").image("confluentinc/cp-kafka:7.4.0").ports(ports_config)

# Database-specific port methods (the page names them without examples): each is port(<default>, "<database>")
databases = [
    StatefulApp("pg").image("postgres:15").postgres_port(),
    StatefulApp("mysql").image("mysql:8.4").mysql_port(),
    StatefulApp("mongodb").image("mongo:7").mongodb_port(),
    StatefulApp("cache").image("redis:7-alpine").redis_port(),
    StatefulApp("broker").image("confluentinc/cp-kafka:7.4.0").kafka_port(),
    StatefulApp("search").image("elasticsearch:8.15.0").elasticsearch_port(),
]

EXTRA: list[Any] = []  # objects of their own the examples use (none in this section)

APPS = [
    postgres,
    redis,
    kafka,
    postgres_command,
    postgres_args,
    postgres_named,
    kafka_ports,
    kafka_add_port,
    kafka_bulk,
    *databases,
]

# Build and From Dockerfile: pykro does not build images (build and push them in CI, then .image(...)).

REFUSED: dict[str, Callable[[], Any]] = {
    "build": lambda: StatefulApp("custom-db").build(".", "Dockerfile", VERSION="1.0"),
    "build subdirectory": lambda: StatefulApp("custom-cache").build("./cache", "Dockerfile.prod", ENV="production"),
    "from_dockerfile": lambda: StatefulApp("custom-db").from_dockerfile("Dockerfile.prod", ".", ENV="production"),
    "from_dockerfile multi-stage": lambda: StatefulApp("optimized-db").from_dockerfile(
        "Dockerfile.multi", ".", TARGET="production"
    ),
}

if __name__ == "__main__":
    if len(sys.argv) > 1:
        KubernetesOutput().generate([*APPS, *EXTRA], sys.argv[1])
    else:
        print(yamlio.dump_all([obj for app in [*APPS, *EXTRA] for obj in app.objects()]), end="")
