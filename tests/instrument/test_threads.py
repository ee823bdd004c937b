"""InstrumentedThreadPoolExecutor is a drop-in ThreadPoolExecutor, and records what happened."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, ThreadPoolExecutor
from typing import Any

import pytest

from schedviz.instrument.limiter import Limiter
from schedviz.instrument.recorder import Recorder
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor, RunIds, short_repr

Factory = Callable[..., Executor]

EXECUTORS: dict[str, Factory] = {
    "plain": ThreadPoolExecutor,
    "instrumented": InstrumentedThreadPoolExecutor,
}


@pytest.fixture(params=sorted(EXECUTORS))
def make(request: pytest.FixtureRequest) -> Factory:
    return EXECUTORS[request.param]


def _sleep_then(value: int, seconds: float) -> int:
    time.sleep(seconds)
    return value


def _boom(msg: str) -> None:
    raise KeyError(msg)


# -- drop-in semantics: the same test passes for the plain and the instrumented executor ----------


def test_results_and_map_order(make: Factory) -> None:
    with make(max_workers=4) as pool:
        assert pool.submit(pow, 2, 10).result(timeout=10) == 1024
        # Later items finish first; map must still yield them in input order.
        delays = [0.08, 0.04, 0.0, 0.02, 0.06]
        got = list(pool.map(_sleep_then, range(5), delays, timeout=10))
    assert got == [0, 1, 2, 3, 4]


def test_exception_propagates_unchanged(make: Factory) -> None:
    with make(max_workers=2) as pool:
        fut = pool.submit(_boom, "missing")
        with pytest.raises(KeyError, match="missing"):
            fut.result(timeout=10)
        assert isinstance(fut.exception(), KeyError)
        with pytest.raises(KeyError):
            list(pool.map(_boom, ["a"]))


def test_pending_future_can_be_cancelled_running_one_cannot(make: Factory) -> None:
    release = threading.Event()
    with make(max_workers=1) as pool:
        running = pool.submit(release.wait, 10)
        pending = pool.submit(pow, 2, 2)
        while not running.running():  # the worker picks it up: poll the future's own state
            time.sleep(0.001)
        assert pending.cancel() is True
        assert running.cancel() is False
        release.set()
        assert running.result(timeout=10) is True
    assert pending.cancelled()
    with pytest.raises(CancelledError):
        pending.result()


def test_shutdown_refuses_new_work_and_cancel_futures(make: Factory) -> None:
    release = threading.Event()
    pool = make(max_workers=1)
    first = pool.submit(release.wait, 10)
    waiting = [pool.submit(pow, 2, i) for i in range(3)]
    while not first.running():
        time.sleep(0.001)
    pool.shutdown(wait=False, cancel_futures=True)
    release.set()
    assert first.result(timeout=10) is True
    assert all(f.cancelled() for f in waiting)
    with pytest.raises(RuntimeError, match="shutdown"):
        pool.submit(pow, 1, 1)
    pool.shutdown(wait=True)


def test_initializer_runs_once_per_worker_with_its_args(make: Factory) -> None:
    seen: list[tuple[str, int]] = []
    barrier = threading.Barrier(3, timeout=10)

    def init(tag: str) -> None:
        seen.append((tag, threading.get_ident()))

    with make(max_workers=3, initializer=init, initargs=("hi",)) as pool:
        list(pool.map(lambda _: barrier.wait(), range(3)))
    assert len(seen) == 3 and {tag for tag, _ in seen} == {"hi"}
    assert len({ident for _, ident in seen}) == 3


# -- what the instrumented executor records -----------------------------------------------------


def _kinds(rec: Recorder) -> list[tuple[Any, ...]]:
    return [(e[0], *e[2:]) for e in rec.drain()]


def test_records_one_task_lifecycle_in_order() -> None:
    rec = Recorder()
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        assert pool.submit(pow, 3, 2).result(timeout=10) == 9
    events = rec.drain()
    kinds = [e[0] for e in events]
    assert kinds[0] == "pool_created" and kinds[-1] == "worker_exited"
    assert sorted(kinds) == sorted([
        "pool_created", "worker_spawned", "task_submitted", "task_started", "task_finished",
        "pool_retired", "worker_exited",
    ])
    by_kind = {e[0]: e for e in events}
    t = {k: e[1] for k, e in by_kind.items()}
    assert t["task_submitted"] <= t["task_started"] <= t["task_finished"] <= t["worker_exited"]
    assert t["worker_spawned"] <= t["task_started"]
    spawned = by_kind["worker_spawned"]
    assert spawned[2:4] == (0, 0) and spawned[4].startswith("pool0")
    assert by_kind["task_finished"][2:] == (0, 0, True, "9", None)


def test_records_exception_and_cancellation() -> None:
    rec = Recorder()
    release = threading.Event()
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        blocker = pool.submit(release.wait, 10)
        failing = pool.submit(_boom, "nope")
        cancelled = pool.submit(pow, 1, 1)
        assert cancelled.cancel()
        release.set()
        blocker.result(timeout=10)
        with pytest.raises(KeyError):
            failing.result(timeout=10)
    events = _kinds(rec)
    assert ("task_cancelled", 2, "cancelled") in events
    finished = [e for e in events if e[0] == "task_finished"]
    assert ("task_finished", 1, 0, False, None, "KeyError('nope')") in finished
    assert not any(e[0] == "task_started" and e[1] == 2 for e in events)


def test_move_pending_keeps_ids_and_results() -> None:
    rec, ids = Recorder(), RunIds()
    release = threading.Event()
    old = InstrumentedThreadPoolExecutor(1, recorder=rec, ids=ids)
    new = InstrumentedThreadPoolExecutor(2, recorder=rec, ids=ids)
    try:
        running = old.submit(release.wait, 10)
        while not running.running():
            time.sleep(0.001)
        waiting = [old.submit(pow, 2, i) for i in range(4)]
        moved = old.move_pending(new)
        assert sorted(moved) == [1, 2, 3, 4]
        assert all(f.cancelled() for f in waiting)
        assert [moved[i][1].result(timeout=10) for i in (1, 2, 3, 4)] == [1, 2, 4, 8]
        release.set()
        assert running.result(timeout=10) is True
    finally:
        release.set()
        old.shutdown()
        new.shutdown()
    events = _kinds(rec)
    assert [e for e in events if e[0] == "task_moved"] == [
        ("task_moved", i, old.pool_id, new.pool_id) for i in (1, 2, 3, 4)
    ]
    assert not any(e[0] == "task_cancelled" for e in events), "a move is not a cancellation"
    assert old.pending_count() == 0 and new.pending_count() == 0


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


def test_limiter_caps_running_tasks_across_pools() -> None:
    rec, ids, gate = Recorder(), RunIds(), Limiter(2)
    peak = 0
    running = 0
    lock = threading.Lock()

    def task() -> None:
        nonlocal peak, running
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    with (
        InstrumentedThreadPoolExecutor(3, recorder=rec, ids=ids, limiter=gate) as a,
        InstrumentedThreadPoolExecutor(3, recorder=rec, ids=ids, limiter=gate) as b,
    ):
        futures = [p.submit(task) for p in (a, b) for _ in range(6)]
        for f in futures:
            f.result(timeout=10)
    assert peak == 2, "six workers in two pools, but the shared cap is 2"
