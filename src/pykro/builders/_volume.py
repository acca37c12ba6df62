"""Celestra's Volume: one pod volume (a claim, an emptyDir, a host path, a ConfigMap or a Secret) and where the
workload mounts it.

``App(...).add_volume(Volume("data").size("10Gi").mount_path("/data"))`` adds a PersistentVolumeClaim ``data``
with the workload, a pod volume using it and a mount in the container. Standalone, a claim Volume's
``objects()`` is the PersistentVolumeClaim. Settings that belong to a StorageClass or a CSI driver (IOPS,
encryption, snapshots, replication, expansion) are not a claim's: they raise, naming what to use instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pykro.authoring._location import fail
from pykro.authoring._resource import ResourceRef
from pykro.builders._base import (
    Builder,
    absolute_path,
    builder_method,
    choice,
    dns_name,
    items,
    quantity,
    text,
    unsupported,
)
from pykro.simple import PersistentVolumeClaim as _PVC

__all__ = ["Storage", "Volume"]

V = TypeVar("V", bound="Volume")

_ACCESS_MODES = {
    "readwriteonce": "ReadWriteOnce",
    "rwo": "ReadWriteOnce",
    "readonlymany": "ReadOnlyMany",
    "rox": "ReadOnlyMany",
    "readwritemany": "ReadWriteMany",
    "rwx": "ReadWriteMany",
    "readwriteoncepod": "ReadWriteOncePod",
    "rwop": "ReadWriteOncePod",
}
_MEDIA = {"": "", "memory": "Memory"}
_HOST_PATH_TYPES = {
    "": "",
    "directoryorcreate": "DirectoryOrCreate",
    "directory": "Directory",
    "fileorcreate": "FileOrCreate",
    "file": "File",
    "socket": "Socket",
    "chardevice": "CharDevice",
    "blockdevice": "BlockDevice",
}
_CLASS_SETTING = "it is a parameter of the StorageClass (or the CSI driver), not of a claim"
_CLASS_INSTEAD = "a StorageClass with that parameter, then .storage_class('its-name')"
_BACKUP = "pykro does not run volume backups"
_BACKUP_INSTEAD = "StatefulApp.backup_schedule(cron) for a database, or a backup operator such as Velero"
_SNAPSHOT = "snapshots are VolumeSnapshot objects of the CSI snapshot controller, taken by a tool on a schedule"
_SNAPSHOT_INSTEAD = "a snapshot scheduler (or Velero) configured for the claim"
_PLACEMENT = "where pods run is the workload's setting"
_PLACEMENT_INSTEAD = "the workload's .affinity({...}) (volume topology follows the StorageClass)"


class Volume(Builder):
    """A pod volume and its mount: ``Volume("data").size("10Gi")`` (a PersistentVolumeClaim),
    ``.empty_dir_volume()``, ``.host_path_volume(path)``, ``.config_map_volume(name)``, ``.secret_volume(name)``;
    ``mount_path``, ``sub_path`` and ``read_only`` say how the workload's container mounts it."""

    KIND_NAME_IS_LABEL = True  # a pod volume's name is a DNS-1123 label

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._source: str | None = None  # claim, ephemeral, emptyDir, hostPath, configMap, secret
        self._implicit = False  # the source is a claim only because size/storage_class/access_mode was set
        self._size: Any = None
        self._storage_class: Any = None
        self._access_mode = "ReadWriteOnce"
        self._detail: dict[str, Any] = {}
        self._mount_path: Any = None
        self._sub_path: Any = None
        self._read_only = False

    def _set_source(self, source: str, *, implicit: bool = False) -> None:
        if implicit:
            if self._source is None:
                self._source, self._implicit = source, True
            return
        if self._implicit:
            self._source, self._implicit = None, False
        if self._source not in (None, source):
            raise fail(
                f"Volume {self._name!r} already has the source {self._source}; it cannot also be {source}",
                "Make one Volume per source.",
            )
        self._source = source

    # ------------------------------------------------------------------ claims
    @builder_method
    def size(self: V, size: Any) -> V:
        """The claim's size (``"10Gi"``); makes it a PersistentVolumeClaim unless it is an ephemeral volume."""
        self._size = quantity(size, "size", size=True)
        self._set_source("claim", implicit=True)
        if self._source not in ("claim", "ephemeral", "emptyDir"):
            raise fail(f"Volume {self._name!r} ({self._source}) has no size", "Remove .size().")
        return self

    @builder_method
    def storage_class(self: V, storage_class: Any) -> V:
        """The StorageClass of the claim (makes it a PersistentVolumeClaim unless it is an ephemeral volume)."""
        self._storage_class = dns_name(storage_class, "storage class")
        self._set_source("claim", implicit=True)
        return self

    @builder_method
    def access_mode(self: V, mode: str) -> V:
        """``ReadWriteOnce`` (default), ``ReadOnlyMany``, ``ReadWriteMany`` or ``ReadWriteOncePod``."""
        self._access_mode = choice(mode, "access mode", _ACCESS_MODES)
        self._set_source("claim", implicit=True)
        return self

    @builder_method
    def persistent_volume(self: V) -> V:
        """A PersistentVolumeClaim named after the Volume (give it a size)."""
        self._set_source("claim")
        return self

    @builder_method
    def persistent_volume_claim(self: V, size: Any = None, storage_class: Any = None) -> V:
        """A PersistentVolumeClaim of ``size`` (Celestra's spelling with the size)."""
        self._set_source("claim")
        if size is not None:
            self.size(size)
        if storage_class is not None:
            self.storage_class(storage_class)
        return self

    @builder_method
    def ephemeral_volume(self: V, size: Any = None) -> V:
        """A generic ephemeral volume: a claim made for each pod and deleted with it (give it a size)."""
        self._set_source("ephemeral")
        if size is not None:
            self.size(size)
        return self

    # ------------------------------------------------------------------ other sources
    @builder_method
    def empty_dir_volume(self: V, size_limit: Any = None, medium: str = "") -> V:
        """An emptyDir: scratch space living as long as the pod (``medium="Memory"`` for tmpfs)."""
        self._set_source("emptyDir")
        if size_limit is not None:
            self.size(size_limit)
        self._detail["medium"] = choice(medium, "medium", _MEDIA)
        return self

    @builder_method
    def host_path_volume(self: V, path: Any, path_type: str = "") -> V:
        """A directory of the node (``path_type`` such as ``DirectoryOrCreate``)."""
        self._set_source("hostPath")
        self._detail = {
            "path": absolute_path(path, "host path"),
            "type": choice(path_type, "path_type", _HOST_PATH_TYPES),
        }
        return self

    @builder_method
    def config_map_volume(self: V, config_map_name: Any) -> V:
        """The keys of a ConfigMap as files."""
        self._set_source("configMap")
        self._detail = {"name": dns_name(config_map_name, "ConfigMap name")}
        return self

    @builder_method
    def config_map(self: V, config_map_name: Any) -> V:
        """Same as config_map_volume()."""
        return self.config_map_volume(config_map_name)

    @builder_method
    def secret_volume(self: V, secret_name: Any) -> V:
        """The keys of a Secret as files."""
        self._set_source("secret")
        self._detail = {"secretName": dns_name(secret_name, "Secret name")}
        return self

    # ------------------------------------------------------------------ the mount
    @builder_method
    def mount_path(self: V, path: Any) -> V:
        """Where the workload's container mounts the volume."""
        self._mount_path = absolute_path(path, "mount_path")
        return self

    @builder_method
    def sub_path(self: V, sub_path: Any) -> V:
        """Mount only this directory of the volume."""
        value = text(sub_path, "sub_path")
        if isinstance(value, str) and (value.startswith("/") or ".." in value.split("/")):
            raise fail(f"sub_path {value!r} must be a relative path inside the volume", "Write 'app/config'.")
        self._sub_path = value
        return self

    @builder_method
    def read_only(self: V, read_only: bool = True) -> V:
        """Mount the volume read-only (a bool)."""
        if not isinstance(read_only, bool):
            raise fail(f"read_only takes True or False, got {read_only!r}", "Write read_only(True).")
        self._read_only = read_only
        return self

    # ------------------------------------------------------------------ not a claim's settings
    iops = unsupported("iops", _CLASS_SETTING, _CLASS_INSTEAD)
    throughput = unsupported("throughput", _CLASS_SETTING, _CLASS_INSTEAD)
    performance_tier = unsupported("performance_tier", _CLASS_SETTING, _CLASS_INSTEAD)
    encryption_enabled = unsupported("encryption_enabled", _CLASS_SETTING, _CLASS_INSTEAD)
    encryption_key = unsupported("encryption_key", _CLASS_SETTING, _CLASS_INSTEAD)
    mount_options = unsupported("mount_options", "mount options are a StorageClass's (mountOptions)", _CLASS_INSTEAD)
    allow_expansion = unsupported(
        "allow_expansion", "expansion is allowed by the StorageClass (allowVolumeExpansion)", _CLASS_INSTEAD
    )
    expansion_policy = unsupported(
        "expansion_policy", "Kubernetes never grows a claim by itself", "a larger .size() (the claim is resized)"
    )
    expansion_threshold = unsupported(
        "expansion_threshold", "Kubernetes never grows a claim by itself", "a larger .size() (the claim is resized)"
    )
    replication_enabled = unsupported("replication_enabled", _CLASS_SETTING, _CLASS_INSTEAD)
    replication_factor = unsupported("replication_factor", _CLASS_SETTING, _CLASS_INSTEAD)
    replication_zones = unsupported("replication_zones", _CLASS_SETTING, _CLASS_INSTEAD)
    backup_enabled = unsupported("backup_enabled", _BACKUP, _BACKUP_INSTEAD)
    backup_schedule = unsupported("backup_schedule", _BACKUP, _BACKUP_INSTEAD)
    backup_retention = unsupported("backup_retention", _BACKUP, _BACKUP_INSTEAD)
    snapshot_enabled = unsupported("snapshot_enabled", _SNAPSHOT, _SNAPSHOT_INSTEAD)
    snapshot_schedule = unsupported("snapshot_schedule", _SNAPSHOT, _SNAPSHOT_INSTEAD)
    snapshot_retention = unsupported("snapshot_retention", _SNAPSHOT, _SNAPSHOT_INSTEAD)
    node_affinity = unsupported("node_affinity", _PLACEMENT, _PLACEMENT_INSTEAD)
    pod_affinity = unsupported("pod_affinity", _PLACEMENT, _PLACEMENT_INSTEAD)

    # ------------------------------------------------------------------ what a workload uses
    def _need_source(self) -> str:
        if self._source is None:
            raise fail(
                f"Volume {self._name!r} has no source",
                "Call .size('10Gi') (a claim), .empty_dir_volume(), .host_path_volume(path), .config_map_volume(name) "
                "or .secret_volume(name).",
            )
        if self._source in ("claim", "ephemeral") and self._size is None:
            raise fail(f"Volume {self._name!r} is a claim without a size", "Call .size('10Gi').")
        if self._source not in ("claim", "ephemeral") and (
            self._storage_class is not None or self._access_mode != "ReadWriteOnce"
        ):
            raise fail(
                f"Volume {self._name!r} ({self._source}) has a storage class or access mode, which only claims have",
                "Remove .storage_class()/.access_mode(), or make it a claim with .persistent_volume_claim(size).",
            )
        if self._size is not None and self._source not in ("claim", "ephemeral", "emptyDir"):
            raise fail(f"Volume {self._name!r} ({self._source}) has a size, which it cannot use", "Remove .size().")
        return self._source

    def pod_volume(self) -> dict[str, Any]:
        """The pod's ``volumes[]`` entry."""
        source = self._need_source()
        if source == "claim":
            return {"name": self._name, "persistentVolumeClaim": {"claimName": self._name}}
        if source == "ephemeral":
            spec: dict[str, Any] = {
                "accessModes": [self._access_mode],
                "resources": {"requests": {"storage": self._size}},
            }
            if self._storage_class is not None:
                spec["storageClassName"] = self._storage_class
            return {"name": self._name, "ephemeral": {"volumeClaimTemplate": {"spec": spec}}}
        detail = {k: v for k, v in self._detail.items() if v not in ("", None)}
        if source == "emptyDir" and self._size is not None:
            detail["sizeLimit"] = self._size
        return {"name": self._name, source: detail}

    def mount(self) -> dict[str, Any] | None:
        """The container's ``volumeMounts[]`` entry (None without a mount_path)."""
        if self._mount_path is None:
            if self._sub_path is not None or self._read_only:
                raise fail(
                    f"Volume {self._name!r} has sub_path/read_only but no mount_path", "Call .mount_path('/data')."
                )
            return None
        mount: dict[str, Any] = {"name": self._name, "mountPath": self._mount_path}
        if self._sub_path is not None:
            mount["subPath"] = self._sub_path
        if self._read_only:
            mount["readOnly"] = True
        return mount

    def claim(self, namespace: Any = None) -> list[ResourceRef]:
        """The PersistentVolumeClaim of a claim Volume (none for other sources)."""
        if self._need_source() != "claim":
            return []
        meta = self._meta()
        if meta["namespace"] is None:
            meta["namespace"] = namespace
        return [
            _PVC(
                self._name,
                size=self._size,
                access_modes=(self._access_mode,),
                storage_class=self._storage_class,
                **meta,
            )
        ]

    def _make(self) -> list[ResourceRef]:
        made = self.claim()
        if not made:
            raise fail(
                f"Volume {self._name!r} ({self._source}) is no object of its own",
                "Add it to a workload with .add_volume(volume).",
            )
        return made


_STORAGE_TYPES = {"persistent": "persistent", "shared": "shared", "ephemeral": "ephemeral", "temporary": "ephemeral"}


class Storage(Volume):
    """The storage of Celestra's API reference (``app.add_storage(Storage("data").type("persistent").size("10Gi")
    .mount_path("/data"))``): a Volume whose ``type`` is ``persistent`` (a claim), ``shared`` (a ReadWriteMany claim)
    or ``ephemeral`` (an emptyDir whose size is its limit)."""

    @builder_method
    def type(self, storage_type: str) -> Storage:
        kind = choice(storage_type, "storage type", _STORAGE_TYPES)
        if kind == "ephemeral":
            self._set_source("emptyDir")
        else:
            self._set_source("claim")
            if kind == "shared":
                self._access_mode = "ReadWriteMany"
        return self


def volumes(values: Sequence[Any]) -> list[Volume]:
    """Check a list of Volume builders (add_volumes())."""
    out = items(values, "volumes")
    for value in out:
        if not isinstance(value, Volume):
            raise fail(f"add_volumes() takes Volume builders, got {type(value).__name__}", "Write [Volume('data')...].")
    return out
