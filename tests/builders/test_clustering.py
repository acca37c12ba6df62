"""StatefulApp.cluster_mode / replication_factor: the exact arguments, ports, variables and cluster-forming Job for
the images pykro knows (the Job's script run by a real sh against stand-in clients), the conflicts and unknown
images refused at the caller's line, and a Valkey cluster in a composition deployed to the emulator."""

from __future__ import annotations

import base64
import inspect
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pykro import Spec, Status, composition
from pykro.builders import StatefulApp
from pykro.emulator._cluster import LocalCluster
from pykro.errors import PykroError
from pykro.schema._kubernetes import validate_object


def _by(app: StatefulApp) -> dict[tuple[str, str], dict[str, Any]]:
    objects = app.objects()
    for obj in objects:
        assert validate_object(obj, strict=True) == [], (obj["kind"], validate_object(obj))
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


def _container(obj: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = obj["spec"]["template"]["spec"]["containers"][0]
    return container


def valkey(replicas: int = 6, factor: int = 1) -> StatefulApp:
    return (
        StatefulApp("cache")
        .image("valkey/valkey:8.1")
        .redis_port()
        .storage("1Gi")
        .replicas(replicas)
        .cluster_mode(True)
        .replication_factor(factor)
    )


HOSTS = [f"cache-{i}.cache" for i in range(6)]


def test_a_valkey_cluster_gets_its_arguments_bus_port_and_create_job() -> None:
    by = _by(valkey())
    server = _container(by[("StatefulSet", "cache")])
    assert server["args"] == ["--cluster-enabled", "yes", "--cluster-config-file", "/data/nodes.conf"]
    assert server["ports"] == [
        {"containerPort": 6379, "name": "redis", "protocol": "TCP"},
        {"containerPort": 16379, "name": "cluster-bus", "protocol": "TCP"},
    ]
    job = by[("Job", "cache-cluster-init")]
    init = _container(job)
    assert init["image"] == "valkey/valkey:8.1"
    assert init["command"][:2] == ["sh", "-c"]
    script = init["command"][2]
    assert f"for host in {' '.join(HOSTS)}; do" in script
    assert script.endswith("valkey-cli --cluster create $nodes --cluster-replicas 1 --cluster-yes")
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    # without the call there is no cluster
    plain = _by(StatefulApp("cache").image("valkey/valkey:8.1").redis_port().storage("1Gi").replicas(6))
    assert "args" not in _container(plain[("StatefulSet", "cache")]) and ("Job", "cache-cluster-init") not in plain


def test_redis_uses_redis_cli_and_the_mount_path_for_nodes_conf() -> None:
    app = StatefulApp("r").image("redis:7.4").storage("1Gi", mount_path="/var/lib/redis").replicas(3).cluster_mode()
    by = _by(app)
    assert _container(by[("StatefulSet", "r")])["args"] == [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "/var/lib/redis/nodes.conf",
    ]
    script = _container(by[("Job", "r-cluster-init")])["command"][2]
    assert script.endswith("redis-cli --cluster create $nodes --cluster-replicas 0 --cluster-yes")


def _fake_tools(tmp: Path, state: str) -> dict[str, str]:
    """Stand-ins for valkey-cli and getent that answer like a fresh cluster's pods and record the create call."""
    tools = tmp / "bin"
    tools.mkdir()
    log = tmp / "calls"
    cli = (
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        'case "$*" in\n'
        "  *' ping') echo PONG ;;\n"
        f"  *' cluster info') printf 'cluster_enabled:1\\ncluster_state:{state}\\n' ;;\n"
        "esac\n"
    )
    getent = '#!/bin/sh\nn=${2%%.*}; n=${n##*-}; echo "10.0.0.$n    $2"\n'
    for name, text in (("valkey-cli", cli), ("getent", getent)):
        path = tools / name
        path.write_text(text, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}"}


@pytest.mark.parametrize("state", ["fail", "ok"])
def test_the_create_script_runs_in_a_real_shell(tmp_path: Path, state: str) -> None:
    script = _container(_by(valkey())[("Job", "cache-cluster-init")])["command"][2]
    done = subprocess.run(["sh", "-c", script], env=_fake_tools(tmp_path, state), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / "calls").read_text(encoding="utf-8").splitlines()
    assert calls[:6] == [f"-h {h} -p 6379 ping" for h in HOSTS]
    assert calls[6] == "-h cache-0.cache -p 6379 cluster info"
    if state == "ok":  # a formed cluster is left alone (the Job may run again)
        assert calls[7:] == [] and "the cluster exists" in done.stdout
    else:
        nodes = " ".join(f"10.0.0.{i}:6379" for i in range(6))
        assert calls[7:] == [f"--cluster create {nodes} --cluster-replicas 1 --cluster-yes"]


def test_mongo_becomes_a_replica_set_with_an_initiate_job() -> None:
    by = _by(StatefulApp("db").image("mongo:7.0").mongodb_port().storage("5Gi").replicas(3).replication_factor(3))
    assert _container(by[("StatefulSet", "db")])["args"] == ["--replSet", "db", "--bind_ip_all"]
    script = _container(by[("Job", "db-cluster-init")])["command"][2]
    members = ", ".join(f'{{_id: {i}, host: "db-{i}.db:27017"}}' for i in range(3))
    assert script.splitlines()[-1] == (
        "mongosh --quiet --host db-0.db:27017 --eval 'try { rs.status().ok } catch (e) { "
        f'rs.initiate({{_id: "db", members: [{members}]}}) }}\''
    )
    assert subprocess.run(["sh", "-n", "-c", script], check=False).returncode == 0
    same = _by(StatefulApp("db").image("mongo:7.0").mongodb_port().storage("5Gi").replicas(3).cluster_mode(True))
    assert same[("Job", "db-cluster-init")] == by[("Job", "db-cluster-init")]


def test_kafka_replication_sets_the_broker_variables() -> None:
    env = _container(
        _by(StatefulApp("k").image("apache/kafka:3.9.0").replicas(3).replication_factor(3))[("StatefulSet", "k")]
    )["env"]
    assert {e["name"]: e["value"] for e in env} == {
        "KAFKA_DEFAULT_REPLICATION_FACTOR": "3",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "3",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "3",
        "KAFKA_MIN_INSYNC_REPLICAS": "2",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "2",
    }
    bitnami = StatefulApp("k").image("bitnami/kafka:3.9").replicas(2).replication_factor(2)
    names = [e["name"] for e in _container(_by(bitnami)[("StatefulSet", "k")])["env"]]
    assert "KAFKA_CFG_DEFAULT_REPLICATION_FACTOR" in names and "KAFKA_CFG_MIN_INSYNC_REPLICAS" in names
    clash = StatefulApp("k").image("apache/kafka:3.9.0").replicas(3).env("KAFKA_MIN_INSYNC_REPLICAS", "1")
    with pytest.raises(PykroError, match="sets KAFKA_MIN_INSYNC_REPLICAS itself and with replication_factor"):
        clash.replication_factor(3).objects()


def test_etcd_quorum_size_is_its_initial_cluster() -> None:
    app = StatefulApp("etcd").image("quay.io/coreos/etcd:v3.5.17").storage("1Gi").replicas(3).quorum_size(3)
    server = _container(_by(app)[("StatefulSet", "etcd")])
    assert server["env"] == [
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "ETCD_NAME", "value": "$(POD_NAME)"},
        {"name": "ETCD_DATA_DIR", "value": "/data/etcd"},
        {"name": "ETCD_LISTEN_PEER_URLS", "value": "http://0.0.0.0:2380"},
        {"name": "ETCD_LISTEN_CLIENT_URLS", "value": "http://0.0.0.0:2379"},
        {"name": "ETCD_INITIAL_ADVERTISE_PEER_URLS", "value": "http://$(POD_NAME).etcd:2380"},
        {"name": "ETCD_ADVERTISE_CLIENT_URLS", "value": "http://$(POD_NAME).etcd:2379"},
        {
            "name": "ETCD_INITIAL_CLUSTER",
            "value": "etcd-0=http://etcd-0.etcd:2380,etcd-1=http://etcd-1.etcd:2380,etcd-2=http://etcd-2.etcd:2380",
        },
        {"name": "ETCD_INITIAL_CLUSTER_STATE", "value": "new"},
        {"name": "ETCD_INITIAL_CLUSTER_TOKEN", "value": "etcd"},
    ]
    assert server["ports"] == [
        {"containerPort": 2379, "name": "client", "protocol": "TCP"},
        {"containerPort": 2380, "name": "peer", "protocol": "TCP"},
    ]
    # a port the app declares itself is kept, not doubled
    own = StatefulApp("etcd").image("quay.io/coreos/etcd:v3.5.17").port(2379, "etcd").storage("1Gi").replicas(1)
    ports = _container(_by(own.quorum_size(1))[("StatefulSet", "etcd")])["ports"]
    assert [p["containerPort"] for p in ports] == [2379, 2380]


def test_kafka_quorum_size_makes_every_pod_a_kraft_controller_and_broker() -> None:
    app = StatefulApp("k").image("apache/kafka:3.9.0").kafka_port().storage("10Gi").replicas(3).quorum_size(3)
    server = _container(_by(app)[("StatefulSet", "k")])
    index = "metadata.labels['apps.kubernetes.io/pod-index']"
    assert server["env"] == [
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "KAFKA_NODE_ID", "valueFrom": {"fieldRef": {"fieldPath": index}}},
        {"name": "CLUSTER_ID", "value": "2S_AsGOZXDGLec0r6zpv4Q"},  # uuid5 of the name: the same at every render
        {"name": "KAFKA_PROCESS_ROLES", "value": "broker,controller"},
        {"name": "KAFKA_CONTROLLER_QUORUM_VOTERS", "value": "0@k-0.k:9093,1@k-1.k:9093,2@k-2.k:9093"},
        {"name": "KAFKA_LISTENERS", "value": "PLAINTEXT://:9092,CONTROLLER://:9093"},
        {"name": "KAFKA_ADVERTISED_LISTENERS", "value": "PLAINTEXT://$(POD_NAME).k:9092"},
        {"name": "KAFKA_CONTROLLER_LISTENER_NAMES", "value": "CONTROLLER"},
        {"name": "KAFKA_INTER_BROKER_LISTENER_NAME", "value": "PLAINTEXT"},
        {"name": "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "value": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"},
        {"name": "KAFKA_LOG_DIRS", "value": "/data/kafka"},
    ]
    assert server["ports"][1] == {"containerPort": 9093, "name": "controller", "protocol": "TCP"}
    assert len(base64.urlsafe_b64decode("2S_AsGOZXDGLec0r6zpv4Q==")) == 16  # Kafka's cluster id: 16 bytes


def _backup_pod(app: StatefulApp) -> dict[str, Any]:
    pod: dict[str, Any] = _by(app)[("CronJob", "pg-backup")]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return pod


def pg() -> StatefulApp:
    return StatefulApp("pg").image("postgres:15").storage("1Gi").backup_schedule("@daily")


def test_backup_location_s3_dumps_then_uploads_with_the_secrets_credentials() -> None:
    plain = _backup_pod(pg())
    pod = _backup_pod(pg().backup_location("s3://my-backups/postgres/", credentials_secret="s3-creds"))
    dump, upload = pod["initContainers"][0], pod["containers"][0]
    assert dump["image"] == "postgres:15" and dump["command"] == plain["containers"][0]["command"]
    assert dump["volumeMounts"] == upload["volumeMounts"] == [{"name": "backup", "mountPath": "/backup"}]
    assert upload["image"] == "amazon/aws-cli:2.17.0"
    assert upload["command"] == ["aws", "s3", "cp", "/backup/", "s3://my-backups/postgres/", "--recursive"]
    assert upload["envFrom"] == [{"secretRef": {"name": "s3-creds"}}]
    assert pod["volumes"] == [{"name": "backup", "emptyDir": {}}]
    # no claim for the backups is made
    kinds = {k for k, _ in _by(pg().backup_location("s3://b-1/x", credentials_secret="c"))}
    assert "PersistentVolumeClaim" not in kinds


def test_backup_location_claim_replaces_the_made_claim() -> None:
    by = _by(pg().backup_retention(7).backup_location("shared-backups"))
    assert ("PersistentVolumeClaim", "pg-backup") not in by
    pod = by[("CronJob", "pg-backup")]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["volumes"] == [{"name": "backup", "persistentVolumeClaim": {"claimName": "shared-backups"}}]
    assert pod["containers"][0]["command"][2].endswith("&& find /backup -type f -mtime +7 -delete")


BAD = [
    (lambda: StatefulApp("c").image("redis:7").storage("1Gi").replicas(4).cluster_mode(True).replication_factor(1),
     r"cluster_mode\(True\), replication_factor\(1\): a redis cluster needs at least 3 masters of 2 pods each "
     r".* it has replicas 4"),
    (lambda: StatefulApp("c").image("redis:7").storage("1Gi").cluster_mode(True).replication_factor(1).replicas(7),
     r"replicas\(\): .*replicas must be a multiple of 2, at least 6; it has replicas 7"),
    (lambda: StatefulApp("c").image("redis:7").replicas(3).replication_factor(1),
     r"replication_factor\(1\) for redis is the number of replicas per master.*Add \.cluster_mode\(True\)"),
    (lambda: StatefulApp("db").image("postgres:15").cluster_mode(True),
     r"cluster_mode\(True\) is not supported for the postgres image.*pykro\.integrations\.cnpg"),
    (lambda: StatefulApp("es").image("elasticsearch:8.15.0").replication_factor(2),
     r"replication_factor\(2\) is not supported for the image 'elasticsearch:8\.15\.0'.*Use replication_factor\(\) "
     r"with redis, valkey"),
    (lambda: StatefulApp("k").image("apache/kafka:3.9.0").cluster_mode(True), r"not supported for the image"),
    (lambda: StatefulApp("k").image("apache/kafka:3.9.0").replicas(2).replication_factor(3),
     r"replication_factor\(3\) is more than its 2 replicas"),
    (lambda: StatefulApp("m").image("mongo:7.0").replicas(3).replication_factor(5),
     r"replication_factor\(5\) for mongo is the number of replica-set members.*Use replicas\(5\)"),
    (lambda: StatefulApp("m").image("mongo:7.0").env("MONGO_INITDB_ROOT_USERNAME", "root").cluster_mode(True),
     r"needs a shared keyFile"),
    (lambda: StatefulApp("e").image("quay.io/coreos/etcd:v3.5.17").quorum_size(4), r"quorum_size must be odd, got 4"),
    (lambda: StatefulApp("e").image("quay.io/coreos/etcd:v3.5.17").replicas(5).quorum_size(3),
     r"quorum_size\(3\) is etcd's initial cluster, and it has replicas 5.*Use replicas\(3\)"),
    (lambda: StatefulApp("e").image("quay.io/coreos/etcd:v3.5.17").quorum_size(3).replicas(1),
     r"replicas\(\): .*quorum_size\(3\) is etcd's initial cluster, and it has replicas 1"),
    (lambda: StatefulApp("z").image("zookeeper:3.9").replicas(3).quorum_size(3),
     r"quorum_size\(3\) is not supported for the image 'zookeeper:3\.9'.*Use quorum_size\(\) with the etcd images"),
    (lambda: StatefulApp("r").image("redis:7").quorum_size(3), r"quorum_size\(3\) is not supported for the image"),
    (lambda: pg().backup_location("gcs://my-backups/postgres"),
     r"backup_location\(\): backup_location 'gcs://my-backups/postgres' is not supported: .* s3:// URLs only"),
    (lambda: pg().backup_location("s3://"), r"is not an s3://bucket/prefix URL"),
    (lambda: pg().backup_location("s3://b-1/x", credentials_secret="AKIA/secret"), r"credentials_secret"),
    (lambda: pg().backup_location("claim", credentials_secret="c"), r"credentials_secret is for s3:// locations"),
    (lambda: StatefulApp("k").image("bitnami/kafka:3.9").replicas(3).quorum_size(3),
     r"quorum_size\(3\) is not supported for the image 'bitnami/kafka:3\.9': bitnami's scripts"),
    (lambda: StatefulApp("k").image("apache/kafka:3.9.0").replicas(5).quorum_size(3),
     r"quorum_size\(3\) makes every pod a KRaft controller and broker, and it has replicas 5"),
    (lambda: StatefulApp("k").image("apache/kafka:3.9.0").replicas(3).quorum_size(3).objects(),
     r"keeps each node's log and metadata under its storage"),
    (lambda: StatefulApp("c").cluster_mode("yes"), r"cluster_mode\(\): cluster_mode takes True or False, got 'yes'"),
    (lambda: StatefulApp("c").replication_factor(0), r"replication_factor must be a whole number >= 1, got 0"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "message"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_conflicts_and_unknown_images_stop_at_the_callers_line(call: Any, message: str) -> None:
    line = inspect.getsourcelines(call)[1]
    with pytest.raises(PykroError, match=message) as caught:
        call()
    assert caught.value.where is not None and caught.value.where.split(":")[:2] == [__file__, str(line)]


def test_what_is_only_known_later_is_checked_when_the_objects_are_made() -> None:
    no_storage = StatefulApp("c").image("redis:7").replicas(3).cluster_mode(True)
    line = inspect.currentframe().f_lineno - 1  # type: ignore[union-attr]
    with pytest.raises(PykroError, match=r"keeps each node's cluster state .* Add \.storage\('1Gi'\)") as caught:
        no_storage.objects()
    assert caught.value.where is not None and caught.value.where.split(":")[:2] == [__file__, str(line)]
    image_later = StatefulApp("c").cluster_mode(True)
    line = inspect.currentframe().f_lineno - 1  # type: ignore[union-attr]
    with pytest.raises(PykroError, match=r"not supported for the image 'nginx:1\.27'") as caught:
        image_later.image("nginx:1.27").objects()
    assert caught.value.where is not None and caught.value.where.split(":")[:2] == [__file__, str(line)]
    unscheduled = StatefulApp("p").image("postgres:15").backup_location("s3://b-1/x")
    line = inspect.currentframe().f_lineno - 1  # type: ignore[union-attr]
    with pytest.raises(PykroError, match=r"a backup_location but no backup_schedule") as caught:
        unscheduled.objects()
    assert caught.value.where is not None and caught.value.where.split(":")[:2] == [__file__, str(line)]
    with pytest.raises(PykroError, match=r"set an expiration lifecycle rule on the bucket"):
        pg().backup_retention(7).backup_location("s3://b-1/x").objects()
    single = StatefulApp("c").image("redis:7").cluster_mode(True)
    line = inspect.currentframe().f_lineno - 1  # type: ignore[union-attr]
    with pytest.raises(PykroError, match=r"at least 3 masters: .* it has replicas 1") as caught:
        single.objects()
    assert caught.value.where is not None and caught.value.where.split(":")[:2] == [__file__, str(line)]


class CacheSpec(Spec):
    size: str = "1Gi"


class CacheStatus(Status):
    ready: bool


@composition(api_version="example.com/v1alpha1", kind="ValkeyCluster")
def valkey_cluster(spec: CacheSpec) -> CacheStatus:
    refs = (
        StatefulApp("cache")
        .image("valkey/valkey:8.1")
        .redis_port()
        .storage(spec.size)
        .replicas(6)
        .cluster_mode(True)
        .replication_factor(1)
        .to_resources()
    )
    return CacheStatus(ready=refs.of("StatefulSet").status.readyReplicas >= 6)


class Sized(Spec):
    replicas: int = 6


def test_a_replicas_reference_cannot_list_the_members() -> None:
    @composition(api_version="example.com/v1alpha1", kind="Unsized")
    def unsized(spec: Sized) -> None:
        StatefulApp("c").image("redis:7").storage("1Gi").replicas(spec.replicas).cluster_mode(True).to_resources()

    with pytest.raises(PykroError, match=r"cluster_mode\(True\) needs a fixed replicas number"):
        unsized.to_rgd_yaml()


def test_a_valkey_cluster_deploys_to_the_emulator_and_becomes_ready(cluster: LocalCluster) -> None:
    factory = valkey_cluster.factory("direct", namespace="valkey", kubeconfig=cluster.kubeconfig_path)
    instance: Any = factory.deploy(CacheSpec(size="2Gi"), name="cache")
    assert instance.ready and instance.status.ready is True

    async def collect(api: Any) -> list[dict[str, Any]]:
        return [o for _, o in cluster.engine.store.all_objects() if o["metadata"].get("namespace") == "valkey"]

    live = {(o["kind"], o["metadata"]["name"]): o for o in cluster.run(collect)}
    assert live[("StatefulSet", "cache")]["status"]["readyReplicas"] == 6
    assert _container(live[("StatefulSet", "cache")])["args"][:2] == ["--cluster-enabled", "yes"]
    assert ("Job", "cache-cluster-init") in live
    factory.delete(instance.name)


def test_a_refused_call_changes_nothing() -> None:
    app = valkey()
    for call in (lambda: app.image("postgres:15"), lambda: app.replicas(5), lambda: app.replication_factor(2)):
        with pytest.raises(PykroError):
            call()
    assert app.objects() == valkey().objects()
