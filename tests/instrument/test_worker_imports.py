"""A worker process of the instrumented pool stays as light as the stdlib's: it never imports
the protocol module or pydantic (a spawned worker would pay ~180 ms for them, more than doubling
a short process-pool script)."""

from __future__ import annotations

import multiprocessing

import pytest

from schedviz.instrument.processes import InstrumentedProcessPoolExecutor

HEAVY = ("pydantic", "schedviz.protocol", "fastapi")


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_a_fresh_worker_imports_no_pydantic(method: str) -> None:
    probe = f"[m for m in {HEAVY!r} if m in __import__('sys').modules]"
    with InstrumentedProcessPoolExecutor(1, mp_context=multiprocessing.get_context(method),
                                         gil_period_us=250) as pool:
        loaded = pool.submit(eval, probe).result(timeout=60)
    assert loaded == []
