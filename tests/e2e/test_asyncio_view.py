"""asyncio end to end (schema v4): a real server and lab run an instrumented event loop; the page
draws the loop's lane, a row per task with its yield ticks, and the workloads' source beside the
timeline, where hovering a yield tick highlights the line the task yielded at."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_processes import run_and_wait

pytestmark = pytest.mark.timeout(120)


def run_preset(app: Page, preset: str) -> None:
    """Choose a preset, run it to its end, and wait for the source panel to be filled."""
    app.select_option("#preset", preset)
    expect(app.locator("#executor")).to_have_value("asyncio")
    run_and_wait(app)
    expect(app.locator("#source")).to_be_visible()
    expect(app.locator("#source .line").first).to_be_attached()


def on_screen(app: Page, x: float, y: float) -> dict[str, float]:
    """Scroll canvas point (x, y) to the middle of the window (a warning banner may have pushed
    it below the fold); returns where it is in the window now."""
    point: dict[str, float] = app.evaluate(
        """([x, y]) => {
            const canvas = window.schedviz.view.canvas;
            const top = canvas.getBoundingClientRect().top + window.scrollY;
            window.scrollTo(0, Math.max(0, top + y - window.innerHeight / 2));
            const r = canvas.getBoundingClientRect();
            return {x: r.left + x, y: r.top + y};
        }""",
        [x, y],
    )
    return point


def tick_point(app: Page, task_name: str, step_index: int) -> dict[str, Any]:
    """Window coordinates of a task's yield tick (the end of its step `step_index`), its line."""
    point: dict[str, Any] = app.evaluate(
        """async ([name, index]) => {
            const { yieldTickPoint } = await import('/render/aio/section.js');
            const { store, view } = window.schedviz;
            const m = store.model;
            const task = m.aio.taskList.find(t => t.name === name);
            const p = yieldTickPoint(m, view.layout, view.viewport, task.id, index);
            const step = task.steps[index];
            return {x: p.x, y: p.y, line: step.line, awaiting: step.awaiting};
        }""",
        [task_name, step_index],
    )
    return {**point, **on_screen(app, point["x"], point["y"])}


def test_hovering_a_yield_tick_highlights_its_source_line(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    run_preset(app, "asyncio-sleepers")
    timeline = app.locator("#timeline")
    assert int(timeline.get_attribute("data-aio-tasks") or 0) >= 9  # main + 8 sleepers
    assert int(timeline.get_attribute("data-aio-steps") or 0) >= 8 * 4
    sites = json.loads(timeline.get_attribute("data-aio-yield-sites") or "[]")
    assert any(s.startswith("aio_workloads.py:") for s in sites), sites

    point = tick_point(app, "sleeper-0", 1)
    app.mouse.move(point["x"], point["y"])
    tooltip = app.locator("#tooltip h3")
    expect(tooltip).to_contain_text(f"sleeper-0 yielded at aio_workloads.py:{point['line']}")
    expect(tooltip).to_contain_text(f"awaiting {point['awaiting']}")
    highlighted = app.locator("#source .highlight[data-line]")
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_have_attribute("data-line", str(point["line"]))
    expect(highlighted).to_contain_text("await asyncio.sleep")
    expect(highlighted).to_be_in_viewport()
    screenshot("asyncio-sleepers-yield-tick")


def test_echo_preset_screenshot(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    run_preset(app, "asyncio-echo")
    timeline = app.locator("#timeline")
    names = app.evaluate("() => window.schedviz.store.model.aio.taskList.map(t => t.name)")
    assert {f"client-{i}" for i in range(6)} <= set(names)
    awaiting = app.evaluate(
        "() => [...new Set(window.schedviz.store.model.aio.steps.map(s => s.awaiting))]")
    assert any("socket" in a for a in awaiting), awaiting
    assert int(timeline.get_attribute("data-aio-blocked") or 0) == 0
    # Hover a client's first wait for its echo, so the picture shows a tick and its line.
    point = tick_point(app, "client-2", 2)
    app.mouse.move(point["x"], point["y"])
    expect(app.locator("#source .highlight[data-line]")).to_have_attribute(
        "data-line", str(point["line"]))
    screenshot("asyncio-echo")


def test_blocking_preset_names_the_line_that_blocked_the_loop(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    run_preset(app, "asyncio-blocking")
    timeline = app.locator("#timeline")
    assert int(timeline.get_attribute("data-aio-blocked") or 0) >= 1
    notice = app.locator("#aio-notices li", has_text="blocked the loop").first
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("blocker-0")
    expect(notice).to_contain_text("time.sleep(run.s)")
    line = app.evaluate("() => window.schedviz.store.model.aio.blocked[0].line")
    assert "time.sleep" in app.locator(f"#source .line[data-line='{line}']").inner_text()
    # Hovering the slow step on the loop's lane shows the blocking line in red.
    point = app.evaluate("""() => {
        const { store, view } = window.schedviz;
        const r = store.model.aio.blocked[0];
        return {x: view.layout.plotX + view.viewport.toX(r.t + r.dur / 2),
                y: view.layout.aioY + 40};
    }""")
    point = on_screen(app, point["x"], point["y"])
    app.mouse.move(point["x"], point["y"])
    expect(app.locator("#tooltip h3")).to_contain_text("Slow step of blocker-0")
    expect(app.locator("#tooltip")).to_contain_text("time.sleep(run.s)")
    highlighted = app.locator("#source .highlight.highlight-blocked")
    expect(highlighted).to_have_attribute("data-line", str(line))
    screenshot("asyncio-blocking")


def test_offload_links_each_wait_to_its_pool_task(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    run_preset(app, "asyncio-offload")
    links = app.evaluate("""() => {
        const m = window.schedviz.store.model;
        return [...m.aio.offloads].map(([pool, o]) => {
            const t = m.tasks.get(pool);
            return {pool, task: m.aio.tasks.get(o.task)?.name, worker: t?.worker,
                    finished: t?.finishedT !== null};
        });
    }""")
    assert len(links) == 4, links
    assert all(li["task"].startswith("offload-") and li["finished"] for li in links), links
    assert app.evaluate("() => window.schedviz.store.model.lanes.list.length") >= 1
    # Hover offload-0's wait while its pool task runs: the tooltip names the pool task.
    hit = app.evaluate("""async () => {
        const { aioGeometry, rowBarBox } = await import('/render/aio/layout.js');
        const { store, view } = window.schedviz;
        const m = store.model;
        const g = aioGeometry(m, view.layout.aioY);
        const task = m.aio.taskList.find(t => t.name === 'offload-0');
        const step = task.steps.find(s => m.aio.poolTaskOf(s) !== null);
        const next = task.steps[task.steps.indexOf(step) + 1];
        const box = rowBarBox(g.rowsY + g.tasks.indexOf(task) * g.rowH, g.rowH);
        return {x: view.layout.plotX + view.viewport.toX((step.end + next.t) / 2),
                y: box.y + box.h / 2};
    }""")
    hit = on_screen(app, hit["x"], hit["y"])
    app.mouse.move(hit["x"], hit["y"])
    tooltip = app.locator("#tooltip")
    expect(tooltip.locator("h3")).to_contain_text("offload-0 waits: executor task #")
    expect(tooltip).to_contain_text("pool task")
    screenshot("asyncio-offload")


def test_queue_preset_tracks_its_queue_and_waiters(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    run_preset(app, "asyncio-queue")
    facts = app.evaluate("""async () => {
        const { aioGeometry } = await import('/render/aio/layout.js');
        const { store, view } = window.schedviz;
        const m = store.model;
        const q = m.aio.queues.get('jobs');
        return {tracks: aioGeometry(m, view.layout.aioY).tracks.map(t => `${t.kind}:${t.name}`),
                maxsize: q.maxsize, max: q.max,
                waited: Object.fromEntries([...m.aio.syncObjects()].map(([k, o]) => [k, o.max]))};
    }""")
    assert facts["maxsize"] == 3 and facts["max"] == 3
    assert "queue:jobs" in facts["tracks"]
    for name in ("queue jobs", "lock log lock", "semaphore slots", "event go"):
        assert f"sync:{name}" in facts["tracks"], facts
        assert facts["waited"][name] >= 1, facts
    # Every producer waited for the start signal at once.
    assert facts["waited"]["event go"] == 3
    screenshot("asyncio-queue")
