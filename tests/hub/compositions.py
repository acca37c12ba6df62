"""Small compositions the hub tests import (a fixture module, not a test module: it holds no assertions): a
ConfigMap per instance (ready at once), a Deployment (ready after the simulator's delay, never when its name starts
with ``stuck``), a monitor ConfigMap and a Namespace per tenant, a Deployment kro waits for (``waits``), and values
computed inside the composition from a row (``ports``: a port, a name, a label holding a secret)."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from pykro import Spec, Status, composition
from pykro.simple import ConfigMap, Deployment, Namespace, Secret, Service


class AppSpec(Spec):
    name: str
    image: str
    replicas: int = 1


class AppStatus(Status):
    ready: bool


@composition(api_version="hub.pykro.test/v1", kind="HubApp")
def app(spec: AppSpec) -> AppStatus:
    ConfigMap(id="cfg", name=f"{spec.name}-cfg", data={"image": spec.image, "replicas": f"{spec.replicas}"})
    return AppStatus(ready=True)


class DbSpec(Spec):
    name: str


class DbStatus(Status):
    ready: bool


@composition(api_version="hub.pykro.test/v1", kind="HubDb")
def db(spec: DbSpec) -> DbStatus:
    deployment = Deployment(id="db", name=f"{spec.name}-db", image="postgres:15")
    return DbStatus(ready=deployment.status.readyReplicas > 0)


class MonitorSpec(Spec):
    name: str
    target: str


class MonitorStatus(Status):
    ready: bool


@composition(api_version="hub.pykro.test/v1", kind="HubMonitor")
def monitor(spec: MonitorSpec) -> MonitorStatus:
    ConfigMap(id="mon", name=f"{spec.name}-mon", data={"target": spec.target})
    return MonitorStatus(ready=True)


class SpaceSpec(Spec):
    name: str


class SpaceStatus(Status):
    ready: bool


@composition(api_version="hub.pykro.test/v1", kind="HubSpace")
def space(spec: SpaceSpec) -> SpaceStatus:
    Namespace(id="ns", name=f"node-{spec.name}")
    return SpaceStatus(ready=True)


class VaultSpec(Spec):
    name: str
    password: SecretStr
    note: str = ""


class VaultStatus(Status):
    ready: bool


@composition(api_version="hub.pykro.test/v1", kind="HubVault")
def vault(spec: VaultSpec) -> VaultStatus:
    Secret(id="creds", name=f"{spec.name}-creds", string_data={"password": spec.password})
    ConfigMap(id="info", name=f"{spec.name}-info", data={"note": spec.note})
    return VaultStatus(ready=True)


class PairSpec(Spec):
    name: str


class PairStatus(Status):
    ready: bool


@composition(api_version="hub.pykro.test/v1", kind="HubPair")
def pair(spec: PairSpec) -> PairStatus:
    ConfigMap(id="cfg", name=f"{spec.name}-cfg", data={"name": spec.name})
    deployment = Deployment(id="db", name=f"{spec.name}-db", image="postgres:15")
    return PairStatus(ready=deployment.status.readyReplicas > 0)


class TaggedSpec(Spec):
    name: str
    tags: dict[str, str]
    notes: dict[str, str]


class TaggedStatus(Status):
    ready: bool


@composition(api_version="hub.pykro.test/v1", kind="HubTagged")
def tagged(spec: TaggedSpec) -> TaggedStatus:
    """Labels and annotations that are one whole map from the spec (one ``${...}`` expression each)."""
    ConfigMap(id="cfg", name=f"{spec.name}-cfg", labels=spec.tags, annotations=spec.notes, data={"name": spec.name})
    return TaggedStatus(ready=True)


class WaitSpec(Spec):
    name: str


class WaitStatus(Status):
    ready: bool


@composition(api_version="hub.pykro.test/v1", kind="HubWait")
def waits(spec: WaitSpec) -> WaitStatus:
    """A Deployment kro waits for (readyWhen): never ready when its name starts with ``stuck``."""
    Deployment(id="web", name=f"{spec.name}-web", image="nginx:1").ready_when(lambda d: d.status.readyReplicas >= 1)
    return WaitStatus(ready=True)


class PortSpec(Spec):
    name: str
    port: int
    token: SecretStr


class PortStatus(Status):
    ready: bool


@composition(api_version="hub.pykro.test/v1", kind="HubPorts")
def ports(spec: PortSpec) -> PortStatus:
    """Values computed inside the composition: the Service's port (row port + 60000) and its name (uid + -svc);
    a ConfigMap labelled with the secret token."""
    token: Any = spec.token  # a reference to the secret field (a label value: the test's mistake)
    ConfigMap(id="cfg", name=f"{spec.name}-cfg", labels={"token": token}, data={"a": "b"})
    Service(id="svc", name=f"{spec.name}-svc", selector={"app": spec.name}, ports=[{"port": spec.port + 60000}])
    return PortStatus(ready=True)
