"""Values a Python form's composition computes from a row (`pykro.hub._rendered`): a row whose composition would
render what the API server refuses — a port above 65535 (row port + 60000), a Service name over 63 characters
(uid + "-svc"), a label value that is not one — fails alone in `hub plan` with the same message `hub sync` gives,
before anything of that row is written; a secret spec value never shows in the message."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from tests.hub.test_kro_mode import WRITES

from pykro.emulator._cluster import LocalCluster

LONG = "a" * 60


def _spec(row: Any) -> dict[str, Any]:
    return {"name": row.node_id, "port": row.replicas, "token": row.image}


def test_computed_values_fail_the_row_in_plan_as_in_sync(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(
        ("ok", True, "tok1", 80),
        ("port", True, "tok2", 6000),  # 66000
        (LONG, True, "tok3", 80),  # a Service name of 64 characters
        ("label", True, "hunter2 canary", 80),  # a label value with a space: the secret token
    )
    hub = make.hub(db)
    hub.form(comps.ports, spec=_spec)
    planned = hub.plan()
    messages = {o.uid: o.message for o in planned.outcomes}
    assert {o.uid: o.action for o in planned.outcomes} == {
        "ok": "created",
        "port": "failed",
        LONG: "failed",
        "label": "failed",
    }, planned.render()
    assert messages["port"].startswith(
        "row uid 'port' of form 'ports': resource 'svc', field spec.ports[0].port: Service field spec.ports[0].port "
        "must be at most 65535, got 66000 (in "
    ), messages["port"]
    assert (
        f"resource 'svc', field metadata.name: Service name '{LONG}-svc' is not a valid Kubernetes name"
        in (messages[LONG])
    )
    assert "DNS-1035 label" in messages[LONG]
    assert "resource 'cfg', field metadata.labels.token: ConfigMap 'label-cfg': label value" in messages["label"]
    assert "hunter2" not in planned.render()

    mark = len(cluster.request_log())
    synced = hub.sync()
    assert {o.uid: o.message for o in synced.outcomes if o.action == "failed"} == {
        u: m for u, m in messages.items() if u != "ok"
    }, synced.render()  # word for word the plan's
    written = {i.name or "" for _, i, _ in cluster.request_log()[mark:] if i.verb in WRITES}
    assert written - {"", make.namespace} == {"ok-cfg", "ok-svc", "pykro.ports.ok"}  # nothing of the failed rows
    assert "hunter2" not in synced.render()
    hub.close()


def test_each_expression_is_evaluated_once_per_distinct_input(comps: ModuleType) -> None:
    """The port expression reads only spec.port: two rows with the same port evaluate it once (the plan of a
    large table stays cheap); the verdict is the same for both."""
    from pykro.deploy import factory
    from pykro.hub._rendered import Renderer

    renderer = Renderer(factory(comps.ports, "direct").graph)
    assert [n.node.id for n in renderer.nodes] == ["cfg", "svc"]
    assert renderer.problem({"name": "x", "port": 1, "token": "t"}, "x", "ns") is None
    found = renderer.problem({"name": "x", "port": 5536, "token": "t"}, "x", "ns")
    assert found is not None and found[0] == "svc" and "65535" in found[1][1]
    again = renderer.problem({"name": "y", "port": 5536, "token": "t"}, "y", "ns")
    assert again is not None and again[1] == found[1]
    ports = [k for k in renderer.values if k[1] == ((int, 5536),)]
    assert len(ports) == 1  # the port expression evaluated once for both rows
