"""An asyncio run on the whole page (schema v4) against a scripted server: the source panel beside
the timeline and its highlighted line, the asyncio data attributes, the notice that names the line
that blocked the loop, notices only for tasks whose one step blocked it, the executor's own workload
choices and the live slow-step threshold."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fakeserver import FakeServer, sent_messages, shot, status
from playwright.sync_api import Page, expect
from probe import marker_texts
from synthetic_aio import MS, mixed, one_steppers, simulate, sleepers, source_json
from synthetic_runs import batch, batches

pytestmark = pytest.mark.timeout(60)


def serve_source(page: Page) -> list[int]:
    """Answer GET /api/source/asyncio; returns the list the request count is kept in."""
    calls: list[int] = []

    def answer(route: Any) -> None:
        calls.append(1)
        route.fulfill(json=source_json())

    page.route("**/api/source/asyncio", answer)
    return calls


def send_run(fake: FakeServer, events: list[dict[str, Any]], run_id: str) -> None:
    fake.run = {"run_id": run_id, "state": "ended", "config": {}}
    for b in batches(events, 25):
        fake.send({"type": "events", "run_id": run_id, "events": b})


def tick(page: Page, name: str, index: int) -> dict[str, Any]:
    point: dict[str, Any] = page.evaluate(
        """async ([name, index]) => {
            const { yieldTickPoint } = await import('/render/aio/section.js');
            const { store, view } = window.schedviz;
            const task = store.model.aio.taskList.find(t => t.name === name);
            const p = yieldTickPoint(store.model, view.layout, view.viewport, task.id, index);
            const r = view.canvas.getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y, line: task.steps[index].line};
        }""",
        [name, index],
    )
    return point


def test_source_panel_attributes_and_blocked_notice(fake: FakeServer, page: Page) -> None:
    calls = serve_source(page)
    run = simulate(mixed(), run_id="aio-mixed")
    send_run(fake, run.events, "aio-mixed")
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-run-state", "ended")
    expect(timeline).to_have_attribute("data-aio-tasks", "9")
    expect(timeline).to_have_attribute("data-aio-steps", str(len(run.steps)))
    expect(timeline).to_have_attribute("data-aio-blocked", "2")
    sites = json.loads(timeline.get_attribute("data-aio-yield-sites") or "[]")
    lines = sorted({s["line"] for s in run.steps if s["outcome"] == "yield"})
    assert sites == [f"aio_workloads.py:{n}" for n in lines]

    source = page.locator("#source")
    expect(source).to_be_visible()
    expect(source.locator("h2")).to_have_text("aio_workloads.py")
    expect(source.locator(".line")).to_have_count(len(source_json()["lines"]))
    expect(source.locator(".line.yield-site")).to_have_count(len(lines))
    expect(source.locator(".line.blocked[data-line='79']")).to_have_count(1)
    notice = page.locator("#aio-notices li", has_text="blocker-0 blocked the loop")
    expect(notice).to_contain_text("120 ms at aio_workloads.py:79: time.sleep(run.s)")
    expect(page.locator("#aio-notices li", has_text="crunch-0 never yielded")).to_be_visible()
    # accept-0 ran in one quick step: no notice (the lab gives no warning either).
    expect(page.locator("#aio-notices li", has_text="never yielded")).to_have_count(1)
    # Before any hover, the panel points at the first line that blocked the loop.
    expect(source.locator(".highlight.highlight-blocked")).to_have_attribute("data-line", "79")
    expect(page.locator("#legend .aio-only").first).to_be_visible()

    # Hover a yield tick: the tooltip names the line, the panel highlights it.
    point = tick(page, "locker-0", 0)
    page.mouse.move(point["x"], point["y"])
    expect(page.locator("#tooltip h3")).to_have_text(
        "locker-0 yielded at aio_workloads.py:159 awaiting Lock.acquire")
    highlighted = source.locator(".highlight[data-line]")
    expect(highlighted).to_have_attribute("data-line", "159")
    expect(highlighted).to_contain_text("async with lock")
    expect(source.locator(".source-where")).to_contain_text("locker-0 yielded at 159")
    # The highlight stays when the pointer leaves the timeline (to read the code).
    page.mouse.move(5, 5)
    expect(highlighted).to_have_attribute("data-line", "159")
    shot(page, "page-asyncio-mixed")
    assert len(calls) == 1

    # A thread-pool run next: no panel, no asyncio legend; the source is not fetched again.
    pool = batch(4, 2, run_id="pool-after")
    send_run(fake, pool.events, "pool-after")
    expect(timeline).to_have_attribute("data-run-id", "pool-after")
    expect(source).to_be_hidden()
    expect(timeline).to_have_attribute("data-aio-tasks", "0")
    expect(page.locator("#legend .aio-only").first).to_be_hidden()
    run2 = simulate(sleepers(n=2), run_id="aio-again")
    send_run(fake, run2.events, "aio-again")
    expect(source).to_be_visible()
    expect(source.locator(".highlight")).to_have_count(0)
    assert len(calls) == 1


def test_executor_asyncio_offers_its_own_workloads(fake: FakeServer, page: Page) -> None:
    workload = page.locator("#workload")
    slow = page.locator("#slow_step_ms")
    expect(slow).to_be_hidden()
    pool_choices = workload.locator("option").all_inner_texts()
    page.select_option("#executor", "asyncio")
    values = workload.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert values == ["sleep", "echo", "blocking", "cpu", "gather", "offload", "queue", "cpu_work"]
    expect(workload).to_have_value("sleep")  # sleep runs on both: kept
    expect(slow).to_be_visible()
    expect(page.locator("#arrival").locator("xpath=..")).to_have_class("field irrelevant")
    page.select_option("#workload", "echo")
    page.select_option("#executor", "threads")
    assert workload.locator("option").all_inner_texts() == pool_choices
    expect(workload).to_have_value("sleep")  # echo is not a pool workload
    expect(slow).to_be_hidden()


def test_slow_step_threshold_is_a_live_control_with_a_marker(fake: FakeServer, page: Page) -> None:
    serve_source(page)
    page.select_option("#executor", "asyncio")
    page.select_option("#workload", "blocking")
    field = page.locator("#slow_step_ms")
    expect(field).to_have_value("50")
    field.fill("20")
    page.click("#run")
    start = sent_messages(page, "start")[0]
    assert start["config"]["executor"] == "asyncio"
    assert start["config"]["workload"] == "blocking"
    assert start["config"]["slow_step_ms"] == 20

    run = simulate(sleepers(n=2), run_id="live-aio", slow_step_ms=20)
    fake.send(status("live-aio"))
    fake.send({"type": "events", "run_id": "live-aio", "events": run.events[:6]})
    expect(page.locator("#stop")).to_be_enabled()
    field.fill("10")
    assert sent_messages(page, "set") == [{"type": "set", "slow_step_ms": 10}]
    fake.send({"type": "events", "run_id": "live-aio", "events": [
        {"seq": 1000, "t": 5 * MS, "kind": "config_changed", "field": "slow_step_ms",
         "old": 20, "new": 10}]})
    expect(page.locator("#timeline")).to_have_attribute("data-markers", "1")
    texts = marker_texts(page)
    assert "slow step 20 → 10 ms" in texts
    threshold = page.evaluate("() => window.schedviz.store.model.aio.thresholdAt(6e6)")
    assert threshold == 10 * MS


def test_never_yielded_notices_follow_the_threshold_in_force(fake: FakeServer, page: Page) -> None:
    """Four one-step tasks; the threshold goes from 50 to 20 ms during the run: only the 30 ms
    step after the change blocked the loop, so only its task never yielded."""
    serve_source(page)
    run = one_steppers(slow_step_ms=50, lowered_to=20)
    send_run(fake, run.events, "aio-one-step")
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-run-state", "ended")
    expect(timeline).to_have_attribute("data-aio-tasks", "5")
    expect(timeline).to_have_attribute("data-aio-blocked", "1")
    never = page.locator("#aio-notices li", has_text="never yielded")
    expect(never).to_have_count(1)
    expect(never).to_contain_text("over-0 never yielded")
    expect(page.locator("#aio-notices li", has_text="under-0")).to_have_count(0)
    expect(page.locator("#aio-notices li", has_text="quick-")).to_have_count(0)
    shot(page, "page-asyncio-one-step-tasks")
