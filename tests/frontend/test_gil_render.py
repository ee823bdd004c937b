"""Drawing the GIL rows (schema v3): holder colours match the worker lanes' swatches, windows are
hatched, hovering explains the holder or the hand-off, an unavailable sampler leaves a notice
row, and 20,000 hand-offs fold into at most one item per pixel column."""

from __future__ import annotations

from typing import Any

import pytest
from canvas_scene import PIXELS
from canvas_scene import evaluate as scene
from playwright.sync_api import Page
from synthetic_gil import alternating, change, sampler, with_seq
from synthetic_runs import MS, batch

pytestmark = pytest.mark.timeout(60)

SETUP = PIXELS + """
const { markerMeasure } = await import('/render/core/timeline.js');
const { pick } = await import('/render/core/pick.js');
const { describe } = await import('/render/core/describe.js');
const { gilColumns } = await import('/render/gil/lod.js');
const { workerColor } = await import('/render/core/theme.js');
const gilMid = (row) => layout.gilY + row * layout.gilH + layout.gilH / 2;
const hit = (t, row = 0) => {
  const x = layout.plotX + vp.toX(t);
  const h = pick(model, vp, layout, x, gilMid(row), nowT, markerMeasure(ctx));
  return h && describe(model, h, nowT);
};
"""


def evaluate(js: Page, body: str, arg: dict[str, Any]) -> Any:
    return scene(js, SETUP, body, arg)


def two_workers_taking_turns() -> list[dict[str, Any]]:
    """A 2-worker thread run whose workers hold the GIL in 40 ms turns, then nobody."""
    run = batch(4, 2, task_ns=300 * MS)  # ends at ~600 ms
    turns = [change(10 * MS + 40 * MS * k, k % 2, 2 * MS) for k in range(10)]
    turns.append(change(410 * MS, None, 2 * MS))
    return [*run.events, *with_seq([sampler(0), *turns], len(run.events))]


def test_gil_band_colours_match_the_worker_lane_swatches(js: Page) -> None:
    got = evaluate(js, """
        draw();
        const out = {lanes: layout.gilCount, gilY: layout.gilY, lanesY: layout.lanesY};
        // W0 holds [10, 48) ms, W1 [50, 88) ms: sample the middle of each turn.
        out.band = [rgb(layout.plotX + vp.toX(30e6), gilMid(0)),
                    rgb(layout.plotX + vp.toX(70e6), gilMid(0))];
        out.swatch = model.lanes.list.map((l, i) =>
            rgb(10, layout.lanesY + i * layout.laneH + layout.laneH / 2));
        out.palette = [hex(workerColor(0)), hex(workerColor(1))];
        out.free = rgb(layout.plotX + vp.toX(500e6), gilMid(0));
        // Inside a 2 ms window: light grey ground or the hatch over it, never a worker colour.
        const w = [];
        const x49 = layout.plotX + vp.toX(49e6);
        for (let dx = -2; dx <= 0; dx++) w.push(rgb(x49 + dx * 0.3, gilMid(0)));
        out.window = w;
        return out;
    """, {"events": two_workers_taking_turns(), "width": 1400})
    assert got["lanes"] == 1 and got["gilY"] < got["lanesY"]  # above the worker lanes
    assert got["band"] == got["palette"]
    assert got["swatch"] == got["palette"]  # each lane's swatch is its GIL colour
    assert got["free"] == [255, 255, 255]
    assert all(px not in got["palette"] for px in got["window"]), got["window"]


def test_hovering_the_gil_lane_names_the_holder_or_the_hand_off(js: Page) -> None:
    got = evaluate(js, """
        vp.zoomAt(0, 0.2);                     // 0 .. ~130 ms: a 2 ms window is ~20 px wide
        const held = hit(70e6), window = hit(49e6), free = hit(120e6);
        return {held: [held.title, Object.fromEntries(held.rows)],
                window: [window.title, Object.fromEntries(window.rows)],
                label: describe(model, pick(model, vp, layout, 20, gilMid(0), nowT,
                                            markerMeasure(ctx)), nowT).title};
    """, {"events": two_workers_taking_turns(), "width": 1400})
    title, rows = got["held"]
    assert title == "GIL held by W1"
    assert rows["since"].startswith("50 ms")
    assert rows["held for"] == "38 ms"  # until the next window opens at 88 ms
    assert rows["switches"].startswith("1 ")
    # Up to 70 ms the known time is W0 38 ms + W1 20 ms (+ nothing free): W1's share 34.5 %.
    assert rows["share so far"].startswith("34 %") or rows["share so far"].startswith("34.5 %")
    title, rows = got["window"]
    assert title == "GIL hand-off: W0 → W1"
    assert rows["somewhere in"] == "48 ms – 50 ms (2 ms)"
    assert got["label"] == "GIL of the lab"


def test_many_switches_per_pixel_are_mixed_columns(js: Page) -> None:
    run = batch(8, 2, task_ns=1000 * MS)
    # 20,000 hand-offs between two workers over 2 s: ~14 per pixel column at 1400 px.
    turns = alternating([0, 1], 5 * MS, 2100 * MS, 100_000, 40_000, seed=9, free_every=9)
    turns = turns[:20_000]
    assert len(turns) == 20_000
    events = [*run.events, *with_seq([sampler(0, realtime=False), *turns], len(run.events))]
    got = evaluate(js, """
        draw();
        // A moving view (as while following live): nothing can be reused from the last frame.
        for (let i = 0; i < 6; i++) { vp.panBy(i % 2 ? 1 : -1); draw(); }
        vp.update(nowT); vp.fit(); vp.update(nowT);
        const track = model.gil.laneTracks()[0];
        const cols = gilColumns(track, vp, nowT);
        const fracs = cols.mixed.map(m => m.parts.reduce((s, p) => s + p.frac, 0));
        const span = vp.toX(track.changes.at(-1).t) - vp.toX(track.changes[0].t);
        const zoomed = (vp.zoomAt(vp.width / 2, 1e-4), gilColumns(track, vp, nowT));
        return {runs: cols.runs.length, mixed: cols.mixed.length, span,
                plotW: layout.plotW,
                fracOk: fracs.every(f => Math.abs(f - 1) < 1e-9),
                keys: [...new Set(cols.mixed.flatMap(m => m.parts.map(p => p.key)))].sort(),
                zoomedMixed: zoomed.mixed.length, zoomedRuns: zoomed.runs.length};
    """, {"events": events, "width": 1400})
    assert got["runs"] + got["mixed"] <= got["plotW"] + 2  # at most one item per column
    assert got["mixed"] > got["span"] * 0.8  # zoomed out: nearly every column is mixed
    assert got["fracOk"]
    assert got["keys"] == [None, "w0", "w1"]
    # Zoomed in to ~200 µs: a few changes, each its own run.
    assert got["zoomedMixed"] == 0 and got["zoomedRuns"] >= 2


def test_an_unavailable_sampler_draws_a_notice_row_with_its_reason(js: Page) -> None:
    reason = "disabled by SCHEDVIZ_NO_GIL_SAMPLER"
    run = batch(4, 2, task_ns=50 * MS)
    events = [*run.events, *with_seq([sampler(0, available=False, reason=reason)],
                                     len(run.events))]
    got = evaluate(js, """
        const texts = [];
        const fill = ctx.fillText.bind(ctx);
        ctx.fillText = (text, x, y, ...rest) => {
            texts.push(text);
            return fill(text, x, y, ...rest);
        };
        draw();
        const h = pick(model, vp, layout, layout.plotX + 100, gilMid(0), nowT, markerMeasure(ctx));
        return {rows: layout.gilCount, texts, hit: h && describe(model, h, nowT)};
    """, {"events": events, "width": 1400})
    assert got["rows"] == 1
    assert f"GIL sampler unavailable: {reason}" in got["texts"]
    assert got["hit"]["title"] == "No GIL lane"
    assert got["hit"]["rows"] == [["pid 4242", reason]]
    # No GIL lane: worker labels carry no GIL share.
    assert not any(t.startswith("GIL ") and "%" in t for t in got["texts"])


def test_a_process_pool_gets_one_gil_row_per_sampled_interpreter(js: Page) -> None:
    from synthetic_processes import process_run

    run = process_run(n_items=8, chunksize=2, workers=2)
    lab, w0, w1 = run.lab_pid, run.lab_pid + 1, run.lab_pid + 2
    gil = [sampler(0, pid=w1), sampler(0, pid=lab), sampler(0, pid=w0),
           change(5 * MS, "MainThread", 50_000, pid=lab),
           change(9 * MS, None, 50_000, pid=lab),
           change(30 * MS, 0, 50_000, pid=w0), change(60 * MS, "MainThread", 50_000, pid=w0),
           change(35 * MS, 1, 50_000, pid=w1)]
    events = [*run.events, *with_seq(gil, len(run.events))]
    got = evaluate(js, """
        const { gilLaneTracks, processLabel, visibleWorkerShares } =
            await import('/model/gil/shares.js');
        const { summarizeGil } = await import('/model/gil/holders.js');
        const tracks = gilLaneTracks(model);
        return {rows: layout.gilCount, pids: tracks.map(t => t.pid),
                labels: tracks.map(t => processLabel(model, t)),
                shares: Object.fromEntries(visibleWorkerShares(model, vp, nowT)),
                keys: Object.keys(summarizeGil(model.gil, nowT).shares).sort()};
    """, {"events": events, "width": 1400})
    assert got["rows"] == 3
    assert got["pids"] == [lab, w0, w1]  # the lab first, then workers by id
    assert got["labels"] == ["lab (parent)", "W0 process", "W1 process"]
    # Each worker's share is of its own interpreter's GIL.
    assert set(got["shares"]) == {"0", "1"} and got["shares"]["1"] > 0.9
    # Every process has a MainThread: with several interpreters the pid tells them apart.
    assert got["keys"] == ["0", "1", f"MainThread (pid {lab})", f"MainThread (pid {w0})"]
