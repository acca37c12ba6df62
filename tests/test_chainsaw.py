"""kro's own e2e cases (chainsaw), run offline: every step of each chainsaw-test.yaml is replayed against pykro.

* ``apply`` of the RGD loads and validates it; of an instance expands it (readiness simulated until stable); of any
  other object puts it in the "cluster" (external references read it).
* ``assert`` checks, with chainsaw's subset semantics, the RGD's status.topologicalOrder against ``rgd.order``, the
  instance CRD against ``graph.crd()`` (minus what the API server adds), the instance (labels, finalizers, spec,
  status) and the child objects against the expansion.
* ``error`` asserts that an object does not exist: not among the expanded children, and for an instance that the
  instance is rejected (its spec violates the generated schema).

New case directories are picked up automatically.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import CHAINSAW

from pykro import _yamlio as yamlio
from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.runtime import Expansion, identity, observed_from_objects, reconcile_passes, simulate_ready

CASES = sorted(p.name for p in CHAINSAW.iterdir() if (p / "chainsaw-test.yaml").is_file())

# Assertions on what other cluster controllers do, not kro: skipped offline (each one listed with the reason).
CLUSTER_ONLY = {
    ("check-multi-resource-rgd", "deployment-update-assert.yaml"): "expects the HorizontalPodAutoscaler controller "
    "to have scaled the Deployment to minReplicas=2 (spec.replicas 2, metadata.generation 3)",
}

# Fields the API server (not kro) fills in on a CRD.
_SERVER_CRD_FIELDS = (("metadata", "generation"), ("spec", "conversion"), ("status",))
_FILTER = re.compile(r"^\((\w+)\[\?(\w+) == '([^']*)'\]\)$")


def subset_errors(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Chainsaw's assertion: every expected field is present and equal (lists element-wise, same length); keys like
    ``(conditions[?type == 'Ready'])`` filter a list first."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        errors: list[str] = []
        for key, value in expected.items():
            match = _FILTER.match(str(key))
            if match:
                field, attr, wanted = match.groups()
                items = [i for i in actual.get(field) or [] if isinstance(i, dict) and str(i.get(attr)) == wanted]
                errors += subset_errors(value, items, f"{path}.{key}")
            elif key not in actual:
                errors.append(f"{path}.{key}: missing")
            else:
                errors += subset_errors(value, actual[key], f"{path}.{key}")
        return errors
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {actual!r}"]
        return [
            e
            for i, (x, y) in enumerate(zip(expected, actual, strict=True))
            for e in subset_errors(x, y, f"{path}[{i}]")
        ]
    if expected != actual and str(expected) != str(actual):
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


class Replay:
    """The offline "cluster" of one case: the RGD, the instance expansion and other applied objects."""

    def __init__(self, case: Path) -> None:
        self.case = case
        self.graph: Graph | None = None
        self.expansion: Expansion | None = None
        self.instance: dict[str, Any] | None = None
        self.others: list[dict[str, Any]] = []
        self.checked = 0

    def docs(self, name: str) -> list[dict[str, Any]]:
        return [d for d in yamlio.load_all((self.case / name).read_text(encoding="utf-8")) if isinstance(d, dict)]

    def is_instance(self, obj: dict[str, Any]) -> bool:
        return self.graph is not None and obj.get("kind") == self.graph.kind

    def apply(self, name: str) -> None:
        for obj in self.docs(name):
            if obj.get("kind") == "ResourceGraphDefinition":
                self.graph = Graph.from_rgd(obj, source=str(self.case / name))
            elif self.is_instance(obj):
                self.instance = obj
            else:
                self.others = [o for o in self.others if identity(o) != identity(obj)] + [obj]
        self.reconcile()

    def reconcile(self) -> None:
        if self.graph is None or self.instance is None:
            return
        graph = self.graph
        found = observed_from_objects(graph, self.instance, self.others)
        external = {rid: obj for rid, obj in found.items() if graph.resource(rid).is_external}
        self.expansion = reconcile_passes(graph, self.instance, simulate_ready, observed=external)

    def children(self) -> list[dict[str, Any]]:
        """The live objects kro created (as the simulated cluster reports them)."""
        if self.expansion is None or self.graph is None:
            return []
        out: list[dict[str, Any]] = []
        for rid, live in self.expansion.observed.items():
            if not self.graph.resource(rid).is_external:
                out.extend(live if isinstance(live, list) else [live])
        return out

    def assert_file(self, name: str) -> None:
        for expected in self.docs(name):
            assert self.graph is not None, f"{name}: asserted before the RGD was applied"
            kind = expected.get("kind")
            if kind == "ResourceGraphDefinition":
                order = (expected.get("status") or {}).get("topologicalOrder")
                if order is not None:
                    assert self.graph.topological_order == order
            elif kind == "CustomResourceDefinition":
                wanted = _without_server_fields(expected)
                assert subset_errors(wanted, self.graph.crd()) == []
            elif self.is_instance(expected):
                assert self.expansion is not None, f"{name}: no instance applied"
                assert subset_errors(expected, self.expansion.instance) == []
            else:
                assert subset_errors(expected, self._child(expected)) == []
            self.checked += 1

    def error_file(self, name: str) -> None:
        for obj in self.docs(name):
            if self.is_instance(obj):
                assert self.graph is not None
                with pytest.raises(ValidationError):
                    reconcile_passes(self.graph, obj, simulate_ready)
            else:
                assert not [c for c in self.children() if _same_object(obj, c)], f"{name}: object exists"
            self.checked += 1

    def _child(self, expected: dict[str, Any]) -> dict[str, Any]:
        matches = [c for c in self.children() if _same_object(expected, c)]
        assert matches, f"no child {expected.get('kind')}/{expected['metadata'].get('name')} among the objects"
        return matches[0]


def _same_object(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (a.get("apiVersion"), a.get("kind"), a["metadata"].get("name")) == (
        b.get("apiVersion"),
        b.get("kind"),
        b["metadata"].get("name"),
    )


def _without_server_fields(crd: dict[str, Any]) -> dict[str, Any]:
    out = yamlio.load(yamlio.dump(crd))
    for path in _SERVER_CRD_FIELDS:
        parent = out
        for key in path[:-1]:
            parent = parent.get(key, {})
        parent.pop(path[-1], None)
    assert isinstance(out, dict)
    return out


@pytest.mark.parametrize("name", CASES)
def test_chainsaw_case(name: str) -> None:
    case = CHAINSAW / name
    replay = Replay(case)
    test = yamlio.load((case / "chainsaw-test.yaml").read_text(encoding="utf-8"))
    for step in test["spec"]["steps"]:
        for op in step.get("try", []):
            if "apply" in op:
                replay.apply(op["apply"]["file"])
            elif "assert" in op and (name, op["assert"]["file"]) not in CLUSTER_ONLY:
                replay.assert_file(op["assert"]["file"])
            elif "error" in op:
                replay.error_file(op["error"]["file"])
    assert replay.graph is not None
    assert replay.checked > 0


def test_cases_were_found() -> None:
    assert len(CASES) >= 10
