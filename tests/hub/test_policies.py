"""A form's policies against the emulator over HTTP: ignore_fields keeps what someone else set on the live object
(Lynq's semantics), conflict="stuck" stops at a server-side apply conflict and "force" takes the fields over,
resource_timeout per resource, Lynq's spellings; and every wrong value is one sentence naming the user's line."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

import pytest
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap

from pykro.emulator._cluster import LocalCluster
from pykro.errors import PykroError
from pykro.hub import _jsonpath as jsonpath


def app_spec(row: Any) -> dict[str, Any]:
    return {"name": row.node_id, "image": row.image, "replicas": row.replicas}


def cfg(cluster: LocalCluster, namespace: str, name: str) -> dict[str, Any]:
    async def find(api: Any) -> dict[str, Any]:
        for _, obj in cluster.engine.store.all_objects():
            meta = obj["metadata"]
            if obj["kind"] == "ConfigMap" and meta.get("namespace") == namespace and meta["name"] == name:
                return copy.deepcopy(obj)
        raise AssertionError(f"no ConfigMap {name}")

    return cluster.run(find)


def test_jsonpath_parse_and_keep() -> None:
    live = {
        "spec": {"replicas": 5, "template": {"containers": [{"image": "a:2", "env": [1]}, {"image": "b:2"}]}},
        "metadata": {"annotations": {"app.kubernetes.io/version": "7"}},
    }
    desired: dict[str, Any] = {
        "spec": {"replicas": 3, "template": {"containers": [{"image": "a:1", "env": [0]}, {"image": "b:1"}]}},
        "metadata": {"annotations": {"app.kubernetes.io/version": "1", "x": "y"}},
        "data": {"gone": "1"},
    }
    paths = [
        jsonpath.parse(p, "here")
        for p in (
            "$.spec.replicas",
            "$.spec.template.containers[*].image",
            "$.metadata.annotations['app.kubernetes.io/version']",
            '$.data["gone"]',
            "$.spec.template.containers[5].image",  # out of range: skipped
            "$.spec.replicas.deeper",  # a type mismatch: skipped
        )
    ]
    kept = jsonpath.keep_live(desired, live, paths)
    assert kept == {
        "spec": {"replicas": 5, "template": {"containers": [{"image": "a:2", "env": [0]}, {"image": "b:2"}]}},
        "metadata": {"annotations": {"app.kubernetes.io/version": "7", "x": "y"}},
        "data": {},  # not in the live object: not applied, so what removed it stays removed
    }
    assert desired["spec"]["replicas"] == 3  # a copy
    for bad, said in (
        ("spec.replicas", "must start with $"),
        ("$[invalid", "cannot be read at character 2"),
        ("$..image", "cannot be read"),
        ("$.items[?(@.a)]", "cannot be read"),
        ("$", "names the whole object"),
    ):
        with pytest.raises(PykroError) as err:
            jsonpath.parse(bad, "ignore_fields['web']")
        assert said in err.value.what and repr(bad) in err.value.what and err.value.where == "ignore_fields['web']"


def test_ignore_fields_keep_what_another_manager_set(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db)
    hub.form(comps.app, spec=app_spec, ignore_fields={"cfg": ["$.data.replicas"]})
    assert hub.sync().ok
    assert cfg(cluster, make.namespace, "a-cfg")["data"] == {"image": "img:1", "replicas": "1"}  # created whole
    client = cluster.client()
    client.patch(ConfigMap, "a-cfg", {"data": {"replicas": "9"}}, namespace=make.namespace, field_manager="hpa")
    db.run("UPDATE {t} SET image = 'img:2', replicas = 3 WHERE node_id = 'a'")
    report = hub.sync()
    assert report.ok, report.render()
    assert cfg(cluster, make.namespace, "a-cfg")["data"] == {"image": "img:2", "replicas": "9"}
    hub.close()


def test_conflict_stuck_stops_and_force_takes_over(
    make: Any, db: Any, comps: ModuleType, cluster: LocalCluster
) -> None:
    db.nodes(("a", True, "img:1", 1))
    stuck = make.hub(db)
    stuck.form(comps.app, spec=app_spec)  # conflict="stuck" is the default
    assert stuck.sync().ok
    theirs = ConfigMap(metadata=ObjectMeta(name="a-cfg", namespace=make.namespace), data={"image": "theirs"})
    cluster.client().apply(theirs, field_manager="someone", force=True)
    db.run("UPDATE {t} SET image = 'img:2' WHERE node_id = 'a'")
    report = stuck.sync()
    (outcome,) = report.outcomes
    assert outcome.action == "failed" and "conflict" in outcome.message.lower(), outcome.message
    assert "someone" in outcome.message
    assert cfg(cluster, make.namespace, "a-cfg")["data"]["image"] == "theirs"
    stuck.close()

    force = make.hub(db)
    force.form(comps.app, spec=app_spec, conflict="Force")  # Lynq's spelling
    report = force.sync()
    assert report.ok, report.render()
    assert cfg(cluster, make.namespace, "a-cfg")["data"]["image"] == "img:2"
    force.close()


def test_resource_timeout_and_lynq_spellings(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(("stuck", True, "img:1", 1))
    hub = make.hub(db)
    form = hub.form(
        comps.db, spec=lambda row: {"name": row.node_id}, resource_timeout=0.5, creation="WhenNeeded", deletion="retain"
    )
    assert (form.creation, form.deletion) == ("when_needed", "Retain")
    report = hub.sync()
    (outcome,) = report.outcomes
    assert outcome.action == "failed" and "resource 'db' was not ready after 0.5s" in outcome.message
    hub.close()


def test_wrong_policies_name_the_line(make: Any, db: Any, comps: ModuleType) -> None:
    db.nodes(("a", True, "img:1", 1))
    hub = make.hub(db)
    here = __file__
    cases: list[tuple[dict[str, Any], str]] = [
        ({"conflict": "maybe"}, "conflict='maybe' is not a conflict policy"),
        ({"creation": "twice"}, "creation='twice' is not a creation policy"),
        ({"deletion": "Keep"}, "deletion='Keep' is not a deletion policy"),
        ({"resource_timeout": -1}, "resource_timeout=-1 is not a positive number of seconds"),
        ({"ignore_fields": {"nope": ["$.data"]}}, "ignore_fields names resource 'nope', which app does not create"),
        ({"ignore_fields": {"cfg": ["data.x"]}}, "ignore_fields path 'data.x' is not a JSONPath"),
        ({"ignore_fields": {"cfg": "$.data"}}, "ignore_fields['cfg'] must be a list of JSONPaths"),
    ]
    for kwargs, said in cases:
        with pytest.raises(PykroError) as err:
            hub.form(comps.app, spec=app_spec, **kwargs)
        assert said in err.value.what, err.value.what
        assert err.value.where is not None and err.value.where.startswith(f"{here}:")
    assert hub.forms == {}
