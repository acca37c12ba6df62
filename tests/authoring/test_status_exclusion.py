"""Status fields over resources an `if` on a reference may exclude: refused when the Status model requires a field
that kro would leave unset, and deployed to the end (kro mode, the emulator's kro) when the field is optional or
has a value for the excluded case."""

from __future__ import annotations

import pytest

from pykro import Spec, Status, composition
from pykro.deploy import DeployOptions, NullReporter, RetryPolicy
from pykro.emulator._cluster import LocalCluster
from pykro.errors import CompositionError
from pykro.simple import ConfigMap, Service


class ExposeSpec(Spec):
    name: str = "app"
    expose: bool = False
    public: bool = False


class Required(Status):
    url: str


class Handled(Status):
    url: str
    ip: str | None = None
    labelled: bool


def test_a_required_field_over_an_excludable_resource_is_refused() -> None:
    @composition(api_version="example.com/v1alpha1", kind="Refused")
    def refused(spec: ExposeSpec) -> Required:
        if spec.expose:
            svc = Service(id="svc", name=spec.name, selector={"app": spec.name}, ports=[80])
        return Required(url=f"http://{svc.spec.clusterIP}")

    with pytest.raises(CompositionError) as caught:
        _ = refused.graph
    text = str(caught.value)
    assert "status field 'url' reads the resource 'svc'" in text
    assert "`schema.spec.expose` is false" in text and "Required requires it" in text
    assert text.startswith(f"{__file__}:")


def test_exclusion_is_contagious_and_nested_conditions_count() -> None:
    @composition(api_version="example.com/v1alpha1", kind="Nested")
    def nested(spec: ExposeSpec) -> Required:
        if spec.expose:
            svc = Service(id="svc", name=spec.name, selector={"app": spec.name}, ports=[80])
        cm = ConfigMap(id="cm", name=f"{spec.name}-cm", data={"ip": svc.spec.clusterIP})
        return Required(url=cm.data["ip"] if spec.public else "private")

    with pytest.raises(CompositionError, match="reads the resource 'cm'"):
        _ = nested.graph


@composition(api_version="example.com/v1alpha1", kind="Handled")
def handled(spec: ExposeSpec) -> Handled:
    url = "internal"
    if spec.expose:
        svc = Service(id="svc", name=spec.name, selector={"app": spec.name}, ports=[80])
        if spec.public:
            url = f"http://{svc.spec.clusterIP}"
    return Handled(
        url=url,
        ip=svc.spec.clusterIP,  # optional: unset when svc is excluded
        labelled=spec.expose and svc.metadata.name == spec.name,
    )


def test_guarded_and_optional_fields_are_accepted() -> None:
    status = handled.graph.status
    assert (
        status["url"]
        == '${schema.spec.expose ? (schema.spec.public ? "http://" + svc.spec.clusterIP : "internal") : "internal"}'
    )
    assert status["ip"] == "${svc.spec.clusterIP}"


pytestmark = pytest.mark.cluster(kro=True)


@pytest.mark.parametrize(
    ("spec", "url", "ip", "labelled"),
    [
        ({"name": "off"}, "internal", False, False),
        ({"name": "private", "expose": True}, "internal", True, True),
        ({"name": "public", "expose": True, "public": True}, "http://", True, True),
    ],
)
def test_deploy_through_kro_finishes_with_excluded_resources(
    cluster: LocalCluster, spec: dict[str, object], url: str, ip: bool, labelled: bool
) -> None:
    factory = handled.factory(
        "kro",
        namespace="excl",
        kubeconfig=cluster.kubeconfig_path,
        reporter=NullReporter(),
        retry=RetryPolicy(base=0.01, cap=0.2),
        options=DeployOptions(timeout=60),
    )
    result = factory.deploy(spec)
    assert result.state == "ACTIVE"
    status = result.status
    assert status.url.startswith(url)
    assert (status.ip is not None) == ip
    if ip:
        assert status.url in ("internal", f"http://{status.ip}")
    assert status.labelled is labelled
