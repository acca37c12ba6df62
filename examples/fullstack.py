"""Seed 000 (TypeKro "Database + App"): a PostgreSQL Deployment, its Service and Secret, and an app wired to them.
The database password is a `SecretStr` spec field (never shown by pykro); both containers read it from the Secret.

pykro render examples/fullstack.py --rgd
"""

from pydantic import SecretStr

from pykro import Spec, Status, cel, composition
from pykro.simple import Deployment, Secret, Service


class FullStackSpec(Spec):  # snake_case here, camelCase in the CRD
    name: str
    app_image: str
    replicas: int = 1
    # Unset: derived from the instance's uid (fine for a demo; pass --set dbPassword=... for real use).
    db_password: SecretStr | None = None


class FullStackStatus(Status):
    ready: bool
    db_ready: bool
    app_ready: bool


@composition(api_version="example.com/v1alpha1", kind="FullStack")
def fullstack(spec: FullStackSpec) -> FullStackStatus:
    password = cel.default(spec.db_password, cel.expr("random.seededString(24, schema.metadata.uid)", str))
    secret = Secret(id="dbSecret", name=f"{spec.name}-db-secret", string_data={"password": password})
    password_ref = {"secretKeyRef": {"name": secret.metadata.name, "key": "password"}}
    db = Deployment(
        id="db",
        name=f"{spec.name}-db",
        image="postgres:15",
        ports=[5432],
        env={"POSTGRES_PASSWORD": password_ref, "POSTGRES_DB": spec.name},
    )
    db_svc = Service(
        id="dbSvc",
        name=f"{spec.name}-db-svc",
        selector={"app": f"{spec.name}-db"},
        ports=[{"port": 5432, "targetPort": 5432}],
    )
    app = Deployment(
        id="app",
        name=spec.name,
        image=spec.app_image,
        replicas=spec.replicas,
        ports=[3000],
        env={
            # The seed reads dbSvc.status.clusterIP; in Kubernetes the field is spec.clusterIP.
            "DATABASE_HOST": db_svc.spec.clusterIP,
            "DATABASE_URL": f"postgresql://postgres@{spec.name}-db-svc:5432/{spec.name}",
            "DATABASE_PASSWORD": password_ref,
        },
    )
    return FullStackStatus(
        ready=db.status.readyReplicas > 0 and app.status.readyReplicas >= spec.replicas,
        db_ready=db.status.readyReplicas > 0,
        app_ready=app.status.readyReplicas >= spec.replicas,
    )


if __name__ == "__main__":
    print(fullstack.to_rgd_yaml(), end="")
