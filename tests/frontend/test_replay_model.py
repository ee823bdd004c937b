"""Replay on real runs: wherever the cursor goes (forwards, back, in jumps or steps), the model
is exactly the model of the events up to the cursor, applied from scratch.

"Exactly" is checked on everything a view can read: every public field of the model and its
facts (tasks, lanes, pools, the queue, process facts, GIL tracks, thread states, asyncio tasks,
steps, waiters, slow steps) plus the answers of the queries views ask (queue depths, GIL totals
and shares over ranges, thread-state totals and pieces, asyncio sync objects and ready series).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page
from synthetic_futures import future_run

from tracedruns import trace_example

pytestmark = pytest.mark.browser

# A snapshot of everything observable, and a walk of the cursor comparing it with a fresh model.
WALK = """
async ([events, plan]) => {
  const { Replay } = await import("/model/core/replay.js");
  const { TimelineModel } = await import("/model/core/timeline.js");
  const { summarizeGil } = await import("/model/gil/holders.js");
  const { summarizeThreadStates } = await import("/model/gil/threadstates.js");

  function plain(x, seen) {
    if (x === null || typeof x !== "object") return typeof x === "function" ? undefined : x;
    if (ArrayBuffer.isView(x)) return Array.from(/** @type {any} */ (x));
    if (seen.has(x)) return "[seen]";
    seen.add(x);
    let out;
    if (x instanceof Map) out = { map: [...x.entries()].map(([k, v]) => [k, plain(v, seen)]) };
    else if (x instanceof Set) out = { set: [...x] };
    else if (Array.isArray(x)) out = x.map((v) => plain(v, seen));
    else {
      out = {};
      // `edits` counts changes for views' bookkeeping (how many, not what): not the state.
      for (const k of Object.keys(x)) {
        if (!k.startsWith("_") && k !== "edits") out[k] = plain(x[k], seen);
      }
    }
    seen.delete(x);
    return out;
  }

  function merged(pieces) {
    const out = [];
    for (const p of pieces) {
      const last = out[out.length - 1];
      if (last && last[1] === p[0] && last[2] === p[2]) last[1] = p[1];
      else out.push(p);
    }
    return out;
  }

  function snapshot(m, endT) {
    const span = [m.maxT * 0.25, m.maxT * 0.75];
    const gil = [...m.gil.tracks.values()].map((tr) => ({
      totals: plain(tr.totals(endT), new Set()),
      between: plain(tr.statsBetween(span[0], span[1], endT), new Set()),
      at: tr.indexAt(span[1]),
    }));
    const threads = [...m.threads.workers.values()].map((ws) => {
      const pieces = [];
      m.threads.forEachPiece(ws, 0, endT, endT, (a, b, c) => pieces.push([a, b, c]));
      return {
        totals: Array.from(m.threads.totals(ws, endT)),
        pieces: merged(pieces),
        span: plain(m.threads.spanAt(ws, span[1], endT), new Set()),
      };
    });
    const exitOf = (w) => m.lanes.byWorker.get(w)?.exitedT ?? m.endedT ?? endT;
    // Waiter counts are worked out when asked for (their `max` is valid after that).
    const sync = plain(m.aio.syncObjects(), new Set());
    return JSON.stringify({
      model: plain(m, new Set()),
      queue: { depths: m.queue.depths(), max: m.queue.max(), current: m.queue.current(),
               at: m.queue.depthAt(span[1]) },
      gil, threads,
      gilSummary: summarizeGil(m.gil, m.endedT ?? endT),
      threadSummary: plain(summarizeThreadStates(m.threads, exitOf), new Set()),
      sync,
      ready: m.aio.readySeries(),
      // v6: what a view finds of the waits and callbacks in a window (open waits included).
      futures: [...m.futures.lanes.keys(), ...m.futures.threads.keys()].map((key) => [
        key, m.futures.waitsIn(key, span[0], span[1]).map((w) => w.wait),
        m.futures.callbacksIn(key, span[0], span[1]).map((c) => c.seq)]),
    });
  }

  function firstDifference(a, b) {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    return `at char ${i}: replayed …${a.slice(Math.max(0, i - 150), i + 150)}… ` +
      `fresh …${b.slice(Math.max(0, i - 150), i + 150)}…`;
  }

  const replay = new Replay(events);
  const n = replay.length;
  const problems = [];
  let checks = 0;
  for (const step of plan) {
    if (step === "next") replay.stepEvent(1);
    else if (step === "prev") replay.stepEvent(-1);
    else if (step === "next-task") replay.stepTaskChange(1);
    else if (step === "prev-task") replay.stepTaskChange(-1);
    else replay.seekIndex(Math.round(step * n));
    const fresh = new TimelineModel();
    for (let i = 0; i < replay.pos; i++) fresh.apply(replay.events[i]);
    const endT = replay.cursorT;
    const got = snapshot(replay.model, endT);
    const want = snapshot(fresh, endT);
    checks++;
    if (got !== want) {
      const where = `after ${JSON.stringify(step)} (pos ${replay.pos} of ${n})`;
      problems.push(`${where}: ${firstDifference(got, want)}`);
      if (problems.length > 2) break;
    }
  }
  return { n, checks, problems, tasks: replay.model.tasks.size + replay.model.aio.tasks.size };
}
"""

# Jumps forwards and back (some past half the run, which rebuild), single steps back and
# forwards by event and by task change, to the start and to the end.
PLAN: list[Any] = [
    1.0, 0.5, "prev", "prev", "prev", "next", 0.75, 0.74, 0.3, "prev-task", "prev-task",
    "next-task", 0.9, 0.02, 0.0, "next", "next", 1.0, "prev", "prev-task", 0.6, 0.61, 0.59,
    0.1, 0.95, 0.5,
]


@pytest.mark.parametrize("run", ["threads", "processes", "crash", "asyncio", "gil", "blocking",
                                 "queue"])
def test_the_model_at_the_cursor_is_the_model_of_the_events_before_it(
        js: Page, real_runs: dict[str, list[dict[str, Any]]], run: str) -> None:
    out = js.evaluate(WALK, [real_runs[run], PLAN])
    assert not out["problems"], "\n".join(out["problems"])
    assert out["checks"] == len(PLAN)
    assert out["tasks"] > 0, "the walk ended on a cursor with tasks to compare"


@pytest.fixture(scope="module")
def future_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """v6: runs with waits on futures, callbacks and deadlocks: a synthetic one, and the two
    lessons' programs traced (deadlocks ended by timeouts; the Future API with its callbacks,
    a cancel, an exception and a timeout)."""
    folder = tmp_path_factory.mktemp("future-runs")
    return {"synthetic": future_run(seed=4).events,
            "deadlock": trace_example(folder, "lesson_deadlock", "0.3").events,
            "future-api": trace_example(folder, "lesson_future_api").events}


@pytest.mark.parametrize("run", ["synthetic", "deadlock", "future-api"])
def test_future_facts_at_the_cursor_are_those_of_the_events_before_it(
        js: Page, future_runs: dict[str, list[dict[str, Any]]], run: str) -> None:
    events = future_runs[run]
    kinds = {e["kind"] for e in events}
    assert {"future_wait", "future_wait_ended"} <= kinds, kinds
    assert kinds & {"deadlock", "future_callback"}, kinds
    out = js.evaluate(WALK, [events, PLAN])
    assert not out["problems"], "\n".join(out["problems"])
    assert out["checks"] == len(PLAN)


def test_a_step_back_takes_back_one_time_group(js: Page,
                                               real_runs: dict[str, list[dict[str, Any]]]) -> None:
    out = js.evaluate("""
    async (events) => {
      const { Replay } = await import("/model/core/replay.js");
      const r = new Replay(events);
      r.seekIndex(r.length);
      const ends = [r.pos];
      for (let k = 0; k < 3; k++) { r.stepEvent(-1); ends.push(r.pos); }
      const times = ends.map((p) => r.events[p - 1].t);
      // Each step lands on the previous distinct time: no event of a later time is applied.
      const later = (p) => r.events.slice(p).every((e) => e.t > r.events[p - 1].t);
      const clean = ends.slice(1).every(later);
      return { ends, times, clean, cursor: r.cursorT };
    }
    """, real_runs["threads"])
    ends, times = out["ends"], out["times"]
    assert ends[0] > ends[1] > ends[2] > ends[3]
    assert times[0] > times[1] > times[2] > times[3]
    assert out["clean"]
    assert out["cursor"] == times[3]


GIL_RANGES = """
async ([events, plan]) => {
  const { Replay } = await import("/model/core/replay.js");
  // Cuts between nanoseconds make sums whose last bits depend on the order they were added
  // in: compare to a thousandth of a nanosecond.
  const round = (_k, v) => (typeof v === "number" ? Math.round(v * 1e3) / 1e3 : v);
  const plain = (s) => JSON.stringify({ ...s, held: [...s.held.entries()].sort() }, round);
  const replay = new Replay(events);
  const problems = [];
  let compared = 0;
  for (const step of plan) {
    if (typeof step !== "number") continue;
    replay.seekIndex(Math.round(step * replay.length));
    const endT = replay.cursorT + 1e6;
    for (const track of replay.model.gil.tracks.values()) {
      const first = track.changes[0]?.t ?? 0;
      const span = Math.max(1, endT - first);
      const cuts = [-1e9, first - 1e5, first, first + span * 0.1, first + span * 0.37,
                    first + span * 0.5, first + span * 0.9, endT, endT + 1e9];
      for (const a of cuts) {
        for (const b of cuts) {
          compared++;
          const fast = plain(track.statsBetween(a, b, endT));
          const slow = plain(track.scanStats(a, b, endT));
          if (fast !== slow && problems.length < 3) {
            problems.push(`[${a}, ${b}]: ${fast} vs ${slow}`);
          }
        }
      }
    }
  }
  return { compared, problems };
}
"""


@pytest.mark.parametrize("run", ["threads", "processes", "gil"])
def test_gil_time_between_two_moments_is_what_walking_every_piece_gives(
        js: Page, real_runs: dict[str, list[dict[str, Any]]], run: str) -> None:
    out = js.evaluate(GIL_RANGES, [real_runs[run], PLAN])
    assert not out["problems"], out["problems"]
    assert out["compared"] > 1000
