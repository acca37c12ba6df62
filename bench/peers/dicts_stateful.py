"""The baseline: the 200 stateful apps' StatefulSet and headless Service written as plain dicts and dumped with
PyYAML (``yaml.safe_dump_all``), one file an app; no checks. Run with any interpreter that has PyYAML:
``python bench/peers/dicts_stateful.py OUT``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from apps import stateful_apps


def objects(spec: dict[str, Any]) -> list[dict[str, Any]]:
    name, labels = spec["name"], {"app": spec["name"]}
    container = {
        "name": name,
        "image": spec["image"],
        "ports": [{"containerPort": 5432, "name": "db", "protocol": "TCP"}],
        "volumeMounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
    }
    claim = {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": spec["storage"]}}},
    }
    stateful_set = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": spec["replicas"],
            "serviceName": name,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
            "volumeClaimTemplates": [claim],
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {
            "selector": labels,
            "ports": [{"name": "db", "port": 5432, "targetPort": "db", "protocol": "TCP"}],
            "clusterIP": "None",
        },
    }
    return [stateful_set, service]


def main(out: Path) -> None:
    for spec in stateful_apps():
        with open(out / f"{spec['name']}.yaml", "w", encoding="utf-8") as file:
            yaml.safe_dump_all(objects(spec), file, sort_keys=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
