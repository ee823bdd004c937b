"""The browser's model of a run's Futures (v6) against a synthetic run's ground truth: each wait
on the lane (or the thread row) it happened on, with its call, the tasks it waited on, its
timeout and outcome; each done-callback on the lane of the thread that ran it; the deadlock with
its chain; the futures looked at; and the same facts whatever order the events arrive in."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page
from synthetic_futures import FutureRun, WaitRecord, future_run
from synthetic_runs import batches, shuffled

pytestmark = pytest.mark.timeout(60)

PROBE = """
async ({runId, batches, at}) => {
  const { EventStore } = await import('/model/core/store.js');
  const F = await import('/model/pools/futures.js');
  const store = new EventStore();
  for (const b of batches) store.append(runId, b);
  const f = store.model.futures;
  const wait = (w) => ({wait: w.wait, call: w.call, tasks: w.tasks, timeout_s: w.timeoutS,
    task: w.task, worker: w.worker, thread: w.thread, began: w.t, ended: w.endT,
    outcome: w.outcome, text: F.callText(w), timeoutAt: F.timeoutAt(w)});
  const lanes = {};
  for (const [worker, list] of f.lanes) lanes[worker] = list.map((w) => w.wait);
  const rows = {};
  for (const [thread, row] of f.threads) {
    rows[thread] = {waits: row.waits.map((w) => w.wait),
                    callbacks: row.callbacks.map((c) => c.task)};
  }
  const laneCallbacks = {};
  for (const [worker, list] of f.laneCallbacks) laneCallbacks[worker] = list.map((c) => c.task);
  return {
    waits: f.waits.map(wait), lanes, rows, laneCallbacks,
    callbacks: f.callbacks.map((c) => [c.task, c.name, c.worker, c.thread, c.t, c.durNs]),
    deadlocks: f.deadlocks.map((d) => [d.t, d.pool, d.chain, F.chainText(d)]),
    watched: [...f.watched.keys()].sort((a, b) => a - b),
    open: f.openWaits, seen: f.seen, longestWait: f.longestWait,
    // What a view finds in a window: waits overlapping it, open ones however old.
    inWindow: at.map(([key, t0, t1]) => f.waitsIn(key, t0, t1).map((w) => w.wait).sort()),
    cbInWindow: at.map(([key, t0, t1]) => f.callbacksIn(key, t0, t1).map((c) => c.task).sort()),
  };
}
"""


def probe(js: Page, run: FutureRun, event_batches: list[list[dict[str, Any]]],
          at: list[tuple[int | str, int, int]] | None = None) -> dict[str, Any]:
    return js.evaluate(PROBE, {"runId": run.run_id, "batches": event_batches, "at": at or []})


def test_every_wait_is_where_it_happened_with_its_call_timeout_and_outcome(js: Page) -> None:
    run = future_run(seed=3)
    out = probe(js, run, batches(run.events, 7))
    got = {w["wait"]: w for w in out["waits"]}
    assert set(got) == set(run.waits)
    for wid, rec in run.waits.items():
        w = got[wid]
        assert (w["call"], w["tasks"], w["timeout_s"], w["task"], w["worker"], w["thread"]) == (
            rec.call, rec.tasks, rec.timeout_s, rec.task, rec.worker, rec.thread), wid
        assert (w["began"], w["ended"], w["outcome"]) == (rec.began, rec.ended, rec.outcome), wid
        want_at = None if rec.timeout_s is None else rec.began + round(rec.timeout_s * 1e9)
        assert w["timeoutAt"] == want_at
    # On lanes only the waits of threads that have one; the others on their thread's row.
    on_lane = {rec.worker for rec in run.waits.values() if rec.worker is not None}
    assert {int(k) for k in out["lanes"]} == on_lane
    for worker, ids in out["lanes"].items():
        assert ids == [r.wait for r in run.waits.values() if r.worker == int(worker)]
    assert out["rows"]["MainThread"]["waits"] == [
        r.wait for r in sorted(run.waits.values(), key=lambda r: r.began)
        if r.worker is None and r.thread == "MainThread"]
    assert out["open"] == 0
    assert out["longestWait"] == max(r.ended - r.began for r in run.waits.values())
    texts = {w["wait"]: w["text"] for w in out["waits"]}
    assert texts[2] == f"result(timeout={run.waits[2].timeout_s})"
    assert texts[1] == "result()"
    assert texts[3] == "exception()"
    assert texts[4] == "as_completed([#2, #3], timeout=2.0)"


def test_callbacks_are_on_the_lane_of_the_thread_that_ran_them(js: Page) -> None:
    run = future_run(seed=5)
    out = probe(js, run, batches(run.events, 5))
    assert out["callbacks"] == [[c.task, c.name, c.worker, c.thread, c.began, c.dur_ns]
                                for c in sorted(run.callbacks, key=lambda c: c.began)]
    assert out["laneCallbacks"] == {
        str(w): [c.task for c in run.callbacks if c.worker == w]
        for w in {c.worker for c in run.callbacks if c.worker is not None}}
    assert out["rows"]["MainThread"]["callbacks"] == [
        c.task for c in run.callbacks if c.worker is None]


def test_the_deadlock_and_its_chain(js: Page) -> None:
    run = future_run(seed=7)
    out = probe(js, run, batches(run.events, 50))
    assert [d[:3] for d in out["deadlocks"]] == [[t, p, c] for t, p, c in run.deadlocks]
    assert [d[3] for d in out["deadlocks"]] == [
        " → ".join(f"#{x}" for x in [c[0][0], *(p[1] for p in c)]) for _, _, c in run.deadlocks]
    assert out["seen"] is True


def test_the_futures_looked_at_are_the_awaited_and_those_with_callbacks(js: Page) -> None:
    run = future_run(seed=9)
    out = probe(js, run, batches(run.events, 9))
    want = {t for r in run.waits.values() for t in r.tasks} | {c.task for c in run.callbacks}
    assert out["watched"] == sorted(want)


def on_row(w: WaitRecord, key: int | str) -> bool:
    """Whether a wait is drawn on lane `key` (a worker id) or thread row `key` (a name)."""
    return w.worker == key if isinstance(key, int) else w.worker is None and w.thread == key


def test_a_window_finds_the_waits_that_overlap_it_and_the_open_ones(js: Page) -> None:
    run = future_run(seed=11)
    inner = run.waits[2]
    mid = (inner.began + inner.ended) // 2
    windows: list[tuple[int | str, int, int]] = [
        (0, mid, mid + 1000),  # inside the inner wait's span, far from its start
        (0, inner.ended + 1, inner.ended + 2),  # after it
        ("MainThread", mid, mid + 1),  # the main thread's result() on #1 spans it too
    ]
    whole = probe(js, run, batches(run.events, 1000), windows)
    want = [
        sorted(w.wait for w in run.waits.values()
               if on_row(w, key)
               and w.began <= t1 and w.ended >= t0)
        for key, t0, t1 in windows]
    assert whole["inWindow"] == want
    assert want[0] == [2] and want[1] == [] and want[2] == [1]
    # Cut before the inner wait ends: it is open, and found from a window long after it began.
    cut = [e for e in run.events if e["t"] <= mid]
    part = probe(js, run, [cut], [(0, mid, mid + 1)])
    assert part["open"] == sum(1 for w in run.waits.values() if w.began <= mid < w.ended)
    assert part["inWindow"] == [[2]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_facts_do_not_depend_on_arrival_order(js: Page, seed: int) -> None:
    run = future_run(seed=seed)
    ordered = probe(js, run, batches(run.events, 4))
    mixed = probe(js, run, batches(shuffled(run.events, seed), 4))
    for key in ("waits", "callbacks", "deadlocks", "watched", "open", "longestWait",
                "laneCallbacks"):
        assert mixed[key] == ordered[key], key
