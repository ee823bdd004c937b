"""Drawing the thread-state strips (schema v3): each worker lane's strip is coloured by the state
the model derives, the task bars above it stay whole, a crowded pixel shows its dominant state,
hovering the strip says the state in words, and a run whose states cannot be read has none."""

from __future__ import annotations

from typing import Any

import pytest
from canvas_scene import PIXELS
from canvas_scene import evaluate as scene
from playwright.sync_api import Page
from synthetic_gil import alternating, sampler, with_seq
from synthetic_runs import MS, batch
from synthetic_threads import random_states, state, warning
from test_thread_states_model import GIL, STATES

pytestmark = pytest.mark.timeout(60)

SETUP = PIXELS + """
const { barBox, stateBox } = await import('/render/pools/lanebox.js');
const { markerMeasure } = await import('/render/core/timeline.js');
const { pick } = await import('/render/core/pick.js');
const { describe } = await import('/render/core/describe.js');
const { stateColumns } = await import('/render/gil/statestrip.js');
const { THREAD_STATE_COLORS, STATE_COLORS } = await import('/render/core/theme.js');
const laneY = (w) => layout.lanesY + model.lanes.list.findIndex(l => l.worker === w) * layout.laneH;
const stripMid = (w) => { const b = stateBox(layout, laneY(w)); return b.y + b.h / 2; };
const xAt = (t) => layout.plotX + vp.toX(t);
const hover = (w, t) => {
  const h = pick(model, vp, layout, xAt(t), stripMid(w), nowT, markerMeasure(ctx));
  return h && {type: h.type, ...describe(model, h, nowT)};
};
"""


def evaluate(js: Page, body: str, events: list[dict[str, Any]], width: int = 1400) -> Any:
    return scene(js, SETUP, body, {"events": events, "width": width})


def five_workers(workload: str = "sleep") -> list[dict[str, Any]]:
    """Five worker lanes (one 60 ms task each) with the hand-made GIL and thread states."""
    run = batch(5, 5, task_ns=60 * MS)
    run.events[0]["config"]["workload"] = workload
    return [*run.events, *with_seq([*GIL, *STATES], len(run.events))]


def test_the_strip_shows_each_derived_state_in_its_colour(js: Page) -> None:
    got = evaluate(js, """
        draw();
        const at = (w, ms) => rgb(xAt(ms * 1e6), stripMid(w));
        const colors = Object.fromEntries(
            Object.entries(THREAD_STATE_COLORS).map(([k, v]) => [k, hex(v)]));
        const bar = barBox(layout, laneY(0)), strip = stateBox(layout, laneY(0));
        return {colors, stateH: layout.stateH, ok: hex(STATE_COLORS.ok),
                barBottom: bar.y + bar.h, stripTop: strip.y, laneBottom: laneY(0) + layout.laneH,
                barPixel: rgb(xAt(15e6), bar.y + bar.h - 2),
                samples: {
                  w0Holding: at(0, 15), w0Waiting: at(0, 30), w1Lock: at(1, 10),
                  w1Sleeping: at(1, 38), w1Io: at(1, 47), w2Without: at(2, 25),
                  w2OnCpu: at(2, 7), w3StillWaiting: at(3, 26), w4Without: at(4, 30),
                  beforeFirstLook: at(3, 10),
                }};
    """, five_workers())
    c = got["colors"]
    assert got["stateH"] >= 6  # readable on a projector
    assert got["barBottom"] < got["stripTop"] < got["laneBottom"]  # under the bars, in the lane
    assert got["barPixel"] == got["ok"]  # the bar above the strip is untouched
    s = got["samples"]
    assert s["w0Holding"] == c["holding_gil"]
    assert s["w0Waiting"] == c["gil_wait"]
    assert s["w1Lock"] == c["lock_wait"]
    assert s["w1Sleeping"] == c["sleeping"]
    assert s["w1Io"] == c["io"]
    assert s["w2Without"] == c["cpu_without_gil"]
    assert s["w2OnCpu"] == c["on_cpu"]
    assert s["w3StillWaiting"] == c["gil_wait"]  # seen running, never given the GIL
    assert s["w4Without"] == c["cpu_without_gil"]
    assert s["beforeFirstLook"] not in c.values()  # nothing known: nothing drawn
    assert len({tuple(v) for v in c.values()}) == len(c)  # every state its own colour


def test_hovering_the_strip_says_the_state_in_words(js: Page) -> None:
    got = evaluate(js, """
        const rows = (d) => d && Object.fromEntries(d.rows);
        const waiting = hover(0, 30e6), hashing = hover(2, 25e6), holding = hover(1, 25e6);
        const bar = pick(model, vp, layout, xAt(30e6), barBox(layout, laneY(0)).y + 4, nowT,
                         markerMeasure(ctx));
        const lane = describe(model, pick(model, vp, layout, 30, laneY(2) + 10, nowT,
                                          markerMeasure(ctx)), nowT);
        return {waiting: [waiting.type, waiting.title, rows(waiting)],
                hashing: [hashing.title, rows(hashing)], holding: [holding.title, rows(holding)],
                bar: bar.type, lane: Object.fromEntries(lane.rows)};
    """, five_workers(workload="hash"))
    kind, title, rows = got["waiting"]
    assert kind == "thread-state"
    assert title == "W0 waiting for the GIL"
    # It let go of the GIL at 19.8 ms and was given it back at 40 ms.
    assert rows["since"] == "19.8 ms, for 20.2 ms"
    assert rows["/proc said"].startswith("waiting on the GIL's futex, in system call 202")
    assert rows["GIL held by"] == "W1"
    title, rows = got["hashing"]
    assert title == "W2 on CPU without the GIL"
    assert "hashlib releases it" in rows["why"]
    assert rows["since"].startswith("20 ms")  # one stretch across hand-offs among others
    assert rows["task"] == "#2"
    assert got["holding"][0] == "W1 holding the GIL"
    assert got["bar"] == "task"  # the bars above the strip are still hovered as tasks
    assert got["lane"]["thread states"].startswith("on CPU without the GIL")


def test_a_crowded_pixel_shows_its_dominant_state(js: Page) -> None:
    run = batch(24, 12, task_ns=1000 * MS)
    gil = alternating(list(range(12)), 5 * MS, 1990 * MS, 100_000, 40_000, seed=2)[:20_000]
    states = [e for w in range(12)
              for e in random_states(w, 3 * MS, 1995 * MS, 1 * MS, seed=w)]
    # W0: every 1 ms, 0.7 ms sleeping then 0.3 ms in I/O: many changes per pixel, sleeping wins.
    w0 = [s for k in range(1980) for s in (state(2 * MS + k * MS, 0, "sleeping"),
                                           state(2.7 * MS + k * MS, 0, "io"))]
    w0.append(state(1982 * MS, 0, "sleeping"))
    states = [s for s in states if s["worker"] != 0] + w0
    events = [*run.events, *with_seq([sampler(0), *gil, *states], len(run.events))]
    got = evaluate(js, """
        const { drawStateStrips } = await import('/render/gil/statestrip.js');
        draw();                                // also works out every worker's time line once
        // A moving view (as while following live): the strips read their settled pieces.
        for (let i = 0; i < 6; i++) {
            vp.panBy(i % 2 ? 1 : -1);
            drawStateStrips(ctx, model, vp, layout, nowT, null);
        }
        vp.update(nowT); vp.fit(); vp.update(nowT); draw();
        const facts = model.threads;
        const runs = stateColumns(facts, facts.workers.get(0), vp, nowT);
        const perPx = 1e6 / vp.nsPerPx;   // px per 1 ms period
        const mid = rgb(xAt(1000e6), stripMid(0));
        return {runs: runs.length, codes: [...new Set(runs.map(r => r.code))],
                plotW: layout.plotW, perPx, mid, sand: hex(THREAD_STATE_COLORS.sleeping),
                changes: Number(facts.events)};
    """, events)
    assert got["perPx"] < 1  # several changes per pixel column
    assert got["codes"] == [5]  # sleeping (code 5) dominates every column
    assert got["runs"] <= 2 and got["mid"] == got["sand"]
    assert got["changes"] == len(states)  # every change was taken in


def test_unreadable_states_draw_no_strip(js: Page) -> None:
    run = batch(4, 2, task_ns=50 * MS)
    extra = [state(1 * MS, 0, "other"), state(2 * MS, 1, "running"), warning(0)]
    got = evaluate(js, """
        draw();
        return {stateH: layout.stateH, hit: pick(model, vp, layout, xAt(20e6),
                laneY(0) + layout.laneH - 4, nowT, markerMeasure(ctx))?.type ?? null};
    """, [*run.events, *with_seq(extra, len(run.events))])
    assert got["stateH"] == 0
    assert got["hit"] != "thread-state"
