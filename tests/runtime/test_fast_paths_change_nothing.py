"""The runtime's shortcuts (direct field-path lookups, certainly-pending status fields, one preparation per
reconcile) change no result: every RGD and instance of kro's e2e cases and of examples/rgd, run to a fixed point
with simulated readiness and expanded once with nothing observed, gives byte-identical output with the shortcuts
switched off."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.helpers import CHAINSAW, REPO

from pykro import _yamlio as yamlio
from pykro.cel import Evaluator
from pykro.errors import PykroError
from pykro.graph import Graph
from pykro.runtime import Expansion, expand, reconcile_passes, simulate_ready
from pykro.runtime import _paths as paths
from pykro.runtime import _reconcile as reconcile
from pykro.runtime._expand import applying_pass


def _cases() -> Iterator[tuple[str, Graph, dict[str, Any]]]:
    for directory in sorted({p.parent for p in CHAINSAW.rglob("*.yaml")} | {REPO / "examples" / "rgd"}):
        docs = [
            doc
            for path in sorted(directory.glob("*.yaml"))
            for doc in yamlio.load_all(path.read_text(encoding="utf-8"))
            if isinstance(doc, dict)
        ]
        for rgd in (d for d in docs if d.get("kind") == "ResourceGraphDefinition"):
            try:
                graph = Graph.from_rgd(rgd)
                graph.validate()
            except PykroError:
                continue
            for doc in docs:
                if doc.get("kind") == graph.kind and "spec" in doc:
                    yield f"{directory.name}/{graph.name}/{doc['metadata'].get('name')}", graph, doc


CASES = list(_cases())


def _outcome(graph: Graph, instance: dict[str, Any]) -> str:
    results: list[Any] = []
    runs: list[Callable[[], Expansion]] = [
        lambda: reconcile_passes(graph, instance, simulate_ready),
        lambda: expand(graph, instance, {}),
    ]
    for run in runs:
        try:
            result = run()
        except PykroError as exc:
            results.append(f"{type(exc).__name__}: {exc}")
            continue
        states = {rid: vars(state) for rid, state in result.states.items()}
        results.append([result.instance, result.objects, states, result.observed])
    return json.dumps(results, default=repr)


def _switch_off(monkeypatch: pytest.MonkeyPatch, instance: dict[str, Any]) -> None:
    """The runtime as it was before the shortcuts: every expression through the engine, instances prepared anew
    for every pass."""
    monkeypatch.setattr(paths, "bare_path", lambda expression: None)
    monkeypatch.setattr(paths, "template_paths", lambda concatenation, template: None)
    monkeypatch.setattr(paths.Resolver, "pending", lambda self, tree, ctx: False)
    monkeypatch.setattr(reconcile, "expand_prepared", lambda graph, _prepared, live: expand(graph, instance, live))


def test_there_are_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize(("graph", "instance"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_same_outcome_without_shortcuts(
    graph: Graph, instance: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _outcome(graph, instance)
    with monkeypatch.context() as patch:
        _switch_off(patch, instance)
        slow = _outcome(graph, instance)
    assert fast == slow


def test_the_shortcuts_are_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer engine evaluations with the shortcuts (else the comparison above compares the engine with itself)."""
    calls = [0]
    evaluate = Evaluator.evaluate

    def counted(self: Evaluator, expression: str, activation: Any) -> Any:
        calls[0] += 1
        return evaluate(self, expression, activation)

    monkeypatch.setattr(Evaluator, "evaluate", counted)
    counts = []
    for switched_off in (False, True):
        calls[0] = 0
        for _, graph, instance in CASES:
            with monkeypatch.context() as patch:
                if switched_off:
                    _switch_off(patch, instance)
                _outcome(graph, instance)
        counts.append(calls[0])
    assert counts[0] < counts[1] / 2, counts


def _settled(run: Callable[[], Expansion]) -> str:
    try:
        result = run()
    except PykroError as exc:
        return f"{type(exc).__name__}: {exc}"
    states = {rid: vars(state) for rid, state in result.states.items()}
    return json.dumps([result.instance, result.objects, states, result.observed], default=repr)


@pytest.mark.parametrize(("graph", "instance"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_one_pass_when_rendering_is_the_fixed_point(graph: Graph, instance: dict[str, Any]) -> None:
    """``apply=None`` (the object applied is the object rendered) runs one pass: the same result as passes with an
    identity apply run until nothing changes (which takes at least two), externals observed or not."""
    passes = [0]

    def counted(*args: Any) -> Any:
        passes[0] += 1
        return applying_pass(*args)

    def settled(apply: Callable[[dict[str, Any]], dict[str, Any]] | None, seen: dict[str, Any], **options: Any) -> str:
        return _settled(functools.partial(reconcile_passes, graph, instance, apply, observed=seen, **options))

    externals = {r.id: {"metadata": {"name": "x"}} for r in graph.resources if r.is_external and not r.for_each}
    for observed in ({}, externals) if externals else ({},):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(reconcile, "applying_pass", counted)
            passes[0] = 0
            once = settled(None, observed)
            assert passes[0] <= 1
            passes[0] = 0
            looped = settled(lambda obj: obj, observed)
            assert passes[0] >= 2 or not looped.startswith("[") or not json.loads(looped)[1]  # nothing applied
        assert once == looped
        if once.startswith("["):  # without the status (render keeps only objects and states): nothing else differs
            bare = json.loads(settled(None, observed, status=False))
            expected = json.loads(once)
            assert bare[0].pop("status", None) == instance.get("status")  # the instance's own, if any, untouched
            del expected[0]["status"]
            assert bare == expected
