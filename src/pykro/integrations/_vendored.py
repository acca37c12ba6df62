"""The operators' CRDs shipped as package data (``data/*.json``; where each comes from is recorded in the file)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from pykro import _memo as memo

__all__ = ["crd", "source"]


@memo.cached(maxsize=64)
def _entry(name: str) -> dict[str, Any]:
    text = resources.files("pykro.integrations").joinpath("data", f"{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def crd(name: str) -> dict[str, Any]:
    """The CustomResourceDefinition stored as ``data/<name>.json``."""
    value: dict[str, Any] = _entry(name)["crd"]
    return value


def source(name: str) -> str:
    """Where the stored CRD was copied from (shown in error messages)."""
    return f"pykro.integrations data/{name}.json (from {_entry(name)['source']})"
