"""The chainsaw rules the e2e runner implements (no cluster needed)."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_chainsaw import jsonpath, mismatch, query, seconds, unordered_required
from e2e_parity import as_stored

LIVE: dict[str, Any] = {
    "metadata": {"name": "x", "generation": 1, "finalizers": ["kro.run/finalizer"]},
    "status": {
        "state": "Active",
        "conditions": [
            {"type": "GraphVerified", "status": "True"},
            {"type": "Ready", "status": "True", "observedGeneration": 1},
        ],
    },
}


def test_subset_matches_and_reports_the_first_difference() -> None:
    assert mismatch({"metadata": {"name": "x"}, "status": {"state": "Active"}}, LIVE) is None
    assert mismatch({"status": {"state": "Inactive"}}, LIVE) == ".status.state: expected 'Inactive', found 'Active'"
    assert mismatch({"spec": {}}, LIVE) == ".spec: missing"


def test_arrays_match_element_by_element_with_equal_length() -> None:
    assert mismatch({"metadata": {"finalizers": ["kro.run/finalizer"]}}, LIVE) is None
    assert mismatch({"metadata": {"finalizers": []}}, LIVE) is not None
    assert mismatch({"metadata": {"finalizers": ["a", "kro.run/finalizer"]}}, LIVE) is not None


def test_booleans_never_equal_numbers() -> None:
    assert mismatch({"metadata": {"generation": True}}, LIVE) is not None
    assert mismatch({"metadata": {"generation": 1.0}}, LIVE) is None


def test_filter_expression_keys() -> None:
    assert query(LIVE["status"], "conditions[?type == 'Ready']") == [LIVE["status"]["conditions"][1]]
    expected = {"status": {"(conditions[?type == 'Ready'])": [{"status": "True", "observedGeneration": 1}]}}
    assert mismatch(expected, LIVE) is None
    wrong = {"status": {"(conditions[?type == 'Ready'])": [{"status": "False"}]}}
    assert mismatch(wrong, LIVE) is not None
    with pytest.raises(ValueError, match="unsupported chainsaw expression"):
        query(LIVE, "length(conditions)")


def test_jsonpath_filter_and_durations() -> None:
    assert jsonpath(LIVE, "{.status.conditions[?(@.type=='Ready')].status}") == "True"
    assert jsonpath(LIVE, "{.status.conditions[?(@.type=='Missing')].status}") == ""
    assert seconds("1m30s") == 90.0
    assert seconds("500ms") == 0.5
    with pytest.raises(ValueError):
        seconds("soon")


def test_required_lists_compare_as_sets_and_nothing_else_does() -> None:
    schema = {"properties": {"a": {"required": ["url", "name"], "enum": ["x", "y"]}}}
    assert unordered_required(schema) == {"properties": {"a": {"required": ["name", "url"], "enum": ["x", "y"]}}}
    assert mismatch({"required": ["name", "url"]}, {"required": ["url", "name"]}) is None
    assert mismatch({"required": ["name"]}, {"required": ["url", "name"]}) is not None
    assert mismatch({"enum": ["x", "y"]}, {"enum": ["y", "x"]}) is not None


def test_secret_string_data_is_compared_as_stored_data() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "data": {"a": "eA=="}, "stringData": {"password": "s3cret"}}
    assert as_stored(secret) == {"apiVersion": "v1", "kind": "Secret", "data": {"a": "eA==", "password": "czNjcmV0"}}
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "stringData": {"x": "y"}}
    assert as_stored(config_map) is config_map
