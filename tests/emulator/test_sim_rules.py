"""SimulationRules: YAML loading and its errors, rule selection, seeded delays; the CronJob schedule evaluator."""

from __future__ import annotations

import calendar
import time
from pathlib import Path

import pytest

from pykro.emulator._simulation import DEFAULT_DELAYS_MS, Rule, SimulationRules
from pykro.emulator._simulation.batch import next_run, parse_schedule
from pykro.errors import ValidationError

RULES_YAML = """
delays: {Deployment: 250}
jitter_ms: 40
events: false
rules:
  - kind: Deployment
    name: "slow-*"
    delay_ms: 900
  - kind: Database
    namespace: prod
    labels: {tier: db}
    outcome: fail
    condition: Synced
    status: {endpoint: db.local}
"""


def obj(kind: str, name: str, namespace: str = "default", labels: dict[str, str] | None = None) -> dict[str, object]:
    return {"kind": kind, "metadata": {"name": name, "namespace": namespace, "labels": labels or {}, "generation": 1}}


def test_yaml_loads_every_field() -> None:
    rules = SimulationRules.from_yaml(RULES_YAML)
    assert rules.delays["Deployment"] == 250
    assert rules.delays["Pod"] == DEFAULT_DELAYS_MS["Pod"]  # defaults kept for kinds not mentioned
    assert rules.jitter_ms == 40 and rules.events is False
    assert rules.rules[0] == Rule(kind="Deployment", name="slow-*", delay_ms=900)
    db = rules.rules[1]
    assert (db.kind, db.namespace, dict(db.labels), db.outcome, db.condition) == (
        "Database",
        "prod",
        {"tier": "db"},
        "fail",
        "Synced",
    )
    assert db.status == {"endpoint": "db.local"}


def test_load_reads_a_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "rules.yaml"
    path.write_text("rules: [{kind: Job, outcome: never}]\n")
    assert SimulationRules.load(path).rules == [Rule(kind="Job", outcome="never")]


@pytest.mark.parametrize(
    ("text", "where", "hint"),
    [
        ("rules: [{kind: Job, delay: 5}]", "rules.rules[0].delay", "delay_ms"),
        ("rules: [{kind: Job, outcome: broken}]", "rules.rules[0].outcome", "ready, never, fail"),
        ("jiter_ms: 5", "rules.jiter_ms", "jitter_ms"),
        ("delays: {Pod: soon}", "rules.delays.Pod", None),
        ("rules: [{kind: Job, delay_ms: -1}]", "rules.rules[0].delay_ms", None),
        ("- just a list", "rules", None),
        # a kind that would never apply (misspelt, wrong case, not simulated, a custom kind no rule selects)
        ("delays: {Deploymnet: 200}", "rules.delays.Deploymnet", "Did you mean 'Deployment'?"),
        ("delays: {statefulset: 200}", "rules.delays.statefulset", "Did you mean 'StatefulSet'?"),
        ("delays: {ConfigMap: 200}", "rules.delays.ConfigMap", "does not act on ConfigMap"),
        ("delays: {Databse: 1}\nrules: [{kind: Database}]", "rules.delays.Databse", "Did you mean 'Database'?"),
        ("delays: {Database: 1}", "rules.delays.Database", "no rule selects kind 'Database'"),
        ("rules: [{kind: Deploymnet, outcome: never}]", "rules.rules[0].kind", "Did you mean 'Deployment'?"),
        ("rules: [{kind: Secret, outcome: never}]", "rules.rules[0].kind", "does not act on Secret"),
        # values taken for something else before: bool("no") was True, a bool delay was 1, a label yes was "True"
        ("events: no", "rules.events", "true or false"),
        ("events: 'false'", "rules.events", "true or false"),
        ("delays: {Pod: true}", "rules.delays.Pod", "non-negative integer"),
        ("delays: {Pod: -5}", "rules.delays.Pod", "non-negative integer"),
        ("jitter_ms: 010", "rules.jitter_ms", "non-negative integer"),
        ("rules: [{kind: Job, labels: {tier: 1}}]", "rules.rules[0].labels.tier", "quote it"),
        ("rules: [{kind: 5}]", "rules.rules[0].kind", "a string"),
        ("node_name: [a]", "rules.node_name", "a string"),
    ],
)
def test_bad_files_name_the_place_and_the_fix(text: str, where: str, hint: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        SimulationRules.from_yaml(text)
    assert info.value.where == where
    if hint:
        assert hint in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "where", "fragment"),
    [
        ({"kind": 5}, "rule.kind", "got 5"),
        ({"name": None}, "rule.name", "got None"),
        ({"namespace": ["a"]}, "rule.namespace", "got ['a']"),
        ({"labels": ["app"]}, "rule.labels", "got ['app']"),
        ({"labels": {"app": 1}}, "rule.labels.app", "got 1"),
        ({"labels": {2: "x"}}, "rule.labels", "got 2"),
        ({"delay_ms": "500"}, "rule.delay_ms", "got '500'"),
        ({"delay_ms": -1}, "rule.delay_ms", "non-negative integer"),
        ({"delay_ms": True}, "rule.delay_ms", "got True"),
        ({"outcome": "done"}, "rule.outcome", "Use one of: ready, never, fail"),
        ({"status": "up"}, "rule.status", "got 'up'"),
        ({"condition": 3}, "rule.condition", "got 3"),
    ],
)
def test_a_rule_made_in_python_is_checked_field_by_field(kwargs: dict[str, object], where: str, fragment: str) -> None:
    """Before, a wrong value from Python failed only when the simulator first used the rule."""
    with pytest.raises(ValidationError) as info:
        Rule(**kwargs)  # type: ignore[arg-type]
    assert info.value.where == where
    assert fragment in str(info.value)


def test_text_is_kept_as_written() -> None:
    rules = SimulationRules.from_yaml("delays: {Database: 7}\nrules: [{kind: Database, labels: {a: yes, v: '010'}}]")
    assert dict(rules.rules[0].labels) == {"a": "yes", "v": "010"} and rules.delays["Database"] == 7
    with pytest.raises(ValidationError, match="kubectl reads the key 'on' as bool"):  # was the label key "True"
        SimulationRules.from_yaml("rules: [{kind: Job, labels: {on: x}}]")
    assert SimulationRules.from_yaml("rules: [{kind: 'Deploy*'}]").rules[0].kind == "Deploy*"  # globs are not kinds


def test_first_matching_rule_wins_and_selectors_combine() -> None:
    rules = SimulationRules.from_yaml(RULES_YAML)
    assert rules.rule_for(obj("Deployment", "slow-api")) is rules.rules[0]
    assert rules.rule_for(obj("Deployment", "fast-api")) is None
    assert rules.rule_for(obj("Database", "x", "prod", {"tier": "db"})) is rules.rules[1]
    assert rules.rule_for(obj("Database", "x", "dev", {"tier": "db"})) is None  # wrong namespace
    assert rules.rule_for(obj("Database", "x", "prod", {"tier": "web"})) is None  # wrong label


def test_delay_comes_from_the_rule_then_the_kind_then_the_default() -> None:
    rules = SimulationRules(delays={"Deployment": 250}, default_delay_ms=70, rules=[Rule(name="slow", delay_ms=900)])
    slow, fast, custom = obj("Deployment", "slow"), obj("Deployment", "fast"), obj("Widget", "w")
    assert rules.delay_s(slow, rules.rule_for(slow), 0) == pytest.approx(0.9)
    assert rules.delay_s(fast, rules.rule_for(fast), 0) == pytest.approx(0.25)
    assert rules.delay_s(custom, None, 0) == pytest.approx(0.07)


def test_jitter_is_seeded() -> None:
    rules = SimulationRules(jitter_ms=1000)
    objs = [obj("Pod", f"p{i}") for i in range(8)]
    first = [rules.delay_s(o, None, seed=7) for o in objs]
    assert first == [rules.delay_s(o, None, seed=7) for o in objs]
    assert first != [rules.delay_s(o, None, seed=8) for o in objs]
    base = DEFAULT_DELAYS_MS["Pod"] / 1000
    assert all(base <= d <= base + 1.0 for d in first)


def test_status_keys_with_dots_are_paths() -> None:
    rule = Rule(kind="Database", status={"endpoint.host": "db", "endpoint.port": 5432, "tls": {"ca.pem": "x"}})
    assert rule.status == {"endpoint": {"host": "db", "port": 5432}, "tls": {"ca": {"pem": "x"}}}
    loaded = SimulationRules.from_yaml("rules: [{kind: Database, status: {a.b.c: 1}}]")
    assert loaded.rules[0].status == {"a": {"b": {"c": 1}}}


def test_pods_of_one_workload_get_their_own_jitter() -> None:
    rules = SimulationRules(jitter_ms=1000)
    dep = obj("Deployment", "web")
    delays = {rules.delay_s(dep, None, seed=1, jitter_key=f"web-{i}") for i in range(5)}
    assert len(delays) == 5


def test_custom_kinds_need_an_explicit_kind() -> None:
    rules = SimulationRules(rules=[Rule(outcome="never"), Rule(kind="Data*")])
    assert rules.custom_kind_selected("Database")
    assert not rules.custom_kind_selected("Widget")  # a bare "*" does not opt every custom kind in


def epoch(stamp: str) -> float:
    return float(calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M")))


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        ("*/5 * * * *", "2026-03-04T12:03", "2026-03-04T12:05"),
        ("*/5 * * * *", "2026-03-04T12:05", "2026-03-04T12:10"),
        ("@hourly", "2026-03-04T12:03", "2026-03-04T13:00"),
        ("30 2 * * 1-5", "2026-03-06T03:00", "2026-03-09T02:30"),  # Friday after 02:30 -> Monday
        ("0 0 13 * 5", "2026-03-01T00:00", "2026-03-06T00:00"),  # day-of-month OR day-of-week (a Friday)
        ("0 9 1,15 2 *", "2026-03-01T00:00", "2027-02-01T09:00"),
    ],
)
def test_cron_schedule(schedule: str, after: str, expected: str) -> None:
    assert next_run(schedule, epoch(after)) == epoch(expected)


@pytest.mark.parametrize("schedule", ["* * *", "61 * * * *", "*/0 * * * *", "a b c d e"])
def test_cron_rejects_bad_schedules(schedule: str) -> None:
    with pytest.raises(ValueError):
        parse_schedule(schedule)


def test_the_documented_example_loads() -> None:
    import textwrap

    from pykro.emulator._simulation import rules as module

    doc = str(module.__doc__)
    example = textwrap.dedent(doc[doc.index("`--rules`):") + len("`--rules`):") :])
    rules = SimulationRules.from_yaml(example)
    assert rules.delays["StatefulSet"] == 500 and len(rules.rules) == 4
    assert rules.rules[3].status == {"endpoint": {"host": "db.local"}, "phase": "Available"}


def workload(kind: str, name: str, template_labels: dict[str, str], path: tuple[str, ...]) -> dict[str, object]:
    """A workload whose labels are only on its pod template (found at `path`)."""
    body: dict[str, object] = {"metadata": {"labels": template_labels}}
    for part in reversed(path):
        body = {part: body}
    return {"kind": kind, "metadata": {"name": name, "namespace": "default"}, **body}


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("Deployment", ("spec", "template")),
        ("StatefulSet", ("spec", "template")),
        ("DaemonSet", ("spec", "template")),
        ("ReplicaSet", ("spec", "template")),
        ("Job", ("spec", "template")),
        ("CronJob", ("spec", "jobTemplate", "spec", "template")),
    ],
)
def test_a_rule_matching_the_pod_template_matches_the_workload(kind: str, path: tuple[str, ...]) -> None:
    held = Rule(labels={"stuck": "yes"}, outcome="never")
    pods = Rule(kind="Pod", name="api", labels={"tier": "web"}, outcome="fail")
    rules = SimulationRules(rules=[held, pods])
    assert rules.rule_for(workload(kind, "x", {"stuck": "yes"}, path)) is held
    assert rules.rule_for(workload(kind, "api", {"tier": "web"}, path)) is pods
    assert rules.rule_for(workload(kind, "other", {"tier": "web"}, path)) is None  # the view is named as the workload
    assert rules.rule_for(workload(kind, "x", {"stuck": "no"}, path)) is None


def test_only_workloads_are_seen_through_a_template() -> None:
    rules = SimulationRules(rules=[Rule(labels={"stuck": "yes"}, outcome="never")])
    service = workload("Service", "s", {"stuck": "yes"}, ("spec", "template"))
    assert rules.rule_for(service) is None
    assert rules.rule_for(obj("Service", "s", labels={"stuck": "yes"})) is rules.rules[0]


def test_rules_file_has_the_limits_of_every_user_file(tmp_path: Path) -> None:
    """SimulationRules.load reads the file as every user file is read (size cap, UTF-8), not with a bare read."""
    path = tmp_path / "rules.yaml"
    path.write_text("rules: []\n" + "#" * (8 * 1024 * 1024))
    with pytest.raises(ValidationError, match="the simulation rules file is larger than"):
        SimulationRules.load(path)
    path.write_bytes(b"rules: [{kind: \xff}]\n")
    with pytest.raises(ValidationError, match="not UTF-8"):
        SimulationRules.load(path)
    path.write_text("rules: [{kind: Database, labels: {day: 2024-01-01}}]\n")
    assert SimulationRules.load(path).rules[0].labels == {"day": "2024-01-01"}
