"""Small Kubernetes facts shared by every layer (standard library only): the served type of a kind, an object's
status conditions, and timestamps as the API spells them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "DNS1035_LABEL",
    "DNS1123_LABEL",
    "DNS1123_SUBDOMAIN",
    "SAFE_ALPHABET",
    "VERBS",
    "ResourceType",
    "condition",
    "condition_true",
    "now",
    "split_api_version",
]

# Kubernetes name shapes (apimachinery's validation), without their length limits. They end at \Z, never $: Python's
# $ also matches before a final newline, which Go's regexps (kro, the API server) refuse.
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?\Z")

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet Kubernetes uses for generated name suffixes
VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


def split_api_version(api_version: str) -> tuple[str, str]:
    """``"apps/v1"`` -> ``("apps", "v1")``; ``"v1"`` -> ``("", "v1")``."""
    group, _, version = api_version.rpartition("/")
    return group, version


@dataclass(frozen=True)
class ResourceType:
    """One served (group, version, resource): what a client needs to address a kind, and what the emulator's
    discovery says about it (the fields after ``namespaced``)."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    status: bool = False
    scale: bool = False
    schema: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    scale_paths: tuple[str, str, str | None] = (".spec.replicas", ".status.replicas", None)
    crd: str | None = None  # name of the CRD serving this type
    printer_columns: list[dict[str, Any]] | None = field(default=None, compare=False, hash=False)
    verbs: tuple[str, ...] = VERBS

    @classmethod
    def of(cls, api_version: str, kind: str, plural: str, namespaced: bool) -> ResourceType:
        """The type of ``kind`` served as ``plural`` in ``api_version``."""
        group, version = split_api_version(api_version)
        return cls(group, version, kind, plural, namespaced)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def key(self) -> tuple[str, str]:
        """Storage key: one store per (group, plural), shared by all versions."""
        return (self.group, self.plural)

    @property
    def description(self) -> str:
        """``plural.group`` (``plural`` for the core group), as kubectl names a resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


def condition(obj: Mapping[str, Any] | None, type_: str) -> dict[str, Any] | None:
    """The first status condition of type ``type_`` of ``obj`` (None when it has none)."""
    for cond in ((obj or {}).get("status") or {}).get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == type_:
            return cond
    return None


def condition_true(obj: Mapping[str, Any] | None, type_: str) -> bool:
    """``obj`` has the condition ``type_`` with status ``"True"``."""
    cond = condition(obj, type_)
    return cond is not None and cond.get("status") == "True"


def now(*, micro: bool = False) -> str:
    """The current UTC time in RFC 3339 as the API writes it: whole seconds, or microseconds (``MicroTime``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")
