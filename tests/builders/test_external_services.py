"""ExternalServices: an ExternalName Service for an endpoint outside the cluster, checked at the call."""

from __future__ import annotations

from typing import Any

import pytest

from pykro.builders import ExternalServices
from pykro.errors import PykroError
from pykro.schema._kubernetes import validate_object

from .test_every_method import implemented


def test_endpoint_and_port_make_the_service() -> None:
    assert implemented(ExternalServices) - {
        "namespace",
        "add_label",
        "add_labels",
        "add_annotation",
        "add_annotations",
    } == {"endpoint", "port"}
    service = ExternalServices("payments").endpoint("https://api.payments.com/v1").objects()[0]
    assert validate_object(service) == []
    assert service["spec"] == {
        "type": "ExternalName",
        "externalName": "api.payments.com",
        "ports": [{"name": "main", "port": 443, "targetPort": 443, "protocol": "TCP"}],
    }
    other = ExternalServices("db").endpoint("db.example.com:5433").objects()[0]
    assert other["spec"]["ports"][0]["port"] == 5433
    assert ExternalServices("db").endpoint("db.example.com").port(6543).objects()[0]["spec"]["ports"][0]["port"] == 6543
    assert "ports" not in ExternalServices("db").endpoint("db.example.com").objects()[0]["spec"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ExternalServices("x").endpoint("https://10.0.0.5"), "is an IP address"),
        (lambda: ExternalServices("x").endpoint("https://api.example.com:99999"), "port outside 1-65535"),
        (lambda: ExternalServices("x").endpoint("https://"), "has no host"),
        (lambda: ExternalServices("x").endpoint("https://API_host.example.com"), "is not a valid DNS-1123"),
        (lambda: ExternalServices("x").port(0), "from 1 to 65535"),
        (lambda: ExternalServices("x").timeout(30), r"timeout\(\) is not supported"),
    ],
)
def test_bad_values_stop_at_the_call(make: Any, message: str) -> None:
    with pytest.raises(PykroError, match=message) as caught:
        make()
    assert caught.value.where is not None and "test_external_services.py" in caught.value.where


def test_no_endpoint_is_an_error() -> None:
    with pytest.raises(PykroError, match="has no endpoint"):
        ExternalServices("x").objects()
