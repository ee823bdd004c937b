"""The Future tracks on the canvas (v6): a wait drawn on the waiting worker's bar with its
timeout, a done-callback on the lane of the thread that ran it, the deadlock's line down the
lanes and its label with the chain, a row per thread without a lane and per future looked at;
what is drawn is what is picked and described, and a run without future events shows none of
it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from canvas_scene import PIXELS
from canvas_scene import evaluate as scene
from playwright.sync_api import Page
from synthetic_futures import FutureRun, future_run, waited_batch
from synthetic_runs import batch

from tracedruns import Traced, trace_example

SETUP = PIXELS + """
const { markerMeasure } = await import('/render/core/timeline.js');
const { pick } = await import('/render/core/pick.js');
const { describe } = await import('/render/core/describe.js');
const { updateLegend } = await import('/controls/legend.js');
const { barBox } = await import('/render/pools/lanebox.js');
const { callbackBox } = await import('/render/pools/futuremarks.js');
const { deadlockLabel, futureRows, HEADER_H, ROW_H } = await import('/render/pools/futures.js');
const { FUTURE_COLORS } = await import('/render/core/theme.js');
const { timeoutAt } = await import('/model/pools/futures.js');
const measure = markerMeasure(ctx);
const at = (x, y) => {
  const hit = pick(model, vp, layout, x, y, nowT, measure);
  if (!hit) return null;
  const task = hit.task?.id ?? hit.task ?? hit.callback?.task ?? null;
  return { type: hit.type, wait: hit.wait?.wait ?? null, task, desc: describe(model, hit, nowT) };
};
"""

BODY = """
draw();
const f = model.futures;
const lane = (worker) => model.lanes.list.findIndex((l) => l.worker === worker);
const bar = (worker) => barBox(layout, layout.lanesY + lane(worker) * layout.laneH);
const X = (t) => layout.plotX + vp.toX(t);
const out = { colors: FUTURE_COLORS, box: layout.boxes.futures, rows: futureRows(model),
              HEADER_H, ROW_H, futuresY: layout.futuresY };
const legend = document.createElement('ul');
updateLegend(legend, model, nowT);
out.legend = legend.classList.contains('futures');
const inner = f.byId.get(arg.waitId);
if (inner) {
  const b = bar(inner.worker);
  const mid = X((inner.t + inner.endT) / 2);
  out.waitEdge = rgb(mid, b.y + 0.5);
  out.waitHit = at(mid, b.y + b.h / 2);
  const tx = Math.round(X(timeoutAt(inner))) - 1;
  out.timeoutPx = rgb(tx, b.y + b.h / 2);
  // Outside the wait, the same lane's bar is the lanes' to answer: the awaited task, run after.
  const awaited = model.tasks.get(inner.tasks[0]);
  out.afterHit = at(X((awaited.startedT + awaited.finishedT) / 2), b.y + b.h / 2);
}
const cb = f.callbacks.find((c) => c.worker !== null);
if (cb) {
  const cbBox = callbackBox(cb, vp, layout.plotX, bar(cb.worker));
  out.callbackPx = rgb(cbBox.x + cbBox.w / 2, cbBox.y + cbBox.h / 2);
  out.callbackHit = at(cbBox.x + cbBox.w / 2, cbBox.y + cbBox.h / 2);
}
const d = f.deadlocks[0];
if (d) {
  const width = (s) => { ctx.font = 'bold 15px system-ui'; return ctx.measureText(s).width; };
  const label = deadlockLabel(model, d, vp, layout, width);
  out.deadlockText = label.text;
  out.deadlockLabelPx = rgb(label.box.x + 3, label.box.y + label.box.h / 2);
  out.deadlockLinePx = rgb(Math.round(X(d.t)), layout.lanesY + 2);
  out.deadlockHit = at(label.box.x + 10, label.box.y + label.box.h / 2);
}
out.rowHits = out.rows.rows.map((r, i) => {
  const y = layout.futuresY + HEADER_H + i * ROW_H + ROW_H / 2;
  if (r.kind === 'future') {
    const task = model.tasks.get(r.task);
    const pendingEnd = task.startedT ?? task.cancelledT ?? nowT;
    const x = X(((task.submittedT ?? 0) + pendingEnd) / 2);
    const wide = X(pendingEnd) - X(task.submittedT ?? 0) >= 8;
    return { kind: r.kind, hit: at(x, y), pending: wide ? rgb(x, y - ROW_H / 2 + 6) : null };
  }
  const w = f.threads.get(r.thread).waits[0];
  return { kind: r.kind, thread: r.thread, hit: at(X((w.t + (w.endT ?? nowT)) / 2), y) };
});
return out;
"""


def draw(js: Page, events: list[dict[str, Any]], wait_id: int = 2) -> dict[str, Any]:
    return scene(js, SETUP, BODY, {"events": events, "width": 1400, "waitId": wait_id})


def rgb(hex_colour: str) -> list[int]:
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]


def close(a: list[int], b: list[int], tol: int = 40) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def test_the_wait_is_on_the_waiting_workers_bar_with_its_timeout_and_tooltip(js: Page) -> None:
    run: FutureRun = future_run(seed=2)
    out = draw(js, run.events)
    c = out["colors"]
    assert out["waitEdge"] == rgb(c["wait"])
    assert out["timeoutPx"] == rgb(c["timeout"])
    hit = out["waitHit"]
    rec = run.waits[2]
    assert hit["type"] == "future-wait" and hit["wait"] == 2
    assert hit["desc"]["title"] == f"{rec.thread} waits in result(timeout={rec.timeout_s})"
    rows = dict(hit["desc"]["rows"])
    assert rows["waits on"] == "#2 (finished with a result)"
    assert rows["waiting"] == f"task #{rec.task} on W{rec.worker} ({rec.thread})"
    assert rows["outcome"].startswith("TimeoutError")
    assert rows["timeout"].startswith(f"{rec.timeout_s} s, fired at ")
    assert out["afterHit"]["type"] == "task" and out["afterHit"]["task"] == rec.tasks[0]


def test_a_callback_is_drawn_and_described_on_the_lane_that_ran_it(js: Page) -> None:
    run = future_run(seed=2)
    out = draw(js, run.events)
    assert out["callbackPx"] == rgb(out["colors"]["callback"])
    hit = out["callbackHit"]
    cb = next(c for c in run.callbacks if c.worker is not None)
    assert hit["type"] == "future-callback" and hit["task"] == cb.task
    assert hit["desc"]["title"] == f"Done-callback {cb.name}"
    assert dict(hit["desc"]["rows"])["ran on"] == f"W{cb.worker} ({cb.thread})"


def test_the_deadlock_is_a_line_down_the_lanes_and_a_label_with_its_chain(js: Page) -> None:
    run = future_run(seed=2)
    out = draw(js, run.events)
    _, pool, chain = run.deadlocks[0]
    assert out["deadlockText"] == (
        f"⚠ deadlock · pool {pool}: #{chain[0][0]} → #{chain[0][1]} (pending: no free worker)")
    assert out["deadlockLabelPx"] == rgb(out["colors"]["deadlock"])
    assert close(out["deadlockLinePx"], rgb(out["colors"]["deadlock"]))
    hit = out["deadlockHit"]
    assert hit["type"] == "deadlock"
    rows = dict(hit["desc"]["rows"])
    assert rows["chain"] == f"#{chain[0][0]} → #{chain[0][1]}"
    assert rows[f"#{chain[0][0]} waits on"].endswith("pending: no worker is free to start it")


def test_rows_for_the_laneless_thread_and_each_future_looked_at(js: Page) -> None:
    run = future_run(seed=2)
    out = draw(js, run.events)
    want_futures = list(dict.fromkeys(
        [t for w in sorted(run.waits.values(), key=lambda w: w.began) for t in w.tasks]
        + [c.task for c in run.callbacks] + run.cancelled))
    rows = out["rows"]["rows"]
    assert rows[0] == {"kind": "thread", "thread": "MainThread"}
    assert {r["task"] for r in rows[1:]} == set(want_futures)
    assert [r["task"] for r in rows[1:]] == sorted(want_futures), "in task order"
    assert out["box"]["h"] == out["HEADER_H"] + len(rows) * out["ROW_H"] + 4
    pending_rows = 0
    for r in out["rowHits"]:
        if r["kind"] == "thread":
            assert r["hit"]["type"] == "future-wait"
            continue
        assert r["hit"]["type"] == "future"
        assert r["hit"]["desc"]["title"] == f"Future of task #{r['hit']['task']}"
        # The pending part of a future's row: the queue's reddish purple (tint or hatching).
        if r["pending"] is not None:
            pending_rows += 1
            red, green, blue = r["pending"]
            assert red - green > 15 and blue - green > 5, r
    assert pending_rows >= 1, "the inner task's pending time is wide enough to see"
    cancelled = next(r for r in out["rowHits"] if r["kind"] == "future" and r["hit"]["task"] == 3)
    assert dict(cancelled["hit"]["desc"]["rows"])["state"] == "cancelled"
    assert out["legend"] is True


def test_rows_stop_at_a_few_futures_and_say_how_many_more(js: Page) -> None:
    run = future_run(seed=2)
    many = list(range(100, 120))
    end = run.events[-1]
    extra = [{"seq": 1000, "t": end["t"] - 10, "kind": "future_wait", "wait": 99,
              "call": "as_completed", "tasks": many, "timeout_s": None, "task": None,
              "worker": None, "thread": "MainThread"}]
    out = scene(js, SETUP, "return futureRows(model);",
                {"events": run.events[:-1] + extra + [end], "width": 1400})
    futures = [r["task"] for r in out["rows"] if r["kind"] == "future"]
    assert len(futures) == 6
    looked_at = {t for w in run.waits.values() for t in w.tasks} | {c.task for c in run.callbacks}
    assert out["hidden"] == len(looked_at | set(many) | set(run.cancelled)) - 6


MANY = """
draw();
const i = futureRows(model).rows.findIndex((r) => r.kind === 'thread');
const y = layout.futuresY + HEADER_H + i * ROW_H + 5;
const out = [];
for (const f of [0.2, 0.5, 0.8]) {
  const x = layout.plotX + layout.plotW * f;
  const hit = at(x, y + 6);
  const w = hit && model.futures.byId.get(hit.wait);
  const t = vp.toT(x - layout.plotX);
  out.push({ edge: rgb(x, y), type: hit?.type ?? null, near: w ? Math.min(Math.abs(w.t - t),
    Math.abs(w.endT - t), w.t <= t && t <= w.endT ? 0 : Infinity) / vp.nsPerPx : null });
}
return { out, colour: FUTURE_COLORS.wait, waits: model.futures.waits.length };
"""


def test_thousands_of_narrow_waits_merge_and_still_answer_hovers(js: Page) -> None:
    got = scene(js, SETUP, MANY, {"events": waited_batch(2000, 4, task_ns=2_000_000),
                                  "width": 1400})
    assert got["waits"] == 2000
    for point in got["out"]:
        # Merged spans keep the wait's edge line, and a hover finds a wait at most a few px away.
        assert point["edge"] == rgb(got["colour"]), point
        assert point["type"] == "future-wait" and point["near"] <= 5, point


TWO_DEADLOCKS = """
draw();
const m = (s) => { ctx.font = font(15, 'bold'); return ctx.measureText(s).width; };
const list = model.futures.deadlocks;
let left = -Infinity;
return list.map((d, i) => {
  const next = list[i + 1];
  const right = next ? layout.plotX + vp.toX(next.t) - 3 : Infinity;
  const { text, box } = deadlockLabel(model, d, vp, layout, m, right, left);
  if (box.x + box.w <= right) left = box.x + box.w + 3;
  return { text, box, right, hit: at(box.x + box.w / 2, box.y + box.h / 2) };
});
"""


@pytest.mark.parametrize("gap_ms", [300, 40, 8])
def test_deadlock_labels_close_together_shorten_and_do_not_overlap(js: Page, gap_ms: int) -> None:
    run = future_run(seed=2)
    t, pool, chain = run.deadlocks[0]
    second = {"seq": 999, "t": t + gap_ms * 1_000_000, "kind": "deadlock", "pool": pool + 1,
              "chain": [[7, 8], [8, 7]], "message": "two tasks wait on each other"}
    events = sorted([*run.events, second], key=lambda e: e["t"])
    out = scene(js, SETUP + "const { font } = await import('/render/core/theme.js');",
                TWO_DEADLOCKS, {"events": events, "width": 1400})
    first, last = out
    fits = first["box"]["x"] + first["box"]["w"] <= first["right"]
    assert fits or gap_ms == 8, first  # 8 ms is a few px: no label fits, only the line is drawn
    words = f"#{chain[0][0]} → #{chain[0][1]}"
    assert first["text"] in (f"⚠ deadlock · pool {pool}: {words} (pending: no free worker)",
                             f"⚠ deadlock · pool {pool}: {words}", f"⚠ {words}", "⚠")
    if gap_ms == 300:
        assert first["text"].endswith("(pending: no free worker)")
    assert last["text"] == f"⚠ deadlock · pool {pool + 1}: #7 → #8 → #7 (a cycle)"
    if fits:
        assert last["box"]["x"] >= first["box"]["x"] + first["box"]["w"], out
    if fits:
        assert first["hit"]["type"] == "deadlock"
        assert first["hit"]["desc"]["title"] == f"Deadlock in pool {pool}"
    assert last["hit"]["desc"]["title"] == f"Deadlock in pool {pool + 1}"


def test_a_run_without_future_events_shows_none_of_it(js: Page) -> None:
    run = batch(8, 2)
    out = draw(js, run.events)
    assert out["box"] == {"y": out["box"]["y"], "h": 0}
    assert out["rows"]["rows"] == []
    assert out["legend"] is False


REAL_CALLBACKS = """
draw();
return model.futures.callbacks.map((c) => {
  const i = model.lanes.list.findIndex((l) => l.worker === c.worker);
  const b = callbackBox(c, vp, layout.plotX, barBox(layout, layout.lanesY + i * layout.laneH));
  const x = b.x + b.w / 2;
  const y = b.y + b.h / 2;
  return { name: c.name, lane: model.lanes.list[i]?.name ?? null, px: rgb(x, y),
           hit: at(x, y), colour: FUTURE_COLORS.callback };
});
"""


@pytest.fixture(scope="module")
def future_api(tmp_path_factory: pytest.TempPathFactory) -> Traced:
    """The Future API lesson's program, really traced: its callbacks print their thread."""
    return trace_example(tmp_path_factory.mktemp("future-api"), "lesson_future_api")


def test_real_callbacks_are_drawn_on_the_lane_of_the_thread_that_printed_them(
        js: Page, future_api: Traced) -> None:
    # "callback added_before_done: thread=ThreadPoolExecutor-0_0 ident=1397…"
    printed = {m[0]: (m[1], m[2]) for m in re.findall(
        r"callback (\w+): thread=(\S+) ident=(\d+)", future_api.stdout)}
    assert len(printed) == 2, future_api.stdout
    out = scene(js, SETUP, REAL_CALLBACKS, {"events": future_api.events, "width": 1400})
    assert sorted(c["name"].rsplit(".", 1)[-1] for c in out) == sorted(printed)
    for c in out:
        thread, ident = printed[c["name"].rsplit(".", 1)[-1]]
        assert c["lane"] == thread, c
        assert c["px"] == rgb(c["colour"]), c
        assert c["hit"]["type"] == "future-callback"
        rows = dict(c["hit"]["desc"]["rows"])
        assert rows["thread ident"] == ident
        assert rows["ran on"].endswith(f"({thread})")
    # One ran on the pool's worker, the other on the main thread that added it late.
    assert {c["lane"] for c in out} == {"MainThread", printed["added_before_done"][0]}
