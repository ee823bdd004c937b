"""The browser's model of a process pool against a synthetic run's ground truth: chunks and
where their items end, pickling spans per task and in the lab, memory series, broken pools,
exit codes, and hit-testing of what only process runs draw."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page
from synthetic_processes import MS, ProcessRun, process_run
from synthetic_runs import batches, shuffled

pytestmark = pytest.mark.timeout(60)

# Feeds the events into a fresh store and returns what the model derived from them.
PROBE = """
async ({runId, batches, at}) => {
  const { EventStore } = await import('/model/core/store.js');
  const P = await import('/model/pools/processes.js');
  const { barState } = await import('/render/pools/bars.js');
  const { placeMarkers } = await import('/render/core/markers.js');
  const { computeLayout, layoutOptions } = await import('/render/core/layout.js');
  const { Viewport } = await import('/render/core/viewport.js');
  const { processCounts } = await import('/controls/summary.js');
  const store = new EventStore();
  for (const b of batches) store.append(runId, b);
  const m = store.model;
  const tasks = {};
  for (const [id, t] of m.tasks) {
    tasks[id] = {
      chunk: t.chunk, started: t.startedT, finished: t.finishedT, worker: t.worker,
      itemEnds: P.itemEndTimes(t), itemAt: at.map(f => {
        if (t.startedT === null || t.finishedT === null) return null;
        const hit = P.itemAt(t, t.startedT + f * (t.finishedT - t.startedT));
        return hit && hit.index;
      }),
      serialized: t.serialized.map(s => [s.t, s.side, s.what, s.op]),
      ipc: P.ipcCost(t), spans: P.workerSpans(t), lost: P.lostToBrokenPool(t),
      bar: t.startedT !== null ? barState(t) : null, state: t.state,
    };
  }
  const layout = computeLayout(1200, m.lanes.list.length, layoutOptions(m));
  const vp = new Viewport(layout.plotW);
  vp.update(m.endedT);
  const memory = {};
  for (const [key, s] of m.proc.memory) memory[key] = s.samples.map(x => [x.t, x.rss, x.uss]);
  return {
    tasks, memory, counts: processCounts(m),
    maxRss: m.proc.maxRss, labPid: m.proc.labPid,
    parentSpans: m.proc.parentSpans.map(s => [s.t, s.what]),
    breaks: m.proc.breaks,
    lanes: m.lanes.list.map(l => ({worker: l.worker, exitcode: l.exitcode, brokePool: l.brokePool,
      ready: l.readyT, pid: l.pid, exit: P.exitLabel(l.exitcode)})),
    markers: placeMarkers(m, vp, layout, (s) => s.length * 8).map(p => [p.type, p.text]),
    layout: {lab: layout.labH > 0, memH: layout.memH},
    sampleAt: P.sampleAt(m.proc.series(0), m.proc.series(0).samples[1].t + 1),
  };
}
"""


def probe(page: Page, run: ProcessRun, events: list[dict[str, Any]] | None = None,
          at: list[float] | None = None, size: int = 9) -> dict[str, Any]:
    got: dict[str, Any] = page.evaluate(
        PROBE,
        {"runId": run.run_id, "batches": batches(events or run.events, size),
         "at": at or []},
    )
    return got


def test_map_chunks_hold_their_items(js: Page) -> None:
    run = process_run(n_items=10, chunksize=4, workers=2)
    got = probe(js, run, at=[0.01, 0.3, 0.6, 0.99])
    assert got["counts"]["chunks"] == len(run.chunks) == 3  # ceil(10 / 4)
    assert got["counts"]["items"] == 10
    assert got["counts"]["maps"] == 1
    for tid, chunk in run.chunks.items():
        g = got["tasks"][str(tid)]
        assert g["chunk"] == {"mapId": 0, "first": chunk.first, "items": chunk.items}
        assert (g["started"], g["finished"], g["worker"]) == (
            chunk.started, chunk.finished, chunk.worker)
        assert g["itemEnds"] == [chunk.started + e for e in chunk.item_ends]
        # The item under a point of the bar is the one running there.
        expect = [chunk.first + min(chunk.items - 1, int(f * chunk.items)) for f in
                  (0.01, 0.3, 0.6, 0.99)]
        assert g["itemAt"] == expect, tid


def test_chunk_counts_survive_repeats_and_disorder(js: Page) -> None:
    run = process_run(n_items=16, chunksize=1, workers=2)
    in_order = probe(js, run)
    # A reconnect replays everything (repeats are ignored by seq) and arrival order may vary.
    mixed = probe(js, run, events=shuffled(run.events, 7) + run.events[:20], size=5)
    assert in_order["counts"]["chunks"] == mixed["counts"]["chunks"] == 16
    assert mixed["counts"]["items"] == 16
    assert mixed["tasks"] == in_order["tasks"]
    assert mixed["parentSpans"] == in_order["parentSpans"]


def test_pickling_spans_attach_to_their_tasks(js: Page) -> None:
    run = process_run(n_items=9, chunksize=3, workers=2)
    got = probe(js, run)
    for tid, chunk in run.chunks.items():
        g = got["tasks"][str(tid)]
        # In the order they happen: lab dumps args, worker loads, worker dumps result, lab loads.
        assert [s[1:] for s in g["serialized"]] == [
            ["parent", "args", "dumps"], ["worker", "args", "loads"],
            ["worker", "result", "dumps"], ["parent", "result", "loads"]]
        assert g["ipc"] == {"durationNs": chunk.pickling_ns, "argsBytes": chunk.args_bytes,
                            "resultBytes": chunk.result_bytes, "steps": 4}
        # The worker unpickles right before the task starts and pickles right after it ends.
        assert g["spans"]["loads"]["end"] == chunk.started
        assert g["spans"]["dumps"]["t"] == chunk.finished
    assert [tuple(s) for s in got["parentSpans"]] == sorted(run.parent_spans)
    assert got["layout"]["lab"] is True


def test_memory_series_per_process_and_the_lab(js: Page) -> None:
    run = process_run(n_items=8, chunksize=2, workers=2)
    got = probe(js, run)
    assert got["labPid"] == run.lab_pid
    assert set(got["memory"]) == set(run.memory)
    for key, samples in run.memory.items():
        assert [tuple(s) for s in got["memory"][key]] == samples
    assert got["counts"]["memorySamples"] == sum(len(s) for s in run.memory.values())
    assert got["maxRss"] == max(s[1] for ss in run.memory.values() for s in ss)
    second = run.memory["w0"][1]
    assert got["sampleAt"] == {"t": second[0], "rss": second[1], "uss": second[2]}
    assert got["layout"]["memH"] > 0


def test_a_dead_worker_breaks_the_pool_visibly(js: Page) -> None:
    run = process_run(n_items=12, chunksize=2, workers=2, kill_chunk=2)
    got = probe(js, run)
    assert run.culprit is not None and run.broken_at is not None
    assert [(b["t"], b["worker"], b["exitcode"]) for b in got["breaks"]] == [
        (run.broken_at, run.culprit, 1)]
    assert got["counts"]["breaks"] == 1
    assert ["broken", "pool 0 broken · exit 1"] in got["markers"]
    lanes = {lane["worker"]: lane for lane in got["lanes"]}
    assert lanes[run.culprit]["brokePool"] is True
    assert {w: lane["exitcode"] for w, lane in lanes.items()} == run.exits
    assert lanes[run.culprit]["exit"] == "exit 1"
    assert all(lane["exit"] == "SIGTERM" for w, lane in lanes.items() if w != run.culprit)
    assert got["counts"]["failedExits"] == len(run.exits)
    lost = got["tasks"]["2"]
    assert lost["lost"] is True and lost["bar"] == "broken" and lost["state"] == "error"
    assert lost["itemEnds"] == []  # it never finished an item
    assert all(got["tasks"][str(t)]["state"] == "cancelled" for t in run.cancelled)
    assert run.cancelled  # the chunks the broken pool never started


def test_exit_labels_name_signals(js: Page) -> None:
    got = js.evaluate("""async () => {
        const P = await import('/model/pools/processes.js');
        return [0, 1, -9, -15, -11, -42, null].map(c => [P.exitLabel(c), P.exitDescription(c)]);
    }""")
    labels = [g[0] for g in got]
    assert labels == ["exit 0", "exit 1", "SIGKILL", "SIGTERM", "SIGSEGV", "signal 42", "exited"]
    assert "killed by SIGKILL" in got[2][1]


# Lays out and renders the model, then hit-tests the middle of a chunk, a lab mark and a strip.
PICK = """
async ({events}) => {
  const { EventStore } = await import('/model/core/store.js');
  const { computeLayout, layoutOptions } = await import('/render/core/layout.js');
  const { Viewport } = await import('/render/core/viewport.js');
  const { render, markerMeasure } = await import('/render/core/timeline.js');
  const { pick } = await import('/render/core/pick.js');
  const { describe } = await import('/render/core/describe.js');
  const { visibleParentSpans, labRows } = await import('/render/pools/lablane.js');
  const store = new EventStore();
  store.append('r', events);
  const m = store.model;
  const layout = computeLayout(1200, m.lanes.list.length, layoutOptions(m));
  const canvas = document.createElement('canvas');
  canvas.width = layout.width; canvas.height = layout.height;
  const ctx = canvas.getContext('2d');
  const vp = new Viewport(layout.plotW);
  vp.update(m.endedT);
  render(ctx, m, vp, {layout, nowT: m.endedT, dpr: 1, hover: null});
  const measure = markerMeasure(ctx);
  const task = m.tasks.get(1);
  const lane = m.lanes.list.findIndex(l => l.worker === task.worker);
  const laneY = layout.lanesY + lane * layout.laneH;
  const mid = layout.plotX + vp.toX(task.startedT + 0.6 * (task.finishedT - task.startedT));
  const onTask = pick(m, vp, layout, mid, laneY + 12, m.endedT, measure);
  const onStrip = pick(m, vp, layout, mid, laneY + layout.laneH - 3, m.endedT, measure);
  const span = visibleParentSpans(m, vp)[0];
  const rows = labRows(layout);
  const onLab = pick(m, vp, layout, layout.plotX + span.x0 + 1, rows.args.y + 2, m.endedT, measure);
  const text = (h) => h ? JSON.stringify(describe(m, h, m.endedT)) : null;
  return {
    task: onTask && {type: onTask.type, id: onTask.task?.id, item: onTask.item?.index,
                     text: text(onTask)},
    strip: onStrip && {type: onStrip.type, text: text(onStrip)},
    lab: onLab && {type: onLab.type, task: onLab.span?.task, text: text(onLab)},
  };
}
"""


def test_hovering_a_chunk_a_lab_mark_and_a_memory_strip(js: Page) -> None:
    run = process_run(n_items=8, chunksize=4, workers=2)
    got = js.evaluate(PICK, {"events": run.events})
    chunk = run.chunks[1]
    assert got["task"]["type"] == "task" and got["task"]["id"] == 1
    assert got["task"]["item"] == chunk.first + int(0.6 * chunk.items)  # 60 % into the bar
    assert "items 4–7 (4 items)" in got["task"]["text"]
    assert f"{chunk.args_bytes} B to the worker" in got["task"]["text"]
    assert got["strip"]["type"] == "memory" and "RSS" in got["strip"]["text"]
    assert got["lab"]["type"] == "pickle" and got["lab"]["task"] == 0
    assert "pickles the arguments of task #0" in got["lab"]["text"]


def test_item_dividers_follow_the_level_of_detail(js: Page) -> None:
    """A 400-item chunk shows no dividers zoomed out, and dividers once items are wide."""
    run = process_run(n_items=400, chunksize=400, workers=1, item_ns=1 * MS)
    got = js.evaluate("""async ({events}) => {
        const { EventStore } = await import('/model/core/store.js');
        const { computeLayout, layoutOptions } = await import('/render/core/layout.js');
        const { Viewport } = await import('/render/core/viewport.js');
        const { render } = await import('/render/core/timeline.js');
        const store = new EventStore();
        store.append('r', events);
        const m = store.model;
        const layout = computeLayout(900, 1, layoutOptions(m));
        const canvas = document.createElement('canvas');
        canvas.width = layout.width; canvas.height = layout.height;
        const ctx = canvas.getContext('2d');
        const vp = new Viewport(layout.plotW);
        vp.update(m.endedT);
        const task = m.tasks.get(0);
        // White columns along one row through the bar's middle: divider lines.
        const whites = () => {
            render(ctx, m, vp, {layout, nowT: m.endedT, dpr: 1, hover: null});
            const y = layout.lanesY + 14;
            const row = ctx.getImageData(layout.plotX, y, layout.plotW, 1).data;
            let n = 0;
            for (let i = 0; i < row.length; i += 4) {
                if (row[i] > 200 && row[i + 1] > 200 && row[i + 2] > 200) n++;
            }
            return n;
        };
        const wide = whites();
        vp.zoomAt(vp.toX(task.startedT + 50e6), 0.05);   // ~20 items across the plot
        const zoomed = whites();
        return {wide, zoomed, itemPx: layout.plotW / (m.endedT / 1e6)};
    }""", {"events": run.events})
    assert got["itemPx"] < 3  # zoomed out, an item is under 3 px: no dividers drawn
    assert got["wide"] < 40  # only the bar's label text, no divider per item
    assert got["zoomed"] >= 15, got  # one per item boundary in view
