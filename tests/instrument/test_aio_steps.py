"""The asyncio step timer on a real loop, in C and in Python: same events from both."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from schedviz.instrument import aio
from schedviz.instrument.aio import Instrument, InstrumentedLoop
from schedviz.instrument.recorder import Recorder
from schedviz.lab.flusher import to_compact
from schedviz.protocol import expand, validate_event

IMPLEMENTATIONS = [pytest.param(False, id="python"),
                   pytest.param(True, id="c", marks=pytest.mark.skipif(
                       not aio.ACCELERATED, reason=f"not built: {aio.WHY_NOT_ACCELERATED}"))]


def run(main: Callable[[Instrument], Coroutine[Any, Any, Any]], accelerated: bool,
        slow_ms: float = 50.0) -> list[dict[str, Any]]:
    """Run `main` on an instrumented loop; its events as the wire has them."""
    rec = Recorder()
    inst = Instrument(rec, slow_ms, accelerated=accelerated)
    failed: list[BaseException] = []

    def on_its_own_thread() -> None:
        # (The browser tests' driver leaves a loop running in the main thread.)
        loop = InstrumentedLoop(inst)
        try:
            loop.run_until_complete(loop.create_task(main(inst), name="main"))
        except BaseException as exc:
            failed.append(exc)
        finally:
            loop.close()

    thread = threading.Thread(target=on_its_own_thread)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    events = [expand(e) for e in to_compact(rec.drain(), 0, rec.t0)]
    for e in events:
        validate_event(e)
    return events


def line_after(fn: Callable[..., Any], text: str) -> int:
    """The line of `fn`'s source that contains `text`."""
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


async def helper() -> None:
    await asyncio.sleep(0.001)  # the innermost user frame


async def nested(inst: Instrument) -> None:
    await helper()
    queue = inst.watch_queue(asyncio.Queue(), "q")
    lock = inst.names.name(asyncio.Lock(), "L")

    async def getter() -> int:
        return int(await queue.get())

    async def locker() -> None:
        async with lock:
            await asyncio.sleep(0)

    async with lock:
        t = asyncio.create_task(getter(), name="getter")
        u = asyncio.create_task(locker(), name="locker")
        await asyncio.sleep(0.001)
    await queue.put(7)
    await asyncio.gather(t, u)


def shape(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["task"], e["line"], e["awaiting"], e["waits_on"], e["outcome"])
            for e in events if e["kind"] == "aio_step"]


def test_c_and_python_timers_record_the_same_steps() -> None:
    if not aio.ACCELERATED:
        pytest.skip(f"C step timer not built: {aio.WHY_NOT_ACCELERATED}")
    assert shape(run(nested, True)) == shape(run(nested, False))


@pytest.mark.parametrize("accelerated", IMPLEMENTATIONS)
def test_yield_sites_and_what_is_awaited(accelerated: bool) -> None:
    events = run(nested, accelerated)
    steps = [e for e in events if e["kind"] == "aio_step"]
    names = {e["task"]: e["name"] for e in events if e["kind"] == "aio_task"}
    first = steps[0]
    assert first["file"] == __file__
    assert first["line"] == line_after(helper, "await asyncio.sleep(0.001)")
    assert first["awaiting"] == "sleep(0.001)"
    by_name: dict[str, dict[str, Any]] = {}  # each task's first yield
    for s in steps:
        if s["outcome"] == "yield":
            by_name.setdefault(names[s["task"]], s)
    assert by_name["getter"]["waits_on"] == "queue q"
    assert by_name["getter"]["awaiting"] == "Queue.get"
    assert by_name["locker"]["waits_on"] == "lock L"
    assert by_name["locker"]["awaiting"] == "Lock.acquire"
    sizes = [e["size"] for e in events if e["kind"] == "aio_queue"]
    assert sizes[0] == 0 and 1 in sizes and sizes[-1] == 0
    done = {names[e["task"]]: e for e in events if e["kind"] == "aio_task_done"}
    assert {d["outcome"] for d in done.values()} == {"done"}
    assert done["main"]["steps"] == sum(1 for s in steps if names[s["task"]] == "main")


@pytest.mark.parametrize("accelerated", IMPLEMENTATIONS)
def test_errors_and_cancellations_end_tasks_visibly(accelerated: bool) -> None:
    async def fails() -> None:
        await asyncio.sleep(0)
        raise KeyError("boom")

    async def main(inst: Instrument) -> None:
        bad = asyncio.create_task(fails(), name="fails")
        sleeper = asyncio.create_task(asyncio.sleep(10), name="sleeper")
        await asyncio.sleep(0.001)
        sleeper.cancel()
        await asyncio.gather(bad, sleeper, return_exceptions=True)

    events = run(main, accelerated)
    names = {e["task"]: e["name"] for e in events if e["kind"] == "aio_task"}
    done = {names[e["task"]]: e for e in events if e["kind"] == "aio_task_done"}
    assert done["fails"]["outcome"] == "error" and "boom" in done["fails"]["error"]
    assert done["sleeper"]["outcome"] == "cancelled"
    last = {names[e["task"]]: e["outcome"] for e in events if e["kind"] == "aio_step"}
    assert last["fails"] == "error" and last["sleeper"] == "cancelled"


@pytest.mark.parametrize("accelerated", IMPLEMENTATIONS)
def test_ready_tasks_per_iteration_and_idle_time(accelerated: bool) -> None:
    async def main(inst: Instrument) -> None:
        async def spin() -> None:
            for _ in range(20):
                await asyncio.sleep(0)

        await asyncio.gather(*(spin() for _ in range(10)))
        await asyncio.sleep(0.02)  # nothing is ready: the loop idles in select

    events = run(main, accelerated)
    assert 10 in {e["ready"] for e in events if e["kind"] == "aio_ready"}
    assert max(e["dur_ns"] for e in events if e["kind"] == "aio_idle") >= 15_000_000


@pytest.mark.parametrize("accelerated", IMPLEMENTATIONS)
def test_a_cancellation_step_counts_among_the_tasks_its_iteration_found_ready(
        accelerated: bool) -> None:
    async def main(inst: Instrument) -> None:
        sleepers = [asyncio.create_task(asyncio.sleep(10), name=f"s{i}") for i in range(3)]
        await asyncio.sleep(0)  # they start, and wait
        for task in sleepers:
            task.cancel()  # each then runs one more step: CancelledError thrown in
        await asyncio.gather(*sleepers, return_exceptions=True)

    events = sorted(run(main, accelerated), key=lambda e: (e["t"], e["seq"]))
    ready = [(e["t"], e["ready"]) for e in events if e["kind"] == "aio_ready"]
    starts = sorted({t for t, _ in ready}
                    | {e["t"] + e["dur_ns"] for e in events if e["kind"] == "aio_idle"})
    cancelled = [e for e in events if e["kind"] == "aio_step" and e["outcome"] == "cancelled"]
    assert len(cancelled) == 3
    # Every iteration between two known starts ran as many steps as its count says.
    for a, b in zip(starts, [*starts[1:], None], strict=True):
        n = next(v for t, v in reversed(ready) if t <= a) if ready[0][0] <= a else None
        steps = [e for e in events if e["kind"] == "aio_step" and e["t"] >= a
                 and (b is None or e["t"] < b)]
        if n is not None:
            assert (len(steps) == 0) if n == 0 else (len(steps) % n == 0), (a, n, steps)


@pytest.mark.parametrize("accelerated", IMPLEMENTATIONS)
def test_a_slow_step_is_reported_at_its_blocking_line(accelerated: bool) -> None:
    import time

    async def main(inst: Instrument) -> None:
        inst.start_watchdog()
        try:
            await asyncio.sleep(0)
            time.sleep(0.25)  # blocks the loop
            await asyncio.sleep(0)
        finally:
            inst.stop_watchdog()

    events = run(main, accelerated, slow_ms=80)
    line = line_after(main, "time.sleep(0.25)")
    # (A loaded machine may stretch another step past the threshold too: that one is real.)
    blocked = [e for e in events if e["kind"] == "aio_blocked" and e["line"] == line]
    assert sorted(b["ongoing"] for b in blocked) == [False, True]
    assert all(b["source"] == "time.sleep(0.25)  # blocks the loop" for b in blocked)
    assert next(b for b in blocked if not b["ongoing"])["dur_ns"] >= 250_000_000


def test_pure_python_can_be_forced() -> None:
    code = ("from schedviz.instrument import aio; "
            "print(aio.ACCELERATED, aio.WHY_NOT_ACCELERATED)")
    env = {"SCHEDVIZ_PURE_PYTHON_STEPS": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True, timeout=60).stdout
    assert out.startswith("False") and "SCHEDVIZ_PURE_PYTHON_STEPS is set" in out
