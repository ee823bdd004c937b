"""The browser's event model against the simulation's ground truth: lanes, task intervals,
queue depth, statistics, resizes, stops, replays and out-of-order arrival."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from probe import feed
from synthetic_runs import MS, Run, batch, batches, shuffled, simulate


def resize_run() -> Run:
    """A steady stream (one task per 50 ms, 300 ms each) resized 3 -> 6 and then stopped."""
    submits = [2_000 + 50 * MS * i for i in range(40)]
    return simulate(submits, 300 * MS, [(0, 3), (600 * MS, 6)], stop_at=1_500 * MS)


def probe_times(run: Run) -> list[int]:
    """Every event time, and just before and after it, where a step function can go wrong."""
    times = sorted({e["t"] for e in run.events})
    return sorted({x for t in times for x in (t - 1, t, t + 1) if x >= 0})


def check_against_truth(got: dict, run: Run) -> None:
    assert [lane["worker"] for lane in got["lanes"]] == sorted(run.workers)
    for lane in got["lanes"]:
        w = run.workers[lane["worker"]]
        assert (lane["pool"], lane["spawned"], lane["exited"]) == (w.pool, w.spawned, w.exited)
        assert lane["name"] and lane["nativeId"] == 40_000 + w.id
        ran = sorted(
            (t for t in run.tasks.values() if t.worker == w.id), key=lambda t: t.started or 0
        )
        assert lane["tasks"] == [t.id for t in ran]
    assert len(got["tasks"]) == len(run.tasks)
    for tid, task in run.tasks.items():
        g = got["tasks"][str(tid)]
        assert (g["submitted"], g["started"], g["finished"], g["cancelled"]) == (
            task.submitted, task.started, task.finished, task.cancelled)
        assert g["moves"] == task.moved_at
        expected = ("ok" if task.ok else "error") if task.finished is not None else (
            "cancelled" if task.cancelled is not None else "queued")
        assert g["state"] == expected, tid


def test_batch_run_gives_one_lane_per_worker_with_its_tasks(js: Page) -> None:
    run = batch(12, 3, fail_every=5)
    got = feed(js, run.run_id, batches(run.events, 7))
    check_against_truth(got, run)
    assert len(got["lanes"]) == 3
    assert got["finished"] == 12
    assert got["counts"]["error"] == sum(not t.ok for t in run.tasks.values()) == 2
    assert got["activeLanes"] == 0  # every worker exited at the end
    assert got["ended"] and got["endReason"] == "completed"


def test_queue_depth_is_the_exact_step_function(js: Page) -> None:
    run = resize_run()
    probes = probe_times(run)
    got = feed(js, run.run_id, batches(run.events, 16), probes)
    assert got["depths"] == [run.depth_at(t) for t in probes]
    assert got["queueMax"] == max(run.depth_at(t) for t in probes)
    assert got["queueNow"] == run.depth_at(run.ended_at)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_out_of_order_arrival_derives_the_same_model(js: Page, seed: int) -> None:
    run = resize_run()
    probes = probe_times(run)
    in_order = feed(js, run.run_id, batches(run.events, 16), probes)
    mixed = feed(js, run.run_id, batches(shuffled(run.events, seed), 16), probes)
    check_against_truth(mixed, run)
    for key in ("lanes", "tasks", "counts", "markers", "depths", "queueMax", "moved"):
        assert mixed[key] == in_order[key], key


def test_resize_shows_marker_moves_and_retired_lanes(js: Page) -> None:
    run = resize_run()
    got = feed(js, run.run_id, batches(run.events, 16))
    check_against_truth(got, run)
    assert got["markers"] == [
        {"t": t, "field": "max_workers", "old": old, "new": new} for t, old, new in run.resizes
    ]
    assert [p["maxWorkers"] for p in got["pools"]] == [3, 6]
    assert got["pools"][0]["retiredT"] == run.resizes[0][0]
    assert got["moved"] == sum(bool(t.moved_at) for t in run.tasks.values()) > 0
    # Moved tasks ran on the new pool's workers.
    for t in run.tasks.values():
        if t.moved_at and t.worker is not None:
            assert run.workers[t.worker].pool == 1
    assert got["counts"]["cancelled"] == sum(t.cancelled is not None for t in run.tasks.values())
    assert got["endReason"] == "stopped"


def test_stats_mid_run(js: Page) -> None:
    run = resize_run()
    cut = 900 * MS
    prefix = [e for e in run.events if e["t"] <= cut]
    got = feed(js, run.run_id, [prefix], now_t=cut)
    st = got["stats"]
    done = sum(1 for t in run.tasks.values() if t.finished is not None and t.finished <= cut)
    running = sum(
        1 for t in run.tasks.values()
        if t.started is not None and t.started <= cut and (t.finished or 0) > cut
    )
    submitted = sum(1 for t in run.tasks.values() if t.submitted <= cut)
    assert (st["done"], st["running"], st["total"]) == (done, running, submitted)
    assert st["queued"] == run.depth_at(cut)
    assert st["throughput"] == pytest.approx(done / (cut / 1e9))
    assert st["elapsedNs"] == cut
    # Three old workers exited after the resize; six new ones are live.
    assert (st["lanes"], st["activeLanes"]) == (9, 6)
    assert st["planned"] == 40


def test_replayed_batches_are_not_counted_twice(js: Page) -> None:
    run = batch(12, 3)
    once = feed(js, run.run_id, batches(run.events, 5))
    twice = feed(js, run.run_id, batches(run.events, 5) + batches(run.events, 9))
    assert twice["duplicates"] == len(run.events)
    assert twice["events"] == once["events"] == len(run.events)
    for key in ("lanes", "tasks", "counts", "depths", "finished"):
        assert twice[key] == once[key]


def test_a_new_run_id_starts_an_empty_model(js: Page) -> None:
    first = batch(12, 3, run_id="first")
    second = batch(4, 2, run_id="second")
    result = js.evaluate(
        """async ({a, b}) => {
            const { EventStore } = await import('/model/core/store.js');
            const store = new EventStore();
            store.append('first', a);
            const before = store.model.tasks.size;
            store.append('second', b);
            return {before, after: store.model.tasks.size, lanes: store.model.lanes.list.length,
                    runId: store.model.runId, events: store.events.length};
        }""",
        {"a": first.events, "b": second.events},
    )
    assert result == {"before": 12, "after": 4, "lanes": 2, "runId": "second",
                      "events": len(second.events)}


def test_live_clock_extrapolates_between_batches_and_stops_at_the_end(js: Page) -> None:
    result = js.evaluate(
        """async () => {
            const { LiveClock } = await import('/model/core/live.js');
            const c = new LiveClock();
            const m = {maxT: 0, endedT: null};
            const before = c.now(1000, m);
            m.maxT = 50e6; c.observe(m.maxT, 1000);     // events up to 50 ms arrived at 1000 ms
            m.maxT = 60e6; c.observe(m.maxT, 1030);     // a late batch does not move the origin
            const later = c.now(1100, m);               // 100 ms after the first batch
            m.endedT = 70e6;
            return {before, later, ended: c.now(5000, m)};
        }"""
    )
    assert result["before"] == 0
    assert result["later"] == pytest.approx(150e6)
    assert result["ended"] == 70e6


@pytest.mark.parametrize(
    ("model", "status", "expected"),
    [
        ({"runId": None, "ended": False}, None, ["idle", None]),
        ({"runId": None, "ended": False}, {"run_id": "b", "state": "running"}, ["running", "b"]),
        ({"runId": "a", "ended": True}, {"run_id": "b", "state": "running"}, ["running", "b"]),
        ({"runId": "a", "ended": False}, {"run_id": "a", "state": "running"}, ["running", "a"]),
        ({"runId": "a", "ended": True}, {"run_id": "a", "state": "running"}, ["ended", "a"]),
        ({"runId": "a", "ended": False}, {"run_id": "a", "state": "ended"}, ["ended", "a"]),
    ],
)
def test_run_state_reconciles_status_and_events(
    js: Page, model: dict, status: dict | None, expected: list
) -> None:
    got = js.evaluate(
        """async ({model, status}) => {
            const { deriveRunState } = await import('/model/core/live.js');
            const r = deriveRunState(model, status);
            return [r.state, r.runId];
        }""",
        {"model": model, "status": status},
    )
    assert got == expected
