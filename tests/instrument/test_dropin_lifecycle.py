"""Drop-in behaviour at the edges of a pool's life, as CPython's own test_concurrent_futures checks
it: a pool dropped without shutdown(), a call that fails to unpickle in its worker, the plain
pool's defaults. Every case runs against the plain and the instrumented executors; the conftest's
`no_leftovers` fixture fails any case that leaves a thread or a child process behind.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import threading
import time
import weakref
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from pool_tasks import ErrorAtPickle, ErrorAtUnpickle, ExitAtUnpickle, square, wait_for_file
from test_dropin import EXECUTORS, PROCESSES, THREADS, Factory

from schedviz.instrument.processes import InstrumentedProcessPoolExecutor
from schedviz.instrument.recorder import Recorder
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor

DEADLINE_S = 30.0


ALL = pytest.mark.parametrize("executor", sorted(EXECUTORS))
PROCESS_POOLS = pytest.mark.parametrize("executor", sorted(PROCESSES))


def _collected(ref: weakref.ref[Any]) -> bool:
    """Whether the referent is gone, collecting until a deadline (a worker may still be
    dropping its last reference to a task as this starts)."""
    deadline = time.monotonic() + DEADLINE_S
    while ref() is not None and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.01)
    return ref() is None


def _end_all(threads: list[threading.Thread], processes: list[Any]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    for p in processes:
        # The pool joins its workers too: a join that loses the race to reap one returns
        # before the winner has set its exit code, so poll until it shows.
        while p.is_alive() and time.monotonic() < deadline:
            p.join(0.05)
        assert not p.is_alive(), f"worker process {p.pid} still running"
    for t in threads:
        t.join(DEADLINE_S)
        assert not t.is_alive(), f"thread {t.name} still running"


@ALL
def test_a_pool_dropped_without_shutdown_is_collected_and_its_workers_end(executor: str) -> None:
    make: Factory = EXECUTORS[executor]
    before = set(threading.enumerate())
    pool = make(max_workers=3)
    futures = [pool.submit(square, i) for i in range(6)]  # kept: a future must not hold its pool
    assert [f.result(timeout=DEADLINE_S) for f in futures] == [i * i for i in range(6)]
    results = pool.map(square, range(4))  # a live map iterator must not hold it either
    # Private, read only, as CPython's own test_del_shutdown reads it.
    processes = list(getattr(pool, "_processes", {}).values())
    ref = weakref.ref(pool)
    del pool
    assert _collected(ref), "the dropped pool is still referenced"
    _end_all([t for t in threading.enumerate() if t not in before], processes)
    assert list(results) == [0, 1, 4, 9]  # computed before the pool shut down


def test_a_thread_pool_dropped_with_work_queued_runs_it_then_ends(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    release = tmp_path / "release"
    pool = InstrumentedThreadPoolExecutor(1)
    blocker = pool.submit(wait_for_file, str(release))
    queued = [pool.submit(square, i) for i in range(3)]
    ref = weakref.ref(pool)
    del pool
    release.touch()
    assert blocker.result(timeout=DEADLINE_S) is True
    assert [f.result(timeout=DEADLINE_S) for f in queued] == [0, 1, 4]
    assert _collected(ref)
    _end_all([t for t in threading.enumerate() if t not in before], [])


@pytest.mark.parametrize("kind", ["threads", "spawn", "fork"])
def test_a_dropped_instrumented_pool_records_its_retirement_and_every_exit(kind: str) -> None:
    before = set(threading.enumerate())
    rec = Recorder()
    pool: Any
    if kind == "threads":
        pool = InstrumentedThreadPoolExecutor(2, recorder=rec)
    else:
        pool = InstrumentedProcessPoolExecutor(
            2, mp_context=multiprocessing.get_context(kind), recorder=rec)
    assert [pool.submit(square, i).result(timeout=DEADLINE_S) for i in range(4)] == [0, 1, 4, 9]
    processes = list(getattr(pool, "_processes", {}).values())
    ref = weakref.ref(pool)
    del pool
    assert _collected(ref)
    _end_all([t for t in threading.enumerate() if t not in before], processes)
    events = rec.drain()
    kinds = [e[0] for e in events]
    assert kinds.count("pool_retired") == 1
    spawned = {e[2] for e in events if e[0] == "worker_spawned"}
    exited = {e[2] for e in events if e[0] == "worker_exited"}
    assert spawned and exited == spawned
    if kind != "threads":
        assert all(e[4] == 0 for e in events if e[0] == "worker_exited")  # exit codes


@PROCESS_POOLS
@pytest.mark.parametrize("arg", [ErrorAtUnpickle(), ExitAtUnpickle()],
                         ids=["error-at-unpickle", "exit-at-unpickle"])
def test_a_call_that_fails_to_unpickle_in_its_worker_breaks_the_pool(
    executor: str, arg: object
) -> None:
    with PROCESSES[executor](max_workers=2) as pool:
        fut = pool.submit(id, arg)
        with pytest.raises(BrokenProcessPool):
            fut.result(timeout=DEADLINE_S)
        with pytest.raises(BrokenProcessPool):  # broken for good, as the plain pool
            pool.submit(square, 2)


@PROCESS_POOLS
def test_a_call_that_cannot_be_pickled_fails_alone(executor: str) -> None:
    with PROCESSES[executor](max_workers=1) as pool:
        bad = pool.submit(id, ErrorAtPickle())
        with pytest.raises(Exception, match="pickling failed on purpose"):
            bad.result(timeout=DEADLINE_S)
        assert pool.submit(square, 3).result(timeout=DEADLINE_S) == 9  # not broken


def test_the_unpickling_failure_is_recorded_as_a_broken_pool() -> None:
    rec = Recorder()
    ctx = multiprocessing.get_context("spawn")
    with InstrumentedProcessPoolExecutor(1, mp_context=ctx, recorder=rec) as pool:
        fut = pool.submit(id, ErrorAtUnpickle())
        with pytest.raises(BrokenProcessPool):
            fut.result(timeout=DEADLINE_S)
    events = rec.drain()
    broken = [e for e in events if e[0] == "pool_broken"]
    assert len(broken) == 1
    assert broken[0][-1] == 1  # the worker's exit code, as multiprocessing's bootstrap sets it
    task = next(e[2] for e in events if e[0] == "task_submitted")
    assert ("task_cancelled", task, "pool_broken") in [e[:1] + e[2:] for e in events]


@pytest.mark.parametrize("cls", [ProcessPoolExecutor, InstrumentedProcessPoolExecutor])
def test_max_tasks_per_child_defaults_to_spawn_and_is_validated(cls: type[Any]) -> None:
    pool = cls(1, max_tasks_per_child=3)
    try:
        assert pool._mp_context.get_start_method() == "spawn"  # private, as CPython's test
        assert pool.submit(square, 4).result(timeout=DEADLINE_S) == 16
    finally:
        pool.shutdown()
    fds = len(os.listdir("/proc/self/fd"))
    with pytest.raises(ValueError, match="max_tasks_per_child"):
        cls(1, max_tasks_per_child=0)
    with pytest.raises(ValueError, match="incompatible"):
        cls(1, mp_context=multiprocessing.get_context("fork"), max_tasks_per_child=1)
    assert len(os.listdir("/proc/self/fd")) == fds  # a refused pool leaves no pipe open


@pytest.mark.parametrize("cls", [ThreadPoolExecutor, InstrumentedThreadPoolExecutor])
def test_worker_threads_are_named_as_in_the_plain_pool(cls: type[Any]) -> None:
    with cls(2) as pool:
        pool.submit(square, 1).result(timeout=DEADLINE_S)
        names = [t.name for t in pool._threads]  # private, as CPython's test reads it
    assert names and all(re.fullmatch(r"ThreadPoolExecutor-\d+_[01]", n) for n in names)
    with cls(1, thread_name_prefix="mine") as pool:
        pool.submit(square, 1).result(timeout=DEADLINE_S)
        assert [t.name for t in pool._threads] == ["mine_0"]


class _Owner:
    def method(self) -> int:
        return 1


@pytest.mark.parametrize("executor", sorted(THREADS))
def test_a_task_that_ran_leaves_no_reference_to_its_call(executor: str) -> None:
    """As CPython's test_no_stale_references: a task's callable is freed once it ran, also when
    a new worker thread ran it before submit() returned (each submit here starts a thread)."""
    owner = _Owner()
    ref = weakref.ref(owner)
    with THREADS[executor](max_workers=8) as pool:
        futures = [pool.submit(owner.method) for _ in range(8)]
        del owner
        assert [f.result(timeout=DEADLINE_S) for f in futures] == [1] * 8
        recorder = getattr(pool, "recorder", None)
        if recorder is not None:
            recorder.drain()  # what a run's flusher does every ~30 ms
        assert _collected(ref), "a task's callable is still referenced after it ran"


def test_a_process_pool_that_cannot_start_its_threads_is_broken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As CPython's test_python_finalization_error: a thread that cannot be started (the
    interpreter is shutting down) breaks the pool instead of leaving it half started."""
    rec = Recorder()
    pool = InstrumentedProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn"), recorder=rec)
    real_start = threading.Thread.start

    def start(self: threading.Thread) -> None:
        if self.name.endswith("-exits"):
            raise RuntimeError("can't create new thread at interpreter shutdown")
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    with pool:
        with pytest.raises(BrokenProcessPool):
            pool.submit(square, 2)
        with pytest.raises(BrokenProcessPool):
            list(pool.map(square, [1, 2]))
    assert [e[0] for e in rec.drain()] == ["pool_created", "pool_broken"]


def test_a_process_pool_never_used_starts_no_thread_and_closes_its_pipes() -> None:
    before = set(threading.enumerate())
    fds = len(os.listdir("/proc/self/fd"))
    pool = InstrumentedProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    assert set(threading.enumerate()) == before  # as the plain pool: threads at first submit
    pool.shutdown()
    assert len(os.listdir("/proc/self/fd")) == fds
