"""YAML for Go tools (helm, kubectl, kustomize, compose): a string go-yaml v2 (sigs.k8s.io/yaml) would read as
something else (``y``, ``1e3``, ``0o17``, ``08``: PyYAML's YAML 1.1 resolver leaves them plain) is quoted, as
pykro._yamlpy quotes it for kubectl, so a string stays a string whichever YAML reader loads the file."""

from __future__ import annotations

from typing import Any

import yaml

from pykro._yamlpy import kube_resolve

__all__ = ["dump"]


class _GoSafeDumper(yaml.SafeDumper):
    """SafeDumper that also quotes what go-yaml v2 would read as another type."""


_GoSafeDumper.resolve = kube_resolve  # type: ignore[method-assign]


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Multi-line text as a literal block (``|``) where YAML allows it (PyYAML falls back to quoting otherwise)."""
    style = "|" if "\n" in value.rstrip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_GoSafeDumper.add_representer(str, _text)


def dump(data: Any) -> str:
    """One YAML document, keys in insertion order, block style, UTF-8 text kept."""
    text: str = yaml.dump(
        data, Dumper=_GoSafeDumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1 << 16
    )
    return text
