"""`pykro deploy` checks every produced object's metadata as the API server would before its first write: the
kind's name rule (a Service name is a DNS-1035 label: at most 63 characters) and label values computed from the
spec. Both used to be written object by object until the API server answered 422, leaving the instance
half-deployed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.helpers import run_cli

SHOP = """\
from pykro import Spec, composition
from pykro.simple import ConfigMap, Service


class ShopSpec(Spec):
    name: str
    team: str = "web"


@composition(api_version="example.com/v1", kind="Shop")
def shop(spec: ShopSpec) -> None:
    ConfigMap(id="config", name=spec.name + "-config", data={"k": "v"})
    Service(id="svc", name=spec.name + "-svc", labels={"team": spec.team}, selector={"app": "shop"}, ports=[80])
"""


@pytest.fixture
def shop(tmp_path: Path) -> str:
    path = tmp_path / "shop.py"
    path.write_text(SHOP)
    return str(path)


@pytest.mark.parametrize("mode", ["direct", "kro"])
@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            ["name=" + "s" * 60],  # the Service's name: 64 characters, a valid ConfigMap name
            f"Service name '{'s' * 60}-svc' is not a valid Kubernetes name: it must be a lower-case DNS-1035 label",
        ),
        (
            ["name=shop", "team=a b"],
            "metadata.labels.team: Service 'shop-svc': label value 'a b' is not valid",
        ),
    ],
)
def test_deploy_refuses_metadata_the_api_server_would_refuse_before_any_write(
    kit: Any, capsys: pytest.CaptureFixture[str], shop: str, mode: str, values: list[str], message: str
) -> None:
    ns = kit.unique()
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path), "-n", ns, "--mode", mode]
    sets = [arg for value in values for arg in ("--set", value)]
    since = kit.mark()
    code, _, err = run_cli(capsys, "deploy", shop, *sets, "--name", "shop", *where)
    assert code == 1 and message in err, err
    assert "Traceback" not in err and err.count("error:") == 1
    if "labels" in message:
        assert "Fix the composition, or the spec values it reads (free text goes in an annotation)" in err
    assert kit.writes(since) == []
    if mode == "direct":  # the same composition with good values is deployed (kro mode: no kro in this emulator)
        code, _, err = run_cli(capsys, "deploy", shop, "--set", "name=shop", "--name", "shop", *where)
        assert code == 0, err
        assert ("services", "shop-svc") in {(resource, name) for _, resource, name in kit.writes(since)}


@pytest.mark.parametrize("mode", ["direct", "kro"])
def test_an_instance_name_too_long_for_its_labels_is_named_as_the_cause(
    kit: Any, capsys: pytest.CaptureFixture[str], shop: str, mode: str
) -> None:
    """A 64-character instance name is a valid name but not a label value: the error names the instance name (not
    the composition or the spec values), before any write."""
    where = ["--kubeconfig", str(kit.cluster.kubeconfig_path), "-n", kit.unique(), "--mode", mode]
    since = kit.mark()
    code, _, err = run_cli(capsys, "deploy", shop, "--set", "name=shop", "--name", "i" * 64, *where)
    assert code == 1, err
    assert (
        f"Shop instance name '{'i' * 64}' is 64 characters long: it is the value of label 'kro.run/instance-name'"
        in err
    )
    assert "which holds at most 63 characters. Use an instance name of at most 63 characters." in err
    assert kit.writes(since) == []
