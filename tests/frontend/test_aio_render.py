"""Drawing an asyncio run (schema v4): steps in their task's colour on the loop lane, idle time,
the red outline of a step that blocked the loop, yield ticks that hover to their line, the call-out
of a task that never yielded (and none on a quick one-step task), the link from an offloading task
to its pool task, and a large run folded into pixel columns."""

from __future__ import annotations

from typing import Any

import pytest
from canvas_scene import PIXELS
from canvas_scene import evaluate as scene
from playwright.sync_api import Page
from synthetic_aio import MS, US, Await, Script, mixed, simulate, sleepers

pytestmark = pytest.mark.timeout(60)

# Builds a model from `events`, lays it out with the model's own options and renders it.
SETUP = PIXELS + """
const { barBox } = await import('/render/pools/lanebox.js');
const { markerMeasure } = await import('/render/core/timeline.js');
const { pick } = await import('/render/core/pick.js');
const { describe } = await import('/render/core/describe.js');
const { aioGeometry, loopBarBox, rowBarBox } = await import('/render/aio/layout.js');
const { taskColor, AIO_COLORS } = await import('/render/core/theme.js');
const { yieldTickPoint } = await import('/render/aio/section.js');
const { aioHover } = await import('/render/aio/pick.js');
const aio = model.aio;
const g = aioGeometry(model, layout.aioY);
const task = (name) => aio.taskList.find(t => t.name === name);
const rowOf = (name) => g.tasks.indexOf(task(name));
const at = (x, y) => { const h = pick(model, vp, layout, x, y, nowT, markerMeasure(ctx));
                       return h ? {type: h.type, ...describe(model, h, nowT)} : null; };
"""


def evaluate(js: Page, body: str, events: list[dict[str, Any]], width: int = 1200) -> Any:
    return scene(js, SETUP, body, {"events": events, "width": width})


def test_loop_lane_steps_idle_and_blocked_outline(js: Page) -> None:
    run = simulate(mixed())
    got = evaluate(js, """
        draw();
        const box = loopBarBox(g.loopY);
        const s = aio.steps.find(s => s.blocked);
        const x0 = layout.plotX + vp.toX(s.t), x1 = layout.plotX + vp.toX(s.end);
        const idle = aio.idle.reduce((a, b) => b.dur > a.dur ? b : a);
        const ix = layout.plotX + vp.toX(idle.t + idle.dur / 2);
        const idlePx = [0, 1, 2, 3, 4, 5, 6, 7].map(d => rgb(ix + d, box.y + box.h - 6));
        return {
          aioH: layout.aioH, lanesY: layout.lanesY, aioEnd: layout.aioY + layout.aioH,
          stepMid: rgb((x0 + x1) / 2, box.y + box.h - 5), color: hex(taskColor(s.task)),
          outline: rgb(x0 - 1.5, box.y + box.h / 2), red: hex(AIO_COLORS.blocked),
          idlePx, idle: hex(AIO_COLORS.idle), hatch: hex(AIO_COLORS.idleHatch),
          label: at((x0 + x1) / 2, box.y + box.h - 5),
          idleHit: at(ix, box.y + box.h / 2),
          rows: g.tasks.map(t => t.name), tracks: g.tracks.map(t => [t.kind, t.name]),
          queueH: layout.queueH,
        };
    """, run.events)
    assert got["aioH"] > 0 and got["lanesY"] == got["aioEnd"]
    assert got["stepMid"] == got["color"]
    assert got["outline"] == got["red"]
    # Idle time: the idle fill with its hatching, nothing else.
    assert got["idle"] in got["idlePx"] and all(p in (got["idle"], got["hatch"]) or
                                                    max(p) > 150 for p in got["idlePx"])
    assert got["label"]["type"] == "aio-step"
    assert got["label"]["title"] == "Slow step of blocker-0"
    rows = dict(got["label"]["rows"])
    assert rows["blocked the loop"].startswith("120 ms · aio_workloads.py:79")
    assert "time.sleep(run.s)" in rows["blocked the loop"]
    assert got["idleHit"]["type"] == "aio-idle"
    assert got["rows"][:3] == ["main", "blocker-0", "locker-0"]
    assert ["ready", ""] in got["tracks"]
    assert ["sync", "lock log"] in got["tracks"] and ["sync", "queue jobs"] in got["tracks"]
    # This run offloaded work: the pool's queue-depth track stays.
    assert got["queueH"] > 0


def test_yield_ticks_hover_to_their_line_and_waits_say_what_they_await(js: Page) -> None:
    run = simulate(sleepers(n=3, sleeps=3, sleep_ms=100))
    got = evaluate(js, """
        draw();
        const t = task('sleeper-1');
        const p = yieldTickPoint(model, layout, vp, t.id, 1);
        const box = rowBarBox(g.rowsY + rowOf('sleeper-1') * g.rowH, g.rowH);
        const tickPx = rgb(p.x, box.y + 2);
        const tip = at(p.x, p.y);
        const near = at(p.x + 3, p.y);
        const wx = layout.plotX + vp.toX(t.steps[1].end + 50e6);
        const wait = at(wx, p.y);
        const h = pick(model, vp, layout, p.x, p.y, nowT, markerMeasure(ctx));
        draw(h);
        const hovered = rgb(p.x, g.rowsY + rowOf('sleeper-1') * g.rowH + 2);
        return {tickPx, tip, near, wait, hovered, red: hex(AIO_COLORS.blocked),
                line: t.steps[1].line, queueH: layout.queueH, aio: aioHover(h)?.what};
    """, run.events)
    assert max(got["tickPx"]) < 80  # the dark tick
    assert got["tip"]["type"] == "aio-yield"
    assert got["tip"]["title"] == "sleeper-1 yielded at aio_workloads.py:38 awaiting sleep(0.1)"
    assert got["near"]["type"] == "aio-yield"  # a few pixels off still finds the tick
    assert got["wait"]["type"] == "aio-wait"
    assert got["wait"]["title"] == "sleeper-1 waits: sleep(0.1)"
    assert dict(got["wait"]["rows"])["yielded at"] == "aio_workloads.py:38"
    assert got["aio"] == "yield" and got["hovered"] == got["red"]
    # No pool work in this run: no empty queue-depth track under it.
    assert got["queueH"] == 0


def test_never_yielded_and_offload_link(js: Page) -> None:
    run = simulate(mixed())
    got = evaluate(js, """
        draw();
        const c = task('crunch-0');
        const box = rowBarBox(g.rowsY + rowOf('crunch-0') * g.rowH, g.rowH);
        const after = layout.plotX + vp.toX(c.steps[0].end) + 30;
        const callout = rgb(after, box.y + box.h / 2 - 7);
        const label = at(10 + 40, box.y + box.h / 2);
        // accept-0 also ran to its end in one step, a quick one: no call-out for it.
        const texts = [];
        const fillText = ctx.fillText.bind(ctx);
        ctx.fillText = (text, ...rest) => { texts.push(text); return fillText(text, ...rest); };
        draw();
        const callouts = texts.filter(x => x.includes('never yielded'));
        const abox = rowBarBox(g.rowsY + rowOf('accept-0') * g.rowH, g.rowH);
        const acceptLabel = at(10 + 40, abox.y + abox.h / 2);
        const pt = model.tasks.get(0);
        const lane = model.lanes.list.findIndex(l => l.worker === pt.worker);
        const bar = barBox(layout, layout.lanesY + lane * layout.laneH);
        const mid = layout.plotX + vp.toX((pt.startedT + pt.finishedT) / 2);
        const off = task('offload-0');
        const orow = rowBarBox(g.rowsY + rowOf('offload-0') * g.rowH, g.rowH);
        const wait = at(mid, orow.y + orow.h / 2);
        return {callout, red: hex(AIO_COLORS.blocked), label, callouts, acceptLabel,
                outline: rgb(mid, bar.y - 1.5), color: hex(taskColor(off.id)), wait};
    """, run.events)
    assert got["callout"] == got["red"]
    assert got["label"]["type"] == "aio-task"
    assert got["label"]["title"] == "Task crunch-0 · never yielded"
    # One call-out, crunch-0's (cut to the room left in the view).
    assert len(got["callouts"]) == 1, got["callouts"]
    assert got["callouts"][0].startswith("never yielded: held the loop 90")
    assert got["acceptLabel"]["type"] == "aio-task"
    assert got["acceptLabel"]["title"] == "Task accept-0"
    assert "never gave the loop back" not in got["acceptLabel"]["note"]
    assert got["outline"] == got["color"]
    assert got["wait"]["type"] == "aio-wait"
    rows = dict(got["wait"]["rows"])
    assert rows["pool task"] == "#0 on worker W0"


def test_fifty_thousand_steps_fold_into_pixel_columns(js: Page) -> None:
    tasks = [Script("main", [Await(20 * US, 30, "a Future", 60_000 * MS), Await(10 * US)])]
    for i in range(20):
        tasks.append(Script(f"t{i}", [Await(15 * US, 38, "sleep(0.001)", 1 * MS)] * 2500
                            + [Await(5 * US)], start_ns=50 * US))
    run = simulate(tasks)
    got = evaluate(js, """
        let fills = 0;
        const fillRect = ctx.fillRect.bind(ctx);
        ctx.fillRect = (...a) => { fills++; return fillRect(...a); };
        draw();
        const box = loopBarBox(g.loopY);
        const colors = aio.taskList.map(t => hex(taskColor(t.id)));
        const busy = aio.steps.filter((s, i) => i % 1000 === 500)
          .map(s => rgb(layout.plotX + vp.toX(s.t) + 0.5, box.y + box.h - 5));
        return {steps: aio.steps.length, fills, rows: g.tasks.length, hidden: g.hidden,
                busy: busy.filter(p => colors.some(c => c.join() === p.join())).length,
                probes: busy.length};
    """, run.events)
    assert got["steps"] >= 50_000
    assert got["rows"] == 21 and got["hidden"] == 0  # a row per task
    # Level of detail: one rectangle per pixel column, not one per step (on the lane and rows).
    assert got["fills"] < got["steps"] // 10, got
    # Where the steps are, the loop lane shows a task's colour.
    assert got["probes"] == 50 and got["busy"] == got["probes"], got


def test_a_step_still_blocking_the_loop_is_drawn_to_now(js: Page) -> None:
    """Before its step's event arrives, the watchdog's report is drawn from its start to now."""
    run = simulate([Script("main", [Await(40 * US, 30, "a Future", 10 * MS), Await(10 * US)]),
                    Script("blocker", [Await(20 * US, 78, "sleep(0.01)", 10 * MS),
                                       Await(300 * MS, 80, "sleep(0.1)", 10 * MS,
                                             source="time.sleep(run.s)"),
                                       Await(10 * US)], start_ns=10 * US)])
    ongoing = next(e for e in run.events if e["kind"] == "aio_blocked" and e["ongoing"])
    live = [e for e in run.events if e["seq"] <= ongoing["seq"]]
    # The run goes on: now is 100 ms into the blocking step.
    live.append({"seq": ongoing["seq"] + 1, "t": ongoing["t"] + 100 * MS, "kind": "memory",
                 "pid": 1, "worker": None, "rss": 1, "uss": None})
    got = evaluate(js, """
        draw();
        const { loopShares } = await import('/render/aio/section.js');
        const r = [...aio.ongoing.values()][0];
        const mid = layout.plotX + vp.toX(r.t + (nowT - r.t) / 2);
        const loop = loopBarBox(g.loopY);
        const row = rowBarBox(g.rowsY + rowOf('blocker') * g.rowH, g.rowH);
        const x0 = layout.plotX + vp.toX(r.t);
        return {
          ongoing: aio.ongoing.size, loopMid: rgb(mid, loop.y + loop.h - 5),
          rowMid: rgb(mid, row.y + row.h - 2), color: hex(taskColor(r.task)),
          outline: rgb(x0 - 1.5, loop.y + loop.h / 2), red: hex(AIO_COLORS.blocked),
          hit: at(mid, loop.y + loop.h - 5),
          busy: loopShares(aio, r.t, nowT).busy, span: nowT - r.t,
        };
    """, live)
    assert got["ongoing"] == 1
    assert got["loopMid"] == got["color"] and got["rowMid"] == got["color"]
    assert got["outline"] == got["red"]
    assert got["hit"]["type"] == "aio-ongoing"
    assert got["hit"]["title"] == "blocker is blocking the loop"
    assert got["busy"] == got["span"]
