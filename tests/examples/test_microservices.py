"""examples/microservices.py (seed 001): golden RGD (nginx.conf as a literal block), manifests for the seed's dev
and prod configurations, and the aggregated health status evaluated by the runtime."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from tests.examples import support as kit

from pykro import _yamlio as yamlio
from pykro.runtime import reconcile_passes, simulate_ready

SERVICES = ("user", "product", "order")


def config(environment: str, domain: str, replicas: dict[str, int], suffix: str) -> dict[str, Any]:
    return {
        "environment": environment,
        "version": "1.0.0",
        "gateway": {"domain": domain, "replicas": replicas["gateway"]},
        "services": {
            svc: {
                "image": f"{svc}-service:{'dev' if environment == 'development' else '1.0.0'}",
                "replicas": replicas[svc],
                "database": {"host": f"{svc}-db.{suffix}", "name": f"{svc}s{'_dev' if suffix == 'dev' else ''}"},
            }
            for svc in SERVICES
        },
    }


DEV = config("development", "microservices-dev.local", dict.fromkeys(("gateway", *SERVICES), 1), "dev")
PROD = config("production", "api.mycompany.com", {"gateway": 3, "user": 3, "product": 5, "order": 3}, "prod")


@pytest.fixture(scope="module")
def example() -> ModuleType:
    module: ModuleType = kit.load_example("microservices")
    return module


def test_rgd(example: ModuleType) -> None:
    text = example.microservices.to_rgd_yaml()
    kit.check_golden("microservices.rgd.yaml", text)
    graph = kit.check_rgd(text)
    assert "nginx.conf: |" in text  # the multi-line config stays readable
    order = graph.topological_order
    assert order.index("appConfig") < order.index("userDeployment")
    assert order.index("gatewayConfig") < order.index("gatewayDeployment")


def test_dev_manifests(example: ModuleType) -> None:
    objects = example.microservices.to_manifests(DEV, name="dev")
    kit.check_kubernetes(objects)
    kit.check_golden("microservices.dev.manifests.yaml", yamlio.dump_all(objects))
    by_name = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    assert len(objects) == 12
    assert by_name[("ConfigMap", "app-config")]["data"]["LOG_LEVEL"] == "debug"
    user = by_name[("Deployment", "user-service")]["spec"]["template"]["spec"]["containers"][0]
    assert user["env"][3]["valueFrom"]["secretKeyRef"] == {"name": "db-secrets", "key": "USER_DB_PASSWORD"}
    assert user["envFrom"] == [{"configMapRef": {"name": "app-config"}}]
    assert by_name[("Ingress", "microservices-ingress")]["spec"]["rules"][0]["host"] == "microservices-dev.local"
    assert "return 200" in by_name[("ConfigMap", "gateway-config")]["data"]["nginx.conf"]


def test_prod_manifests(example: ModuleType) -> None:
    objects = example.microservices.to_manifests(PROD, name="prod")
    by_name = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    assert by_name[("ConfigMap", "app-config")]["data"]["LOG_LEVEL"] == "info"
    assert by_name[("Deployment", "product-service")]["spec"]["replicas"] == 5
    assert by_name[("Service", "api-gateway")]["spec"]["type"] == "LoadBalancer"


def _instance(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1alpha1", "kind": "MicroservicesApp", "metadata": {"name": "m"}, "spec": spec}


@pytest.mark.parametrize(
    ("ready_counts", "health"),
    [
        ({"user": None, "product": None, "order": None}, "healthy"),
        ({"user": 1, "product": None, "order": 0}, "degraded"),
        ({"user": 0, "product": 0, "order": 0}, "unhealthy"),
    ],
)
def test_health_status(example: ModuleType, ready_counts: dict[str, int | None], health: str) -> None:
    def apply(obj: dict[str, Any]) -> dict[str, Any]:
        live = simulate_ready(obj)
        svc = obj["metadata"]["name"].removesuffix("-service")
        if obj["kind"] == "Deployment" and ready_counts.get(svc) is not None:
            live["status"]["readyReplicas"] = ready_counts[svc]
        return live

    status = reconcile_passes(example.microservices.graph, _instance(PROD), apply).status
    assert status["health"] == health
    assert status["gatewayUrl"] == "https://api.mycompany.com"
    assert status["services"]["user"]["url"] == "http://user-service:3000"
    assert status["services"]["product"]["ready"] is (ready_counts["product"] is None)
