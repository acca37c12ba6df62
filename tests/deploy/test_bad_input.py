"""Bad input and hostile servers: invalid spec values, an unreachable cluster and a missing CRD fail before any
write with one paragraph; 403 names the verb and the resource; other 4xx fail at once with the server's message;
429 (Retry-After honoured) and 5xx are retried."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pykro import _yamlio as yamlio
from pykro.deploy import ApiFailure, ClusterUnreachable, DeployError, DeployOptions, RetryPolicy
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._faults import Fault, FaultPlan
from pykro.errors import ValidationError
from pykro.graph import Graph

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WEBAPP = Graph.from_file(str(EXAMPLES / "rgd" / "webapp.yaml"))
SPEC = {"name": "shop"}


def test_invalid_spec_values_fail_before_any_request(kit: Any) -> None:
    mark = kit.mark()
    with pytest.raises(ValidationError) as info:
        kit.direct(WEBAPP, kit.unique()).deploy({"name": "shop", "replicas": 50})
    assert "spec.replicas" in str(info.value) and "10" in str(info.value)
    assert kit.cluster.request_log()[mark:] == []


def test_unreachable_cluster(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }
    path = tmp_path / "kubeconfig"
    path.write_text(yamlio.dump(config))
    from pykro.deploy import DirectFactory

    factory = DirectFactory(WEBAPP, kubeconfig=path, retry=RetryPolicy(attempts=2, base=0.01))
    with pytest.raises(ClusterUnreachable) as info:
        factory.deploy(SPEC)
    assert f"cannot reach the API server at http://127.0.0.1:{port}" in str(info.value)
    with pytest.raises(ClusterUnreachable, match="no usable kubeconfig"):
        DirectFactory(WEBAPP, kubeconfig=tmp_path / "missing").deploy(SPEC)


def test_missing_crd_fails_before_any_write(kit: Any) -> None:
    rgd = WEBAPP.to_rgd()
    rgd["spec"]["resources"].append(
        {
            "id": "cache",
            "template": {"apiVersion": "cache.example.com/v1", "kind": "Redis", "metadata": {"name": "r"}},
        }
    )
    mark = kit.mark()
    with pytest.raises(DeployError) as info:
        kit.direct(Graph.from_rgd(rgd), kit.unique()).deploy(SPEC)
    assert "does not serve Redis (cache.example.com/v1)" in str(info.value)
    assert kit.writes(mark) == []


@pytest.fixture(scope="module")
def hostile() -> Iterator[LocalCluster]:
    plan = FaultPlan(
        [
            Fault(verbs=("apply",), kinds=("deployments",), namespace="forbidden*", error=403),
            Fault(verbs=("apply",), kinds=("configmaps",), namespace="invalid*", error=422, message="bad field"),
            Fault(verbs=("apply",), kinds=("configmaps",), namespace="busy*", error=429, retry_after=1, limit=1),
            Fault(verbs=("apply", "get", "list"), namespace="flaky*", error=503, rate=0.5, limit=6),
        ]
    )
    with LocalCluster(faults=plan, seed=7, bookmark_interval=0.5) as c:
        yield c


def _factory(cluster: LocalCluster, ns: str) -> Any:
    from pykro.deploy import DirectFactory

    return DirectFactory(
        WEBAPP,
        namespace=ns,
        kubeconfig=cluster.kubeconfig_path,
        retry=RetryPolicy(base=0.01, cap=0.05, seed=3),
        options=DeployOptions(timeout=60),
    )


def test_forbidden_names_the_verb_and_the_resource(hostile: LocalCluster) -> None:
    with pytest.raises(ApiFailure) as info:
        _factory(hostile, "forbidden1").deploy(SPEC)
    assert info.value.code == 403
    assert "forbidden: cannot apply Deployment 'shop' in namespace 'forbidden1' (deployments.apps)" in str(info.value)
    assert "RBAC" in str(info.value)


def test_other_client_errors_fail_at_once_with_the_servers_message(hostile: LocalCluster) -> None:
    mark = len(hostile.request_log())
    with pytest.raises(ApiFailure) as info:
        _factory(hostile, "invalid1").deploy(SPEC)
    assert info.value.code == 422 and "bad field" in str(info.value)
    attempts = [i for _, i, code in hostile.request_log()[mark:] if i.verb == "apply" and i.resource == "configmaps"]
    assert len(attempts) == 1, "4xx must not be retried"


def test_429_is_retried_after_the_servers_delay(hostile: LocalCluster) -> None:
    mark = len(hostile.request_log())
    assert _factory(hostile, "busy1").deploy(SPEC).state == "ACTIVE"
    tries = [
        (t, code) for t, i, code in hostile.request_log()[mark:] if i.verb == "apply" and i.resource == "configmaps"
    ]
    assert tries[0][1] == 429 and tries[1][1] in (200, 201)
    assert tries[1][0] - tries[0][0] >= 1.0, "Retry-After: 1 must be honoured"


def test_5xx_are_retried(hostile: LocalCluster) -> None:
    mark = len(hostile.request_log())
    assert _factory(hostile, "flaky1").deploy(SPEC).state == "ACTIVE"
    assert 503 in {code for _, _, code in hostile.request_log()[mark:]}


def test_backoff_grows_and_respects_retry_after() -> None:
    policy = RetryPolicy(base=0.1, cap=1.0)
    rng = random.Random(0)
    assert all(0 <= policy.delay(n, None, rng) <= min(1.0, 0.1 * 2**n) for n in range(8))
    assert policy.delay(0, 3.0, rng) == 3.0
    assert policy.delay(0, 100.0, rng) == policy.max_retry_after


def test_a_spec_that_leaves_an_input_unset_fails_before_any_write(kit: Any) -> None:
    rgd = yamlio.load(
        """
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {name: needs}
spec:
  schema:
    apiVersion: v1alpha1
    kind: Needs
    spec: {name: string, extra: {value: string}}
  resources:
    - id: cfg
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: "${schema.spec.name}"}
        data: {v: "${schema.spec.extra.value}"}
"""
    )
    mark = kit.mark()
    with pytest.raises(ValidationError) as info:
        kit.direct(Graph.from_rgd(rgd), kit.unique()).deploy({"name": "n"})
    assert "resource 'cfg' cannot be built from this spec" in str(info.value) and "extra" in str(info.value)
    assert kit.writes(mark) == []
    assert kit.direct(Graph.from_rgd(rgd), kit.unique()).deploy({"name": "n", "extra": {"value": "v"}}).ready
