"""pykro: one composition (Deployment + Service) rendered to manifests for each of the 200 apps, one YAML file an
app. Run with the project's interpreter: ``python bench/peers/pykro_apps.py OUT_DIR``."""

from __future__ import annotations

import sys
from pathlib import Path

from apps import apps

from pykro import Spec, Status, composition
from pykro import _yamlio as yamlio
from pykro.simple import Deployment, Service


class AppSpec(Spec):
    name: str
    image: str
    replicas: int = 1


class AppStatus(Status):
    ready: bool


@composition(api_version="example.com/v1", kind="WebApp")
def web_app(spec: AppSpec) -> AppStatus:
    web = Deployment(id="web", name=spec.name, image=spec.image, replicas=spec.replicas, ports=[80])
    Service(id="svc", name=f"{spec.name}-svc", selector={"app": spec.name}, ports=[80])
    return AppStatus(ready=web.status.readyReplicas >= spec.replicas)


def main(out: Path) -> None:
    for app in apps():
        (out / f"{app['name']}.yaml").write_text(yamlio.dump_all(web_app.to_manifests(app)), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
