"""Every example under examples/ (Python compositions and RGD files) deploys to the emulator in both modes, reaches
ACTIVE with every boolean status field true and the status the offline runtime computes from the same live
objects, and deleting it leaves none of its objects behind."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from pykro.authoring._loader import compositions_in
from pykro.cli._deploy import load_source
from pykro.deploy import DeployOptions, NullReporter, RetryPolicy, factory, graph_of
from pykro.deploy import _inventory as inv
from pykro.emulator._cluster import LocalCluster
from pykro.runtime import _labels as kl
from pykro.runtime import expand, observed_from_objects, prepare_instance

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _compositions(path: Path) -> list[str]:
    """``FILE``, or ``FILE:NAME`` for each composition of a file defining several (examples/hub_tenants.py)."""
    names = sorted(compositions_in(path))
    return [str(path)] if len(names) == 1 else [f"{path}:{name}" for name in names]


SOURCES = [Path(t) for p in sorted(EXAMPLES.glob("*.py")) for t in _compositions(p)] + sorted(
    p for p in EXAMPLES.glob("rgd/*.yaml") if "instance" not in p.name
)


def _fill(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """A spec giving every field without a default a plausible value (nested objects recursively)."""
    out: dict[str, Any] = {}
    for key, prop in (schema.get("properties") or {}).items():
        kind = prop.get("type")
        if kind == "object" and prop.get("properties"):
            out[key] = _fill(prop, name)
        elif "default" in prop:
            continue
        elif prop.get("enum"):
            out[key] = prop["enum"][0]
        elif kind == "string":
            out[key] = name if key == "name" else f"{name}-{key.lower()}"
        elif kind == "integer":
            out[key] = max(1, int(prop.get("minimum", 1)))
        elif kind == "boolean":
            out[key] = True
    return out


def _spec(source: Path, graph: Any, base: dict[str, Any] | None) -> dict[str, Any]:
    if base is not None:
        return copy.deepcopy(base.get("spec") or {})
    instance_file = source.with_name(source.stem + "-instance.yaml")
    if instance_file.exists():
        from pykro import _yamlio as yamlio

        return dict(yamlio.load_file(instance_file)["spec"])
    return _fill(graph.openapi, "ex")


pytestmark = pytest.mark.cluster(kro=True, operators=True)  # operators: CNPG, Flux, Valkey (webapp_with_processing)


def _store(cluster: LocalCluster, label: str, value: str, ns: str) -> list[dict[str, Any]]:
    async def collect(api: Any) -> list[dict[str, Any]]:
        return [
            copy.deepcopy(o)
            for _, o in cluster.engine.store.all_objects()
            if o["kind"] not in ("Endpoints", "EndpointSlice")  # copies of a Service's labels
            and (o["metadata"].get("labels") or {}).get(label) == value
            and (o["metadata"].get("namespace") in (ns, None))
        ]

    return cluster.run(collect)


@pytest.mark.parametrize("mode", ["direct", "kro"])
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_example_deploys_and_deletes(cluster: LocalCluster, source: Path, mode: Any) -> None:
    loaded, base = load_source(str(source))
    graph = graph_of(loaded)
    spec = _spec(source, graph, base)
    ns = f"ex-{mode}-{source.stem}".lower().replace("_", "-").replace(":", "-")
    fac = factory(
        loaded,
        mode,
        namespace=ns,
        kubeconfig=cluster.kubeconfig_path,
        reporter=NullReporter(),
        retry=RetryPolicy(base=0.01, cap=0.2),
        options=DeployOptions(timeout=60),
    )
    result = fac.deploy(spec, name=None if "name" in spec else "ex")
    assert result.state == "ACTIVE", result.status_data
    fields = {k: v for k, v in result.status_data.items() if k not in ("conditions", "state")}
    assert all(v is True for v in fields.values() if isinstance(v, bool)), fields
    name = result.name
    label = inv.INSTANCE if mode == "direct" else kl.INSTANCE_NAME
    objects = _store(cluster, label, name, ns)
    assert objects
    cr = {"apiVersion": graph.instance_api_version, "kind": graph.kind, "metadata": {"name": name, "namespace": ns}}
    prepared = prepare_instance(graph, {**cr, "spec": spec})
    offline = expand(graph, prepared, observed_from_objects(graph, prepared, objects)).status
    assert fields == {k: v for k, v in offline.items() if k not in ("conditions", "state")}
    if getattr(loaded, "status_model", None) is not None:
        assert isinstance(result.status, loaded.status_model)
    fac.delete(name)
    assert _store(cluster, label, name, ns) == []
