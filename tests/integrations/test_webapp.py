"""webapp_with_processing (TypeKro's webAppWithProcessing): deploys to the emulator with the simulated CNPG, Valkey
and Flux operators in direct and kro mode, reaches ACTIVE with every component ready, wires the app from Secrets
(never a secret value in plain env, status, events or the RGD), and delete removes everything."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from pydantic import SecretStr

from pykro import Spec, Status, composition
from pykro.authoring._decorator import Composition
from pykro.deploy import DeployOptions, NullReporter, RetryPolicy, factory
from pykro.emulator._cluster import LocalCluster
from pykro.errors import CompositionError
from pykro.integrations.cnpg import Cluster, Pooler
from pykro.integrations.flux import HelmRelease
from pykro.integrations.valkey import Valkey
from pykro.integrations.webapp import AppSpec, ProcessingSpec, WebAppWithProcessingSpec, webapp_with_processing

EVENT_KEY = "MARKER-event-key-5150"
SIGNING_KEY = "MARKER-signing-key-7331"


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(kro=True, operators=True, bookmark_interval=0.5) as c:
        yield c


def _all(cluster: LocalCluster, namespace: str) -> list[dict[str, Any]]:
    async def collect(api: Any) -> list[dict[str, Any]]:
        return [
            copy.deepcopy(o)
            for _, o in cluster.engine.store.all_objects()
            if (o.get("metadata") or {}).get("namespace") == namespace
            and o["kind"] not in ("Endpoints", "EndpointSlice", "Event", "Pod", "ReplicaSet")
        ]

    return cluster.run(collect)


def _events(cluster: LocalCluster) -> str:
    async def collect(api: Any) -> str:
        return json.dumps([o for _, o in cluster.engine.store.all_objects() if o["kind"] == "Event"])

    return cluster.run(collect)


SPEC = WebAppWithProcessingSpec.model_validate(
    {
        "name": "shop",
        "app": {"image": "ghcr.io/example/shop@sha256:" + "a" * 64, "port": 3000},
        "database": {"storage_size": "50Gi", "storage_class": "gp3", "instances": 3},
        "cache": {"shards": 3},
        "processing": {"event_key": EVENT_KEY, "signing_key": SIGNING_KEY},
    }
)


@pytest.mark.parametrize("mode", ["direct", "kro"])
def test_deploys_ready_wired_and_deletes(cluster: LocalCluster, mode: Literal["direct", "kro"]) -> None:
    ns = f"web-{mode}"
    fac = factory(
        webapp_with_processing,
        mode,
        namespace=ns,
        kubeconfig=cluster.kubeconfig_path,
        reporter=NullReporter(),
        retry=RetryPolicy(base=0.01, cap=0.2),
        options=DeployOptions(timeout=60),
    )
    result = fac.deploy(SPEC)
    assert result.state == "ACTIVE", result.status_data
    status = result.status
    assert status.database_ready and status.pooler_ready and status.cache_ready and status.processing_ready
    assert status.app_ready and status.ready
    assert status.url == f"http://shop.{ns}.svc.cluster.local"
    objects = {(o["kind"], o["metadata"]["name"]): o for o in _all(cluster, ns)}
    # what the simulated operators publish
    assert {("Service", "shop-db-rw"), ("Secret", "shop-db-app"), ("Service", "shop-db-pooler")} <= set(objects)
    assert {("Service", "shop-cache"), ("Service", "shop-cache-headless")} <= set(objects)
    cluster_obj = objects[("Cluster", "shop-db")]
    assert cluster_obj["spec"]["storage"] == {"size": "50Gi", "storageClass": "gp3"}
    assert cluster_obj["status"]["writeService"] == "shop-db-rw"
    assert cluster_obj["status"]["readyInstances"] == 3
    # the app reads every secret through secretKeyRef; the URL is assembled by Kubernetes
    env = {e["name"]: e for e in objects[("Deployment", "shop")]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["DATABASE_PASSWORD"]["valueFrom"] == {"secretKeyRef": {"name": "shop-db-app", "key": "password"}}
    assert env["DATABASE_URL"]["value"] == "postgresql://$(DATABASE_USER):$(DATABASE_PASSWORD)@shop-db-pooler:5432/app"
    assert env["REDIS_URL"]["valueFrom"] == {"secretKeyRef": {"name": "shop-processing", "key": "redisUri"}}
    assert env["INNGEST_EVENT_KEY"]["valueFrom"] == {"secretKeyRef": {"name": "shop-processing", "key": "eventKey"}}
    assert env["INNGEST_BASE_URL"]["value"] == "http://shop-inngest:8288"
    release = objects[("HelmRelease", "shop-inngest")]
    assert {"kind": "Secret", "name": "shop-db-app", "valuesKey": "uri", "targetPath": "inngest.postgres.uri"} in (
        release["spec"]["valuesFrom"]
    )
    assert release["spec"]["values"]["namespace"] == {"create": False, "name": ns}
    # secrets only in Secrets (and, in kro mode, in the instance's own spec: kro reads its input there)
    for (kind, _), obj in objects.items():
        if kind not in ("Secret", "WebAppWithProcessing"):
            text = json.dumps(obj)
            assert EVENT_KEY not in text and SIGNING_KEY not in text, kind
    assert EVENT_KEY not in json.dumps(result.status_data) and EVENT_KEY not in _events(cluster)
    assert EVENT_KEY not in webapp_with_processing.to_rgd_yaml()
    fac.delete(result.name)
    cluster.settle()
    left = [(o["kind"], o["metadata"]["name"]) for o in _all(cluster, ns) if o["kind"] != "ConfigMap"]
    assert left == [], left


def test_templates_are_typed_and_checked_against_the_shipped_crds() -> None:
    """The operators' objects are the typed kinds, so the shipped CRDs check the templates (no CRD registered here);
    a misspelt field in any of those kinds stops the build with the field named."""
    graph = webapp_with_processing.graph
    kinds = {r.id: _tpl_kind(r) for r in graph.resources}
    assert kinds["database"] == ("postgresql.cnpg.io/v1", "Cluster") and kinds["pooler"][1] == "Pooler"
    assert kinds["cache"] == ("hyperspike.io/v1", "Valkey") and kinds["inngest"][1] == "HelmRelease"
    for cls in (Cluster, Pooler, Valkey, HelmRelease):
        assert cls.definition.source.startswith("pykro.integrations data/")

    for fn, text in (
        (_misspelt_cluster, "Cluster has no field spec.storage.sise"),
        (_misspelt_pooler, "Pooler has no field spec.pgbouncer.poolmode"),
        (_misspelt_valkey, "Valkey has no field spec.servicePassword.nam"),
    ):
        with pytest.raises(CompositionError) as err:
            _ = Composition(fn, api_version="example.com/v1", kind="Misspelt", name="misspelt").graph
        assert text in str(err.value)
        assert f"{__file__}:" in str(err.value)


def _tpl_kind(res: Any) -> tuple[str, str]:
    return (res.template["apiVersion"], res.template["kind"])


class _Empty(Spec):
    name: str


# deliberately misspelt fields (type checkers refuse them too, through the kinds' stubs)


def _misspelt_cluster(spec: _Empty) -> None:
    Cluster("db", id="db", instances=1, storage={"sise": "1Gi"})  # type: ignore[arg-type]


def _misspelt_pooler(spec: _Empty) -> None:
    Pooler("p", id="p", cluster={"name": "db"}, pgbouncer={"poolmode": "session"})  # type: ignore[arg-type]


def _misspelt_valkey(spec: _Empty) -> None:
    Valkey("v", id="v", nodes=1, servicePassword={"nam": "s", "key": "password"})  # type: ignore[arg-type]


class PlatformSpec(Spec):
    team: str
    image: str


class PlatformStatus(Status):
    shop_ready: bool
    shop_url: str


@composition(api_version="example.com/v1", kind="Platform")
def platform(spec: PlatformSpec) -> PlatformStatus:
    shop = webapp_with_processing(
        WebAppWithProcessingSpec(
            name=spec.team,
            app=AppSpec(image=spec.image),
            processing=ProcessingSpec(event_key=SecretStr("k"), signing_key=SecretStr("s")),
        ),
        id="shop",
    )
    return PlatformStatus(shop_ready=shop.ready, shop_url=shop.url)


def test_nested_in_another_composition() -> None:
    graph = platform.graph
    ids = [r.id for r in graph.resources]
    assert "shopDatabase" in ids and "shopInngest" in ids and "shopApp" in ids
    inngest = next(r for r in graph.resources if r.id == "shopInngest")
    assert inngest.ready_when[0].startswith("${shopInngest.status.conditions.exists(")
    db = next(r for r in graph.resources if r.id == "shopDatabase")
    assert db.template is not None
    assert db.template["metadata"]["name"] == "${schema.spec.team}-db"
    assert db.template["spec"]["storage"] == {"size": "10Gi"}  # the nested spec's defaults, no storage class


def yaml_text(graph: Any) -> str:
    return str(graph.to_yaml())


def test_the_cli_never_prints_or_logs_the_keys(
    cluster: LocalCluster, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from pathlib import Path

    from pykro.cli.main import main

    example = Path(__file__).resolve().parents[2] / "examples" / "webapp_with_processing.py"
    where = ["--kubeconfig", str(cluster.kubeconfig_path), "-n", "web-cli"]
    keys = ["--set", f"processing.eventKey={EVENT_KEY}", "--set", f"processing.signingKey={SIGNING_KEY}"]
    caplog.set_level("DEBUG")
    for argv in (
        ["deploy", str(example), *where, "--set", "name=cli", "--set", "app.image=nginx", *keys],
        ["status", "cli", *where],
        ["diff", str(example), *where, "--set", "name=cli", "--set", "app.image=nginx:2", *keys],
        ["delete", "cli", *where],
    ):
        try:
            main(argv)
        except SystemExit as exc:
            allowed = (0, 1, None) if argv[0] == "diff" else (0, None)  # diff exits 1 when there are changes
            assert exc.code in allowed, (argv[0], capsys.readouterr())
    out = capsys.readouterr()
    assert "ACTIVE" in out.out and "nginx:2" in out.out  # the diff was shown
    for text in (out.out, out.err, caplog.text, _events(cluster)):
        assert EVENT_KEY not in text and SIGNING_KEY not in text
