"""`--simulate-ready` and the reconcile fixed point: deep graphs settle (in two passes), nothing pending is reported
as success, Jobs complete, and a file of several instances expands each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pykro import _yamlio as yamlio
from pykro.cel import Evaluator
from pykro.errors import ValidationError
from pykro.graph import Graph
from pykro.render._manifests import manifests
from pykro.runtime import reconcile_passes, simulate_ready
from pykro.runtime._expand import expand_applying
from pykro.runtime._instance import prepare_instance

REPO = Path(__file__).resolve().parents[2]
WEBAPP = REPO / "examples" / "rgd" / "webapp.yaml"


def pykro(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pykro", "rgd", *args], capture_output=True, text=True, cwd=REPO, check=False
    )


def rgd(resources: list[dict[str, Any]], status: dict[str, Any] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"apiVersion": "v1alpha1", "kind": "Chain", "spec": {"name": "string | default=app"}}
    if status:
        schema["status"] = status
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "chain"},
        "spec": {"schema": schema, "resources": resources},
    }


def chain(n: int) -> dict[str, Any]:
    """``n`` ConfigMaps, each reading the name of the one before it."""
    resources = []
    for i in range(n):
        data = {"v": "${schema.spec.name}"} if i == 0 else {"parent": "${r" + str(i - 1) + ".metadata.name}"}
        template = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "${schema.spec.name}-" + str(i)}}
        resources.append({"id": f"r{i}", "template": {**template, "data": data}})
    return rgd(resources, {"last": "${r" + str(n - 1) + ".data.parent}"})


INSTANCE = {"apiVersion": "kro.run/v1alpha1", "kind": "Chain", "metadata": {"name": "c", "namespace": "ns"}}


def test_a_1000_deep_chain_settles() -> None:
    graph = Graph.from_rgd(chain(1000))
    result = reconcile_passes(graph, INSTANCE, simulate_ready)
    assert {s.state for s in result.states.values()} == {"ready"}
    assert result.status["state"] == "ACTIVE"
    assert result.status["last"] == "app-998"
    assert result.objects[-1]["data"] == {"parent": "app-998"}


def test_a_chain_settles_in_two_passes() -> None:
    """The first pass applies every resource as it resolves (its dependents observe it at once), the second finds
    nothing to change: the work is linear in the graph, not quadratic."""
    graph = Graph.from_rgd(chain(60))
    prepared = prepare_instance(graph, INSTANCE)
    live: dict[str, Any] = {}
    first, changed = expand_applying(graph, prepared, live, simulate_ready)
    assert changed and {s.state for s in first.states.values()} == {"ready"}
    assert len(live) == 60
    second, changed = expand_applying(graph, prepared, live, simulate_ready)
    assert not changed
    assert second.objects == first.objects


def test_excluded_resources_leave_the_live_state() -> None:
    resources = chain(3)["spec"]["resources"]
    resources[1]["includeWhen"] = ["${schema.spec.name != 'off'}"]
    graph = Graph.from_rgd(rgd(resources))
    prepared = prepare_instance(graph, INSTANCE)
    live: dict[str, Any] = {}
    expand_applying(graph, prepared, live, simulate_ready)
    assert sorted(live) == ["r0", "r1", "r2"]
    off = prepare_instance(graph, {**INSTANCE, "spec": {"name": "off"}})
    result, changed = expand_applying(graph, off, live, simulate_ready)
    assert changed and sorted(live) == ["r0"]
    assert [result.states[r].state for r in ("r0", "r1", "r2")] == ["ready", "skipped", "skipped"]


def test_render_manifests_of_a_deep_chain_resolves_everything() -> None:
    graph = Graph.from_rgd(chain(120))
    objects = manifests(graph, {"name": "x"}, name="c")
    assert len(objects) == 120
    assert objects[-1]["data"] == {"parent": "x-118"}


def test_cli_simulate_ready_on_a_deep_chain(tmp_path: Path) -> None:
    (tmp_path / "rgd.yaml").write_text(yamlio.dump(chain(1000)), encoding="utf-8")
    (tmp_path / "i.yaml").write_text(yamlio.dump(INSTANCE), encoding="utf-8")
    out = pykro("expand", str(tmp_path / "rgd.yaml"), "-i", str(tmp_path / "i.yaml"), "--simulate-ready", "-o", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {s["state"] for s in data["states"].values()} == {"ready"}
    assert data["instance"]["status"]["last"] == "app-998"


def test_cli_simulate_ready_fails_with_the_pending_ids(tmp_path: Path) -> None:
    resources = chain(3)["spec"]["resources"]
    resources[1]["readyWhen"] = ["${r1.data.parent == 'never'}"]
    (tmp_path / "rgd.yaml").write_text(yamlio.dump(rgd(resources)), encoding="utf-8")
    (tmp_path / "i.yaml").write_text(yamlio.dump(INSTANCE), encoding="utf-8")
    out = pykro("expand", str(tmp_path / "rgd.yaml"), "-i", str(tmp_path / "i.yaml"), "--simulate-ready", "-o", "json")
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "c: r1, r2" in out.stderr
    states = json.loads(out.stdout)["states"]
    assert states["r1"]["state"] == "pending" and states["r2"]["state"] == "pending"


JOB_RGD = rgd(
    [
        {
            "id": "migrate",
            "readyWhen": ["${has(migrate.status.completionTime)}", "${migrate.status.succeeded == 1}"],
            "template": {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"name": "${schema.spec.name}-migrate"},
                "spec": {
                    "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "busybox"}]}}
                },
            },
        },
        {
            "id": "after",
            "template": {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "${schema.spec.name}-after"},
                "data": {"done": "${string(migrate.status.completionTime)}"},  # kro types the field as a timestamp
            },
        },
    ],
    {"completed": "${migrate.status.conditions.exists(c, c.type == 'Complete' && c.status == 'True')}"},
)


def test_simulated_jobs_complete_like_the_emulators() -> None:
    result = reconcile_passes(Graph.from_rgd(JOB_RGD), INSTANCE, simulate_ready)
    assert {s.state for s in result.states.values()} == {"ready"}
    assert result.status["completed"] is True
    done = result.objects[-1]["data"]["done"]
    # a real RFC 3339 time, as the job controller writes it
    assert Evaluator([]).evaluate(f"timestamp('{done}') < timestamp('2100-01-01T00:00:00Z')", {}) is True


def test_cli_expands_every_instance_in_a_file(tmp_path: Path) -> None:
    docs = [
        {"apiVersion": "kro.run/v1alpha1", "kind": "WebApp", "metadata": {"name": n, "namespace": "demo"},
         "spec": {"name": n, "replicas": r}}
        for n, r in (("one", 1), ("two", 4))
    ]  # fmt: skip
    path = tmp_path / "instances.yaml"
    path.write_text(yamlio.dump_all(docs), encoding="utf-8")
    out = pykro("expand", str(WEBAPP), "-i", str(path), "--simulate-ready", "-o", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [d["instance"]["metadata"]["name"] for d in data] == ["one", "two"]
    assert [d["instance"]["status"]["availableReplicas"] for d in data] == [1, 4]
    text = pykro("expand", str(WEBAPP), "-i", str(path), "--simulate-ready")
    assert text.returncode == 0, text.stderr
    assert "WebApp one: ACTIVE" in text.stdout and "WebApp two: ACTIVE" in text.stdout
    yaml_out = pykro("expand", str(WEBAPP), "-i", str(path), "-o", "yaml")
    kinds = [d["kind"] for d in yamlio.load_all(yaml_out.stdout)]
    assert kinds.count("WebApp") == 2


def test_cli_names_the_bad_document_of_an_instance_file(tmp_path: Path) -> None:
    path = tmp_path / "instances.yaml"
    path.write_text("apiVersion: kro.run/v1alpha1\nkind: WebApp\nmetadata: {name: a}\nspec: {name: a}\n---\n- x\n")
    out = pykro("expand", str(WEBAPP), "-i", str(path))
    assert out.returncode == 1
    assert "document 2" in out.stderr and "Traceback" not in out.stderr


def test_render_names_a_failing_expression_as_a_failure_not_a_live_value() -> None:
    resources = chain(3)["spec"]["resources"]
    resources[1]["template"]["data"] = {"n": "${string(int(schema.spec.name))}"}
    graph = Graph.from_rgd(rgd(resources))
    with pytest.raises(ValidationError) as caught:
        manifests(graph, {"name": "not-a-number"}, name="c")
    text = str(caught.value)
    assert "1 resource(s) fail to resolve: r1" in text
    assert "live cluster" not in text
