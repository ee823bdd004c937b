"""What the instrumented executors record, against real threads and real worker processes."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pool_tasks import boom, die_after_file, square, wait_for_file

from schedviz.instrument.common import RunIds, short_repr
from schedviz.instrument.processes import InstrumentedProcessPoolExecutor
from schedviz.instrument.recorder import Recorder
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor
from schedviz.lab.flusher import to_compact
from schedviz.protocol import expand, validate_event

Make = Callable[..., Any]


def _threads(n: int, **kw: Any) -> InstrumentedThreadPoolExecutor:
    return InstrumentedThreadPoolExecutor(n, **kw)


def _processes(method: str) -> Make:
    def make(n: int, **kw: Any) -> InstrumentedProcessPoolExecutor:
        return InstrumentedProcessPoolExecutor(
            n, mp_context=multiprocessing.get_context(method), **kw
        )

    return make


POOLS: dict[str, Make] = {"threads": _threads, "fork": _processes("fork"),
                          "spawn": _processes("spawn")}


@pytest.fixture(params=sorted(POOLS))
def make(request: pytest.FixtureRequest) -> Make:
    return POOLS[request.param]


@pytest.fixture(params=["fork", "forkserver"])
def make_process(request: pytest.FixtureRequest) -> Make:
    return POOLS.get(request.param) or _processes(request.param)


def events(rec: Recorder) -> list[dict[str, Any]]:
    """The recorder's events as validated wire dicts, in time order."""
    out = [expand(e) for e in to_compact(rec.drain(), 0, rec.t0)]
    for e in out:
        validate_event(e)
    return sorted(out, key=lambda e: e["t"])


def of(evs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in evs if e["kind"] == kind]






def total(numbers: list[float]) -> float:
    return sum(numbers)






def test_one_task_lifecycle_in_order(make: Make) -> None:
    rec = Recorder()
    with make(1, recorder=rec) as pool:
        assert pool.submit(square, 3).result(timeout=30) == 9
    evs = events(rec)
    t = {e["kind"]: e["t"] for e in evs}
    assert evs[0]["kind"] == "pool_created"
    assert t["worker_spawned"] <= t["task_started"] <= t["task_finished"] <= t["worker_exited"]
    assert t["task_submitted"] <= t["task_started"]
    (fin,) = of(evs, "task_finished")
    assert (fin["task"], fin["ok"], fin["result"], fin["error"]) == (0, True, "9", None)
    (spawned,) = of(evs, "worker_spawned")
    assert fin["worker"] == spawned["worker"] == 0
    assert of(evs, "task_submitted")[0]["args"] == "(3,)"


def test_processes_report_readiness_exit_codes_and_every_pickling_step(make_process: Make) -> None:
    rec = Recorder()
    with make_process(1, recorder=rec) as pool:
        pool.submit(square, 3).result(timeout=30)
    evs = events(rec)
    (spawned,), (ready,), (exited,) = (of(evs, k) for k in
                                        ("worker_spawned", "worker_ready", "worker_exited"))
    assert spawned["native_id"] == ready["pid"] != os.getpid()
    assert spawned["t"] < ready["t"] <= of(evs, "task_started")[0]["t"]
    assert exited["exitcode"] == 0
    steps = [(e["side"], e["what"], e["op"]) for e in of(evs, "serialized")]
    assert sorted(steps) == sorted([("parent", "args", "dumps"), ("worker", "args", "loads"),
                                    ("worker", "result", "dumps"), ("parent", "result", "loads")])
    assert all(e["nbytes"] > 0 and e["duration_ns"] >= 0 for e in of(evs, "serialized"))


def test_a_large_argument_shows_its_pickled_size() -> None:
    rec = Recorder()
    numbers = [float(i) for i in range(100_000)]
    with _processes("fork")(1, recorder=rec) as pool:
        assert pool.submit(total, numbers).result(timeout=30) == sum(numbers)
    sent = [e for e in of(events(rec), "serialized") if e["what"] == "args"]
    assert {e["op"] for e in sent} == {"dumps", "loads"}
    assert all(e["nbytes"] >= 8 * 100_000 for e in sent)  # 8 bytes a float, at least


def test_exception_and_cancellation(make: Make, tmp_path: Path) -> None:
    rec = Recorder()
    release = str(tmp_path / "go")
    with make(1, recorder=rec) as pool:
        blocker = pool.submit(wait_for_file, release)
        failing = pool.submit(boom, "nope")
        queued = [pool.submit(square, i) for i in range(3)]
        while not blocker.running():
            time.sleep(0.001)
        assert queued[-1].cancel()
        Path(release).touch()
        blocker.result(timeout=30)
        with pytest.raises(KeyError):
            failing.result(timeout=30)
    evs = events(rec)
    assert [(e["task"], e["reason"]) for e in of(evs, "task_cancelled")] == [(4, "cancelled")]
    (failed,) = [e for e in of(evs, "task_finished") if not e["ok"]]
    assert (failed["task"], failed["error"]) == (1, "KeyError('nope')")
    assert 4 not in {e["task"] for e in of(evs, "task_started")}


def test_map_chunks_hold_their_items(make_process: Make) -> None:
    rec = Recorder()
    with make_process(2, recorder=rec) as pool:
        assert list(pool.map(square, range(16), chunksize=4)) == [x * x for x in range(16)]
        assert list(pool.map(square, range(16), chunksize=1)) == [x * x for x in range(16)]
    evs = events(rec)
    subs = of(evs, "task_submitted")
    first_map = [s for s in subs if s["map_id"] == 0]
    assert [(s["first_item"], s["items"]) for s in first_map] == [(0, 4), (4, 4), (8, 4), (12, 4)]
    assert first_map[1]["args"] == "((4,), (5,), (6,), (7,))"
    assert len([s for s in subs if s["map_id"] == 1]) == 16
    finished = {e["task"]: e for e in of(evs, "task_finished")}
    started = {e["task"]: e for e in of(evs, "task_started")}
    for s in first_map:
        ends = finished[s["task"]]["item_ends"]
        span = finished[s["task"]]["t"] - started[s["task"]]["t"]
        assert len(ends) == 4 and ends == sorted(ends) and ends[0] >= 0 and ends[-1] <= span
        assert finished[s["task"]]["worker"] == started[s["task"]]["worker"]


def test_thread_map_submits_each_item(make: Make) -> None:
    rec = Recorder()
    with make(2, recorder=rec) as pool:
        list(pool.map(square, range(6), chunksize=3))
    subs = of(events(rec), "task_submitted")
    items = [s["items"] for s in subs]
    if isinstance(pool, InstrumentedThreadPoolExecutor):
        assert items == [None] * 6  # a thread pool ignores chunksize, as the plain one does
    else:
        assert items == [3, 3]


def test_move_pending_keeps_ids(make: Make, tmp_path: Path) -> None:
    rec, ids = Recorder(), RunIds()
    release = str(tmp_path / "go")
    old, new = make(1, recorder=rec, ids=ids), make(2, recorder=rec, ids=ids)
    try:
        running = old.submit(wait_for_file, release)
        while not running.running():
            time.sleep(0.001)
        waiting = [old.submit(square, i) for i in range(4)]
        new_futures = {}
        moved = old.move_pending(
            new.pool_id,
            lambda task, fn, args, kw: new_futures.setdefault(
                task, new.submit_task(task, fn, *args)
            ),
        )
        assert moved and all(f.cancelled() for f in moved.values())
        assert sorted(new_futures) == sorted(moved)
        assert [new_futures[t].result(timeout=30) for t in sorted(moved)] == [
            square(t - 1) for t in sorted(moved)
        ]
        Path(release).touch()
        assert running.result(timeout=30) is True
        # A process pool had already queued one call to its workers: that one ran here.
        for i, f in enumerate(waiting):
            assert f.cancelled() or f.result(timeout=30) == square(i)
    finally:
        Path(release).touch()
        old.shutdown()
        new.shutdown()
    evs = events(rec)
    assert [(e["task"], e["from_pool"], e["to_pool"]) for e in of(evs, "task_moved")] == [
        (t, old.pool_id, new.pool_id) for t in sorted(moved)
    ]
    assert not of(evs, "task_cancelled"), "a move is not a cancellation"


def test_a_killed_worker_is_named_with_its_pid(make_process: Make, tmp_path: Path) -> None:
    rec = Recorder()
    release = str(tmp_path / "go")
    pool = make_process(1, recorder=rec)
    doomed = pool.submit(die_after_file, release)
    while not doomed.running():
        time.sleep(0.001)
    queued = [pool.submit(square, i) for i in range(3)]
    Path(release).touch()
    with pytest.raises(Exception, match="terminated abruptly"):
        doomed.result(timeout=30)
    pool.shutdown(wait=True)
    evs = events(rec)
    (spawned,) = of(evs, "worker_spawned")
    (broken,) = of(evs, "pool_broken")
    assert (broken["worker"], broken["pid"], broken["exitcode"]) == (
        spawned["worker"], spawned["native_id"], 7)
    assert f"pid {spawned['native_id']}" in broken["message"]
    (died,) = [e for e in of(evs, "task_finished") if e["task"] == 0]
    assert not died["ok"] and "BrokenProcessPool" in died["error"]
    assert {e["task"] for e in of(evs, "task_cancelled")} == {1, 2, 3}
    assert all(f.done() for f in queued)
    assert of(evs, "worker_exited")[0]["exitcode"] == 7


def test_full_buffer_counts_drops_instead_of_growing() -> None:
    rec = Recorder(capacity=3)
    for i in range(5):
        rec.record("queue_depth", i)
    assert len(rec) == 3 and rec.dropped == 2
    assert [e[2] for e in rec.drain()] == [0, 1, 2]


def test_short_repr_bounds_huge_and_broken_results() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    assert len(short_repr(list(range(100_000)))) < 200
    assert "Broken" in short_repr(Broken())  # a broken __repr__ must not raise
