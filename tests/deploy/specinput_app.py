"""A composition with nested spec models, a list of models and maps, used by test_spec_sweep.py: every spec value
appears in its ConfigMap so a test can see exactly what arrived."""

from pydantic import Field

from pykro import Spec, composition
from pykro.simple import ConfigMap


class Db(Spec):
    size_gb: int = Field(default=1, ge=1)
    engine: str = "pg"


class Port(Spec):
    port_number: int
    name: str = "http"


class Backend(Spec):
    max_conns: int = 10


class SweepSpec(Spec):
    name: str
    app_image: str = "nginx"
    replicas: int = Field(default=1, ge=0)
    db: Db = Db()
    ports: list[Port] = Field(default_factory=list)
    backends: dict[str, Backend] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)


@composition(api_version="v1alpha1", kind="Sweep")
def sweep(spec: SweepSpec) -> None:
    ConfigMap(
        id="values",
        name=f"{spec.name}-values",
        data={
            "appImage": spec.app_image,
            "replicas": str(spec.replicas),
            "sizeGb": str(spec.db.size_gb),
            "engine": spec.db.engine,
            "ports": ",".join([str(p.port_number) + "/" + p.name for p in spec.ports]),
            "maxConns": ",".join([k + "=" + str(spec.backends[k].max_conns) for k in spec.backends]),
            "labels": ",".join([k + "=" + spec.labels[k] for k in spec.labels]),
        },
    )
