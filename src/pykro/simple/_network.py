"""Networking factories: Service, Ingress, NetworkPolicy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pykro.authoring._location import fail
from pykro.authoring._refs import is_ref, type_of
from pykro.authoring._resource import ResourceRef, resource
from pykro.simple._keywords import checked
from pykro.simple._values import (
    Bool,
    Int,
    IntOrStr,
    Labels,
    Obj,
    Objs,
    Str,
    Strs,
    camelize,
    compact,
    is_resource,
    label_selector,
    metadata,
    name_of,
    one_of,
)

__all__ = ["Ingress", "NetworkPolicy", "Service", "pod_selector_of"]


def pod_selector_of(workload: ResourceRef) -> Any:
    """The labels a workload resource's pods carry (its selector's matchLabels, else its pod template labels)."""
    spec = workload.obj.get("spec") or {}
    if workload.kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    match = (spec.get("selector") or {}).get("matchLabels")
    if match is None:
        match = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if match is None:
        raise fail(f"{workload.kind} {name_of(workload)!r} has no pod labels to select", "pass the labels instead")
    return match


def _service_ports(ports: Any) -> Any:
    if ports is None or is_ref(ports):
        return ports
    entries = []
    for port in ports:
        if is_ref(port) or (isinstance(port, int) and not isinstance(port, bool)):
            entries.append({"port": port, "targetPort": port})
        elif isinstance(port, Mapping):
            entries.append(camelize(port))
        else:
            raise fail(f"a service port must be a number or a dict, got {port!r}", "write ports=[80] or [{...}]")
    if len(entries) > 1:  # Kubernetes requires every port of a multi-port Service to be named
        for index, entry in enumerate(entries):
            if "name" not in entry:
                number = entry.get("port")
                named = number if isinstance(number, int) and not is_ref(number) else index
                entry["name"] = f"port-{named}"
    return entries


@checked
def Service(
    name: Str,
    *,
    id: str | None = None,
    namespace: Str | None = None,
    selector: Labels | ResourceRef | None = None,
    ports: Sequence[Int | Obj] | Obj | None = None,
    type: Str | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
    cluster_ip: Str | None = None,
    external_name: Str | None = None,
    session_affinity: Str | None = None,
    external_traffic_policy: Str | None = None,
    load_balancer_class: Str | None = None,
    publish_not_ready_addresses: Bool | None = None,
) -> ResourceRef:
    """A v1 Service. ``selector`` defaults to ``{"app": name}`` (what the workload factories label their pods with)
    and may be a workload resource; ``ports=[80]`` means port and targetPort 80; ``cluster_ip="None"`` is headless.
    """
    external = isinstance(type, str) and type == "ExternalName"
    if is_resource(selector):
        selector = pod_selector_of(selector)  # type: ignore[arg-type]
    elif selector is None and not external:
        selector = {"app": name}
    spec = compact(
        type=one_of(type, "Service type", ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")),
        selector=selector,
        ports=_service_ports(ports),
        clusterIP=cluster_ip,
        externalName=external_name,
        sessionAffinity=session_affinity,
        externalTrafficPolicy=external_traffic_policy,
        loadBalancerClass=load_balancer_class,
        publishNotReadyAddresses=publish_not_ready_addresses,
    )
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": metadata(name, namespace, labels, annotations)}
    return resource({**obj, "spec": spec}, id=id)


def _backend_port(port: Any) -> dict[str, Any]:
    if isinstance(port, str) and port.strip().isdigit():  # a port name has a letter: "80" would name no port
        raise fail(f"Ingress port {port!r} is text, so it would be a port name", f"write port={int(port)} (a number)")
    if isinstance(port, str) or (is_ref(port) and type_of(port).kind == "string"):
        return {"name": port}
    return {"number": port}


@checked
def Ingress(
    name: Str,
    *,
    id: str | None = None,
    namespace: Str | None = None,
    rules: Objs | None = None,
    host: Str | None = None,
    service: Str | ResourceRef | None = None,
    port: IntOrStr | None = None,
    path: Str = "/",
    path_type: Str = "Prefix",
    ingress_class_name: Str | None = None,
    tls: Objs | None = None,
    tls_secret: Str | None = None,
    default_backend: Obj | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """A networking.k8s.io/v1 Ingress: ``rules`` as Kubernetes dicts, or one rule from ``host``, ``service`` (a name
    or a Service resource), ``port`` (number or port name), ``path`` and ``path_type``; ``tls_secret`` adds TLS for
    ``host``."""
    if service is not None:
        if rules is not None:
            raise fail("Ingress takes either rules= or service= (one rule), not both", "move the rule into rules=")
        if port is None:
            raise fail("Ingress service= needs port= (the Service's port number or name)", "add port=80")
        backend = {"service": {"name": name_of(service), "port": _backend_port(port)}}
        http = {"paths": [{"path": path, "pathType": path_type, "backend": backend}]}
        rules = [compact(host=host, http=http)]
    if tls_secret is not None:
        if tls is not None:
            raise fail("Ingress takes either tls= or tls_secret=, not both")
        tls = [compact(hosts=[host] if host is not None else None, secretName=tls_secret)]
    spec = compact(ingressClassName=ingress_class_name, defaultBackend=default_backend, tls=tls, rules=rules)
    obj = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress"}
    return resource({**obj, "metadata": metadata(name, namespace, labels, annotations), "spec": spec}, id=id)


@checked
def NetworkPolicy(
    name: Str,
    *,
    id: str | None = None,
    namespace: Str | None = None,
    pod_selector: Labels | ResourceRef | None = None,
    ingress: Objs | None = None,
    egress: Objs | None = None,
    policy_types: Strs | None = None,
    labels: Labels | None = None,
    annotations: Labels | None = None,
) -> ResourceRef:
    """A networking.k8s.io/v1 NetworkPolicy for the pods of ``pod_selector`` (labels, a selector or a workload
    resource; default: every pod of the namespace), with ``ingress``/``egress`` rules as Kubernetes dicts."""
    if is_resource(pod_selector):
        pod_selector = pod_selector_of(pod_selector)  # type: ignore[arg-type]
    spec = compact(
        podSelector=label_selector(pod_selector) or {},
        policyTypes=policy_types,
        ingress=ingress,
        egress=egress,
    )
    obj = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy"}
    return resource({**obj, "metadata": metadata(name, namespace, labels, annotations), "spec": spec}, id=id)
