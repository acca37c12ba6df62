"""StatefulApp: a StatefulSet, its headless Service and volume claim template; ``backup_schedule`` adds a CronJob."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any, Self

from pykro.authoring._location import Site, fail, user_site
from pykro.authoring._refs import is_ref
from pykro.authoring._resource import ResourceRef
from pykro.builders._base import builder_method, choice, cron, dns_name, items, mapping, quantity, text, unsupported
from pykro.builders._base import count as check_count
from pykro.builders._base import image as check_image
from pykro.builders._clusters import ClusterPlan, plan
from pykro.builders._workload import BUILD_INSTEAD, NOT_BUILT, _Exposed, short_enough
from pykro.errors import CompositionError
from pykro.simple import CronJob as _CronJob
from pykro.simple import Job as _Job
from pykro.simple import PersistentVolumeClaim as _PVC
from pykro.simple import Service as _Service
from pykro.simple import StatefulSet as _StatefulSet
from pykro.simple._pods import container

__all__ = ["StatefulApp"]

UPLOADER = "amazon/aws-cli:2.17.0"


class _DatabaseSettings(_Exposed):
    """The database images' ports and settings (``postgres_port``, ``postgres_config``, ...) of a StatefulApp."""

    def _db_port(self, number: Any, name: str) -> Self:
        return self.port(number, name)

    @builder_method
    def postgres_port(self, port: Any = 5432) -> Self:
        return self._db_port(port, "postgres")

    @builder_method
    def mysql_port(self, port: Any = 3306) -> Self:
        return self._db_port(port, "mysql")

    @builder_method
    def mongodb_port(self, port: Any = 27017) -> Self:
        return self._db_port(port, "mongodb")

    @builder_method
    def redis_port(self, port: Any = 6379) -> Self:
        return self._db_port(port, "redis")

    @builder_method
    def kafka_port(self, port: Any = 9092) -> Self:
        return self._db_port(port, "kafka")

    @builder_method
    def elasticsearch_port(self, port: Any = 9200) -> Self:
        return self._db_port(port, "elasticsearch")

    def _settings(self, config: Any, what: str) -> dict[str, str]:
        out = {}
        for key, value in mapping(config, what).items():
            if not isinstance(key, str) or not (is_ref(value) or isinstance(value, str | int | float)):
                raise fail(f"{what} setting {key!r} must be text, got {type(value).__name__}")
            out[key] = value
        return out

    @builder_method
    def postgres_config(self, config: Mapping[str, Any]) -> Self:
        """PostgreSQL settings, passed as ``-c key=value`` arguments (the postgres image hands them to postgres)."""
        for key, value in self._settings(config, "postgres_config").items():
            self._args += ["-c", f"{key}={value}"]
        return self

    @builder_method
    def mysql_config(self, config: Mapping[str, Any]) -> Self:
        """MySQL settings, passed as ``--key=value`` arguments (the mysql image hands them to mysqld)."""
        self._args += [f"--{k.replace('_', '-')}={v}" for k, v in self._settings(config, "mysql_config").items()]
        return self

    @builder_method
    def redis_config(self, config: Mapping[str, Any]) -> Self:
        """Redis settings, passed as ``--key value`` arguments (the redis image hands them to redis-server)."""
        for key, value in self._settings(config, "redis_config").items():
            self._args += [f"--{key}", *str(value).split()]
        return self

    @builder_method
    def kafka_config(self, config: Mapping[str, Any]) -> Self:
        """Kafka broker settings as ``KAFKA_<KEY>`` environment variables (the Confluent/Bitnami convention)."""
        for key, value in self._settings(config, "kafka_config").items():
            self.env("KAFKA_" + re.sub(r"[.\-]", "_", key).upper(), value)
        return self


class StatefulApp(_DatabaseSettings):
    """A stateful application: a StatefulSet, its headless Service (``<name>``), its volume claim template, and
    with ``backup_schedule()`` a CronJob and a claim for the backups."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._replicas: Any = 1
        self._storage: dict[str, Any] | None = None
        self._mount_path: Any = "/data"
        self._storage_class: Any = None
        self._update: dict[str, Any] | None = None
        self._backup: Any = None
        self._backup_command: list[Any] | None = None
        self._retention: Any = None
        self._location: tuple[str, str, Any, Any, Site | None] | None = None  # (kind, where, secret, image, site)
        self._replicas_set = False
        self._clustering: dict[str, tuple[Any, Site | None]] = {}  # method -> (value, call site)

    @builder_method
    def replicas(self, count: Any) -> StatefulApp:
        return self._trying(_replicas=check_count(count, "replicas"), _replicas_set=True)

    @builder_method
    def image(self, image: Any) -> StatefulApp:
        """The container image (``postgres:15``); checked against the clustering settings already made."""
        return self._trying(_image=check_image(image))

    def _trying(self, **changes: Any) -> StatefulApp:
        """Apply ``changes`` if the clustering settings still hold with them; a refused call changes nothing."""
        before = {k: getattr(self, k) for k in changes}
        self.__dict__.update(changes)
        try:
            self._cluster_plan(final=False)
        except BaseException:
            self.__dict__.update(before)
            raise
        return self

    @builder_method
    def storage(self, size: Any, mount_path: Any = None, storage_class: Any = None) -> StatefulApp:
        """A volume claim template ``data`` of ``size`` per pod, mounted at ``mount_path`` (default ``/data``)."""
        self._storage = {"size": quantity(size, "storage size", size=True)}
        if mount_path is not None:
            self.mount_path(mount_path)
        if storage_class is not None:
            self.storage_class(storage_class)
        return self

    @builder_method
    def mount_path(self, path: Any) -> StatefulApp:
        """Where the storage is mounted (``/data`` unless set)."""
        self._mount_path = text(path, "mount_path")
        if isinstance(path, str) and not path.startswith("/"):
            raise fail(f"mount_path {path!r} must be an absolute path", f"Write '/{path}'.")
        return self

    def _own_volumes(self) -> set[str]:
        return {"data"} if self._storage is not None else set()

    @builder_method
    def storage_class(self, storage_class: Any) -> StatefulApp:
        self._storage_class = dns_name(storage_class, "storage class")
        return self

    @builder_method
    def deployment_strategy(self, strategy: str) -> StatefulApp:
        """``rolling`` (default of StatefulSets) or ``on-delete``."""
        kind = choice(
            strategy,
            "update strategy",
            {"rolling": "RollingUpdate", "rollingupdate": "RollingUpdate", "ondelete": "OnDelete"},
        )
        self._update = {"type": kind}
        return self

    @builder_method
    def rolling_update(self, partition: Any = 0, max_unavailable: Any = 1) -> StatefulApp:
        """A RollingUpdate strategy: pods with an ordinal >= ``partition`` are updated, ``max_unavailable`` at a
        time."""
        self._update = {
            "type": "RollingUpdate",
            "rollingUpdate": {
                "partition": check_count(partition, "partition"),
                "maxUnavailable": check_count(max_unavailable, "max_unavailable", least=1),
            },
        }
        return self

    @builder_method
    def on_delete_strategy(self) -> StatefulApp:
        """Update pods only when they are deleted."""
        self._update = {"type": "OnDelete"}
        return self

    @builder_method
    def backup_schedule(self, schedule: Any) -> StatefulApp:
        """A CronJob ``<name>-backup`` on ``schedule`` running the backup command (postgres images: pg_dumpall of
        pod 0; others: set backup_command()) into the claim ``<name>-backup`` (or backup_location()), mounted at
        ``/backup``."""
        self._backup = cron(schedule, "backup_schedule")
        return self

    @builder_method
    def backup_command(self, command: Sequence[Any]) -> StatefulApp:
        """pykro: the command the backup CronJob runs (with the app's image, env and ``/backup`` mounted)."""
        self._backup_command = [text(c, "backup_command item") for c in items(command, "backup_command")]
        return self

    @builder_method
    def backup_location(
        self, location: Any, credentials_secret: Any = None, uploader_image: Any = UPLOADER
    ) -> StatefulApp:
        """Where the backup CronJob writes: the name of an existing PersistentVolumeClaim (used instead of the
        claim ``<name>-backup``), or ``s3://bucket/prefix``: the dump goes to a scratch volume and is uploaded with
        ``aws s3 cp`` (``uploader_image``), credentials from the Secret ``credentials_secret`` (its keys
        AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ... as variables; without it, the pod's identity)."""
        where = text(location, "backup_location")
        if isinstance(where, str) and where.startswith("s3://"):
            if not re.fullmatch(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[^\s]*)?", where):
                raise fail(f"backup_location {where!r} is not an s3://bucket/prefix URL", "Write 's3://my-bucket/db'.")
            secret = None if credentials_secret is None else dns_name(credentials_secret, "credentials_secret")
            self._location = ("s3", where.rstrip("/"), secret, text(uploader_image, "uploader_image"), user_site())
        elif isinstance(where, str) and "://" in where:
            raise fail(
                f"backup_location {where!r} is not supported: pykro uploads backups to s3:// URLs only",
                "Use an s3:// URL (any S3-compatible store: set AWS_ENDPOINT_URL in the credentials Secret) or the "
                "name of a PersistentVolumeClaim.",
            )
        else:
            if credentials_secret is not None:
                raise fail("credentials_secret is for s3:// locations", "Leave it out for a claim.")
            self._location = ("claim", dns_name(where, "backup_location claim"), None, None, user_site())
        return self

    @builder_method
    def backup_retention(self, days: Any) -> StatefulApp:
        """Delete backup files older than ``days`` after each backup."""
        self._retention = check_count(days, "backup_retention", least=1)
        return self

    @builder_method
    def cluster_mode(self, enabled: Any = True) -> StatefulApp:
        """Run the pods as one cluster: Redis/Valkey a Redis Cluster (``--cluster-enabled yes``, ``nodes.conf`` on
        the storage, the cluster bus port, a Job ``<name>-cluster-init`` running ``redis-cli --cluster create``
        over the pods' DNS names); mongo a replica set named ``<name>`` (``--replSet``, a Job running
        ``rs.initiate``). Other images are refused (postgres: use CloudNativePG)."""
        if not isinstance(enabled, bool):
            raise fail(f"cluster_mode takes True or False, got {enabled!r}", "Write cluster_mode(True).")
        return self._cluster_setting("cluster_mode", enabled)

    @builder_method
    def replication_factor(self, factor: Any) -> StatefulApp:
        """Redis/Valkey (with cluster_mode): replicas per master (``--cluster-replicas``); mongo: the replica-set
        members (must equal replicas); kafka: the topics' replication factor (``KAFKA_DEFAULT_REPLICATION_FACTOR``,
        the internal topics', ``min.insync.replicas`` = factor - 1)."""
        return self._cluster_setting("replication_factor", check_count(factor, "replication_factor", least=1))

    @builder_method
    def quorum_size(self, size: Any) -> StatefulApp:
        """etcd: the initial cluster of ``size`` members (an odd number, equal to replicas), configured with etcd's
        ``ETCD_*`` variables (name, peer and client URLs over the pods' DNS names, ``ETCD_INITIAL_CLUSTER``), its
        data under the storage's mount path and the client and peer ports 2379 and 2380."""
        size = check_count(size, "quorum_size", least=1)
        if isinstance(size, int) and size % 2 == 0:
            raise fail(
                f"quorum_size must be odd, got {size}",
                f"Use {size - 1} or {size + 1} (an even member count tolerates no more failures than one less).",
            )
        return self._cluster_setting("quorum_size", size)

    def _cluster_setting(self, method: str, value: Any) -> StatefulApp:
        return self._trying(_clustering={**self._clustering, method: (value, user_site())})

    def _cluster_plan(self, *, final: bool) -> ClusterPlan:
        """What the clustering settings add; ``final=False`` checks only what is known so far."""
        return plan(
            name=self._name,
            image=self._image,
            replicas=self._replicas if (final or self._replicas_set) else None,
            ports=self._ports,
            env=self._env,
            data_path=self._mount_path,
            has_storage=self._storage is not None,
            settings=self._clustering,
            final=final,
        )

    build = unsupported("build", NOT_BUILT, BUILD_INSTEAD)
    enable_point_in_time_recovery = unsupported(
        "enable_point_in_time_recovery",
        "it depends on the database",
        "a database operator (CloudNativePG, ...) or the database's config",
    )

    def _make(self) -> list[ResourceRef]:
        """The StatefulSet, its headless Service, the added objects and the backup CronJob (if scheduled)."""
        out = self._added()
        claims = None
        if self._storage is not None:
            claims = [
                {
                    "name": "data",
                    "size": self._storage["size"],
                    "mount_path": self._mount_path,
                    "storage_class": self._storage_class,
                }
            ]
        cluster = self._cluster_plan(final=True)
        pod = self._pod_keywords()
        if cluster.args:
            pod["args"] = [*pod.get("args", []), *cluster.args]
        own = {(p["containerPort"]) for p in pod.get("ports", [])} | {p["name"] for p in pod.get("ports", [])}
        added = [p for p in cluster.ports if p["containerPort"] not in own and p["name"] not in own]
        if added:  # a port the app declares itself is kept as it is
            pod["ports"] = [*pod.get("ports", []), *added]
        if cluster.env:
            clash = sorted(set(cluster.env) & set(pod.get("env", {})))
            if clash:
                raise fail(
                    f"StatefulApp {self._name!r} sets {clash[0]} itself and with replication_factor()",
                    "Keep one of them.",
                )
            pod["env"] = {**pod.get("env", {}), **cluster.env}
        stateful = _StatefulSet(
            self._name,
            image=self._image,
            replicas=self._replicas,
            service_name=self._name,
            volume_claim_templates=claims,
            update_strategy=self._update,
            **self._meta(),
            **pod,
        )
        out.append(stateful)
        headless = _Service(
            self._name,
            selector=stateful,
            ports=self._service_ports() or None,
            cluster_ip="None",
            publish_not_ready_addresses=True,
            **self._meta(),
        )
        out.append(headless)
        if self._service_type is not None:
            out.append(
                _Service(
                    f"{self._name}-client",
                    selector=stateful,
                    ports=self._service_ports(),
                    type=self._service_type,
                    **self._meta(),
                )
            )
        return out + self._extra(stateful) + _backup_objects(self) + self._cluster_job(cluster)

    def _cluster_job(self, cluster: ClusterPlan) -> list[ResourceRef]:
        """The Job ``<name>-cluster-init`` that forms the cluster once its pods answer (idempotent)."""
        if cluster.job_command is None:
            return []
        name = f"{self._name}-cluster-init"
        short_enough(name, "cluster-init Job")
        return [
            _Job(
                name,
                image=self._image,
                command=cluster.job_command,
                restart_policy="OnFailure",
                backoff_limit=10,
                **self._meta(),
            )
        ]


def _backup_objects(app: StatefulApp) -> list[ResourceRef]:
    """The backup CronJob of ``app`` (and its claim, unless backup_location names one); [] without a schedule."""
    location = app._location
    if app._backup is None:
        if location is not None:
            raise CompositionError(
                f"StatefulApp {app._name!r} has a backup_location but no backup_schedule: nothing writes there",
                where=location[4].text if location[4] is not None else None,
                fix="Add .backup_schedule('0 2 * * *').",
            )
        return []
    if app._storage is None and location is None:
        raise fail(f"StatefulApp {app._name!r} has a backup_schedule but no storage()", "Call .storage('20Gi').")
    command = app._backup_command
    image = app._image
    if command is None:
        if not (isinstance(image, str) and image.split("/")[-1].startswith("postgres")):
            raise fail(
                f"StatefulApp {app._name!r}: pykro knows how to back up postgres images only, not {image!r}",
                "Add .backup_command([...]) (it runs with the app's image and env; write to /backup).",
            )
        command = [
            "sh",
            "-c",
            f'PGPASSWORD="${{PGPASSWORD:-${{POSTGRES_PASSWORD:-}}}}" pg_dumpall -h {app._name}-0.{app._name} '
            '-U "${POSTGRES_USER:-postgres}" > "/backup/$(date +%Y%m%d%H%M%S).sql"',
        ]
    if app._retention is not None:
        if location is not None and location[0] == "s3":
            raise fail(
                f"StatefulApp {app._name!r}: backup_retention deletes files in a claim; its backups go to "
                f"{location[1]}",
                "Remove backup_retention() and set an expiration lifecycle rule on the bucket.",
            )
        script = shlex.join(command) if command[:2] != ["sh", "-c"] else command[2]
        command = ["sh", "-c", f"{script} && find /backup -type f -mtime +{app._retention} -delete"]
    env_from, _, _ = app._attachments()
    name = f"{app._name}-backup"
    short_enough(name, "backup CronJob")
    mount = [{"name": "backup", "mountPath": "/backup"}]
    out: list[ResourceRef] = []
    extra: dict[str, Any] = {k: v for k, v in (("env", dict(app._env)), ("env_from", env_from)) if v}
    if location is not None and location[0] == "s3":
        _, url, secret, uploader, _ = location
        dump = container("dump", image, {**extra, "command": command}, mounts=mount)  # type: ignore[typeddict-item]
        job = _CronJob(
            name,
            image=uploader,
            schedule=app._backup,
            command=["aws", "s3", "cp", "/backup/", f"{url}/", "--recursive"],
            concurrency_policy="Forbid",
            init_containers=[dump],
            env_from=[{"secretRef": {"name": secret}}] if secret is not None else [],
            volumes=[{"name": "backup", "emptyDir": {}}],
            volume_mounts=[dict(m) for m in mount],
            restart_policy="OnFailure",
            **app._meta(),
        )
        return [job]
    if location is not None:
        claim = location[1]
    else:
        claim = name
        assert app._storage is not None
        out.append(_PVC(claim, size=app._storage["size"], storage_class=app._storage_class, **app._meta()))
    job = _CronJob(
        name,
        image=image,
        schedule=app._backup,
        command=command,
        concurrency_policy="Forbid",
        **extra,
        volumes=[{"name": "backup", "persistentVolumeClaim": {"claimName": claim}}],
        volume_mounts=mount,
        restart_policy="OnFailure",
        **app._meta(),
    )
    return [*out, job]
