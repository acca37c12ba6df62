"""Progress output: plain lines (warnings always, normal events only when verbose) and one JSON object per line."""

from __future__ import annotations

import io
import json

from pykro.deploy._progress import JsonReporter, PlainReporter, ProgressEvent, reporter_for

EVENTS = [
    ProgressEvent("start", message="deploying WebApp demo/shop"),
    ProgressEvent(
        "state",
        resource="deployment",
        kind="Deployment",
        name="shop",
        state="in progress",
        waiting_on="readyReplicas 0/3",
        elapsed=0.25,
    ),
    ProgressEvent("event", kind="Pod", name="shop-1", event_type="Normal", message="Pulled: image pulled"),
    ProgressEvent("event", kind="PersistentVolumeClaim", name="data", event_type="Warning", message="Failed: no"),
    ProgressEvent("done", state="ACTIVE", message="WebApp shop is ACTIVE", elapsed=1.5),
]


def test_plain_lines_show_warnings_and_hide_normal_events_unless_verbose() -> None:
    out = io.StringIO()
    reporter = PlainReporter(out)
    for event in EVENTS:
        reporter.emit(event)
    text = out.getvalue()
    assert "deployment       Deployment/shop  in progress (readyReplicas 0/3)" in text
    assert "warning PersistentVolumeClaim/data: Failed: no" in text
    assert "Pulled" not in text
    verbose = io.StringIO()
    loud = PlainReporter(verbose, verbose=True)
    for event in EVENTS:
        loud.emit(event)
    assert "normal  Pod/shop-1: Pulled: image pulled" in verbose.getvalue()


def test_json_is_one_object_per_line() -> None:
    out = io.StringIO()
    reporter = JsonReporter(out)
    for event in EVENTS:
        reporter.emit(event)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["type"] for line in lines] == ["start", "state", "event", "event", "done"]
    assert lines[1] == {
        "type": "state",
        "resource": "deployment",
        "kind": "Deployment",
        "name": "shop",
        "state": "in progress",
        "waiting_on": "readyReplicas 0/3",
        "elapsed": 0.25,
    }


def test_reporter_choice() -> None:
    assert isinstance(reporter_for("json", stream=io.StringIO()), JsonReporter)
    assert isinstance(reporter_for("text", stream=io.StringIO()), PlainReporter)
