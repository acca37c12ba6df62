"""The composition flow: `composition.factory("direct", namespace=...)`, `deploy(SpecModel(...))`, typed status."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pykro
from pykro.deploy import DirectFactory
from pykro.emulator._cluster import LocalCluster

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fullstack.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pykro_example_fullstack", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_factory_deploys_a_typed_spec_and_hydrates_a_typed_status(local_cluster: LocalCluster) -> None:
    example = _example()
    factory = example.fullstack.factory("direct", namespace="dev", kubeconfig=local_cluster.kubeconfig_path)
    assert isinstance(factory, DirectFactory)
    instance = factory.deploy(example.FullStackSpec(name="myapp", app_image="node:20", replicas=2))
    assert isinstance(instance.status, example.FullStackStatus)
    assert (instance.status.ready, instance.status.db_ready, instance.status.app_ready) == (True, True, True)
    assert [i.name for i in factory.instances()] == ["myapp"]
    factory.delete("myapp")
    assert factory.instances() == []


def test_factory_is_exported_from_the_package() -> None:
    assert pykro.factory is importlib.import_module("pykro.deploy").factory
