"""celestra 0.0.3: a StatefulApp (StatefulSet + Service) for each of the 200 stateful apps, written by its
KubernetesOutput into a directory an app. Run in the peers' own venv:
``bench/peers/.venv/bin/python bench/peers/celestra_stateful.py OUT``."""

from __future__ import annotations

import sys
from pathlib import Path

from apps import stateful_apps
from celestra import KubernetesOutput, StatefulApp


def main(out: Path) -> None:
    output = KubernetesOutput()
    for spec in stateful_apps():
        db = (
            StatefulApp(str(spec["name"]))
            .image(str(spec["image"]))
            .port(5432)
            .replicas(int(str(spec["replicas"])))
            .storage(str(spec["storage"]), "/var/lib/postgresql/data")
        )
        output.generate(db, out / str(spec["name"]))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
