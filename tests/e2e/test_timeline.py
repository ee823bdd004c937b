"""The live timeline end to end: a real server and lab, driven through the page as a user would."""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect

RUN_TIMEOUT_MS = 30_000
#: The README's picture; refreshed by `SCHEDVIZ_UPDATE_DOCS=1 pytest tests/e2e -k resize`.
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"


def set_slider(page: Page, value: int) -> None:
    """Move the max_workers slider the way a drag does: new value, then input and change."""
    page.eval_on_selector(
        "#max_workers",
        """(el, v) => {
            el.value = String(v);
            el.dispatchEvent(new Event('input', {bubbles: true}));
            el.dispatchEvent(new Event('change', {bubbles: true}));
        }""",
        value,
    )


def fill_config(page: Page, **config: object) -> None:
    for name, value in config.items():
        if name in ("workload", "arrival"):
            page.select_option(f"#{name}", str(value))
        elif name == "max_workers":
            set_slider(page, int(value))  # type: ignore[call-overload]
        else:
            page.fill(f"#{name}", str(value))


def task_point(page: Page, lane: int, index: int) -> dict[str, float]:
    """Page coordinates of the middle of a task bar, from the view's own layout."""
    point: dict[str, float] = page.evaluate(
        """([laneIndex, index]) => {
            const { store, view } = window.schedviz;
            const lane = store.model.lanes.list[laneIndex];
            const task = lane.tasks[index];
            const mid = (task.startedT + (task.finishedT ?? store.model.maxT)) / 2;
            const box = view.canvas.getBoundingClientRect();
            return {
                x: box.left + view.layout.plotX + view.viewport.toX(mid),
                y: box.top + view.layout.lanesY + (laneIndex + 0.5) * view.layout.laneH,
                id: task.id,
            };
        }""",
        [lane, index],
    )
    return point


def test_batch_run_fills_three_lanes(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    timeline = app.locator("#timeline")
    expect(timeline).to_have_attribute("data-run-state", "idle")
    fill_config(app, workload="sleep", n_tasks=12, task_ms=100, max_workers=3, arrival="batch")
    expect(app.locator("#max_workers_value")).to_have_text("3")
    app.click("#run")

    expect(timeline).to_have_attribute("data-finished", "12", timeout=RUN_TIMEOUT_MS)
    expect(timeline).to_have_attribute("data-lanes", "3")
    expect(timeline).to_have_attribute("data-total", "12")
    expect(timeline).to_have_attribute("data-errors", "0")
    expect(timeline).to_have_attribute("data-run-state", "ended", timeout=RUN_TIMEOUT_MS)
    expect(app.locator(".run-state")).to_have_text("ended · completed")
    expect(app.locator("#summary-text")).to_contain_text("done 12/12")

    # Hovering a bar explains the task.
    point = task_point(app, 1, 1)
    app.mouse.move(point["x"], point["y"])
    tooltip = app.locator("#tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(f"Task #{int(point['id'])} · ok")
    expect(tooltip).to_contain_text("queue wait")
    screenshot("batch-run")

    # Zooming stops following; Live follows again.
    live = app.locator("#live")
    expect(live).to_have_class("active")
    app.mouse.wheel(0, -400)
    expect(live).not_to_have_class("active")
    live.click()
    expect(live).to_have_class("active")

    # A reload replays the whole run.
    app.reload()
    expect(timeline).to_have_attribute("data-finished", "12", timeout=RUN_TIMEOUT_MS)
    expect(timeline).to_have_attribute("data-lanes", "3")
    expect(timeline).to_have_attribute("data-run-state", "ended")


def test_live_resize_adds_lanes_and_a_marker(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    timeline = app.locator("#timeline")
    fill_config(app, workload="sleep", arrival="rate", n_tasks=400, task_ms=300, rate=20,
                duration_s=60, max_workers=3)
    app.click("#run")
    app.wait_for_function(
        "Number(document.getElementById('timeline').dataset.running) > 0",
        timeout=RUN_TIMEOUT_MS,
    )
    expect(timeline).to_have_attribute("data-active-lanes", "3")

    set_slider(app, 6)
    expect(app.locator("#max_workers_value")).to_have_text("6")
    expect(timeline).to_have_attribute("data-markers", "1", timeout=RUN_TIMEOUT_MS)
    expect(timeline).to_have_attribute("data-active-lanes", "6", timeout=RUN_TIMEOUT_MS)
    # The three old workers' lanes stay, ended; six live lanes follow.
    expect(timeline).to_have_attribute("data-lanes", "9", timeout=RUN_TIMEOUT_MS)
    # Let a few tasks run on the new pool so the picture shows the change.
    app.wait_for_function(
        """() => {
            const m = window.schedviz.store.model;
            const marker = m.markers[0];
            return m.lanes.list.filter(l => l.tasks.some(t => t.finishedT !== null
                && t.startedT > marker.t)).length >= 6;
        }""",
        timeout=RUN_TIMEOUT_MS,
    )
    shot = screenshot("resize-3-to-6")
    if os.environ.get("SCHEDVIZ_UPDATE_DOCS"):
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOT)

    app.click("#stop")
    expect(timeline).to_have_attribute("data-run-state", "ended", timeout=RUN_TIMEOUT_MS)
    expect(app.locator(".run-state")).to_have_text("ended · stopped")
    expect(app.locator("#stop")).to_be_disabled()
    expect(app.locator("#run")).to_be_enabled()

    # Hovering the marker's label explains the resize.
    label = app.evaluate(
        """() => {
            const { store, view } = window.schedviz;
            const box = view.canvas.getBoundingClientRect();
            const x = view.layout.plotX + view.viewport.toX(store.model.markers[0].t);
            const y = view.layout.markerY + view.layout.markerH / 2;
            return {x: box.left + x + 12, y: box.top + y};
        }"""
    )
    app.mouse.move(label["x"], label["y"])
    tooltip = app.locator("#tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Config change: max_workers")
    expect(tooltip).to_contain_text("with 6 workers")
    screenshot("resize-stopped")


def test_refused_config_is_shown_to_the_user(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    fill_config(app, n_tasks=0)
    app.click("#run")
    banner = app.locator(".banner.error")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("n_tasks")
    expect(app.locator("#n_tasks").locator("xpath=..")).to_have_class("field invalid")
    expect(app.locator("#timeline")).to_have_attribute("data-run-state", "idle")
    screenshot("refused-config")


def test_page_speaks_the_servers_schema(app: Page, server: str) -> None:
    with urllib.request.urlopen(f"{server}/api/schema", timeout=5) as resp:
        schema = json.load(resp)
    mirrored = app.evaluate(
        """async () => {
            const p = await import('/protocol.js');
            return {version: p.SCHEMA_VERSION, fields: p.EVENT_FIELDS};
        }"""
    )
    assert mirrored == {"version": schema["schema_version"], "fields": schema["event_fields"]}


def test_presets_fill_the_form(app: Page, server: str) -> None:
    with urllib.request.urlopen(f"{server}/api/scenarios", timeout=5) as resp:
        scenarios = json.load(resp)
    assert scenarios, "the server offers no scenarios"
    last = scenarios[-1]
    expect(app.locator(f"#preset option[value='{last['id']}']")).to_have_count(1)
    app.select_option("#preset", last["id"])
    config = last["config"]
    expect(app.locator("#workload")).to_have_value(config["workload"])
    expect(app.locator("#n_tasks")).to_have_value(str(config["n_tasks"]))
    expect(app.locator("#max_workers_value")).to_have_text(str(config["max_workers"]))
    if last.get("description"):
        expect(app.locator("#scenario-description")).to_contain_text(last["description"][:40])
