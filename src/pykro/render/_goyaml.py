"""YAML for Go tools (helm, kubectl, kustomize, compose): go-yaml v2 (sigs.k8s.io/yaml) reads the plain scalars
``y``, ``Y``, ``n`` and ``N`` as booleans, which PyYAML's YAML 1.1 resolver (and pykro._yamlio) writes unquoted.
This dumper quotes them, so a string stays a string whichever YAML reader loads the file."""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["dump"]


class _GoSafeDumper(yaml.SafeDumper):
    """SafeDumper that also quotes what go-yaml v2 would read as a bool."""


_GoSafeDumper.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))


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
