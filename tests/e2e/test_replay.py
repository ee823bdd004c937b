"""Replay end to end, with a real server, a real run and Chromium: a recorded run opened from the
library is paused, stepped back three events and shows the state at that event (the summary's
counts and a bar's own state, read from the tooltip a user sees); a bookmark with a note is added
at the cursor; the recording is exported as one HTML file; the server is stopped; the file opened
from file:// replays the run offline with its lanes drawn and the bookmark listed."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_processes import run_and_wait

from serverproc import serve

pytestmark = pytest.mark.timeout(180)

NOTE = "here the third worker is still busy"


def stored_events(server: str, rid: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{server}/api/recordings/{rid}/events") as res:
        return [json.loads(line) for line in res.read().decode().splitlines()]


def expected_counts(events: list[dict[str, Any]], pos: int) -> dict[str, Any]:
    """Task counts after the first `pos` events in replay order (time, then seq)."""
    done: set[int] = set()
    started: dict[int, int] = {}
    submitted: set[int] = set()
    for e in sorted(events, key=lambda e: (e["t"], e["seq"]))[:pos]:
        if e["kind"] == "task_submitted":
            submitted.add(e["task"])
        elif e["kind"] == "task_started":
            started[e["task"]] = e["t"]
        elif e["kind"] == "task_finished":
            done.add(e["task"])
    running = set(started) - done
    return {"finished": len(done), "running": running,
            "queued": len(submitted - set(started) - done)}


def open_lane_point(page: Page, task: int) -> dict[str, float]:
    """Page coordinates inside task's bar, between its start and the cursor."""
    point: dict[str, float] = page.evaluate(
        """id => {
            const { store, view } = window.schedviz;
            const m = store.model;
            const task = m.tasks.get(id);
            const laneIndex = m.lanes.list.findIndex(l => l.worker === task.worker);
            const t = (task.startedT + window.schedviz.replay().cursorT) / 2;
            const y = view.layout.lanesY + laneIndex * view.layout.laneH + 12;
            window.scrollBy(0, view.canvas.getBoundingClientRect().top + y - innerHeight / 2);
            const box = view.canvas.getBoundingClientRect();
            return { x: box.left + view.layout.plotX + view.viewport.toX(t), y: box.top + y };
        }""",
        task,
    )
    return point


def test_record_replay_step_back_bookmark_export_and_replay_offline(  # type: ignore[no-untyped-def]
        page: Page, tmp_path: Path, screenshot) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    bar = page.locator("#replay")
    with serve(tmp_path / "data", tmp_path / "server.log") as (server, _):
        page.goto(server)
        page.wait_for_function("document.getElementById('connection').dataset.state === 'open'")
        # Record: a real run of the CPU-bound threads preset.
        page.select_option("#preset", "cpu-threads")
        rid = run_and_wait(page)
        events = stored_events(server, rid)

        # Open it from the library.
        page.click("#library-button")
        row = page.locator(f"#library tr[data-id='{rid}']")
        row.locator(".library-replay").click()
        page.wait_for_function("document.body.dataset.replay === 'ready'")
        expect(bar).to_be_visible()
        assert int(bar.get_attribute("data-pos") or 0) == len(events)

        # To the middle of the run, play (slowly: the run lasts a third of a second), pause.
        page.evaluate("schedviz.player.seekTime(schedviz.replay().endT * 0.5)")
        page.select_option(".replay-speed", "0.1")
        page.click(".replay-play")
        expect(bar).to_have_attribute("data-playing", "1")
        middle = int(bar.get_attribute("data-pos") or 0)
        page.wait_for_function(f"+document.getElementById('replay').dataset.pos > {middle}")
        page.click(".replay-play")
        expect(bar).to_have_attribute("data-playing", "0")
        paused = int(bar.get_attribute("data-pos") or 0)

        # Step back three events (two by button, one by key).
        page.click("text=◀ Event")
        page.click("text=◀ Event")
        page.keyboard.press("ArrowLeft")
        pos = int(bar.get_attribute("data-pos") or 0)
        assert 0 < pos < paused
        order = sorted(events, key=lambda e: (e["t"], e["seq"]))
        # Three distinct times back: each step takes back one time group.
        times = sorted({e["t"] for e in order[:paused]})
        assert order[pos - 1]["t"] == times[-4]
        assert int(bar.get_attribute("data-seq") or -1) == order[pos - 1]["seq"]

        # The summary is the state at that event, not the end state.
        want = expected_counts(events, pos)
        timeline = page.locator("#timeline")
        expect(timeline).to_have_attribute("data-finished", str(want["finished"]))
        expect(timeline).to_have_attribute("data-running", str(len(want["running"])))
        expect(timeline).to_have_attribute("data-queued", str(want["queued"]))
        expect(page.locator("#summary")).to_contain_text(f"done {want['finished']}/")
        assert want["finished"] < 12, "stepped back to before the end state"

        # A bar running at the cursor is drawn and described as running (it finished later).
        assert want["running"], "tasks run in the middle of a CPU-bound run"
        task = min(want["running"])
        assert any(e["kind"] == "task_finished" and e["task"] == task for e in events)
        point = open_lane_point(page, task)
        page.mouse.move(point["x"], point["y"])
        tooltip = page.locator("#tooltip")
        expect(tooltip).to_be_visible()
        expect(tooltip).to_contain_text(f"#{task}")
        expect(tooltip).to_contain_text("still running")
        page.mouse.move(5, 5)
        screenshot("replay-stepped-back")

        # A bookmark with a note, at the cursor's event.
        page.keyboard.press("b")
        page.locator("#bookmark-note").fill(NOTE)
        page.locator("#bookmark-note").press("Enter")
        expect(page.locator("#bookmarks")).to_have_attribute("data-count", "1")
        expect(page.locator("#bookmarks")).to_contain_text(NOTE)
        with urllib.request.urlopen(f"{server}/api/recordings/{rid}") as res:
            (mark,) = json.load(res)["bookmarks"]
        assert mark["seq"] == order[pos - 1]["seq"]

        # Export it as one HTML file, from the library.
        page.click("#library-button")
        with page.expect_download() as download:
            page.locator(f"#library tr[data-id='{rid}'] .library-html").click()
        html = tmp_path / "lecture.html"
        download.value.save_as(html)
    # The server is stopped (serve() stopped it and its lab): the file needs none.
    with pytest.raises(OSError):
        urllib.request.urlopen(server, timeout=2)

    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(html.as_uri())
    page.wait_for_function("document.body.dataset.replay === 'ready'")
    assert all(not u.startswith(("http:", "https:", "ws:")) for u in requests), requests
    expect(page.locator("#connection")).to_have_text("offline copy")
    expect(bar).to_have_attribute("data-events", str(len(events)))
    expect(page.locator("#bookmarks")).to_have_attribute("data-count", "1")
    expect(page.locator("#bookmarks")).to_contain_text(NOTE)
    # Lanes drawn: one per worker, and their bars' colours on the canvas.
    lanes = page.evaluate("schedviz.store.model.lanes.list.length")
    assert lanes == 4
    colours = page.evaluate("""() => {
        const { view } = window.schedviz;
        const ctx = view.canvas.getContext('2d');
        const dpr = window.devicePixelRatio || 1;
        const y = Math.round((view.layout.lanesY + 12) * dpr);
        const x0 = Math.round(view.layout.plotX * dpr);
        const w = Math.round(view.layout.plotW * dpr);
        const row = ctx.getImageData(x0, y, w, 1).data;
        const seen = new Set();
        for (let i = 0; i < row.length; i += 4) seen.add(`${row[i]},${row[i + 1]},${row[i + 2]}`);
        return seen.size;
    }""")
    assert colours > 3, "the first lane has bars drawn across it"
    # The offline copy steps back too.
    page.keyboard.press("ArrowLeft")
    assert int(bar.get_attribute("data-pos") or 0) < len(events)
    screenshot("replay-offline")
    assert not errors, errors


def test_a_session_replays_as_one_run_after_another(app: Page, server: str) -> None:
    # Two runs in one sitting: the library shows them under one session.
    app.select_option("#preset", "io-threads")
    first = run_and_wait(app)
    second = run_and_wait(app)
    app.click("#library-button")
    heading = app.locator("#library tr.library-session")
    expect(heading).to_have_count(1)
    expect(heading).to_contain_text("2 runs")
    ids = app.locator("#library tr[data-id]").evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert ids == [first, second], "a session lists its runs in the order they ran"

    heading.locator(".library-replay-session").click()
    app.wait_for_function("document.body.dataset.replay === 'ready'")
    bar = app.locator("#replay")
    run_list = bar.locator(".replay-run")
    expect(run_list).to_be_visible()
    expect(run_list.locator("option")).to_have_count(2)
    expect(bar).to_have_attribute("data-run", "0")
    expect(app.locator("#timeline")).to_have_attribute("data-run-id", first)
    # Played to the end of the first run, it goes on with the second from its start.
    app.select_option(".replay-speed", "10")
    app.evaluate("schedviz.player.seekTime(schedviz.replay().endT * 0.95)")
    app.click(".replay-play")
    expect(bar).to_have_attribute("data-run", "1", timeout=15_000)
    expect(app.locator("#timeline")).to_have_attribute("data-run-id", second)
    # Picked from the list (while the second plays on), a run is shown at its end, paused.
    run_list.select_option("0")
    expect(bar).to_have_attribute("data-run", "0")
    expect(app.locator("#timeline")).to_have_attribute("data-run-id", first)
    expect(bar).to_have_attribute("data-playing", "0")
