"""Names checked before they reach a URL: instance names are DNS-1123 subdomains and namespaces DNS-1123 labels
(what the API server requires of a custom resource and a namespace), and no name pykro sends in a request path may
contain ``/``, ``%``, ``?``, ``#``, control characters or be ``.``/``..`` (an HTTP client would normalise
``a/../../kube-system/...`` into another object's URL). Bad names are shown escaped (repr), never raw."""

from __future__ import annotations

import re

from pykro._kube import DNS1123_LABEL as _LABEL
from pykro.deploy._errors import DeployError
from pykro.graph._naming import is_dns_subdomain

__all__ = ["check_name", "check_namespace", "check_segment", "shown"]

_UNSAFE_SEGMENT = re.compile(r"[/%?#\s\x00-\x1f\x7f-\x9f]")


def shown(value: object, limit: int = 80) -> str:
    """``repr`` of a user-given name, shortened when very long (newlines and escapes stay escaped)."""
    text = repr(value)
    if isinstance(value, str) and len(text) > limit:
        return f"{value[: limit - 20]!r}... ({len(value)} characters)"
    return text


def check_name(name: object, *, what: str = "instance name", where: str | None = None) -> str:
    """``name`` if it is a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)."""
    if isinstance(name, str) and is_dns_subdomain(name):
        return name
    raise DeployError(
        f"{what} {shown(name)} is not a valid Kubernetes name: it must be a lower-case DNS-1123 subdomain (letters "
        "a-z, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)",
        where=where,
        fix="Use a name such as my-app.",
    )


def check_namespace(namespace: object, *, where: str | None = None) -> str:
    """``namespace`` if it is a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)."""
    if isinstance(namespace, str) and len(namespace) <= 63 and _LABEL.fullmatch(namespace):
        return namespace
    raise DeployError(
        f"namespace {shown(namespace)} is not a valid Kubernetes namespace name: it must be a lower-case DNS-1123 "
        "label (letters a-z, digits and '-', starting and ending with a letter or digit, at most 63 characters)",
        where=where,
        fix="Use a namespace such as my-team.",
    )


def check_segment(value: str, what: str) -> str:
    """``value`` if it can be one segment of a request path as it is (the last line of defence before a URL)."""
    if value in (".", "..") or not value or _UNSAFE_SEGMENT.search(value):
        raise DeployError(
            f"{what} {shown(value)} cannot be used in a request path (it is empty, '.' or '..', or holds '/', '%', "
            "'?', '#', whitespace or control characters)",
            fix="Kubernetes names are lower-case letters, digits, '-' and '.'.",
        )
    return value
