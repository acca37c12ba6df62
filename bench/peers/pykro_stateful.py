"""pykro's builders (Celestra's names): a StatefulApp (StatefulSet + headless Service) for each of the 200 stateful
apps, one YAML file an app. Run with the project's interpreter: ``python bench/peers/pykro_stateful.py OUT_DIR``."""

from __future__ import annotations

import sys
from pathlib import Path

from apps import stateful_apps

from pykro import _yamlio as yamlio
from pykro.celestra import StatefulApp


def main(out: Path) -> None:
    for spec in stateful_apps():
        db = (
            StatefulApp(str(spec["name"]))
            .image(str(spec["image"]))
            .port(5432)
            .replicas(int(str(spec["replicas"])))
            .storage(str(spec["storage"]), "/var/lib/postgresql/data")
        )
        (out / f"{spec['name']}.yaml").write_text(yamlio.dump_all(db.objects()), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
