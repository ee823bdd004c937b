"""Memory is part of the contract: the instrumented process pool pickles a call when it enters
the call queue, as the stdlib pool does, so the parent's memory does not grow with the number of
pending calls times their size (it used to pickle every call at submit and keep the bytes)."""

from __future__ import annotations

import multiprocessing
import time
import tracemalloc
from concurrent.futures import Executor, ProcessPoolExecutor

import pytest

from schedviz.instrument.processes import InstrumentedProcessPoolExecutor
from schedviz.instrument.recorder import Recorder

TASKS = 80
PAYLOAD = [0.5] * 125_000  # about 1.1 MB pickled: 80 pending calls would hold ~90 MB as bytes
MB = 2**20


def first_item(numbers: list[float]) -> float:
    time.sleep(0.01)
    return numbers[0]


def peak_while_pending(pool: Executor) -> float:
    """Peak traced MB from the first submit until every result is in."""
    tracemalloc.start()
    try:
        futures = [pool.submit(first_item, PAYLOAD) for _ in range(TASKS)]
        assert [f.result(timeout=120) for f in futures] == [0.5] * TASKS
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_pending_calls_are_not_kept_pickled(method: str) -> None:
    ctx = multiprocessing.get_context(method)
    with ProcessPoolExecutor(2, mp_context=ctx) as plain:
        plain.submit(first_item, [0.0]).result(timeout=60)  # workers up before measuring
        plain_peak = peak_while_pending(plain)
    recorder = Recorder()
    with InstrumentedProcessPoolExecutor(2, mp_context=ctx, recorder=recorder) as pool:
        pool.submit(first_item, [0.0]).result(timeout=60)
        peak = peak_while_pending(pool)
    # The call queue holds max_workers + 1 calls: a few MB, as for the plain pool.
    assert peak < 25, f"instrumented peak {peak:.1f} MB (plain {plain_peak:.1f} MB)"
    assert peak < plain_peak * 1.5 + 5
    # The pickling is still timed, once per task, with its size.
    dumps = [e for e in recorder.drain()
             if e[0] == "serialized" and e[3:6] == ("parent", "args", "dumps")]
    assert len(dumps) == TASKS + 1
    assert all(e[-1] > 1_000_000 for e in dumps[1:])
