"""``webapp_with_processing``: a production web app in one composition (TypeKro's ``webAppWithProcessing``) — a
CloudNativePG PostgreSQL cluster with a PgBouncer pooler, a Valkey cache, the Inngest workflow engine (a Helm release
using that database and cache instead of its bundled ones), and the app (Deployment + Service) wired to all three.

Secrets stay in Secrets: the Inngest keys from the spec and the cache URL (with its generated password) go into the
Secret ``<name>-processing``; the app reads them, and the database credentials the CNPG operator publishes in
``<name>-db-app``, through ``secretKeyRef`` (DATABASE_URL is assembled by Kubernetes from ``$(DATABASE_USER)`` and
``$(DATABASE_PASSWORD)``); Inngest reads them through the HelmRelease's ``valuesFrom``. Nothing secret is in the
RGD, the status, or an environment variable's plain value.

The operators' objects are the typed kinds of :mod:`pykro.integrations.cnpg`, :mod:`~pykro.integrations.valkey` and
:mod:`~pykro.integrations.flux` (templates checked against their CRDs); each ``*_ready`` status field is that
object's readiness as its class defines it.

Deploy it as is (``pykro deploy pykro.integrations.webapp`` style, or ``webapp_with_processing.factory(...)``), or
call it inside another composition (``webapp_with_processing(WebAppWithProcessingSpec(...), id="shop")``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr

from pykro import Spec, Status, cel, composition
from pykro.authoring._helpers import ifexp
from pykro.authoring._refs import Ref, is_ref, node_of
from pykro.cel import _ast as ast
from pykro.cel._types import CelType
from pykro.integrations.cnpg import Cluster, Pooler
from pykro.integrations.helm import helm_release, is_ready
from pykro.integrations.valkey import Valkey
from pykro.simple import Deployment, Secret, Service

INNGEST_CHART_REPO = "oci://ghcr.io/inngest/inngest-helm"
INNGEST_CHART_VERSION = "0.3.1"
INNGEST_PORT = 8288
CNPG_API = Cluster.definition.api_version
VALKEY_API = Valkey.definition.api_version


class AppSpec(Spec):
    image: str
    port: int = Field(default=3000, ge=1, le=65535)
    replicas: int = Field(default=1, ge=1)


class DatabaseSpec(Spec):
    storage_size: str = "10Gi"
    storage_class: str | None = None  # unset: the cluster's default storage class
    instances: int = Field(default=1, ge=1)


class CacheSpec(Spec):
    shards: int = Field(default=3, ge=1)


class ProcessingSpec(Spec):
    event_key: SecretStr
    signing_key: SecretStr


class WebAppWithProcessingSpec(Spec):
    name: str
    app: AppSpec
    database: DatabaseSpec = Field(default_factory=DatabaseSpec)
    cache: CacheSpec = Field(default_factory=CacheSpec)
    processing: ProcessingSpec


class WebAppWithProcessingStatus(Status):
    ready: bool
    database_ready: bool
    pooler_ready: bool
    cache_ready: bool
    processing_ready: bool
    app_ready: bool
    url: str


def _revealed(value: Any) -> Any:
    """A key given as a concrete SecretStr (this composition nested with literal keys) as its text, for the Secret."""
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def _storage(size: Any, storage_class: Any) -> Any:
    """CNPG's ``storage``: with ``storageClass`` only when one is given (a spec field may be unset)."""
    if storage_class is None:
        return {"size": size}
    if not is_ref(storage_class):
        return {"size": size, "storageClass": storage_class}
    # kro types a map literal by its values (here map(string, string)) and checks that type against every field of
    # CNPG's storage struct, which has bool fields: dyn() leaves the check to the API server. (omit() per field
    # would need kro's CELOmitFunction feature gate, off by default.)
    both = ifexp(cel.has(storage_class), lambda: {"size": size, "storageClass": storage_class}, lambda: {"size": size})
    return Ref(ast.Call("dyn", (node_of(both),)), CelType.DYN)


@composition(api_version="example.com/v1alpha1", kind="WebAppWithProcessing")
def webapp_with_processing(spec: WebAppWithProcessingSpec) -> WebAppWithProcessingStatus:
    # PostgreSQL (CloudNativePG): the operator publishes the credentials in the Secret <cluster>-app
    storage = _storage(spec.database.storage_size, spec.database.storage_class)
    db = Cluster(
        f"{spec.name}-db",
        id="database",
        instances=spec.database.instances,
        storage=storage,
        bootstrap={"initdb": {"database": "app", "owner": "app"}},
    )
    pooler = Pooler(
        f"{spec.name}-db-pooler",
        id="pooler",
        cluster={"name": db.metadata.name},
        instances=1,
        type="rw",
        pgbouncer={"poolMode": "session"},
    )

    # Valkey, with a password generated from the instance's uid (kept in a Secret)
    password = cel.expr('random.seededString(32, schema.metadata.uid + "-cache")', str)
    auth = Secret(id="cacheAuth", name=f"{spec.name}-cache-auth", string_data={"password": password})
    cache = Valkey(
        f"{spec.name}-cache",
        id="cache",
        nodes=spec.cache.shards,
        replicas=0,
        anonymousAuth=False,
        servicePassword={"name": auth.metadata.name, "key": "password"},
    )

    # Inngest: its keys and the cache URL in a Secret, the database URI from the operator's Secret
    processing = Secret(
        id="processingSecret",
        name=f"{spec.name}-processing",
        string_data={
            "eventKey": _revealed(spec.processing.event_key),
            "signingKey": _revealed(spec.processing.signing_key),
            "redisUri": f"redis://:{password}@{cache.metadata.name}:6379",
        },
    )
    db_secret = f"{db.metadata.name}-app"
    inngest = helm_release(
        f"{spec.name}-inngest",
        chart="inngest",
        repo=INNGEST_CHART_REPO,
        version=INNGEST_CHART_VERSION,
        values={
            "namespace": {"create": False, "name": cel.expr("schema.metadata.namespace", str)},
            "postgresql": {"enabled": False},
            "redis": {"enabled": False},
        },
        values_from=[
            {
                "kind": "Secret",
                "name": processing.metadata.name,
                "valuesKey": "eventKey",
                "targetPath": "inngest.eventKey",
            },
            {
                "kind": "Secret",
                "name": processing.metadata.name,
                "valuesKey": "signingKey",
                "targetPath": "inngest.signingKey",
            },
            {
                "kind": "Secret",
                "name": processing.metadata.name,
                "valuesKey": "redisUri",
                "targetPath": "inngest.redis.uri",
            },
            {"kind": "Secret", "name": db_secret, "valuesKey": "uri", "targetPath": "inngest.postgres.uri"},
        ],
        id="inngest",
    )

    # the app, wired to all three
    def from_secret(name: object, key: str) -> dict[str, object]:
        return {"secretKeyRef": {"name": name, "key": key}}

    app = Deployment(
        id="app",
        name=spec.name,
        image=spec.app.image,
        replicas=spec.app.replicas,
        ports=[spec.app.port],
        env={
            "PORT": str(spec.app.port),
            "DATABASE_USER": from_secret(db_secret, "username"),
            "DATABASE_PASSWORD": from_secret(db_secret, "password"),
            "DATABASE_URL": f"postgresql://$(DATABASE_USER):$(DATABASE_PASSWORD)@{pooler.metadata.name}:5432/app",
            "VALKEY_URL": from_secret(processing.metadata.name, "redisUri"),
            "REDIS_URL": from_secret(processing.metadata.name, "redisUri"),
            "INNGEST_EVENT_KEY": from_secret(processing.metadata.name, "eventKey"),
            "INNGEST_SIGNING_KEY": from_secret(processing.metadata.name, "signingKey"),
            "INNGEST_BASE_URL": f"http://{inngest.metadata.name}:{INNGEST_PORT}",
        },
    )
    svc = Service(
        id="appService",
        name=spec.name,
        selector={"app": spec.name},
        ports=[{"port": 80, "targetPort": spec.app.port}],
    )
    # each component ready as its graph node is (the typed kinds' readiness: pykro.integrations.cnpg, valkey, flux)
    database_ready, pooler_ready, cache_ready = is_ready(db), is_ready(pooler), is_ready(cache)
    processing_ready = is_ready(inngest)
    app_ready = app.status.readyReplicas >= spec.app.replicas
    return WebAppWithProcessingStatus(
        ready=database_ready and pooler_ready and cache_ready and processing_ready and app_ready,
        database_ready=database_ready,
        pooler_ready=pooler_ready,
        cache_ready=cache_ready,
        processing_ready=processing_ready,
        app_ready=app_ready,
        url=f"http://{svc.metadata.name}.{svc.metadata.namespace}.svc.cluster.local",
    )


__all__ = [
    "AppSpec",
    "CacheSpec",
    "DatabaseSpec",
    "ProcessingSpec",
    "WebAppWithProcessingSpec",
    "WebAppWithProcessingStatus",
    "webapp_with_processing",
]
