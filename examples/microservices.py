"""Seed 001 (TypeKro "Microservices Architecture"): an API gateway (nginx, LoadBalancer Service, Ingress), three
backend services sharing a ConfigMap and a Secret, and a status that aggregates their health.

    pykro render examples/microservices.py --rgd
    pykro render examples/microservices.py --manifests -f values.yaml -o out/
"""

from typing import Literal

from pykro import Spec, Status, composition
from pykro.simple import ConfigMap, Deployment, Ingress, Secret, Service

SERVICES = ("user", "product", "order")
PORT = 3000

NGINX_CONF = """
events {
  worker_connections 1024;
}
http {
  upstream user-service {
    server user-service:3000;
  }
  upstream product-service {
    server product-service:3000;
  }
  upstream order-service {
    server order-service:3000;
  }
  server {
    listen 80;
    location /api/users/ {
      proxy_pass http://user-service/;
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
    }
    location /api/products/ {
      proxy_pass http://product-service/;
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
    }
    location /api/orders/ {
      proxy_pass http://order-service/;
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
    }
    location /health {
      return 200 "OK";
      add_header Content-Type text/plain;
    }
  }
}
"""


class Database(Spec):
    host: str
    name: str


class Backend(Spec):
    image: str
    replicas: int
    database: Database


class Backends(Spec):
    user: Backend
    product: Backend
    order: Backend


class Gateway(Spec):
    domain: str
    replicas: int


class MicroservicesSpec(Spec):
    environment: Literal["development", "staging", "production"]
    version: str
    gateway: Gateway
    services: Backends


class BackendStatus(Status):
    url: str
    ready: bool


class BackendsStatus(Status):
    user: BackendStatus
    product: BackendStatus
    order: BackendStatus


class MicroservicesStatus(Status):
    gateway_url: str
    services: BackendsStatus
    health: Literal["healthy", "degraded", "unhealthy"]


@composition(api_version="example.com/v1alpha1", kind="MicroservicesApp", name="microservices-app")
def microservices(spec: MicroservicesSpec) -> MicroservicesStatus:
    app_config = ConfigMap(
        id="appConfig",
        name="app-config",
        data={
            "ENVIRONMENT": spec.environment,
            "VERSION": spec.version,
            "LOG_LEVEL": "info" if spec.environment == "production" else "debug",
            **{f"{svc.upper()}_SERVICE_URL": f"http://{svc}-service:{PORT}" for svc in SERVICES},
        },
    )
    db_secrets = Secret(
        id="dbSecrets",
        name="db-secrets",
        data={
            "USER_DB_PASSWORD": "dXNlcl9wYXNzd29yZA==",
            "PRODUCT_DB_PASSWORD": "cHJvZHVjdF9wYXNzd29yZA==",
            "ORDER_DB_PASSWORD": "b3JkZXJfcGFzc3dvcmQ=",
        },
    )
    backends = {}
    for svc in SERVICES:  # a plain Python loop: three Deployments and three Services
        config = getattr(spec.services, svc)
        backends[svc] = Deployment(
            id=f"{svc}Deployment",
            name=f"{svc}-service",
            image=config.image,
            replicas=config.replicas,
            labels={"app": f"{svc}-service", "component": "backend"},
            ports=[PORT],
            env=[
                {"name": "PORT", "value": str(PORT)},
                {"name": "DB_HOST", "value": config.database.host},
                {"name": "DB_NAME", "value": config.database.name},
                {
                    "name": "DB_PASSWORD",
                    "valueFrom": {
                        "secretKeyRef": {"name": db_secrets.metadata.name, "key": f"{svc.upper()}_DB_PASSWORD"}
                    },
                },
            ],
            env_from=[{"configMapRef": {"name": app_config.metadata.name}}],
            liveness_probe={"httpGet": {"path": "/health", "port": PORT}},
            readiness_probe={"httpGet": {"path": "/ready", "port": PORT}},
        )
        Service(id=f"{svc}Service", name=f"{svc}-service", selector={"app": f"{svc}-service"}, ports=[PORT])

    gateway_config = ConfigMap(id="gatewayConfig", name="gateway-config", data={"nginx.conf": NGINX_CONF})
    Deployment(
        id="gatewayDeployment",
        name="api-gateway",
        image="nginx:alpine",
        replicas=spec.gateway.replicas,
        ports=[80],
        config_maps=[
            {"name": gateway_config.metadata.name, "mount_path": "/etc/nginx/nginx.conf", "sub_path": "nginx.conf"}
        ],
    )
    Service(id="gatewayService", name="api-gateway", selector={"app": "api-gateway"}, ports=[80], type="LoadBalancer")
    Ingress(
        id="ingress",
        name="microservices-ingress",
        rules=[
            {
                "host": spec.gateway.domain,
                "http": {
                    "paths": [
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "api-gateway", "port": {"number": 80}}},
                        }
                    ]
                },
            }
        ],
    )

    ready = {svc: d.status.readyReplicas == d.spec.replicas for svc, d in backends.items()}
    user, product = backends["user"], backends["product"]
    return MicroservicesStatus(
        gateway_url=f"https://{spec.gateway.domain}",
        services=BackendsStatus(
            **{svc: BackendStatus(url=f"http://{svc}-service:{PORT}", ready=ready[svc]) for svc in SERVICES}
        ),
        health=(
            "healthy"
            if ready["user"] and ready["product"] and ready["order"]
            else "degraded"
            if user.status.readyReplicas > 0 or product.status.readyReplicas > 0
            else "unhealthy"
        ),
    )


if __name__ == "__main__":
    print(microservices.to_rgd_yaml(), end="")
