"""The 200 apps every contender renders: a Deployment (image nginx:<i>, 1-3 replicas, container port 80) and a
Service on port 80 selecting it, named app-<i> and app-<i>-svc. Plain data, importable by every contender's script
(no third-party imports)."""

from __future__ import annotations

COUNT = 200


def apps() -> list[dict[str, object]]:
    return [{"name": f"app-{i}", "image": f"nginx:{i}", "replicas": 1 + i % 3} for i in range(COUNT)]
