"""ExternalServices: a name inside the cluster for a service outside it.

``ExternalServices("payments").endpoint("https://api.payments.com")`` makes a Service ``payments`` of type
ExternalName pointing at ``api.payments.com`` (port 443), so pods reach it as ``payments``. Timeouts, retries,
authentication, circuit breaking and rate limits are the client's (or a service mesh's) behaviour: they raise.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Final
from urllib.parse import urlsplit

from pykro.authoring._location import fail
from pykro.authoring._resource import ResourceRef
from pykro.builders._base import Builder, builder_method, dns_name, unsupported
from pykro.builders._base import port as check_port
from pykro.simple import Service as _Service

__all__ = ["ExternalServices"]

_DEFAULT_PORTS: Final = {"http": 80, "https": 443, "grpc": 443, "postgres": 5432, "postgresql": 5432, "mysql": 3306}
_CLIENT = "it is the client's behaviour (your application's HTTP client or a service mesh)"
_CLIENT_INSTEAD = "your application's settings, or a service mesh policy"


class ExternalServices(Builder):
    """A Service of type ExternalName for an endpoint outside the cluster."""

    KIND_NAME_IS_LABEL = True

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._host: Any = None
        self._port: Any = None

    @builder_method
    def endpoint(self, url: str) -> ExternalServices:
        """``https://api.example.com`` or ``db.example.com:5432``: the host (a DNS name) and port (from the URL or
        its scheme)."""
        if not isinstance(url, str) or not url:
            raise fail(f"endpoint() takes a URL, got {url!r}", "Write endpoint('https://api.example.com').")
        parts = urlsplit(url if "://" in url else f"//{url}")
        host = parts.hostname
        try:
            given_port = parts.port
        except ValueError:
            raise fail(f"endpoint {url!r} has a port outside 1-65535", "Fix the port.") from None
        if not host:
            raise fail(f"endpoint {url!r} has no host", "Write endpoint('https://api.example.com').")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            raise fail(
                f"endpoint {url!r} is an IP address: an ExternalName Service needs a DNS name",
                "Use the service's DNS name, or pykro.simple.Service without a selector plus an EndpointSlice.",
            )
        self._host = dns_name(host, "endpoint host")
        port = given_port if given_port is not None else _DEFAULT_PORTS.get(parts.scheme)
        self._port = None if port is None else check_port(port, "endpoint port")
        return self

    @builder_method
    def port(self, port: Any) -> ExternalServices:
        """The port the Service lists (overrides the URL's)."""
        self._port = check_port(port, "ExternalServices port")
        return self

    timeout = unsupported("timeout", _CLIENT, _CLIENT_INSTEAD)
    authentication = unsupported("authentication", _CLIENT, "a Secret the application reads (add_secret)")
    retry_policy = unsupported("retry_policy", _CLIENT, _CLIENT_INSTEAD)
    circuit_breaker = unsupported("circuit_breaker", _CLIENT, _CLIENT_INSTEAD)
    rate_limit = unsupported("rate_limit", _CLIENT, _CLIENT_INSTEAD)
    max_connections = unsupported("max_connections", _CLIENT, _CLIENT_INSTEAD)

    def _make(self) -> list[ResourceRef]:
        if self._host is None:
            raise fail(f"ExternalServices {self._name!r} has no endpoint", "Call .endpoint('https://api.example.com').")
        ports = None
        if self._port is not None:
            ports = [{"name": "main", "port": self._port, "targetPort": self._port, "protocol": "TCP"}]
        return [_Service(self._name, type="ExternalName", external_name=self._host, ports=ports, **self._meta())]
