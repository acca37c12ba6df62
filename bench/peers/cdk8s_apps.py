"""cdk8s + cdk8s-plus-35: a Chart an app with a kplus Deployment (one container on port 80) exposed by a Service,
synthesised into one YAML file a chart. Run in the peers' own venv (cdk8s runs its constructs in node through
jsii): ``bench/peers/.venv/bin/python bench/peers/cdk8s_apps.py OUT``."""

from __future__ import annotations

import sys
from pathlib import Path

import cdk8s
import cdk8s_plus_35 as kplus
from apps import apps


def main(out: Path) -> None:
    app = cdk8s.App(outdir=str(out))
    for spec in apps():
        name = str(spec["name"])
        chart = cdk8s.Chart(app, name)
        deployment = kplus.Deployment(
            chart,
            "web",
            metadata=cdk8s.ApiObjectMetadata(name=name),
            replicas=int(str(spec["replicas"])),
            containers=[kplus.ContainerProps(image=str(spec["image"]), port_number=80)],
        )
        deployment.expose_via_service(name=f"{name}-svc", ports=[kplus.ServicePort(port=80, target_port=80)])
    app.synth()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
