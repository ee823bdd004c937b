"""A trace pushed live end to end: a real `schedviz serve`, the real LiveSink of the traced
program's side (trace/push.py) pushing a real run's events, and the page showing it as it comes,
then listing it in the library."""

from __future__ import annotations

import json
import subprocess
import sys
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


# A program of one's own: a pool whose first task waits for the test's go-ahead file, so the page
# is seen showing it while it runs (no timing guess).
WAITING_PROGRAM = '''
import os, sys, time
from concurrent.futures import ThreadPoolExecutor

def work(i):
    if i == 0:
        while not os.path.exists(sys.argv[1]):
            time.sleep(0.01)
    return i * i

with ThreadPoolExecutor(max_workers=2) as pool:
    print(sum(pool.map(work, range(6))))
'''


def test_schedviz_trace_live_of_a_program_shows_it_as_it_runs_then_as_a_recording(
    app: Page, server: str, screenshot: Any, tmp_path: Path,
) -> None:
    script = tmp_path / "waits.py"
    script.write_text(WAITING_PROGRAM)
    go = tmp_path / "go"
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("schedviz")), "trace", "--live", "--data-dir",
         str(tmp_path / "data"), str(script), str(go)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        timeline = app.locator("#timeline")
        app.wait_for_function("document.getElementById('timeline').dataset.runState === 'running'"
                              " && +document.getElementById('timeline').dataset.lanes >= 2",
                              timeout=30_000)
        run_id = timeline.get_attribute("data-run-id")
        # Live: the first task runs (waiting for the file), the other worker did the rest, and
        # the program has not finished.
        expect(timeline).to_have_attribute("data-finished", "5")
        expect(timeline).to_have_attribute("data-running", "1")
        assert proc.poll() is None
        screenshot("trace-cli-live-running")
        go.write_text("go")
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert out.strip() == "55"
    expect(timeline).to_have_attribute("data-run-state", "ended")
    expect(timeline).to_have_attribute("data-finished", "6")
    # Then as a recording: in the library, and replayed from it.
    with urllib.request.urlopen(f"{server}/api/recordings") as res:
        listed = {r["id"]: r for r in json.load(res)}
    assert listed[run_id]["ended_reason"] == "completed"
    assert listed[run_id]["has_source"] is True
    app.click("#library-button")
    app.locator(f"#library tr[data-id='{run_id}'] .library-replay").click()
    app.wait_for_function("document.body.dataset.replay === 'ready'")
    expect(timeline).to_have_attribute("data-finished", "6")
    screenshot("trace-cli-live-recording")
