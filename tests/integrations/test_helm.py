"""helm_release(): Flux HelmRepository + HelmRelease nodes, values with references, secret values through a Secret,
readiness from the Ready condition at the current generation, errors before anything is built; on the emulator the
simulated helm-controller makes the release ready (or fails it when a rule says so)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from pykro import Spec, Status
from pykro.authoring._decorator import Composition
from pykro.deploy import DeployOptions, NullReporter, RetryPolicy, factory
from pykro.deploy._errors import DeployError
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._simulation import Rule, SimulationRules
from pykro.errors import CompositionError
from pykro.integrations.helm import helm_release, is_ready
from pykro.simple import ConfigMap


class CacheSpec(Spec):
    name: str
    replicas: int = 1
    password: SecretStr


class CacheStatus(Status):
    ready: bool


def _cache(spec: CacheSpec) -> CacheStatus:
    cfg = ConfigMap(id="cfg", name=f"{spec.name}-cfg", data={"mode": "lru"})
    release = helm_release(
        f"{spec.name}-redis",
        chart="redis",
        repo="oci://registry-1.docker.io/bitnamicharts",
        version="20.0.0",
        values={"replicaCount": spec.replicas, "config": {"configMap": cfg.metadata.name}},
        secret_values={"auth.password": spec.password},
        id="redis",
    )
    return CacheStatus(ready=is_ready(release))


def _tpl(res: Any) -> dict[str, Any]:
    """A resource's template (these resources all have one)."""
    assert res.template is not None
    template: dict[str, Any] = res.template
    return template


def _build(fn: Any) -> Composition:
    return Composition(fn, api_version="example.com/v1", kind="Cache", name="cache")


def test_nodes_values_and_readiness() -> None:
    graph = _build(_cache).graph
    by_id = {r.id: r for r in graph.resources}
    assert list(by_id) == ["cfg", "redisRepository", "redisValues", "redis"]
    repo, release = _tpl(by_id["redisRepository"]), _tpl(by_id["redis"])
    assert repo["kind"] == "HelmRepository" and repo["spec"]["type"] == "oci"
    spec = release["spec"]
    assert spec["chart"]["spec"] == {
        "chart": "redis",
        "sourceRef": {"kind": "HelmRepository", "name": "${redisRepository.metadata.name}"},
        "interval": "5m",
        "version": "20.0.0",
    }
    assert spec["values"] == {
        "replicaCount": "${schema.spec.replicas}",
        "config": {"configMap": "${cfg.metadata.name}"},
    }
    assert spec["valuesFrom"] == [
        {
            "kind": "Secret",
            "name": "${redisValues.metadata.name}",
            "valuesKey": "auth.password",
            "targetPath": "auth.password",
        }
    ]
    assert "schema.spec.password" not in str(spec)  # the secret value reaches the chart through the Secret only
    assert _tpl(by_id["redisValues"])["stringData"] == {"auth.password": "${schema.spec.password}"}
    # flux.HelmRelease's readiness: Ready at the current generation, and that generation observed
    condition = (
        'redis.status.conditions.exists(c, c.type == "Ready" && c.status == "True" && '
        "(!has(c.observedGeneration) || c.observedGeneration == redis.metadata.generation))"
    )
    observed = "redis.status.observedGeneration == redis.metadata.generation"
    assert by_id["redis"].ready_when == [f"${{{condition}}}", f"${{{observed}}}"]
    assert graph.status["ready"] == f"${{{condition} && {observed}}}"
    assert by_id["redisRepository"].ready_when == []  # the release waits for its source, the graph need not


def test_templates_are_typed_flux_objects() -> None:
    from pykro.integrations import flux

    graph = _build(_cache).graph  # the typed Flux kinds: templates checked against the shipped CRDs' schemas
    assert _tpl(graph.resources[-1])["apiVersion"] == "helm.toolkit.fluxcd.io/v2"

    def misspelt(spec: CacheSpec) -> None:
        helm_release("x", chart="redis", repo="https://c.example.com", values_from=[{"kind": "Secret", "nam": "s"}])

    with pytest.raises(CompositionError) as err:
        _ = _build(misspelt).graph
    assert "HelmRelease has no field spec.valuesFrom[0].nam " in str(err.value)
    assert isinstance(helm_release("y", chart="c", repo="https://c.example.com"), flux.HelmRelease)


def test_a_release_without_chart_or_repo_is_an_error_at_its_line() -> None:
    def no_chart(spec: CacheSpec) -> None:
        helm_release("x", chart="", repo="https://charts.example.com")

    def no_repo(spec: CacheSpec) -> None:
        helm_release("x", chart="redis")

    def bad_path(spec: CacheSpec) -> None:
        helm_release("x", chart="redis", repo="https://c.example.com", secret_values={"a b": "v"})

    def plain_secret(spec: CacheSpec) -> None:
        helm_release("x", chart="redis", repo="https://c.example.com", values={"auth": {"password": SecretStr("p")}})

    for fn, text in (
        (no_chart, "needs a chart"),
        (no_repo, "needs repo="),
        (bad_path, "not a dotted Helm value"),
        (plain_secret, "values.auth.password is a SecretStr"),
    ):
        with pytest.raises(CompositionError) as err:
            _ = _build(fn).graph
        assert text in str(err.value)
        assert f"{__file__}:" in str(err.value)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    rules = SimulationRules(rules=[Rule(kind="HelmRelease", name="broken-*", outcome="fail")])
    with LocalCluster(operators=True, rules=rules, bookmark_interval=0.5) as c:
        yield c


def _deploy(cluster: LocalCluster, name: str, ns: str) -> Any:
    fac = factory(
        _build(_cache),
        "direct",
        namespace=ns,
        kubeconfig=cluster.kubeconfig_path,
        reporter=NullReporter(),
        retry=RetryPolicy(base=0.01, cap=0.2),
        options=DeployOptions(timeout=60),
    )
    return fac, fac.deploy({"name": name, "password": "MARKER-pw-123456"})


def test_the_simulated_helm_controller_makes_the_release_ready(cluster: LocalCluster) -> None:
    fac, result = _deploy(cluster, "cache", "helm-ok")
    assert result.state == "ACTIVE" and result.status.ready is True
    release = cluster.client().get(_release_kind(), "cache-redis", namespace="helm-ok")
    conditions = {c["type"]: c for c in release["status"]["conditions"]}
    assert conditions["Ready"]["status"] == "True"
    assert conditions["Ready"]["observedGeneration"] == release["metadata"]["generation"]
    fac.delete(result.name)


def test_a_failing_release_stops_the_deploy(cluster: LocalCluster) -> None:
    with pytest.raises(DeployError) as err:
        _deploy(cluster, "broken-cache", "helm-broken")
    assert "redis" in str(err.value)
    assert "MARKER-pw" not in str(err.value)


def _release_kind() -> Any:
    from lightkube.generic_resource import create_namespaced_resource

    return create_namespaced_resource("helm.toolkit.fluxcd.io", "v2", "HelmRelease", "helmreleases")
