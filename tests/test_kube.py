"""The shared Kubernetes helpers of `pykro._kube`, used by deploy and the emulator alike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pykro._kube import ResourceType, condition, condition_true, now
from pykro._lazy import Later, lazy_getattr


@pytest.mark.parametrize(
    ("api_version", "group", "version", "description"),
    [("apps/v1", "apps", "v1", "deployments.apps"), ("v1", "", "v1", "deployments")],
)
def test_a_type_from_its_api_version(api_version: str, group: str, version: str, description: str) -> None:
    rt = ResourceType.of(api_version, "Deployment", "deployments", True)
    assert (rt.group, rt.version, rt.api_version) == (group, version, api_version)
    assert rt.description == description
    assert rt.key == (group, "deployments")
    assert rt == ResourceType(group, version, "Deployment", "deployments", True)
    assert {rt: 1}[ResourceType.of(api_version, "Deployment", "deployments", True)] == 1


def test_condition_finds_the_first_of_its_type_and_skips_junk() -> None:
    obj = {
        "status": {
            "conditions": [
                "not a condition",
                {"type": "Ready", "status": "False", "reason": "first"},
                {"type": "Ready", "status": "True", "reason": "second"},
                {"type": "Available", "status": "True"},
            ]
        }
    }
    assert condition(obj, "Ready") == {"type": "Ready", "status": "False", "reason": "first"}
    assert not condition_true(obj, "Ready")
    assert condition_true(obj, "Available")
    assert condition(obj, "Progressing") is None
    assert condition({"status": None}, "Ready") is None
    assert condition(None, "Ready") is None


def test_now_is_rfc3339_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    seconds = datetime.strptime(now(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    micro = datetime.strptime(now(micro=True), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before <= seconds <= micro


def test_lazy_exports_load_on_use_and_refuse_unknown_names() -> None:
    getattr_ = lazy_getattr("sample", {"dumps": "json"})
    assert getattr_("dumps")({"a": 1}) == '{"a": 1}'
    with pytest.raises(AttributeError, match="module 'sample' has no attribute 'loads'"):
        getattr_("loads")


def test_a_later_stand_in_puts_the_module_in_its_place_on_first_use() -> None:
    import json

    namespace: dict[str, Any] = {}
    namespace["codec"] = Later(namespace, "codec", "json")
    assert namespace["codec"].dumps([1]) == "[1]" and namespace["codec"] is json
