"""A round-robin scheduler of generators, traced from the page (`schedviz trace --live` of the
shipped example): its generators are drawn as asyncio tasks, a row each, their steps on the
loop's lane and a yield tick at the line of each `yield`, with the example's source beside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_asyncio_view import tick_point

pytestmark = pytest.mark.timeout(120)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lesson_generators.py"


def trace_example(app: Page, server: str, name: str) -> None:
    """Trace a shipped example from the page, then replay its recording (with its source)."""
    app.select_option("#example-select", name)
    app.click("#example-run")
    app.wait_for_function("document.getElementById('timeline').dataset.runState === 'ended'"
                          " && +document.getElementById('timeline').dataset.aioSteps > 0",
                          timeout=60_000)
    # Replayed from the library, the source panel shows the trace's own files.
    run_id = app.locator("#timeline").get_attribute("data-run-id")
    app.goto(f"{server}/?recording={run_id}")
    app.wait_for_function("document.body.dataset.replay === 'ready'")
    expect(app.locator("#source .line").first).to_be_attached()


def test_generators_are_rows_with_yield_ticks_at_their_lines(app: Page, server: str,
                                                             screenshot: Any) -> None:
    trace_example(app, server, "lesson_generators")
    timeline = app.locator("#timeline")
    names = app.evaluate("() => window.schedviz.store.model.aio.taskList.map(t => t.name)")
    assert names == ["a", "b", "c"]
    assert timeline.get_attribute("data-aio-steps") == "12"  # 4 + 3 + 5
    yield_line = next(i for i, text in enumerate(EXAMPLE.read_text().splitlines(), 1)
                      if text.strip().startswith("yield "))
    sites = json.loads(timeline.get_attribute("data-aio-yield-sites") or "[]")
    assert sites == [f"lesson_generators.py:{yield_line}"]

    point = tick_point(app, "b", 1)
    app.mouse.move(point["x"], point["y"])
    expect(app.locator("#tooltip h3")).to_contain_text(
        f"b yielded at lesson_generators.py:{yield_line}")
    expect(app.locator("#tooltip")).to_contain_text("its next turn (yielded 'b 2')")
    expect(app.locator("#tooltip")).to_contain_text("a generator's yield")
    highlighted = app.locator("#source .highlight[data-line]")
    expect(highlighted).to_have_attribute("data-line", str(yield_line))
    expect(highlighted).to_contain_text("yield f\"{name} {part}\"")
    screenshot("generators-round-robin")


def test_threads_switched_by_the_gil_beside_generators_switched_at_yields(
        app: Page, server: str, screenshot: Any) -> None:
    trace_example(app, server, "lesson_preemptive")
    names = app.evaluate("() => window.schedviz.store.model.aio.taskList.map(t => t.name)")
    assert names == ["one", "two"]
    holders = app.evaluate("""() => {
        const m = window.schedviz.store.model;
        return [...new Set([...m.gil.tracks.values()].flatMap(t => t.changes.map(c => c.thread)))];
    }""")
    assert {"cpu-1", "cpu-2"} <= set(holders), holders
    screenshot("preemptive-vs-cooperative")
