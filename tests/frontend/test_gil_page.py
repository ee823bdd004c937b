"""The GIL on the whole page (schema v3) against a scripted server: data attributes, the legend,
hover, the live switch interval control, its marker, and the notice when no sampler could run."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fakeserver import FakeServer, sent_messages, shot, status
from playwright.sync_api import Page, expect
from probe import marker_texts
from synthetic_gil import alternating, change, reference_stats, sampler, with_seq
from synthetic_runs import MS, batch, batches, simulate

from schedviz.protocol import RunConfig

pytestmark = pytest.mark.timeout(60)


Events = list[dict[str, Any]]


def gil_run(workers: int = 2, task_ms: int = 300) -> tuple[Any, Events, Events]:
    """A thread run whose workers take turns with the GIL (plus the main thread now and then)."""
    run = batch(4, workers, task_ns=task_ms * MS)
    turns = alternating(list(range(workers)), 3 * MS, run.ended_at - 20 * MS, 5 * MS, 120_000,
                        seed=4, free_every=11)
    turns.insert(3, change(turns[2]["t"] + 200_000, "MainThread", 100_000))
    turns.sort(key=lambda e: e["t"])
    events = [*run.events, *with_seq([sampler(0, realtime=False), *turns], len(run.events))]
    events.sort(key=lambda e: e["t"])
    return run, turns, events


def test_gil_attributes_legend_and_hover(fake: FakeServer, page: Page) -> None:
    run, turns, events = gil_run()
    fake.run = {"run_id": run.run_id, "state": "ended", "config": {}}
    for b in batches(events, 40):
        fake.send({"type": "events", "run_id": run.run_id, "events": b})
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-run-state", "ended")
    expect(timeline).to_have_attribute("data-gil-lanes", "1")
    expect(timeline).to_have_attribute("data-gil-switches", str(sum(c["switches"] for c in turns)))
    end_t = max(e["t"] for e in events)
    ref = reference_stats(turns, float("-inf"), float("inf"), end_t)
    shares = json.loads(timeline.get_attribute("data-gil-shares") or "{}")
    assert shares == {k: round(v, 4) for k, v in ref["shares"].items()}
    assert set(shares) == {"0", "1", "MainThread"}
    expect(page.locator("#legend .gil-only").first).to_be_visible()
    expect(page.locator("#summary-text")).to_contain_text("GIL switches")

    # Hover the GIL row in the middle of the run: the tooltip names a holder or a hand-off.
    box = page.evaluate("""() => {
        const { view } = window.schedviz;
        const r = view.canvas.getBoundingClientRect();
        return {x: r.left + view.layout.plotX + view.layout.plotW * 0.4,
                y: r.top + view.layout.gilY + view.layout.gilH / 2,
                lx: r.left + 40, ly: r.top + view.layout.lanesY + view.layout.laneH / 2};
    }""")
    page.mouse.move(box["x"], box["y"])
    tooltip = page.locator("#tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip.locator("h3")).to_contain_text("GIL")
    expect(tooltip).to_contain_text("not real-time")
    shot(page, "page-gil-hover")
    # The worker lane label: the GIL share is on the canvas; the lane tooltip still works.
    page.mouse.move(box["lx"], box["ly"])
    expect(tooltip.locator("h3")).to_have_text("Worker W0")


def test_switch_interval_is_a_live_control_with_a_marker(fake: FakeServer, page: Page) -> None:
    field = page.locator("#switch_interval_ms")
    expect(field).to_have_value("5")
    field.fill("0.5")
    page.click("#run")
    start = sent_messages(page, "start")[0]
    assert start["config"]["switch_interval_ms"] == 0.5
    # The form starts from the server's own default period.
    assert start["config"]["gil_period_us"] == RunConfig.model_fields["gil_period_us"].default

    run = simulate([2_000], 500 * MS, [(0, 2)], run_id="live")
    fake.send(status("live"))
    fake.send({"type": "events", "run_id": "live", "events": run.events[:4]})
    expect(page.locator("#stop")).to_be_enabled()
    field.fill("1")
    assert sent_messages(page, "set") == [{"type": "set", "switch_interval_ms": 1}]
    fake.send({"type": "events", "run_id": "live", "events": [
        {"seq": 100, "t": 50 * MS, "kind": "config_changed", "field": "switch_interval_ms",
         "old": 5, "new": 1}]})
    expect(page.locator("#timeline")).to_have_attribute("data-markers", "1")
    texts = marker_texts(page)
    assert "switch interval 5 → 1 ms" in texts


def test_an_unavailable_sampler_is_announced(fake: FakeServer, page: Page) -> None:
    reason = "the GIL sampler extension is not built for Python 3.11 (no compiler at install?)"
    run = batch(6, 2, task_ns=100 * MS)
    events = [*run.events, *with_seq([sampler(0, pid=777, available=False, reason=reason)],
                                     len(run.events))]
    fake.run = {"run_id": run.run_id, "state": "ended", "config": {}}
    fake.send({"type": "events", "run_id": run.run_id, "events": events})
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-run-state", "ended")
    expect(timeline).to_have_attribute("data-gil-lanes", "0")
    expect(timeline).to_have_attribute("data-gil-unavailable", f"pid 777: {reason}")
    banner = page.locator(".banner.warning", has_text="No GIL lane")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(reason)
    expect(page.locator("#legend .gil-only").first).to_be_hidden()
    # The notice row on the canvas explains itself on hover too.
    box = page.evaluate("""() => {
        const { view } = window.schedviz;
        const r = view.canvas.getBoundingClientRect();
        return {x: r.left + view.layout.plotX + 200, y: r.top + view.layout.gilY + 20};
    }""")
    page.mouse.move(box["x"], box["y"])
    expect(page.locator("#tooltip h3")).to_have_text("No GIL lane")
    shot(page, "page-gil-unavailable")
