"""A trace pushed live end to end: a real `schedviz serve`, the real LiveSink of the traced
program's side (trace/push.py) pushing a real run's events, and the page showing it as it comes,
then listing it in the library."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from schedviz.trace.push import LiveSink
from schedviz.trace.sinks import TraceMeta

pytestmark = pytest.mark.timeout(120)
RUN_ID = "pushed-demo"
CONFIG = {"program": "demo.py", "argv": ["demo.py"]}


def as_trace(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A real run's events as a trace of RUN_ID sends them (its run_started names it)."""
    return [{**events[0], "run_id": RUN_ID, "config": CONFIG}, *events[1:]]


def run_state(page: Page, state: str) -> None:
    page.wait_for_function(
        """([id, state]) => {
            const d = document.getElementById('timeline').dataset;
            return d.runId === id && d.runState === state;
        }""",
        arg=[RUN_ID, state], timeout=20_000,
    )


def test_a_pushed_trace_shows_live_and_lands_in_the_library(
    app: Page, server: str, screenshot: Any, tmp_path: Path,
    real_runs: dict[str, list[dict[str, Any]]],
) -> None:
    events = as_trace(real_runs["threads"])  # a thread pool's steady stream (tests/realruns.py)
    tasks = sum(e["kind"] == "task_finished" for e in events)
    half = len(events) // 2
    meta = TraceMeta(RUN_ID, "trace · demo.py", dict(CONFIG))
    sink = LiveSink(tmp_path / "data")  # the server fixture's library (serverproc.serve)
    sink.open(meta)
    sink.events(events[:half])
    run_state(app, "running")
    timeline = app.locator("#timeline")
    expect(timeline).to_have_attribute("data-events", str(half))
    assert int(timeline.get_attribute("data-lanes") or 0) >= 2
    screenshot("trace-live-running")

    sink.events(events[half:])
    sink.close("completed", meta)
    run_state(app, "ended")
    expect(timeline).to_have_attribute("data-events", str(len(events)))
    expect(timeline).to_have_attribute("data-finished", str(tasks))
    assert f"recorded {RUN_ID}" in sink.describe()
    assert sink.url() == f"{server}/?recording={RUN_ID}"

    with urllib.request.urlopen(f"{server}/api/recordings") as res:
        (rec,) = json.load(res)
    assert rec["id"] == RUN_ID and rec["events"] == len(events) and rec["kept"] is True
    app.click("#library-button")
    row = app.locator(f"#library tr[data-id='{RUN_ID}']")
    expect(row).to_be_visible()
    expect(row.locator(".name")).to_have_text("trace · demo.py")
    expect(row.locator(".library-events")).to_have_text(f"{len(events):,}")
    screenshot("trace-live-library")
