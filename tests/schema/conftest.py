"""Helpers for the schema tests: ``subset_match`` compares an expected YAML fragment with actual output."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def subset_mismatches(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where ``actual`` fails to contain ``expected``: every expected mapping key must be present with a matching
    value (extra actual keys are fine); lists must have the same length and match item by item; scalars equal."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or '<root>'}: expected a mapping, got {actual!r}"]
        out: list[str] = []
        for key, value in expected.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(f"{where}: missing")
            else:
                out.extend(subset_mismatches(value, actual[key], where))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        return [
            m
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for m in subset_mismatches(e, a, f"{path}[{i}]")
        ]
    if expected != actual or isinstance(expected, bool) != isinstance(actual, bool):
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


@pytest.fixture
def subset_match() -> Callable[[Any, Any], list[str]]:
    """``subset_match(expected, actual)`` -> list of mismatches (empty when ``actual`` contains ``expected``)."""
    return subset_mismatches
