"""celestra 0.0.3: an App (Deployment + Service) for each of the 200 apps, written by its KubernetesOutput into a
directory an app. Run in the peers' own venv: ``bench/peers/.venv/bin/python bench/peers/celestra_apps.py OUT``."""

from __future__ import annotations

import sys
from pathlib import Path

from apps import apps
from celestra import App, KubernetesOutput


def main(out: Path) -> None:
    output = KubernetesOutput()
    for spec in apps():
        app = App(str(spec["name"])).image(str(spec["image"])).port(80).replicas(int(str(spec["replicas"])))
        output.generate(app, out / str(spec["name"]))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
