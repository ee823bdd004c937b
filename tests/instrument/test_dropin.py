"""The instrumented executors are drop-ins: the same tests pass for the plain executors.

Every test runs against threads and processes (spawn, fork, forkserver), plain and instrumented
(cf. CPython's create_executor_tests).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from pool_tasks import boom, die, square, wait_for_file

from schedviz.instrument.processes import InstrumentedProcessPoolExecutor
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor

Factory = Callable[..., Executor]


def _process_factory(cls: type[ProcessPoolExecutor], method: str) -> Factory:
    def make(max_workers: int, **kw: Any) -> Executor:
        return cls(max_workers, mp_context=multiprocessing.get_context(method), **kw)

    return make


THREADS: dict[str, Factory] = {
    "threads-plain": ThreadPoolExecutor,
    "threads-instrumented": InstrumentedThreadPoolExecutor,
}
PROCESSES: dict[str, Factory] = {}
for _method in ("spawn", "fork", "forkserver"):
    PROCESSES[f"{_method}-plain"] = _process_factory(ProcessPoolExecutor, _method)
    PROCESSES[f"{_method}-instrumented"] = _process_factory(
        InstrumentedProcessPoolExecutor, _method
    )
EXECUTORS = {**THREADS, **PROCESSES}


@pytest.fixture(params=sorted(EXECUTORS))
def make(request: pytest.FixtureRequest) -> Factory:
    return EXECUTORS[request.param]


@pytest.fixture(params=sorted(PROCESSES))
def make_process(request: pytest.FixtureRequest) -> Factory:
    return PROCESSES[request.param]


@pytest.fixture(params=sorted(THREADS))
def make_thread(request: pytest.FixtureRequest) -> Factory:
    return THREADS[request.param]




def sleep_then(value: int, seconds: float) -> int:
    time.sleep(seconds)
    return value








def add_pid(x: int) -> tuple[int, int]:
    return x, os.getpid()


_init_tag: str | None = None


def remember(tag: str) -> None:
    global _init_tag
    _init_tag = tag


def recall(_: object) -> str | None:
    return _init_tag


def test_results_and_map_order(make: Factory) -> None:
    with make(max_workers=3) as pool:
        assert pool.submit(pow, 2, 10).result(timeout=30) == 1024
        delays = [0.06, 0.03, 0.0, 0.02, 0.04]  # later items finish first
        assert list(pool.map(sleep_then, range(5), delays, timeout=30)) == [0, 1, 2, 3, 4]
        assert list(pool.map(square, range(23), chunksize=5)) == [x * x for x in range(23)]
        assert list(pool.map(square, [])) == []


def test_map_rejects_a_chunksize_below_one_like_the_plain_pool(make_process: Factory) -> None:
    with make_process(max_workers=1) as pool, pytest.raises(ValueError, match="chunksize"):
        pool.map(square, range(3), chunksize=0)


def test_exception_propagates_unchanged(make: Factory) -> None:
    with make(max_workers=2) as pool:
        fut = pool.submit(boom, "missing")
        with pytest.raises(KeyError, match="missing"):
            fut.result(timeout=30)
        assert isinstance(fut.exception(), KeyError)
        with pytest.raises(KeyError):
            list(pool.map(boom, ["a"], chunksize=2))


def test_unpicklable_call_fails_its_future_not_submit(make_process: Factory) -> None:
    with make_process(max_workers=1) as pool:
        fut = pool.submit(lambda: 1)  # lambdas cannot be pickled
        with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
            fut.result(timeout=30)
        assert pool.submit(square, 3).result(timeout=30) == 9  # the pool still works


def test_pending_future_can_be_cancelled_running_one_cannot(
    make: Factory, tmp_path: Path
) -> None:
    release = str(tmp_path / "release")
    with make(max_workers=1) as pool:
        running = pool.submit(wait_for_file, release)
        queued = [pool.submit(square, i) for i in range(4)]
        while not running.running():  # poll the future's own state: it is what we test
            time.sleep(0.001)
        # A process pool pre-queues a call beyond its workers; the last one is surely pending.
        assert queued[-1].cancel() is True
        assert running.cancel() is False
        Path(release).touch()
        assert running.result(timeout=30) is True
    assert queued[-1].cancelled()
    with pytest.raises(CancelledError):
        queued[-1].result()


def test_shutdown_refuses_new_work_and_cancel_futures(make: Factory, tmp_path: Path) -> None:
    release = str(tmp_path / "release")
    pool = make(max_workers=1)
    first = pool.submit(wait_for_file, release)
    waiting = [pool.submit(square, i) for i in range(4)]
    while not first.running():
        time.sleep(0.001)
    pool.shutdown(wait=False, cancel_futures=True)
    Path(release).touch()
    assert first.result(timeout=30) is True
    assert waiting[-1].cancelled()
    with pytest.raises(RuntimeError, match="shutdown"):
        pool.submit(square, 1)
    pool.shutdown(wait=True)


def test_initializer_runs_in_each_worker_with_its_args(make: Factory) -> None:
    with make(max_workers=2, initializer=remember, initargs=("hi",)) as pool:
        assert set(pool.map(recall, range(4))) == {"hi"}


def test_bad_initializer_is_refused_like_the_plain_pool(make: Factory) -> None:
    with pytest.raises(TypeError):
        make(max_workers=1, initializer=42)


def test_a_worker_that_dies_breaks_the_pool(make_process: Factory) -> None:
    with make_process(max_workers=2) as pool:
        fut = pool.submit(die, 3)
        with pytest.raises(BrokenProcessPool):
            fut.result(timeout=30)
        with pytest.raises(BrokenProcessPool):
            pool.submit(square, 2)


def test_processes_run_elsewhere(make_process: Factory) -> None:
    with make_process(max_workers=2) as pool:
        pids = {pid for _, pid in pool.map(add_pid, range(8))}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_threads_share_the_process(make_thread: Factory) -> None:
    seen: list[int] = []
    lock = threading.Lock()

    def note() -> None:
        with lock:
            seen.append(os.getpid())

    with make_thread(max_workers=2) as pool:
        for f in [pool.submit(note) for _ in range(4)]:
            f.result(timeout=10)
    assert set(seen) == {os.getpid()}
