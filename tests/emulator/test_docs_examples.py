"""The rules and faults YAML examples in docs/emulator.md load and do what the document says when run."""

from __future__ import annotations

import re
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from lightkube import ApiError
from lightkube.codecs import from_dict
from lightkube.generic_resource import create_namespaced_resource
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import ConfigMap, Secret

from pykro.emulator._cluster import LocalCluster
from pykro.emulator._faults import FaultPlan
from pykro.emulator._simulation import SimulationRules

DOC = Path(__file__).parents[2] / "docs" / "emulator.md"


def example(tag: str) -> str:
    """The body of the document's one code block fenced as ```yaml <tag>."""
    (body,) = re.findall(rf"^```yaml {tag}\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.S | re.M)
    return str(body)


def status_of(cluster: LocalCluster, path: str) -> int:
    """The HTTP status of one authenticated GET."""
    request = urllib.request.Request(cluster.server + path, headers={"Authorization": f"Bearer {cluster.token}"})
    context = ssl.create_default_context(cadata=cluster.ca_pem.decode()) if cluster.ca_pem else None
    try:
        with urllib.request.urlopen(request, context=context) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code


def deployment(name: str, namespace: str, pod_labels: dict[str, str]) -> Any:
    template = {
        "metadata": {"labels": {"app": name, **pod_labels}},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
    }
    spec = {"selector": {"matchLabels": {"app": name}}, "template": template}
    return from_dict(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec,
        }
    )


def condition(obj: Any, type_: str) -> str:
    found = next((c for c in (obj.status.conditions or []) if c.type == type_), None)
    return f"{found.status}:{found.reason}" if found is not None else ""


DATABASE_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "databases.doc.example"},
    "spec": {
        "group": "doc.example",
        "scope": "Namespaced",
        "names": {"plural": "databases", "singular": "database", "kind": "Database"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            }
        ],
    },
}


def test_the_rules_example_runs() -> None:
    rules = SimulationRules.from_yaml(example("rules"))
    assert rules.delays["Deployment"] == 100 and len(rules.rules) == 5
    with LocalCluster(rules=rules, seed=4) as cluster:
        client: Any = cluster.client()
        client.create(from_dict({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "broken"}}))
        client.create(from_dict(DATABASE_CRD))
        for name, namespace, labels in (
            ("web", "default", {}),
            ("held", "default", {"stuck": "yes"}),
            ("crash", "default", {"crash": "yes"}),
            ("app", "broken", {}),
        ):
            client.create(deployment(name, namespace, labels))
        cluster.settle()  # the CRD is established: its instances can be created
        database = create_namespaced_resource("doc.example", "v1", "Database", "databases")
        client.create(database(metadata=ObjectMeta(name="db", namespace="default"), spec={"size": 1}))
        cluster.settle()

        def dep(name: str, namespace: str = "default") -> Any:
            return client.get(Deployment, name, namespace=namespace)

        assert condition(dep("web"), "Available") == "True:MinimumReplicasAvailable"
        assert condition(dep("held"), "Available") == "False:MinimumReplicasUnavailable"
        assert condition(dep("crash"), "Progressing") == "False:ProgressDeadlineExceeded"
        assert condition(dep("app", "broken"), "Progressing") == "False:ProgressDeadlineExceeded"
        db = client.get(database, "db", namespace="default")
        assert db.status["endpoint"] == {"host": "db.local"} and db.status["phase"] == "Available"
        assert [(c["type"], c["status"]) for c in db.status["conditions"]] == [("Ready", "True")]


def test_the_faults_example_runs() -> None:
    plan = FaultPlan.from_yaml(example("faults"))
    assert len(plan.faults) == 7
    with LocalCluster(faults=plan, simulate=False, seed=3) as cluster:
        client: Any = cluster.client()
        with pytest.raises(ApiError) as info:
            client.create(ConfigMap(metadata=ObjectMeta(name="c")), namespace="default")
        assert info.value.status.code == 503
        client.create(ConfigMap(metadata=ObjectMeta(name="c")), namespace="default")  # limit 1: goes through

        codes = [status_of(cluster, "/api/v1/namespaces/default/secrets") for _ in range(20)]
        assert set(codes) == {200, 429}  # rate 0.5

        assert status_of(cluster, "/version") == 200
        with pytest.raises(Exception):  # noqa: B017 - the connection closes without an answer
            client.create(Secret(metadata=ObjectMeta(name="s")), namespace="default")
        assert client.get(Secret, "s", namespace="default").metadata.name == "s"  # ...but the write happened

        injector = cluster.faults
        assert injector is not None
        assert injector.counters["error:503"] == 1 and injector.counters["disconnect-after"] == 1
        assert injector.counters["error:429"] == codes.count(429)
        (version,) = [i for i in injector.injections if i.path == "/version"]
        assert (version.action, version.value) == ("latency", 100)
