"""KRO mode against the emulator's simulated KRO controller (a test double built on pykro's runtime): RGD applied
and accepted, CRD established, instance ACTIVE with its status hydrated from the CR; kro's rejection is a terminal
error carrying its message; delete waits for kro's finalizer; a cluster without kro is told so before any write."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pykro import _yamlio as yamlio
from pykro.deploy import DeployError, DeployOptions, KroFactory, NullReporter, ResourceFailed, RetryPolicy
from pykro.emulator._cluster import LocalCluster
from pykro.graph import Graph
from pykro.runtime import _labels as kl

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WEBAPP = Graph.from_file(str(EXAMPLES / "rgd" / "webapp.yaml"))
SPEC = {"name": "shop", "replicas": 2, "ingress": {"enabled": True, "host": "shop.example.com"}}


pytestmark = pytest.mark.cluster(kro=True)


def _kro(cluster: LocalCluster, graph: Graph, ns: str, **kwargs: Any) -> KroFactory:
    return KroFactory(
        graph,
        namespace=ns,
        kubeconfig=cluster.kubeconfig_path,
        reporter=kwargs.pop("reporter", NullReporter()),
        retry=RetryPolicy(base=0.01, cap=0.2),
        options=kwargs.pop("options", DeployOptions(timeout=60)),
        **kwargs,
    )


def _children(cluster: LocalCluster, name: str, ns: str) -> list[dict[str, Any]]:
    async def collect(api: Any) -> list[dict[str, Any]]:
        return [
            copy.deepcopy(o)
            for _, o in cluster.engine.store.all_objects()
            if o["kind"] not in ("Endpoints", "EndpointSlice")  # copies of a Service's labels
            and (o["metadata"].get("labels") or {}).get(kl.INSTANCE_NAME) == name
            and o["metadata"].get("namespace") == ns
        ]

    return cluster.run(collect)


def test_deploy_through_kro_hydrates_the_status_from_the_cr(cluster: LocalCluster) -> None:
    factory = _kro(cluster, WEBAPP, "kro1")
    result = factory.deploy(SPEC)
    assert result.mode == "kro" and result.state == "ACTIVE"
    assert result.status.ready is True and result.status.available_replicas == 2
    assert result.status.url == "shop.example.com"
    children = _children(cluster, "shop", "kro1")
    assert sorted(o["kind"] for o in children) == ["ConfigMap", "Deployment", "Ingress", "Service"]
    svc = next(o for o in children if o["kind"] == "Service")
    assert result.status.endpoint == f"http://{svc['spec']['clusterIP']}:80"
    rgd = cluster.client().get(_rgd_class(), "webapp")
    assert rgd["status"]["state"] == "Active"
    assert rgd["status"]["topologicalOrder"] == ["config", "deployment", "service", "ingress"]
    assert [(i.name, i.state, i.mode) for i in factory.instances()] == [("shop", "ACTIVE", "kro")]
    assert factory.status("shop").status_data == result.status_data
    assert not factory.diff(SPEC).changed
    assert any(e.action == "update" for e in factory.diff({**SPEC, "replicas": 3}).entries)


def test_to_yaml_is_the_instance_cr() -> None:
    factory = KroFactory(WEBAPP, kubeconfig="unused")
    cr = yamlio.load(factory.to_yaml(SPEC, namespace="prod"))
    assert cr == {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "WebApp",
        "metadata": {"name": "shop", "namespace": "prod"},
        "spec": SPEC,
    }


def test_delete_waits_for_kros_finalizer_and_children(cluster: LocalCluster) -> None:
    factory = _kro(cluster, WEBAPP, "kro2")
    factory.deploy(SPEC)
    assert _children(cluster, "shop", "kro2")
    factory.delete("shop")
    assert _children(cluster, "shop", "kro2") == []
    assert factory.instances() == []


def test_kro_rejecting_the_graph_is_terminal_and_carries_its_message(cluster: LocalCluster) -> None:
    rgd = WEBAPP.to_rgd()
    rgd["metadata"]["name"] = "broken"
    rgd["spec"]["schema"]["kind"] = "Broken"
    # the deployment now reads the service, which reads the deployment: kro refuses cycles
    rgd["spec"]["resources"][1]["template"]["spec"]["replicas"] = "${service.spec.ports[0].port}"
    broken = Graph.from_rgd(rgd, validate=False)
    with pytest.raises(ResourceFailed) as info:
        _kro(cluster, broken, "kro3").deploy({"name": "b"})
    assert "kro rejected the rgd 'broken'" in str(info.value) and "cycle" in str(info.value)


def test_a_cluster_without_kro_is_told_before_any_write() -> None:
    with LocalCluster(simulate=False) as plain:
        mark = len(plain.request_log())
        with pytest.raises(DeployError, match="kro is not installed"):
            _kro(plain, WEBAPP, "default").deploy(SPEC)
        writes = [i for _, i, _ in plain.request_log()[mark:] if i.verb in ("apply", "create", "patch")]
        assert writes == []


def _rgd_class() -> Any:
    from lightkube.generic_resource import create_global_resource

    return create_global_resource("kro.run", "v1alpha1", "ResourceGraphDefinition", "resourcegraphdefinitions")


def test_a_redeploy_returns_the_status_kro_computes_after_the_change(cluster: LocalCluster) -> None:
    # without readyWhen kro says ACTIVE as soon as the Deployment is updated, before it has scaled
    rgd = WEBAPP.to_rgd()
    rgd["metadata"]["name"] = "eager"
    rgd["spec"]["schema"]["kind"] = "EagerApp"
    del rgd["spec"]["resources"][1]["readyWhen"]
    factory = _kro(cluster, Graph.from_rgd(rgd), "kro5")
    assert factory.deploy(SPEC).status_data["availableReplicas"] == 2
    scaled = factory.deploy({**SPEC, "replicas": 4})
    assert scaled.state == "ACTIVE"
    assert scaled.status_data["ready"] is True and scaled.status_data["availableReplicas"] == 4


def test_options_kro_mode_cannot_honour_are_refused(cluster: LocalCluster) -> None:
    factory = _kro(cluster, WEBAPP, "kro6")
    with pytest.raises(DeployError, match="--resource-timeout is not supported with --mode kro"):
        factory.deploy(SPEC, resource_timeout=5)
    with pytest.raises(DeployError, match="--on-failure rollback is not supported with --mode kro"):
        factory.deploy(SPEC, on_failure="rollback")
    with pytest.raises(DeployError, match="--on-failure rollback is not supported"):
        _kro(cluster, WEBAPP, "kro6", options=DeployOptions(on_failure="rollback")).deploy(SPEC)
    with pytest.raises(DeployError, match=r"DeployOptions\(prune=False\) is not supported"):
        _kro(cluster, WEBAPP, "kro6", options=DeployOptions(prune=False)).deploy(SPEC)
    with pytest.raises(DeployError, match=r"DeployOptions\(resource_timeouts=...\) is not supported"):
        _kro(cluster, WEBAPP, "kro6", options=DeployOptions(resource_timeouts={"web": 5})).deploy(SPEC)
    with pytest.raises(TypeError):
        factory.deploy(SPEC, prune=False)  # type: ignore[call-arg]  # no option is swallowed
    with pytest.raises(TypeError):
        factory.delete("shop", wait=False)  # type: ignore[call-arg]
    assert _children(cluster, "shop", "kro6") == []


def test_status_finds_a_kro_instance_without_the_file(
    cluster: LocalCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    from pykro.cli.main import main

    _kro(cluster, WEBAPP, "kro7").deploy(SPEC)
    main(["status", "shop", "--kubeconfig", str(cluster.kubeconfig_path), "-n", "kro7", "-o", "json"])
    shown = json.loads(capsys.readouterr().out)
    assert shown["mode"] == "kro" and shown["composition"] == "webapp" and shown["state"] == "ACTIVE"


FOREACH = Graph.from_rgd(
    yamlio.load(
        """
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {name: fanout}
spec:
  schema:
    apiVersion: v1alpha1
    kind: Fanout
    spec:
      name: string
      items: "[]string"
  resources:
    - id: maps
      forEach:
        - entry: ${schema.spec.items}
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: "${schema.spec.name}-${entry}"}
        data: {entry: "${entry}"}
"""
    )
)


def test_the_simulated_kro_prunes_foreach_items_that_left_the_list(cluster: LocalCluster) -> None:
    factory = _kro(cluster, FOREACH, "kro8")
    factory.deploy({"name": "f", "items": ["a", "b", "c"]})
    assert sorted(o["metadata"]["name"] for o in _children(cluster, "f", "kro8")) == ["f-a", "f-b", "f-c"]
    factory.deploy({"name": "f", "items": ["a", "c"]})
    assert sorted(o["metadata"]["name"] for o in _children(cluster, "f", "kro8")) == ["f-a", "f-c"]
