"""Service and Ingress builders (Celestra's names).

A Service always selects pods: its own ``selector()``, or (added to an App with ``add_service()``) the app's
pods; a Service that would select nothing is an error, never ``selector: {}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pykro.authoring._location import fail, user_site
from pykro.authoring._resource import ResourceRef
from pykro.builders._base import (
    Builder,
    builder_method,
    choice,
    dns_name,
    items,
    label_key,
    mapping,
    port_name,
    text,
    unsupported,
)
from pykro.builders._base import (
    port as check_port,
)
from pykro.errors import CompositionError, PykroError
from pykro.simple import Ingress as _Ingress
from pykro.simple import Service as _Service

__all__ = ["Ingress", "Service"]

_TYPES = {
    "clusterip": "ClusterIP",
    "nodeport": "NodePort",
    "loadbalancer": "LoadBalancer",
    "externalname": "ExternalName",
}
_PROTOCOLS = {"tcp": "TCP", "udp": "UDP", "sctp": "SCTP"}
_PATH_TYPES = {"exact": "Exact", "prefix": "Prefix", "implementationspecific": "ImplementationSpecific"}


class Service(Builder):
    """A v1 Service: ``Service("api").type("ClusterIP").add_port("http", 80, 8080).selector({"app": "api"})``."""

    KIND_NAME_IS_LABEL = True

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._type: str | None = None
        self._ports: list[dict[str, Any]] = []
        self._selector: dict[str, Any] | None = None
        self._external_name: Any = None
        self._traffic_policy: str | None = None
        self._site = user_site()  # where the user made it: what is missing at render is reported there

    def _incomplete(self, what: str, fix: str) -> PykroError:
        """An error about something missing when the Service is rendered, located where the user created it."""
        if self._site is None:
            return fail(what, fix)
        return CompositionError(f"{what} (the Service made here)", where=self._site.text, fix=fix)

    @builder_method
    def type(self, service_type: str) -> Service:
        """``ClusterIP`` (default), ``NodePort``, ``LoadBalancer`` or ``ExternalName``."""
        self._type = choice(service_type, "Service type", _TYPES)
        return self

    @builder_method
    def add_port(self, name: Any, port: Any, target_port: Any = None, protocol: str = "TCP") -> Service:
        """A port: ``name``, the Service's ``port`` and the pods' ``target_port`` (default: the same)."""
        entry = {
            "name": port_name(name),
            "port": check_port(port, f"Service {self._name!r} port"),
            "targetPort": port
            if target_port is None
            else (
                port_name(target_port, "target port")
                if isinstance(target_port, str)
                else check_port(target_port, "target port")
            ),
            "protocol": choice(protocol, "protocol", _PROTOCOLS),
        }
        if any(p["name"] == entry["name"] for p in self._ports):
            raise fail(f"Service {self._name!r} has two ports named {name!r}", "Give each port its own name.")
        self._ports.append(entry)
        return self

    @builder_method
    def port(self, port: Any, target_port: Any = None, name: Any = None, protocol: str = "TCP") -> Service:
        """A port named after its number when ``name`` is not given (5432 ``postgres``, 443 ``https``, else ``http``
        for the first, ``port-<number>`` after): ``Service("api").port(80).target_port(8080)``."""
        if name is None:
            from pykro.builders._container import WELL_KNOWN_PORTS

            used = {p["name"] for p in self._ports}
            known = WELL_KNOWN_PORTS.get(port) if isinstance(port, int) else None
            name = next((n for n in (known, "http") if n and n not in used), f"port-{port}")
        return self.add_port(name, port, target_port, protocol)

    @builder_method
    def target_port(self, target_port: Any) -> Service:
        """The pods' port (a number or a port name) of the port added last."""
        if not self._ports:
            raise fail(f"Service {self._name!r} has no port to set a target port of", "Call .port(80) first.")
        self._ports[-1]["targetPort"] = (
            port_name(target_port, "target port") if isinstance(target_port, str) else check_port(target_port)
        )
        return self

    @builder_method
    def external_traffic_policy(self, policy: str) -> Service:
        """``Cluster`` or ``Local`` (keep the client's address; only nodes with a ready pod answer); for
        LoadBalancer and NodePort Services."""
        self._traffic_policy = choice(policy, "external traffic policy", {"cluster": "Cluster", "local": "Local"})
        return self

    @builder_method
    def selector(self, labels: Mapping[str, Any]) -> Service:
        """The labels of the pods it sends traffic to (at least one)."""
        given = mapping(labels, "selector")
        if not given:
            raise fail(
                f"Service {self._name!r} selector is empty: it would select no pods", 'Write selector({"app": "api"}).'
            )
        self._selector = {label_key(k, "selector key"): text(v, f"selector {k}") for k, v in given.items()}
        return self

    @builder_method
    def external_name(self, host: Any) -> Service:
        """pykro: the DNS name an ``ExternalName`` Service points to (sets the type)."""
        self._type = "ExternalName"
        self._external_name = text(host, "external_name")
        return self

    to_helm_values = unsupported(
        "to_helm_values", "pykro writes Kubernetes objects only (for now)", "generate().to_yaml()"
    )
    to_terraform = unsupported("to_terraform", "pykro writes Kubernetes objects only", "generate().to_yaml()")

    def build_for(self, workload: ResourceRef | None, namespace: Any) -> list[ResourceRef]:
        """The Service; without a selector of its own it selects ``workload``'s pods."""
        external = self._type == "ExternalName"
        if external and self._external_name is None:
            raise self._incomplete(
                f"Service {self._name!r} is an ExternalName Service without a host",
                "Call .external_name('db.example.com') on it.",
            )
        selector: Any = self._selector
        if selector is None and not external:
            if workload is None:
                raise self._incomplete(
                    f"Service {self._name!r} has no selector, so it would send traffic to no pod",
                    'Call .selector({"app": "api"}) on it, or add it to an App with add_service().',
                )
            selector = workload
        if not self._ports and not external:
            raise self._incomplete(
                f"Service {self._name!r} has no port, so it would accept no traffic",
                "Call .add_port('http', 80, 8080) on it (name, the Service's port, the pods' port).",
            )
        if self._traffic_policy is not None and self._type not in ("LoadBalancer", "NodePort"):
            raise self._incomplete(
                f"Service {self._name!r} has an external traffic policy but is a {self._type or 'ClusterIP'} Service",
                "Call .type('LoadBalancer') (or 'NodePort') on it, or remove .external_traffic_policy().",
            )
        meta = self._meta()
        if meta["namespace"] is None:
            meta["namespace"] = namespace
        return [
            _Service(
                self._name,
                selector=selector,
                ports=list(self._ports) or None,
                type=self._type,
                external_name=self._external_name,
                external_traffic_policy=self._traffic_policy,
                **meta,
            )
        ]

    def _make(self) -> list[ResourceRef]:
        return self.build_for(None, None)


class Ingress(Builder):
    """A networking.k8s.io/v1 Ingress: ``Ingress("web").host("shop.example.com").route("/", "web", 80)``."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._routes: list[dict[str, Any]] = []
        self._hosts: list[Any] = []
        self._tls: list[dict[str, Any]] = []
        self._path_type = "Prefix"
        self._class: Any = None
        self._default: dict[str, Any] | None = None

    def _route(self, path: Any, service: Any, port: Any, path_type: str | None) -> Ingress:
        if isinstance(path, str) and not path.startswith("/"):
            raise fail(f"Ingress {self._name!r} path {path!r} must start with '/'", f"Write '/{path}'.")
        self._routes.append(
            {
                "path": text(path, "path"),
                "service": dns_name(service, "service name", label=True),
                "port": check_port(port, "service port"),
                "path_type": path_type,
            }
        )
        return self

    @builder_method
    def route(self, path: Any, service: Any, port: Any = 80) -> Ingress:
        """Send requests under ``path`` to ``service`` on ``port`` (for every host set with host()/hosts())."""
        return self._route(path, service, port, None)

    @builder_method
    def add_route(self, path: Any, service: Any, port: Any = 80) -> Ingress:
        """Same as route()."""
        return self._route(path, service, port, None)

    @builder_method
    def routes(self, routes: Sequence[Mapping[str, Any]]) -> Ingress:
        """Routes given as ``{"path": "/", "service": "web", "port": 80}`` dicts."""
        for entry in items(routes, "routes"):
            given = mapping(entry, "routes item")
            if set(given) - {"path", "service", "port"} or not {"path", "service"} <= set(given):
                raise fail(
                    f"routes item {given!r} needs 'path' and 'service' and may have 'port'",
                    'Write {"path": "/", "service": "web", "port": 80}.',
                )
            self._route(given["path"], given["service"], given.get("port", 80), None)
        return self

    @builder_method
    def exact_path(self, path: Any, service: Any, port: Any = 80) -> Ingress:
        """A route matching ``path`` exactly."""
        return self._route(path, service, port, "Exact")

    @builder_method
    def prefix_path(self, path: Any, service: Any, port: Any = 80) -> Ingress:
        """A route matching every path under ``path``."""
        return self._route(path, service, port, "Prefix")

    @builder_method
    def path_type(self, path_type: str) -> Ingress:
        """The path type of the routes added with route(): ``Prefix`` (default), ``Exact`` or
        ``ImplementationSpecific``."""
        self._path_type = choice(path_type, "path_type", _PATH_TYPES)
        return self

    @builder_method
    def host(self, hostname: Any) -> Ingress:
        """The host the routes answer for."""
        self._hosts.append(dns_name(hostname, "host") if not str(hostname).startswith("*.") else hostname)
        return self

    @builder_method
    def hosts(self, hostnames: Sequence[Any]) -> Ingress:
        for hostname in items(hostnames, "hosts"):
            self.host(hostname)
        return self

    @builder_method
    def tls(self, host: Any, secret_name: Any) -> Ingress:
        """Serve ``host`` over TLS with the certificate in Secret ``secret_name``."""
        self._tls.append({"hosts": [dns_name(host, "TLS host")], "secretName": dns_name(secret_name, "TLS secret")})
        return self

    @builder_method
    def tls_multiple(self, hosts: Sequence[Any], secret_name: Any) -> Ingress:
        """Serve several hosts over TLS with one certificate."""
        self._tls.append(
            {
                "hosts": [dns_name(h, "TLS host") for h in items(hosts, "hosts")],
                "secretName": dns_name(secret_name, "TLS secret"),
            }
        )
        return self

    @builder_method
    def ingress_class(self, class_name: Any) -> Ingress:
        """The IngressClass (``nginx``, ``alb``, ...): spec.ingressClassName."""
        self._class = dns_name(class_name, "ingress class")
        return self

    @builder_method
    def default_backend(self, service: Any, port: Any = 80) -> Ingress:
        """Where requests that match no rule go."""
        self._default = {
            "service": {
                "name": dns_name(service, "service name", label=True),
                "port": {"number": check_port(port, "service port")},
            }
        }
        return self

    @builder_method
    def annotation(self, key: str, value: Any) -> Ingress:
        """Add an annotation (the way to configure a controller: ``nginx.ingress.kubernetes.io/...``)."""
        return self.add_annotation(key, value)

    @builder_method
    def annotations(self, annotations: Mapping[str, Any]) -> Ingress:
        return self.add_annotations(annotations)

    def _make(self) -> list[ResourceRef]:
        if not self._routes and self._default is None:
            raise fail(f"Ingress {self._name!r} has no route", "Call .route('/', 'web', 80).")
        paths = [
            {
                "path": r["path"],
                "pathType": r["path_type"] or self._path_type,
                "backend": {"service": {"name": r["service"], "port": {"number": r["port"]}}},
            }
            for r in self._routes
        ]
        rules: list[dict[str, Any]] = []
        if paths:
            rules = [{"host": h, "http": {"paths": paths}} for h in self._hosts] or [{"http": {"paths": paths}}]
        return [
            _Ingress(
                self._name,
                rules=rules or None,
                tls=list(self._tls) or None,
                ingress_class_name=self._class,
                default_backend=self._default,
                **self._meta(),
            )
        ]


_CONTROLLER = "it is specific to one ingress controller"
_ANNOTATE = ".annotation(key, value) with your controller's annotation"
for _name in (
    "regex_path",
    "tls_redirect",
    "tls_termination",
    "load_balancer_method",
    "session_affinity",
    "sticky_sessions",
    "rate_limit",
    "rate_limit_burst",
    "rate_limit_by_ip",
    "cors",
    "basic_auth",
    "oauth2",
    "ip_whitelist",
    "ip_blacklist",
    "health_check_path",
    "health_check_interval",
    "health_check_timeout",
    "nginx_ssl_redirect",
    "nginx_force_ssl_redirect",
    "nginx_proxy_body_size",
    "nginx_proxy_connect_timeout",
    "nginx_proxy_send_timeout",
    "nginx_proxy_read_timeout",
    "alb_scheme",
    "alb_target_type",
    "alb_ssl_policy",
    "gce_ssl_certificate",
    "gce_backend_config",
    "agic_ssl_certificate",
    "agic_backend_pool",
):
    setattr(Ingress, _name, unsupported(_name, _CONTROLLER, _ANNOTATE))
for _name, _why in (
    ("to_helm_values", "pykro writes Kubernetes objects only (for now)"),
    ("to_terraform", "pykro writes Kubernetes objects only"),
):
    setattr(Ingress, _name, unsupported(_name, _why, "generate().to_yaml()"))
