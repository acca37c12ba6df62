"""The pod template every workload factory shares: one named container plus the pod-level options.

Container name: the workload's name when it is static and a valid DNS label, else ``main`` (a dynamic name would
give every instance a different container name); ``container_name=`` overrides it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from pykro.authoring._location import fail
from pykro.authoring._refs import Ref, is_ref
from pykro.simple._values import (
    Bool,
    Int,
    Labels,
    Obj,
    Objs,
    Str,
    Strs,
    camelize,
    compact,
    concat,
    dns_label,
    is_resource,
    name_of,
    only,
    text,
    text_keys,
    texts,
)

__all__ = ["PodOptions", "container", "pod_spec", "pod_template"]

_ENV_FROM_KINDS = {"ConfigMap": "configMapRef", "Secret": "secretRef"}
_MOUNT_KEYS = ("name", "mountPath", "volume", "items", "optional", "defaultMode", "subPath", "readOnly")


class PodOptions(TypedDict, total=False):
    """Keywords of every workload factory (besides ``name``, ``image`` and the workload's own)."""

    ports: Sequence[Int | Obj] | Ref  # 5432, {"containerPort": 80, "name": "http"}
    env: Mapping[str, Any] | Objs  # {"K": "v", "P": {"secretKeyRef": {...}}} or the Kubernetes list
    env_from: Sequence[Any] | Ref  # {"configMapRef": {...}} dicts, or ConfigMap / Secret resources
    command: Strs
    args: Strs
    working_dir: Str
    resources: Obj  # {"requests": {"cpu": "100m"}, "limits": {...}}
    liveness_probe: Obj
    readiness_probe: Obj
    startup_probe: Obj
    volumes: Objs
    volume_mounts: Objs
    config_maps: Sequence[Mapping[str, Any]]  # [{"name": "cfg", "mount_path": "/etc/x", "sub_path": "x.conf"}]
    secrets: Sequence[Mapping[str, Any]]  # the same for Secret volumes
    image_pull_policy: Str
    image_pull_secrets: Strs
    security_context: Obj  # the container's
    lifecycle: Obj  # the container's postStart/preStop hooks
    container_name: Str
    containers: Objs  # more containers (sidecars), as Kubernetes dicts
    init_containers: Objs
    service_account: Any  # a name or a ServiceAccount resource
    pod_labels: Labels
    pod_annotations: Labels
    pod_security_context: Obj
    node_selector: Labels
    tolerations: Objs
    affinity: Obj
    restart_policy: Str
    termination_grace_period_seconds: Int
    host_network: Bool
    priority_class_name: Str


def _listed(value: Any, what: str) -> list[Any] | None:
    """A keyword that must be a list: None stays None; a reference is not a list here (caller keeps it)."""
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise fail(f"{what} must be a list, got {type(value).__name__} {value!r}", f"write {what}=[...]")
    return list(value)


def container_ports(ports: Any) -> Any:
    """``[5432]`` or port dicts (``port`` means ``containerPort``) -> Kubernetes ContainerPorts."""
    if ports is None or is_ref(ports):
        return ports
    out = []
    for port in _listed(ports, "ports") or []:
        if is_ref(port) or (isinstance(port, int) and not isinstance(port, bool)):
            out.append({"containerPort": port})
        elif isinstance(port, Mapping):
            entry = camelize(port)
            if "port" in entry and "containerPort" not in entry:
                entry = {"containerPort": entry.pop("port"), **entry}
            out.append(entry)
        else:
            raise fail(f"a container port must be a number or a dict, got {port!r}", "write ports=[8080] or [{...}]")
    return out


def _env_value(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        if "valueFrom" in value or "value_from" in value:
            return {"name": name, **camelize(value)}
        return {"name": name, "valueFrom": dict(value)}
    if value is None:
        raise fail(
            f"environment variable {name} has the value None",
            'give it a value ("" for an empty one) or leave the key out',
        )
    if not (is_ref(value) or isinstance(value, str | int | float)):
        raise fail(
            f"environment variable {name} has a {type(value).__name__} value {value!r}",
            'use a string, a number, a reference, or a valueFrom source such as {"secretKeyRef": {...}}',
        )
    return {"name": name, "value": text(f"environment variable {name}", value)}


def env_vars(env: Any) -> Any:
    """``{"K": "v", "S": {"secretKeyRef": {...}}}`` or a list of EnvVar dicts -> a list of EnvVars."""
    if env is None or is_ref(env):
        return env
    if isinstance(env, Mapping):
        text_keys("env", env)
        return [_env_value(name, value) for name, value in env.items()]
    out = []
    names: set[Any] = set()
    for item in _listed(env, "env") or []:
        entry = camelize(item) if isinstance(item, Mapping) else item
        if isinstance(entry, dict) and "value" in entry:
            entry["value"] = text(f"environment variable {entry.get('name')}", entry["value"])
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name in names:
            raise fail(
                f"environment variable {name} is given twice: the container sees the last value only", "give it once"
            )
        names.add(name)
        out.append(entry)
    return out


def env_sources(env_from: Any) -> Any:
    """EnvFromSource dicts as written; a ConfigMap or Secret resource becomes a reference to it by name."""
    if env_from is None or is_ref(env_from):
        return env_from
    out = []
    for source in _listed(env_from, "env_from") or []:
        if is_resource(source):
            field = _ENV_FROM_KINDS.get(str(source.obj.get("kind")))
            if field is None:
                raise fail(f"env_from takes ConfigMaps and Secrets, not a {source.obj.get('kind')}")
            out.append({field: {"name": name_of(source)}})
        else:
            out.append(camelize(source) if isinstance(source, Mapping) else source)
    return out


def _mounted(items: Any, what: str, source: str, volumes: list[Any], mounts: list[Any]) -> None:
    """``config_maps`` / ``secrets`` sugar: a volume per item plus its mount."""
    ref_key = "name" if source == "configMap" else "secretName"
    for index, item in enumerate(_listed(items, what) or []):
        entry = camelize(item) if isinstance(item, Mapping) else {"name": item}
        only(f"{what} item {index}", entry, _MOUNT_KEYS)
        if "mountPath" not in entry:
            raise fail(f"{what} item {index} has no mount_path", f'write {what}=[{{"name": ..., "mount_path": ...}}]')
        target = name_of(entry["name"])
        volume = entry.get("volume")
        if volume is None:
            volume = target if dns_label(target) else f"{source.lower()}-{index}"
        extra = {k: entry[k] for k in ("items", "optional", "defaultMode") if k in entry}
        volumes.append({"name": volume, source: {ref_key: target, **extra}})
        mount = compact(mountPath=entry["mountPath"], subPath=entry.get("subPath"), readOnly=entry.get("readOnly"))
        mounts.append({"name": volume, **mount})


def container(name: Any, image: Any, options: PodOptions, mounts: Any = None) -> dict[str, Any]:
    """The main container: named, with ports, env, probes, resources and ``mounts`` (default: volume_mounts)."""
    container_name = options.get("container_name")
    if container_name is None:
        container_name = name if dns_label(name) else "main"
    if mounts is None:
        mounts = options.get("volume_mounts")
    return compact(
        name=container_name,
        image=image,
        imagePullPolicy=options.get("image_pull_policy"),
        command=options.get("command"),
        args=options.get("args"),
        workingDir=options.get("working_dir"),
        ports=container_ports(options.get("ports")),
        env=env_vars(options.get("env")),
        envFrom=env_sources(options.get("env_from")),
        resources=options.get("resources"),
        volumeMounts=mounts,
        livenessProbe=options.get("liveness_probe"),
        readinessProbe=options.get("readiness_probe"),
        startupProbe=options.get("startup_probe"),
        securityContext=options.get("security_context"),
        lifecycle=options.get("lifecycle"),
    )


def pod_spec(name: Any, image: Any, options: PodOptions, *, restart_policy: str | None = None) -> dict[str, Any]:
    """A PodSpec with the main container, extra containers, volumes (and config_maps/secrets sugar)."""
    volumes: Any = options.get("volumes")
    mounts: Any = options.get("volume_mounts")
    sugar_volumes: list[Any] = []
    sugar_mounts: list[Any] = []
    _mounted(options.get("config_maps"), "config_maps", "configMap", sugar_volumes, sugar_mounts)
    _mounted(options.get("secrets"), "secrets", "secret", sugar_volumes, sugar_mounts)
    main = container(name, image, options, concat(mounts, sugar_mounts))
    volumes = concat(volumes, sugar_volumes)
    pull_secrets: Any = options.get("image_pull_secrets")
    if pull_secrets is not None and not is_ref(pull_secrets):
        listed = _listed(pull_secrets, "image_pull_secrets") or []
        pull_secrets = [s if isinstance(s, Mapping) else {"name": name_of(s)} for s in listed]
    extra = options.get("containers")
    if is_ref(extra):
        raise fail("containers= must be a list of container dicts here, not a reference", "list them one by one")
    account = options.get("service_account")
    return compact(
        serviceAccountName=name_of(account) if account is not None else None,
        initContainers=options.get("init_containers"),
        containers=[main, *(_listed(extra, "containers") or [])],
        volumes=volumes,
        restartPolicy=options.get("restart_policy", restart_policy),
        terminationGracePeriodSeconds=options.get("termination_grace_period_seconds"),
        hostNetwork=options.get("host_network"),
        priorityClassName=options.get("priority_class_name"),
        imagePullSecrets=pull_secrets,
        securityContext=options.get("pod_security_context"),
        nodeSelector=options.get("node_selector"),
        tolerations=options.get("tolerations"),
        affinity=options.get("affinity"),
    )


def pod_template(
    name: Any, image: Any, labels: Mapping[str, Any], options: PodOptions, *, restart_policy: str | None = None
) -> dict[str, Any]:
    """A PodTemplateSpec whose labels are the workload's (so its selector matches) plus ``pod_labels``."""
    pod_labels = options.get("pod_labels")
    if is_ref(pod_labels):
        raise fail("pod_labels must be a dict here (its values may be references)", 'write pod_labels={"v": spec.v}')
    merged = {**labels, **(texts("pod label", pod_labels) or {})}
    annotations = texts("pod annotation", options.get("pod_annotations"))
    meta = compact(labels=merged, annotations=annotations)
    return {"metadata": meta, "spec": pod_spec(name, image, options, restart_policy=restart_policy)}
