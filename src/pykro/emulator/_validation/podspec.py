"""PodSpec and PodTemplateSpec: containers (name, image, ports), restart policy, template labels."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from pykro import _kubenames as names
from pykro.emulator._validation import meta
from pykro.schema._causes import FieldCause, duplicate, forbidden, invalid, not_supported, required

__all__ = ["PROTOCOLS", "fixed_part", "pod_spec", "pod_update", "template"]

PROTOCOLS = ["SCTP", "TCP", "UDP"]
RESTART_POLICIES = ["Always", "OnFailure", "Never"]


def _ports(ports: Any, path: str) -> list[FieldCause]:
    out: list[FieldCause] = []
    seen: set[str] = set()
    for n, port in enumerate(ports if isinstance(ports, list) else []):
        if not isinstance(port, dict):
            continue
        at = f"{path}[{n}]"
        name = port.get("name")
        if isinstance(name, str) and name:
            out += [invalid(f"{at}.name", name, m) for m in names.port_name(name)]
            if name in seen:
                out.append(duplicate(f"{at}.name", name))
            seen.add(name)
        number = port.get("containerPort")
        if not number:
            out.append(required(f"{at}.containerPort"))
        elif isinstance(number, int):
            out += [invalid(f"{at}.containerPort", number, m) for m in names.port_number(number)]
        host = port.get("hostPort")
        if isinstance(host, int) and host:
            out += [invalid(f"{at}.hostPort", host, m) for m in names.port_number(host)]
        protocol = port.get("protocol")
        if isinstance(protocol, str) and protocol not in PROTOCOLS:
            out.append(not_supported(f"{at}.protocol", protocol, PROTOCOLS))
    return out


def _containers(found: Any, path: str, need_one: bool, seen: set[str]) -> list[FieldCause]:
    out: list[FieldCause] = []
    if need_one and not found:
        return [required(path)]
    for n, c in enumerate(found if isinstance(found, list) else []):
        if not isinstance(c, dict):
            continue
        at = f"{path}[{n}]"
        name = c.get("name")
        if not name:
            out.append(required(f"{at}.name"))
        elif isinstance(name, str):
            out += [invalid(f"{at}.name", name, m) for m in names.dns1123_label(name)]
            if name in seen:
                out.append(duplicate(f"{at}.name", name))
            seen.add(name)
        if not c.get("image"):
            out.append(required(f"{at}.image"))
        out += _ports(c.get("ports"), f"{at}.ports")
        out += _resources(c.get("resources"), f"{at}.resources")
    return out


_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")


def _resources(found: Any, path: str) -> list[FieldCause]:
    """ValidateResourceRequirements: standard resource names, no negative quantity, each request at most its limit.
    The quantities have been decoded already: they parse and are written in canonical form, as Go prints them."""
    if not isinstance(found, dict):
        return []
    from pykro.cel._library.base import LibraryError  # the one quantity parser (imported on first use)
    from pykro.cel._library.quantity import parse_quantity

    out: list[FieldCause] = []
    parsed: dict[str, dict[str, Fraction]] = {}
    for part in ("limits", "requests"):
        amounts = found.get(part)
        parsed[part] = {}
        for name, value in (amounts or {}).items() if isinstance(amounts, dict) else ():
            at = f"{path}.{part}[{name}]"
            out += [invalid(at, name, m) for m in names.qualified_name(str(name))]
            if "/" not in str(name) and name not in _CONTAINER_RESOURCES and not str(name).startswith("hugepages-"):
                out.append(invalid(at, name, "must be a standard resource for containers"))
            text = _text(value)
            try:
                amount = parsed[part][name] = parse_quantity(text)
            except LibraryError:
                continue  # the decoder refuses it first
            if amount < 0:
                out.append(invalid(at, text, "must be greater than or equal to 0"))
    for name, request in parsed["requests"].items():
        limit = parsed["limits"].get(name)
        if limit is None:
            continue
        # only native resources other than huge pages may be overcommitted (request below the limit)
        native = "/" not in name or "kubernetes.io/" in name
        word = "less than or equal to" if native and not name.startswith("hugepages-") else "equal to"
        if request > limit or (word == "equal to" and request != limit):
            message = f"must be {word} {name} limit of {_text(found['limits'][name])}"
            out.append(invalid(f"{path}.requests", _text(found["requests"][name]), message))
    return out


def _text(value: Any) -> str:
    return str(value).strip()


def pod_spec(spec: Any, path: str, restart: list[str] | None = None) -> list[FieldCause]:
    """ValidatePodSpec's checks the emulator makes; `restart` narrows the allowed restart policies."""
    if not isinstance(spec, dict):
        return [required(f"{path}.containers")]
    seen: set[str] = set()
    out = _containers(spec.get("containers"), f"{path}.containers", True, seen)
    out += _containers(spec.get("initContainers"), f"{path}.initContainers", False, seen)
    policy = spec.get("restartPolicy")
    allowed = restart or RESTART_POLICIES
    if isinstance(policy, str) and policy not in allowed:
        out.append(not_supported(f"{path}.restartPolicy", policy, allowed))
    return out


def template(tpl: Any, path: str, restart: list[str] | None = None) -> list[FieldCause]:
    if not isinstance(tpl, dict):
        return [required(f"{path}.spec.containers")]
    out = meta.labels((tpl.get("metadata") or {}).get("labels"), f"{path}.metadata.labels")
    return out + pod_spec(tpl.get("spec"), f"{path}.spec", restart)


POD_UPDATE = (
    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)


def pod_update(spec: Any, before: Any) -> list[FieldCause]:
    """What a pod update may not change: containers added or removed, anything but the mutable fields."""
    if not isinstance(spec, dict) or not isinstance(before, dict):
        return []
    for key in ("containers", "initContainers"):
        if len(spec.get(key) or []) != len(before.get(key) or []):
            return [forbidden(f"spec.{key}", "pod updates may not add or remove containers")]
    if fixed_part(spec, before) != fixed_part(before, before):
        return [forbidden("spec", POD_UPDATE)]
    return []


def fixed_part(spec: Any, before: Any) -> Any:
    """The part of a pod's spec an update may not change: all but images, activeDeadlineSeconds, tolerations and
    terminationGracePeriodSeconds (and a nodeName that was empty: scheduling)."""
    if not isinstance(spec, dict):
        return spec
    out = {k: v for k, v in spec.items() if k not in _POD_MUTABLE}
    if not (before or {}).get("nodeName"):
        out.pop("nodeName", None)
    for key in ("containers", "initContainers", "ephemeralContainers"):
        if isinstance(out.get(key), list):
            out[key] = [{k: v for k, v in c.items() if k != "image"} if isinstance(c, dict) else c for c in out[key]]
    return out


_POD_MUTABLE = {"activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"}
