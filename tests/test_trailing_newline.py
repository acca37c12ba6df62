"""A trailing newline is not part of a valid name: Python's ``$`` matches before a final newline while Go's (kro,
the API server) does not, so every name pattern pykro checks must anchor at the very end (``\\Z``/fullmatch)."""

from __future__ import annotations

import pytest

from pykro import _kubenames as emulated
from pykro import _yamlio as yamlio
from pykro.deploy._errors import DeployError
from pykro.deploy._names import check_name, check_namespace
from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.graph._naming import is_dns_subdomain, is_valid_id, is_valid_kind
from pykro.schema import _formats as formats


def test_name_checks_refuse_a_trailing_newline() -> None:
    assert is_valid_id("web") and not is_valid_id("web\n")
    assert is_valid_kind("WebApp") and not is_valid_kind("WebApp\n")
    assert is_dns_subdomain("my-app") and not is_dns_subdomain("my-app\n")
    assert check_name("my-app") == "my-app"
    with pytest.raises(DeployError):
        check_name("my-app\n")
    with pytest.raises(DeployError):
        check_namespace("dev\n")
    assert emulated.dns1123_label("abc") == [] and emulated.dns1123_label("abc\n")
    assert emulated.dns1123_subdomain("a.b") == [] and emulated.dns1123_subdomain("a.b\n")
    assert emulated.dns1035_label("abc") == [] and emulated.dns1035_label("abc\n")
    uuid = "123e4567-e89b-12d3-a456-426614174000"
    assert formats.check_format("uuid", uuid) and not formats.check_format("uuid", uuid + "\n")
    assert formats.check_format("hostname", "example.com") and not formats.check_format("hostname", "example.com\n")


def test_an_rgd_resource_id_with_a_trailing_newline_is_refused() -> None:
    rgd = {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "nl"},
        "spec": {
            "schema": {"apiVersion": "v1alpha1", "kind": "Nl", "spec": {"name": "string"}},
            "resources": [
                {"id": "web\n", "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}}
            ],
        },
    }
    with pytest.raises(ValidationError):
        Graph.from_rgd(yamlio.load(yamlio.dump(rgd)))
