"""Per-resource readiness timeouts (``hub.form(..., timeouts={...})``) against the emulator over HTTP: a resource
not ready in time fails that row's instance, naming the resource and the limit, while the other rows go on; wrong
entries are one sentence at the user's line, before anything is written."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from pykro.deploy import DeployOptions
from pykro.emulator._cluster import LocalCluster
from pykro.errors import PykroError, ValidationError


def test_a_resource_past_its_timeout_fails_its_row_only(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(("a", True, "img:1", 1), ("stuck1", True, "img:1", 1))
    hub = make.hub(db)
    form = hub.form(comps.pair, spec=lambda row: {"name": row.node_id}, timeouts={"db": 2, "cfg": "1m"})
    assert form.policies.timeouts == {"db": 2.0, "cfg": 60.0}
    report = hub.sync()
    ok, stuck = report.of("pair", "a"), report.of("pair", "stuck1")
    assert ok is not None and ok.action == "created" and ok.message == "", report.render()
    assert stuck is not None and stuck.action == "failed", report.render()
    assert "resource 'db' was not ready after 2s" in stuck.message
    assert "stuck1-db" in stuck.message  # where: the object that did not get ready
    hub.close()


def test_the_limit_is_per_resource(make: Any, db: Any, comps: ModuleType) -> None:
    """A long limit on the resource that never gets ready and a short one on the others: the hub-wide
    resource_timeout does not apply to a resource with its own limit."""
    db.nodes(("stuck2", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.pair, spec=lambda row: {"name": row.node_id}, resource_timeout=1, timeouts={"db": "3s"})
    report = hub.sync()
    (outcome,) = report.outcomes
    assert outcome.action == "failed" and "resource 'db' was not ready after 3s" in outcome.message, outcome.message
    hub.close()


def test_wrong_timeouts_name_the_line(make: Any, db: Any, comps: ModuleType, cluster: LocalCluster) -> None:
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db)
    cases: list[tuple[Any, str, str]] = [
        ({"dbb": "5m"}, "timeouts names resource 'dbb', which pair does not create", "Did you mean 'db'?"),
        ({"zzz": 5}, "timeouts names resource 'zzz'", "Use one of its resource ids: cfg, db."),
        ({"db": "5 minutes"}, "timeouts['db']='5 minutes' is not a duration", "30s, 5m, 2h"),
        ({"db": 0}, "timeouts['db']=0 is not a duration", ""),
        ({"db": True}, "timeouts['db']=True is not a duration", ""),
        ({"db": "0s"}, "timeouts['db']='0s' is not a duration", ""),
        (["db"], "timeouts must map resource ids to durations", ""),
    ]
    mark = len(cluster.request_log())
    for timeouts, said, fix in cases:
        with pytest.raises(PykroError) as err:
            hub.form(comps.pair, spec=lambda row: {"name": row.node_id}, timeouts=timeouts)
        assert said in err.value.what, err.value.what
        assert fix in (err.value.fix or ""), err.value.fix
        assert err.value.where is not None and err.value.where.startswith(f"{__file__}:")
    assert hub.forms == {}
    assert [i for _, i, _ in cluster.request_log()[mark:] if i.verb not in ("get", "list", "watch")] == []
    hub.close()


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ({"db": -1}, "resource_timeout must be a positive number"),
        ({"db": "5m"}, "resource_timeout must be a positive number"),
        ("db", "resource_timeouts must map resource ids to seconds"),
    ],
)
def test_deploy_option_resource_timeouts_is_checked(value: Any, said: str) -> None:
    with pytest.raises(ValidationError, match=said):
        DeployOptions(resource_timeouts=value)
    opts = DeployOptions(resource_timeout=9, resource_timeouts={"db": 2})
    assert (opts.resource_limit("db"), opts.resource_limit("cfg")) == (2, 9)
