"""Services: type, ports (numbers, names, protocols, target ports), selector, ExternalName."""

from __future__ import annotations

from typing import Any

from pykro import _kubenames as names
from pykro.emulator._validation import meta, podspec
from pykro.schema._causes import FieldCause, duplicate, invalid, not_supported, required

__all__ = ["service"]

TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]


def _port(port: dict[str, Any], at: str, several: bool, names_seen: set[str]) -> list[FieldCause]:
    out: list[FieldCause] = []
    name = port.get("name")
    if several and not name:
        out.append(required(f"{at}.name"))
    elif isinstance(name, str) and name:
        out += [invalid(f"{at}.name", name, m) for m in names.dns1123_label(name)]
        if name in names_seen:
            out.append(duplicate(f"{at}.name", name))
        names_seen.add(name)
    number = port.get("port", 0)
    if isinstance(number, int):
        out += [invalid(f"{at}.port", number, m) for m in names.port_number(number)]
    protocol = port.get("protocol")
    if isinstance(protocol, str) and protocol not in podspec.PROTOCOLS:
        out.append(not_supported(f"{at}.protocol", protocol, podspec.PROTOCOLS))
    target = port.get("targetPort")
    if isinstance(target, int) and not isinstance(target, bool):
        out += [invalid(f"{at}.targetPort", target, m) for m in names.port_number(target)]
    elif isinstance(target, str):
        out += [invalid(f"{at}.targetPort", target, m) for m in names.port_name(target)]
    node = port.get("nodePort")
    if isinstance(node, int) and node:
        out += [invalid(f"{at}.nodePort", node, m) for m in names.port_number(node)]
    return out


def service(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldCause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [required("spec.ports")]
    out: list[FieldCause] = []
    kind = spec.get("type") or "ClusterIP"
    if kind not in TYPES:
        out.append(not_supported("spec.type", kind, TYPES))
    ports = spec.get("ports") or []
    if kind == "ExternalName":
        if not spec.get("externalName"):
            out.append(required("spec.externalName"))
    elif not ports and spec.get("clusterIP") != "None":
        out.append(required("spec.ports"))
    seen: set[str] = set()
    keys: set[tuple[Any, Any]] = set()
    for n, port in enumerate(ports if isinstance(ports, list) else []):
        if isinstance(port, dict):
            out += _port(port, f"spec.ports[{n}]", len(ports) > 1, seen)
            key = (port.get("port"), port.get("protocol") or "TCP")
            if key in keys:
                out.append(duplicate(f"spec.ports[{n}]", port))
            keys.add(key)
    out += meta.labels(spec.get("selector"), "spec.selector")
    return out
