"""The 200 apps every contender renders: a Deployment (image nginx:<i>, 1-3 replicas, container port 80) and a
Service on port 80 selecting it, named app-<i> and app-<i>-svc. Plain data, importable by every contender's script
(no third-party imports)."""

from __future__ import annotations

COUNT = 200


def apps() -> list[dict[str, object]]:
    return [{"name": f"app-{i}", "image": f"nginx:{i}", "replicas": 1 + i % 3} for i in range(COUNT)]


def stateful_apps() -> list[dict[str, object]]:
    """The 200 StatefulApps: a StatefulSet db-<i> (postgres:15, 1-3 replicas, port 5432, a claim of 1-5Gi a pod
    mounted at /var/lib/postgresql/data) and its headless Service db-<i>."""
    return [
        {"name": f"db-{i}", "image": "postgres:15", "replicas": 1 + i % 3, "storage": f"{1 + i % 5}Gi"}
        for i in range(COUNT)
    ]
