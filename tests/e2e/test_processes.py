"""Process pools end to end: a real server and lab run a ProcessPoolExecutor, and the page shows
its worker processes, map() chunks with their items, pickling costs, memory and a broken pool."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

RUN_TIMEOUT_MS = 30_000

pytestmark = pytest.mark.timeout(90)


def configure(page: Page, **config: object) -> None:
    """Set form fields as a user would: choose options in selects, type into inputs."""
    for name, value in config.items():
        field = page.locator(f"#{name}")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(str(value))
        elif name == "max_workers":
            field.evaluate(
                """(el, v) => {
                    el.value = String(v);
                    el.dispatchEvent(new Event('input', {bubbles: true}));
                    el.dispatchEvent(new Event('change', {bubbles: true}));
                }""",
                value,
            )
        else:
            field.fill(str(value))


def run_and_wait(page: Page) -> str:
    """Press Run and wait until a new run has ended; returns its id."""
    timeline = page.locator("#timeline")
    before = timeline.get_attribute("data-run-id") or ""
    page.click("#run")
    page.wait_for_function(
        """before => {
            const d = document.getElementById('timeline').dataset;
            return d.runId && d.runId !== before && d.runState === 'ended';
        }""",
        arg=before,
        timeout=RUN_TIMEOUT_MS,
    )
    return timeline.get_attribute("data-run-id") or ""


def chunk_point(page: Page, index: int) -> dict[str, float]:
    """Page coordinates inside the chunk task with this index (by start time), from the view."""
    point: dict[str, float] = page.evaluate(
        """index => {
            const { store, view } = window.schedviz;
            const m = store.model;
            const chunks = [...m.tasks.values()].filter(t => t.chunk && t.startedT !== null)
                .sort((a, b) => a.startedT - b.startedT);
            const task = chunks[index];
            const laneIndex = m.lanes.list.findIndex(l => l.worker === task.worker);
            // A quarter into the bar: inside its first item, clear of its label's edge.
            const t = task.startedT + (task.finishedT - task.startedT) * 0.3;
            const y = view.layout.lanesY + laneIndex * view.layout.laneH + 14;
            // The lane may be below the fold (a tall legend, the GIL rows): mid-window first.
            window.scrollBy(0, view.canvas.getBoundingClientRect().top + y - innerHeight / 2);
            const box = view.canvas.getBoundingClientRect();
            return {
                x: box.left + view.layout.plotX + view.viewport.toX(t),
                y: box.top + y,
                first: task.chunk.first, items: task.chunk.items, id: task.id,
            };
        }""",
        index,
    )
    return point


def test_map_chunks_show_as_bars_holding_their_items(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    timeline = app.locator("#timeline")
    configure(app, executor="processes")
    # Choosing processes reveals the process settings.
    expect(app.locator("details.advanced")).to_have_attribute("open", "")
    expect(app.locator("#kill_every")).to_be_enabled()
    configure(app, start_method="fork", submit_mode="map", n_tasks=16, chunksize=4,
              max_workers=2, workload="sleep", task_ms=50, arrival="batch")
    run_and_wait(app)

    expect(timeline).to_have_attribute("data-lanes", "2")
    expect(timeline).to_have_attribute("data-chunks", "4")
    expect(timeline).to_have_attribute("data-items", "16")
    expect(timeline).to_have_attribute("data-maps", "1")
    expect(timeline).to_have_attribute("data-finished", "4")
    assert int(timeline.get_attribute("data-memory-samples") or 0) >= 1
    expect(app.locator("#legend .proc-only").first).to_be_visible()

    point = chunk_point(app, 1)
    first, last = int(point["first"]), int(point["first"] + point["items"] - 1)
    app.mouse.move(point["x"], point["y"])
    tooltip = app.locator("#tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(f"Chunk #{int(point['id'])} · ok")
    expect(tooltip).to_contain_text(f"items {first}–{last} (4 items)")
    expect(tooltip).to_contain_text(f"({first},)")  # the items' repr
    expect(tooltip).to_contain_text("IPC cost")
    expect(tooltip).to_contain_text("B to the worker")
    expect(tooltip).to_contain_text("item here")
    screenshot("processes-map-chunksize-4")

    # The same run with one item per chunk: four times the messages.
    app.mouse.move(5, 5)
    configure(app, chunksize=1)
    run_and_wait(app)
    expect(timeline).to_have_attribute("data-chunks", "16")
    expect(timeline).to_have_attribute("data-items", "16")
    expect(timeline).to_have_attribute("data-lanes", "2")
    screenshot("processes-map-chunksize-1")


def test_killed_worker_breaks_the_pool_visibly(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    timeline = app.locator("#timeline")
    # kill_every is a process-pool setting: disabled for threads.
    expect(app.locator("#kill_every")).to_be_disabled()
    configure(app, executor="processes", start_method="spawn", submit_mode="submit", n_tasks=8,
              kill_every=5, on_broken="restart", max_workers=2, workload="sleep", task_ms=50,
              arrival="batch")
    run_and_wait(app)

    expect(timeline).to_have_attribute("data-pools-broken", "1")
    assert int(timeline.get_attribute("data-failed-exits") or 0) >= 1
    expect(timeline).to_have_attribute("data-lanes", "4")  # the broken pool's two, a fresh two
    expect(app.locator("#summary-text")).to_contain_text("pool broke")
    screenshot("processes-pool-broken")

    # The broken pool's marker explains what died.
    label = app.evaluate(
        """() => {
            const { store, view } = window.schedviz;
            const box = view.canvas.getBoundingClientRect();
            const x = view.layout.plotX + view.viewport.toX(store.model.proc.breaks[0].t);
            const y = view.layout.markerY + view.layout.markerH / 2;
            return {x: box.left + x + 12, y: box.top + y};
        }"""
    )
    app.mouse.move(label["x"], label["y"])
    tooltip = app.locator("#tooltip")
    expect(tooltip).to_contain_text("Pool 0 broke")
    expect(tooltip).to_contain_text("exit code")
    screenshot("processes-pool-broken-marker")

    # The lane of the worker that died says how it ended.
    culprit = app.evaluate(
        """() => {
            const { store, view } = window.schedviz;
            const m = store.model;
            const i = m.lanes.list.findIndex(l => l.brokePool);
            const y = view.layout.lanesY + (i + 0.5) * view.layout.laneH;
            // The lane may be below the fold (banners, GIL row): bring it to mid-window first.
            window.scrollBy(0, view.canvas.getBoundingClientRect().top + y - innerHeight / 2);
            const box = view.canvas.getBoundingClientRect();
            return {x: box.left + 20, y: box.top + y};
        }"""
    )
    app.mouse.move(culprit["x"], culprit["y"])
    expect(tooltip).to_contain_text("its death broke the pool")
    expect(tooltip).to_contain_text("start-up")
