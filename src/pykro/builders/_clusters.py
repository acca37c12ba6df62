"""What ``StatefulApp.cluster_mode`` / ``replication_factor`` / ``quorum_size`` make for the images pykro knows:
the server arguments or variables each image documents, and the Job that forms the cluster (Redis/Valkey
``redis-cli --cluster create``, MongoDB ``rs.initiate``). Other images are refused, naming the ones that work."""

from __future__ import annotations

import base64
import shlex
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from pykro.authoring._location import Site
from pykro.errors import CompositionError

__all__ = ["SUPPORTED", "ClusterPlan", "family", "plan"]

# image name (last path segment, without tag or digest) -> family
_FAMILIES: Final = {
    "redis": "redis",
    "valkey": "valkey",
    "mongo": "mongodb",
    "mongodb-community-server": "mongodb",
    "mongodb-enterprise-server": "mongodb",
    "kafka": "kafka",
    "cp-kafka": "kafka",
    "etcd": "etcd",
    "postgres": "postgres",
    "postgresql": "postgres",
}
# the methods each family has
_METHODS: Final = {
    "redis": {"cluster_mode", "replication_factor"},
    "valkey": {"cluster_mode", "replication_factor"},
    "mongodb": {"cluster_mode", "replication_factor"},
    "kafka": {"replication_factor", "quorum_size"},
    "etcd": {"quorum_size"},
}
SUPPORTED: Final = {
    "cluster_mode": "redis, valkey (Redis Cluster) and mongo (a replica set)",
    "replication_factor": "redis, valkey (replicas per master), mongo (replica-set members) and kafka "
    "(topic replication)",
    "quorum_size": "the etcd images (quay.io/coreos/etcd, gcr.io/etcd-development/etcd: the initial cluster) and "
    "apache/kafka, confluentinc/cp-kafka (KRaft controller voters)",
}


def family(image: Any) -> str | None:
    """The image family of ``image`` (``redis:7`` -> redis, ``valkey/valkey:8`` -> valkey), None if unknown."""
    if not isinstance(image, str):
        return None
    last = image.split("@")[0].split("/")[-1].split(":")[0]
    if last == "etcd" and "bitnami/" in image:
        return None  # bitnami's etcd configures its cluster with scripts of its own
    return _FAMILIES.get(last)


@dataclass
class ClusterPlan:
    """What the clustering settings add: container args, ports, env, and the Job that forms the cluster."""

    args: list[str] = field(default_factory=list)
    ports: list[dict[str, Any]] = field(default_factory=list)
    env: dict[str, Any] = field(default_factory=dict)
    job_command: list[str] | None = None


def _error(what: str, fix: str, site: Site | None) -> CompositionError:
    return CompositionError(what, where=site.text if site is not None else None, fix=fix)


def plan(
    *,
    name: str,
    image: Any,
    replicas: Any,
    ports: list[dict[str, Any]],
    env: dict[str, Any],
    data_path: Any,
    has_storage: bool,
    settings: dict[str, tuple[Any, Site | None]],
    final: bool,
) -> ClusterPlan:
    """Check the clustering ``settings`` (method -> (value, call site)) against the image and replicas and say what
    they add. With ``final=False`` (at a call) only what is already known is checked: an image or a replica count
    set later is checked when the objects are made."""
    out = ClusterPlan()
    active = {m: v for m, v in settings.items() if not (m == "cluster_mode" and v[0] is False)}
    if not active:
        return out
    kind = family(image)
    if image is None and not final:
        return out
    for method, (value, site) in active.items():
        call = f"StatefulApp {name!r}: {method}({value!r})"
        if kind == "postgres":
            raise _error(
                f"{call} is not supported for the postgres image: pykro does not invent PostgreSQL streaming "
                "replication",
                "Use CloudNativePG: pykro.integrations.cnpg.Cluster(..., instances=3) in a @composition "
                "(it runs replicas, failover and backups).",
                site,
            )
        if kind is None or method not in _METHODS[kind]:
            raise _error(
                f"{call} is not supported for the image {image!r}: pykro does not know what it means there",
                f"Use {method}() with {SUPPORTED[method]}; for another image, set its own options with "
                ".args([...]) or .env(...).",
                site,
            )
    if replicas is not None and (not isinstance(replicas, int) or isinstance(replicas, bool)):
        method, (value, site) = next(iter(active.items()))
        raise _error(
            f"StatefulApp {name!r}: {method}({value!r}) needs a fixed replicas number, got {replicas!r}",
            "Give replicas(...) a number: the cluster's members are listed by name.",
            site,
        )
    rf_value, rf_site = active.get("replication_factor", (None, None))
    if kind in ("redis", "valkey"):
        return _redis(name, kind, replicas, ports, data_path, has_storage, active, rf_value, rf_site, final)
    if kind == "mongodb":
        return _mongo(name, replicas, ports, env, active, rf_value, rf_site, final)
    if kind == "etcd":
        return _etcd(name, replicas, data_path, has_storage, active["quorum_size"], final)
    return _kafka(name, image, replicas, ports, data_path, has_storage, active, final)


def _kafka(
    name: str,
    image: Any,
    replicas: int | None,
    ports: list[dict[str, Any]],
    data_path: Any,
    has_storage: bool,
    active: dict[str, tuple[Any, Site | None]],
    final: bool,
) -> ClusterPlan:
    """Kafka's settings as ``KAFKA_<KEY>`` variables (bitnami: ``KAFKA_CFG_<KEY>``), which the images write into
    server.properties."""
    out = ClusterPlan()
    bitnami = isinstance(image, str) and image.startswith(("bitnami/", "docker.io/bitnami/"))
    prefix = "KAFKA_CFG_" if bitnami else "KAFKA_"
    if "replication_factor" in active:
        factor, site = active["replication_factor"]
        if replicas is not None and factor > replicas:
            raise _error(
                f"StatefulApp {name!r}: replication_factor({factor}) is more than its {replicas} replicas (brokers)",
                f"Use replication_factor({replicas}) at most, or more replicas.",
                site,
            )
        for key in ("DEFAULT_REPLICATION_FACTOR", "OFFSETS_TOPIC_REPLICATION_FACTOR",
                    "TRANSACTION_STATE_LOG_REPLICATION_FACTOR"):  # fmt: skip
            out.env[prefix + key] = str(factor)
        out.env[prefix + "MIN_INSYNC_REPLICAS"] = str(max(1, factor - 1))
        out.env[prefix + "TRANSACTION_STATE_LOG_MIN_ISR"] = str(max(1, factor - 1))
    if "quorum_size" in active:
        size, site = active["quorum_size"]
        if bitnami:
            raise _error(
                f"StatefulApp {name!r}: quorum_size({size}) is not supported for the image {image!r}: bitnami's "
                "scripts configure KRaft with variables of their own",
                "Use apache/kafka or confluentinc/cp-kafka, or set KAFKA_CFG_CONTROLLER_QUORUM_VOTERS with .env(...).",
                site,
            )
        if replicas is not None and replicas != size:
            raise _error(
                f"StatefulApp {name!r}: quorum_size({size}) makes every pod a KRaft controller and broker, and it has "
                f"replicas {replicas}",
                f"Use replicas({size}).",
                site,
            )
        if final and not has_storage:
            raise _error(
                f"StatefulApp {name!r}: quorum_size({size}) keeps each node's log and metadata under its storage, "
                "and it has none",
                "Add .storage('10Gi') (a controller that loses its metadata cannot rejoin the quorum).",
                site,
            )
        if replicas is None:
            return out
        port = _client_port(ports, "kafka", 9092)
        controller = 9093 if port != 9093 else 9094
        voters = ",".join(f"{i}@{h}:{controller}" for i, h in enumerate(_hosts(name, size)))
        cluster_id = base64.urlsafe_b64encode(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.kafka").bytes).decode()
        out.ports.append({"containerPort": controller, "name": "controller", "protocol": "TCP"})
        out.env = {
            "POD_NAME": {"fieldRef": {"fieldPath": "metadata.name"}},
            "KAFKA_NODE_ID": {"fieldRef": {"fieldPath": "metadata.labels['apps.kubernetes.io/pod-index']"}},
            "CLUSTER_ID": cluster_id.rstrip("="),
            "KAFKA_PROCESS_ROLES": "broker,controller",
            "KAFKA_CONTROLLER_QUORUM_VOTERS": voters,
            "KAFKA_LISTENERS": f"PLAINTEXT://:{port},CONTROLLER://:{controller}",
            "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://$(POD_NAME).{name}:{port}",
            "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
            "KAFKA_INTER_BROKER_LISTENER_NAME": "PLAINTEXT",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "KAFKA_LOG_DIRS": f"{data_path}/kafka",
            **out.env,
        }
    return out


def _client_port(ports: list[dict[str, Any]], port_name: str, default: int) -> Any:
    return next((p["containerPort"] for p in ports if p["name"] == port_name), default)


def _hosts(name: str, replicas: int) -> list[str]:
    """The pods' stable DNS names through the headless Service ``name``."""
    return [f"{name}-{i}.{name}" for i in range(replicas)]


def _redis(
    name: str,
    kind: str,
    replicas: int | None,
    ports: list[dict[str, Any]],
    data_path: Any,
    has_storage: bool,
    active: dict[str, tuple[Any, Site | None]],
    rf_value: Any,
    rf_site: Site | None,
    final: bool,
) -> ClusterPlan:
    mode = active.get("cluster_mode")
    if mode is None:
        raise _error(
            f"StatefulApp {name!r}: replication_factor({rf_value}) for {kind} is the number of replicas per master of "
            "a Redis Cluster",
            "Add .cluster_mode(True) (a standalone server has no replicas per master).",
            rf_site,
        )
    if replicas is None:
        return ClusterPlan()
    per_master = 1 + (rf_value or 0)
    if replicas < 3 * per_master or replicas % per_master:
        calls = ", ".join(f"{m}({v!r})" for m, (v, _) in active.items())
        each = f" of {per_master} pods each (a master and {per_master - 1} replica(s))" if per_master > 1 else ""
        raise _error(
            f"StatefulApp {name!r}: {calls}: a {kind} cluster needs at least 3 masters{each}: replicas must be a "
            f"multiple of {per_master}, at least {3 * per_master}; it has replicas {replicas}",
            f"Use replicas({3 * per_master}) (or a lower replication_factor).",
            rf_site or mode[1],
        )
    if final and not has_storage:
        raise _error(
            f"StatefulApp {name!r}: cluster_mode(True) keeps each node's cluster state (nodes.conf) on its storage, "
            "and it has none",
            "Add .storage('1Gi') (a node that forgets its identity cannot rejoin the cluster).",
            mode[1],
        )
    port = _client_port(ports, "redis", 6379)
    bus = port + 10000 if isinstance(port, int) else 16379
    cli = "redis-cli" if kind == "redis" else "valkey-cli"
    hosts = _hosts(name, replicas)
    script = "\n".join(
        [
            "set -e",
            f"for host in {' '.join(hosts)}; do",
            f'  until {cli} -h "$host" -p {port} ping | grep -q PONG; do echo "waiting for $host"; sleep 2; done',
            "done",
            f"if {cli} -h {hosts[0]} -p {port} cluster info | grep -q '^cluster_state:ok'; then",
            '  echo "the cluster exists"; exit 0',
            "fi",
            'nodes=""',
            f"for host in {' '.join(hosts)}; do",
            "  ip=$(getent hosts \"$host\" | awk '{print $1}')",
            f'  nodes="$nodes $ip:{port}"',
            "done",
            f"{cli} --cluster create $nodes --cluster-replicas {rf_value or 0} --cluster-yes",
        ]
    )
    return ClusterPlan(
        args=["--cluster-enabled", "yes", "--cluster-config-file", f"{data_path}/nodes.conf"],
        ports=[{"containerPort": bus, "name": "cluster-bus", "protocol": "TCP"}],
        job_command=["sh", "-c", script],
    )


def _mongo(
    name: str,
    replicas: int | None,
    ports: list[dict[str, Any]],
    env: dict[str, Any],
    active: dict[str, tuple[Any, Site | None]],
    rf_value: Any,
    rf_site: Site | None,
    final: bool,
) -> ClusterPlan:
    if replicas is not None and rf_value is not None and rf_value != replicas:
        raise _error(
            f"StatefulApp {name!r}: replication_factor({rf_value}) for mongo is the number of replica-set members, "
            f"and it has replicas {replicas}",
            f"Use replicas({rf_value}) (every pod is a member).",
            rf_site,
        )
    if "MONGO_INITDB_ROOT_USERNAME" in env or "MONGO_INITDB_ROOT_USERNAME_FILE" in env:
        site = next(iter(active.values()))[1]
        raise _error(
            f"StatefulApp {name!r}: a mongo replica set with MONGO_INITDB_ROOT_USERNAME needs a shared keyFile, "
            "which pykro does not make",
            "Use the MongoDB Kubernetes operator, or a replica set without the root user variables.",
            site,
        )
    if replicas is None:
        return ClusterPlan()
    port = _client_port(ports, "mongodb", 27017)
    hosts = _hosts(name, replicas)
    members = ", ".join(f'{{_id: {i}, host: "{h}:{port}"}}' for i, h in enumerate(hosts))
    initiate = f'try {{ rs.status().ok }} catch (e) {{ rs.initiate({{_id: "{name}", members: [{members}]}}) }}'
    script = "\n".join(
        [
            "set -e",
            f"for host in {' '.join(hosts)}; do",
            f'  until mongosh --quiet --host "$host:{port}" --eval "db.adminCommand(\'ping\').ok"; do sleep 2; done',
            "done",
            f"mongosh --quiet --host {hosts[0]}:{port} --eval {shlex.quote(initiate)}",
        ]
    )
    return ClusterPlan(args=["--replSet", name, "--bind_ip_all"], job_command=["sh", "-c", script])


def _etcd(
    name: str, replicas: int | None, data_path: Any, has_storage: bool, quorum: tuple[Any, Site | None], final: bool
) -> ClusterPlan:
    """etcd reads every flag from an ``ETCD_<FLAG>`` variable; each pod names itself from its pod name."""
    size, site = quorum
    if replicas is not None and replicas != size:
        raise _error(
            f"StatefulApp {name!r}: quorum_size({size}) is etcd's initial cluster, and it has replicas {replicas} "
            "(a pod outside the initial cluster cannot start without being added as a member)",
            f"Use replicas({size}).",
            site,
        )
    if final and not has_storage:
        raise _error(
            f"StatefulApp {name!r}: quorum_size({size}) keeps each member's data under its storage, and it has none",
            "Add .storage('1Gi') (a member that loses its data cannot rejoin the cluster).",
            site,
        )
    if replicas is None:
        return ClusterPlan()
    peers = ",".join(f"{h.split('.')[0]}=http://{h}:2380" for h in _hosts(name, size))
    me = f"$(POD_NAME).{name}"
    return ClusterPlan(
        ports=[
            {"containerPort": 2379, "name": "client", "protocol": "TCP"},
            {"containerPort": 2380, "name": "peer", "protocol": "TCP"},
        ],
        env={
            "POD_NAME": {"fieldRef": {"fieldPath": "metadata.name"}},
            "ETCD_NAME": "$(POD_NAME)",
            "ETCD_DATA_DIR": f"{data_path}/etcd",
            "ETCD_LISTEN_PEER_URLS": "http://0.0.0.0:2380",
            "ETCD_LISTEN_CLIENT_URLS": "http://0.0.0.0:2379",
            "ETCD_INITIAL_ADVERTISE_PEER_URLS": f"http://{me}:2380",
            "ETCD_ADVERTISE_CLIENT_URLS": f"http://{me}:2379",
            "ETCD_INITIAL_CLUSTER": peers,
            "ETCD_INITIAL_CLUSTER_STATE": "new",
            "ETCD_INITIAL_CLUSTER_TOKEN": name,
        },
    )
