"""examples/fullstack.py (seed 000): golden RGD, kro's RGD schema, round trip, manifests for a concrete spec."""

from __future__ import annotations

from types import ModuleType

import pytest
from tests.examples import support as kit

from pykro import _yamlio as yamlio
from pykro.errors import ValidationError


@pytest.fixture(scope="module")
def example() -> ModuleType:
    module: ModuleType = kit.load_example("fullstack")
    return module


def test_rgd_matches_golden_and_kro_schema(example: ModuleType) -> None:
    text = example.fullstack.to_rgd_yaml()
    kit.check_golden("fullstack.rgd.yaml", text)
    graph = kit.check_rgd(text)
    assert graph.topological_order.index("dbSvc") < graph.topological_order.index("app")
    assert example.fullstack.to_rgd_yaml() == text  # deterministic


def test_status_is_typed_cel(example: ModuleType) -> None:
    status = example.fullstack.graph.status
    assert status["ready"] == "${db.status.readyReplicas > 0 && app.status.readyReplicas >= schema.spec.replicas}"
    crd = example.fullstack.graph.crd()
    props = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
    assert props["spec"]["properties"]["appImage"]["type"] == "string"
    assert props["spec"]["properties"]["replicas"]["default"] == 1


def test_manifests_need_the_cluster_ip(example: ModuleType) -> None:
    spec = example.FullStackSpec(name="myapp", app_image="node:20", replicas=2)
    with pytest.raises(ValidationError) as err:
        example.fullstack.to_manifests(spec)
    assert "app (reads ${dbSvc.spec.clusterIP})" in str(err.value)
    assert "1 resource(s)" in str(err.value)


def test_manifests_with_live_values(example: ModuleType) -> None:
    spec = example.FullStackSpec(name="myapp", app_image="node:20", replicas=2)
    objects = example.fullstack.to_manifests(spec, observed={"dbSvc": {"spec": {"clusterIP": "10.0.0.7"}}})
    kit.check_kubernetes(objects)
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [
        ("Secret", "myapp-db-secret"),
        ("Deployment", "myapp-db"),
        ("Service", "myapp-db-svc"),
        ("Deployment", "myapp"),
    ]
    app = objects[3]
    assert app["spec"]["replicas"] == 2
    env = {
        e["name"]: e.get("value", e.get("valueFrom")) for e in app["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    from_secret = {"secretKeyRef": {"name": "myapp-db-secret", "key": "password"}}
    assert env == {
        "DATABASE_HOST": "10.0.0.7",
        "DATABASE_URL": "postgresql://postgres@myapp-db-svc:5432/myapp",
        "DATABASE_PASSWORD": from_secret,
    }
    db_env = {
        e["name"]: e.get("value", e.get("valueFrom"))
        for e in objects[1]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert db_env["POSTGRES_PASSWORD"] == from_secret
    # no password given: one derived from the instance uid (24 characters), never a literal in the RGD
    assert len(objects[0]["stringData"]["password"]) == 24
    assert example.fullstack.graph.resources[0].template["stringData"]["password"].startswith("${")
    assert "labels" not in objects[0]["metadata"] and "namespace" not in objects[0]["metadata"]
    kit.check_golden("fullstack.manifests.yaml", yamlio.dump_all(objects))


def test_a_secretstr_password_reaches_the_secret_unmasked(example: ModuleType) -> None:
    from pydantic import SecretStr

    spec = example.FullStackSpec(name="x", app_image="img", db_password=SecretStr("MARKER-s3cr3t-42"))
    objects = example.fullstack.to_manifests(spec, observed={"dbSvc": {"spec": {"clusterIP": "10.0.0.9"}}})
    assert objects[0]["stringData"] == {"password": "MARKER-s3cr3t-42"}
    assert example.fullstack.graph.annotations["pykro.io/secret-fields"] == "dbPassword"


def test_spec_defaults_apply_in_manifests(example: ModuleType) -> None:
    objects = example.fullstack.to_manifests(
        {"name": "x", "appImage": "img"}, observed={"dbSvc": {"spec": {"clusterIP": "10.0.0.9"}}}
    )
    assert objects[3]["spec"]["replicas"] == 1


def test_the_readme_shows_the_example_as_it_is() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    source = (root / "examples" / "fullstack.py").read_text(encoding="utf-8")
    code = source.split('"""', 2)[2].strip("\n").split('\n\nif __name__ == "__main__":')[0].rstrip() + "\n"
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "```python\n" + code + "```\n" in readme
