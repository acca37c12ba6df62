"""Seed 002 (Lynq's "Multi-Tier Application Stack"), done with a pykro hub: one row of the `nodes` table gives each
tenant a data tier (PostgreSQL StatefulSet + Redis), then an API tier and a worker tier (both after the data tier is
ACTIVE), then a web tier (after the API tier). Lynq cannot order tiers; here `depends_on` does. Values come typed
from the table (replicas are integers, flags booleans) and are checked by each tier's spec model. The database
password is generated once per tenant (`random_password`, kept in the cluster) and the connection string is built
from it — the seed's `randAlphaNum` left a REPLACE_WITH_PASSWORD placeholder there.

    python examples/hub_tenants.py            # demo: SQLite file + the embedded emulator, one sync, printed
    pykro hub sync examples/hub_tenants.py --local --dry-run

The database is $TENANTS_DB (default sqlite:///tenants.db; e.g. mysql+pymysql://reader:pw@db/nodes_db).
"""

import os
from typing import Any

from pydantic import SecretStr

from pykro import Spec, Status, composition
from pykro.hub import Hub, random_password
from pykro.simple import Deployment, Secret, Service, StatefulSet

RETAIN = {"pykro.io/deletion-policy": "Retain"}  # the database outlives its row (seed: deletionPolicy: Retain)


class DataSpec(Spec):
    name: str
    db_password: SecretStr
    db_cpu: str = "500m"
    db_memory: str = "1Gi"
    db_storage: str = "20Gi"


class TierStatus(Status):
    ready: bool


@composition(api_version="tenants.example.com/v1", kind="DataTier")
def data_tier(spec: DataSpec) -> TierStatus:
    Secret(
        id="dbCredentials",
        name=f"{spec.name}-db-credentials",
        string_data={
            "password": spec.db_password,
            "connection-string": f"postgresql://{spec.name}:{spec.db_password}@{spec.name}-postgres:5432/{spec.name}",
        },
    )
    postgres = StatefulSet(
        id="postgres",
        name=f"{spec.name}-postgres",
        image="postgres:15-alpine",
        annotations=RETAIN,
        ports=[{"containerPort": 5432, "name": "postgres"}],
        env={
            "POSTGRES_DB": spec.name,
            "POSTGRES_USER": spec.name,
            "POSTGRES_PASSWORD": {"secretKeyRef": {"name": f"{spec.name}-db-credentials", "key": "password"}},
        },
        resources={"requests": {"cpu": spec.db_cpu, "memory": spec.db_memory}},
        volume_mounts=[{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
        volume_claim_templates=[
            {
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": spec.db_storage}}},
            }
        ],
    )
    Service(id="postgresSvc", name=f"{spec.name}-postgres", selector=postgres, cluster_ip="None", ports=[5432])
    redis = Deployment(id="redis", name=f"{spec.name}-redis", image="redis:7-alpine", ports=[6379])
    Service(id="redisSvc", name=f"{spec.name}-redis", selector=redis, ports=[6379])
    return TierStatus(ready=postgres.status.readyReplicas > 0 and redis.status.readyReplicas > 0)


class AppSpec(Spec):
    name: str
    replicas: int = 2
    flag: bool = False


def _app_tier(kind: str, tier: str, image: str, port: int | None, flag_env: str, database: bool = True) -> Any:
    """An app tier: one Deployment (and a Service when it listens), after the data tier; with ``database`` it gets
    DATABASE_URL from the data tier's credentials Secret."""

    @composition(api_version="tenants.example.com/v1", kind=kind, name=f"{tier}-tier")
    def tier_fn(spec: AppSpec) -> TierStatus:
        env: dict[str, Any] = {
            "NODE_ID": spec.name,
            "REDIS_URL": f"redis://{spec.name}-redis:6379",
            flag_env: "true" if spec.flag else "false",  # as the seed's Go template prints it
        }
        if database:
            env["DATABASE_URL"] = {"secretKeyRef": {"name": f"{spec.name}-db-credentials", "key": "connection-string"}}
        app = Deployment(
            id=tier,
            name=f"{spec.name}-{tier}",
            image=image,
            replicas=spec.replicas,
            ports=[port] if port else [],
            env=env,
        )
        if port:
            Service(id=f"{tier}Svc", name=f"{spec.name}-{tier}", selector=app, ports=[port])
        return TierStatus(ready=app.status.readyReplicas >= spec.replicas)

    return tier_fn


api_tier = _app_tier("ApiTier", "api", "registry.example.com/node-api:v2.0.0", 8080, "ENABLE_ANALYTICS")
worker_tier = _app_tier("WorkerTier", "worker", "registry.example.com/node-worker:v2.0.0", None, "ENABLE_NOTIFICATIONS")
web_tier = _app_tier("WebTier", "web", "registry.example.com/node-web:v2.0.0", 3000, "ENABLE_BETA", database=False)

hub = Hub(
    "multi-tier-nodes",
    os.environ.get("TENANTS_DB", "sqlite:///tenants.db"),
    table="nodes",
    uid="node_id",
    active="is_active",
    sync_every="1m",
)
data = hub.form(
    data_tier,
    spec=lambda row: {
        "name": row.node_id,
        "db_password": random_password(32),  # one per tenant, made once, never printed
        "db_cpu": row.db_cpu_request,
        "db_memory": row.db_memory_request,
        "db_storage": row.db_storage_size,
    },
)
api = hub.form(
    api_tier,
    spec=lambda row: {"name": row.node_id, "replicas": row.api_replicas, "flag": row.enable_analytics},
    depends_on=[data],
    max_skew=5,  # a new API image rolls out to 5 tenants at a time
)
hub.form(
    worker_tier,
    spec=lambda row: {"name": row.node_id, "replicas": row.worker_replicas, "flag": row.enable_notifications},
    depends_on=[data],
)
hub.form(web_tier, spec=lambda row: {"name": row.node_id, "replicas": row.web_replicas}, depends_on=[api])

SCHEMA = """
CREATE TABLE nodes (
  node_id           VARCHAR(63) PRIMARY KEY,
  is_active         BOOLEAN     DEFAULT TRUE,
  web_replicas      INT         DEFAULT 2,
  api_replicas      INT         DEFAULT 3,
  worker_replicas   INT         DEFAULT 2,
  db_cpu_request    VARCHAR(10) DEFAULT '500m',
  db_memory_request VARCHAR(10) DEFAULT '1Gi',
  db_storage_size   VARCHAR(10) DEFAULT '20Gi',
  enable_analytics      BOOLEAN DEFAULT FALSE,
  enable_notifications  BOOLEAN DEFAULT TRUE
)
"""


def seed(url: str) -> None:
    """Create the seed's `nodes` table with two tenants (acme-corp active, initech inactive)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(SCHEMA))
        conn.execute(sa.text("INSERT INTO nodes (node_id, api_replicas) VALUES ('acme-corp', 3)"))
        conn.execute(sa.text("INSERT INTO nodes (node_id, is_active) VALUES ('initech', FALSE)"))
    engine.dispose()


if __name__ == "__main__":
    import tempfile

    from pykro.emulator import LocalCluster

    with tempfile.TemporaryDirectory() as tmp, LocalCluster() as cluster:
        url = f"sqlite:///{tmp}/tenants.db"
        seed(url)
        hub.target(source=url, kubeconfig=cluster.kubeconfig_path, namespace="tenants")
        print(hub.sync().render(), end="")
        hub.close()
