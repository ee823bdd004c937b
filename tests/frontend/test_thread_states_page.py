"""Thread states on the whole page (schema v3) against a scripted server: the data attributes
tests and people read, the strip's legend in the strip's own colours, hovering a strip, and a
run whose thread states cannot be read (a banner, and the legend says so)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fakeserver import FakeServer, shot
from playwright.sync_api import Page, expect
from synthetic_gil import with_seq
from synthetic_runs import MS, batch
from synthetic_threads import UNAVAILABLE, reference_totals, state, warning
from test_thread_states_model import GIL, STATES

pytestmark = pytest.mark.timeout(60)


def send_run(fake: FakeServer, events: list[dict[str, Any]], run_id: str) -> None:
    fake.run = {"run_id": run_id, "state": "ended", "config": {}}
    for i in range(0, len(events), 7):
        fake.send({"type": "events", "run_id": run_id, "events": events[i:i + 7]})


def test_thread_state_attributes_legend_and_hover(fake: FakeServer, page: Page) -> None:
    run = batch(5, 5, task_ns=60 * MS)
    run.events[0]["config"]["workload"] = "mixed"
    events = [*run.events, *with_seq([*GIL, *STATES], len(run.events))]
    send_run(fake, events, run.run_id)
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-run-state", "ended")
    expect(timeline).to_have_attribute("data-thread-state-changes", str(len(STATES)))
    expect(timeline).to_have_attribute("data-thread-states-unavailable", "")
    got = json.loads(timeline.get_attribute("data-thread-states") or "{}")
    gil = [e for e in GIL if e["kind"] == "gil"]
    # Each worker is observed from its first look to its exit; the reference says how long in
    # each state, the page gives the fractions.
    assert set(got) == {"0", "1", "2", "3", "4"}
    for w, fractions in got.items():
        ref = reference_totals(STATES, gil, int(w), int(run.workers[int(w)].exited or 0))
        total = sum(ref.values())
        assert fractions == pytest.approx({k: v / total for k, v in ref.items()}, abs=1e-4), w
    assert got["2"]["cpu_without_gil"] > 0.8  # the hashing thread
    assert got["3"] == {"gil_wait": 1}  # the CPU thread never given the GIL

    legend = page.locator("#legend")
    expect(legend.locator(".ts-only").first).to_be_visible()
    expect(legend.locator(".ts-off-only")).to_be_hidden()
    # Each legend swatch has the strip's own colour for its state.
    colors = page.evaluate("""async () => {
        const { THREAD_STATE_COLORS } = await import('/render/core/theme.js');
        const out = {};
        for (const [k, v] of Object.entries(THREAD_STATE_COLORS)) {
            const el = document.querySelector(`#legend .ts-${k}`);
            const probe = document.createElement('span');
            probe.style.color = v;
            document.body.append(probe);
            out[k] = [el && getComputedStyle(el).backgroundColor, getComputedStyle(probe).color];
            probe.remove();
        }
        return out;
    }""")
    assert all(swatch == strip for swatch, strip in colors.values()), colors

    # Hover W0's strip at 30 ms: it waits for the GIL there.
    box = page.evaluate("""async () => {
        const { stateBox } = await import('/render/pools/lanebox.js');
        const { view } = window.schedviz;
        const r = view.canvas.getBoundingClientRect();
        const b = stateBox(view.layout, view.layout.lanesY);
        return {x: r.left + view.layout.plotX + view.viewport.toX(30e6), y: r.top + b.y + b.h / 2};
    }""")
    page.mouse.move(box["x"], box["y"])
    tooltip = page.locator("#tooltip")
    expect(tooltip.locator("h3")).to_have_text("W0 waiting for the GIL")
    expect(tooltip).to_contain_text("GIL held by")
    shot(page, "page-thread-states-hover")


def test_unreadable_thread_states_are_announced(fake: FakeServer, page: Page) -> None:
    run = batch(4, 2, task_ns=40 * MS)
    extra = [state(1 * MS, 0, "other"), state(2 * MS, 1, "running"), warning(0)]
    send_run(fake, [*run.events, *with_seq(extra, len(run.events))], run.run_id)
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-run-state", "ended")
    expect(timeline).to_have_attribute("data-thread-states-unavailable", UNAVAILABLE)
    expect(timeline).to_have_attribute("data-thread-states", "{}")
    expect(timeline).to_have_attribute("data-thread-state-changes", "2")
    # The run's warning shows as a banner, and the legend says why there is no strip.
    expect(page.locator(".banner.warning", has_text="thread states are not shown")).to_be_visible()
    off = page.locator("#legend .ts-off-only")
    expect(off).to_be_visible()
    expect(off).to_contain_text("thread states unavailable")
    assert off.get_attribute("title") == UNAVAILABLE
    expect(page.locator("#legend .ts-only").first).to_be_hidden()
    shot(page, "page-thread-states-unavailable")
