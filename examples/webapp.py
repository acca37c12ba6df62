"""Seed 004 (TypeKro's "WebApp"): a Deployment and a Service, readiness computed with natural Python.

Ids are derived from kind and name (deploymentWebapp, serviceWebappService), as nothing here needs to name them.

    pykro render examples/webapp.py --rgd
    pykro render examples/webapp.py --manifests --set replicas=3
"""

from pykro import Spec, Status, composition
from pykro.simple import Deployment, Service


class WebAppSpec(Spec):
    replicas: int


class WebAppStatus(Status):
    ready: bool


@composition(api_version="example.com/v1", kind="WebApp")
def webapp(spec: WebAppSpec) -> WebAppStatus:
    deployment = Deployment(name="webapp", image="nginx", replicas=spec.replicas)
    Service(name="webapp-service", selector={"app": "webapp"}, ports=[{"port": 80}])
    return WebAppStatus(ready=deployment.status.readyReplicas > 0)  # natural Python, converted to CEL


if __name__ == "__main__":
    print(webapp.to_rgd_yaml(), end="")
