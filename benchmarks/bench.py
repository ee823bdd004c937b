"""Speed goals of schedviz, measured as ratios side by side in one run (`make bench`).

Each case runs the same work on the plain executor and on the instrumented one, alternating
rounds so that drift of a noisy machine hits both alike, and reports the ratio of the medians
(instrumented / plain). The instrumented side pays for everything the lab pays for: recording,
and a Flusher draining, numbering and framing batches for the web process every 30 ms.

Writes the table as JSON (default bench-results/bench.json) and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, wait
from typing import Any

from report import write_table

from schedviz.instrument import aio, gil
from schedviz.instrument.aio import Instrument, InstrumentedLoop
from schedviz.instrument.processes import InstrumentedProcessPoolExecutor
from schedviz.instrument.recorder import Recorder
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor
from schedviz.lab import channel
from schedviz.lab.flusher import Flusher


def cpu_ms(ms: float) -> int:
    """Pure-Python work for `ms` of CPU time of this thread (fair under the GIL)."""
    end = time.thread_time() + ms / 1000.0
    n = 0
    while time.thread_time() < end:
        n += 1
    return n


def small(x: int) -> int:
    """A small item: a few microseconds of work on a small argument."""
    return sum(i * i for i in range(x % 50))


class Instrumented:
    """An instrumented pool with the lab's flusher running, as in a real run."""

    def __init__(self, make: Callable[[Recorder], Executor]) -> None:
        self.recorder = Recorder()
        self.events = 0
        self.flusher = Flusher(self.recorder, self._emit)
        self.pool = make(self.recorder)
        self.flusher.start()

    def _emit(self, batch: list[list[Any]]) -> None:
        self.events += len(batch)
        channel.pack({"type": "events", "events": batch})  # what the lab sends per batch

    def close(self) -> None:
        self.pool.shutdown()
        self.flusher.close()


def time_it(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def alternate(rounds: int, plain: Callable[[], object],
              instrumented: Callable[[], object]) -> dict[str, list[float]]:
    """Warm both, then time them in alternating rounds (drift hits both alike)."""
    plain()
    instrumented()
    times: dict[str, list[float]] = {"plain": [], "instrumented": []}
    for _ in range(rounds):
        times["plain"].append(time_it(plain))
        times["instrumented"].append(time_it(instrumented))
    return times


def thread_case(rounds: int) -> dict[str, Any]:
    workers, n, ms = 4, 2000, 0.5

    def job(pool: Executor) -> None:
        wait([pool.submit(cpu_ms, ms) for _ in range(n)])

    plain = ThreadPoolExecutor(workers)
    inst = Instrumented(lambda rec: InstrumentedThreadPoolExecutor(workers, recorder=rec))
    # (warming starts the threads and makes the code paths hot)
    times = alternate(rounds, lambda: job(plain), lambda: job(inst.pool))
    plain.shutdown()
    inst.close()
    return _row(f"ThreadPool {n} tasks x {ms} ms CPU, {workers} workers", times, inst.events,
                goal=1.03)


def process_case(rounds: int, method: str) -> dict[str, Any]:
    workers, n, chunk = 2, 20_000, 100
    ctx = multiprocessing.get_context(method)

    def job(pool: Executor) -> None:
        for _ in pool.map(small, range(n), chunksize=chunk):
            pass

    plain = ProcessPoolExecutor(workers, mp_context=ctx)
    inst = Instrumented(
        lambda rec: InstrumentedProcessPoolExecutor(workers, mp_context=ctx, recorder=rec)
    )
    # (warming starts the workers: start-up is not what this measures)
    times = alternate(rounds, lambda: job(plain), lambda: job(inst.pool))
    plain.shutdown()
    inst.close()
    return _row(f"ProcessPool ({method}) map of {n} small items, chunksize {chunk}, "
                f"{workers} workers", times, inst.events, goal=1.03)


ASYNCIO_STEPS = 100_000


async def _sleep0_steps(tasks: int) -> None:
    async def spin(n: int) -> None:
        for _ in range(n):
            await asyncio.sleep(0)

    await asyncio.gather(*(spin(ASYNCIO_STEPS // tasks) for _ in range(tasks)))


def asyncio_case(rounds: int, tasks: int) -> dict[str, Any]:
    """100,000 asyncio.sleep(0) steps on a plain loop and on the lab's instrumented one."""
    rec = Recorder()
    counted = {"events": 0}

    def emit(batch: list[list[Any]]) -> None:
        counted["events"] += len(batch)
        channel.pack({"type": "events", "events": batch})

    flusher = Flusher(rec, emit)
    flusher.start()
    inst = Instrument(rec)
    plain_loop = asyncio.new_event_loop()
    inst_loop = InstrumentedLoop(inst)
    times = alternate(rounds, lambda: plain_loop.run_until_complete(_sleep0_steps(tasks)),
                      lambda: inst_loop.run_until_complete(_sleep0_steps(tasks)))
    plain_loop.close()
    inst_loop.close()
    flusher.close()
    impl = "C" if aio.ACCELERATED else "Python"
    return _row(f"asyncio {ASYNCIO_STEPS:,} sleep(0) steps in {tasks} task(s) ({impl} steps)",
                times, counted["events"], goal=1.5)


def _threads_doing(fns: list[Callable[[], object]]) -> None:
    threads = [threading.Thread(target=fn) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def gil_cases(rounds: int) -> list[dict[str, Any]]:
    """The GIL sampler's cost: the same threads with the sampler off and on."""
    module, why = gil.load()
    if module is None:
        return [{"case": "GIL sampler", "skipped": why}]
    data = bytes(32 * 1024 * 1024)  # made once: filling it would hold the GIL and be measured

    def hashing() -> None:
        _threads_doing([lambda: [hashlib.sha256(data).digest() for _ in range(4)]] * 2)

    def mixed() -> None:
        _threads_doing([lambda: cpu_ms(150)] * 2 + [lambda: time.sleep(0.15)] * 2
                       + [lambda: hashlib.sha256(data).digest()] * 2)

    rows = []
    for label, job in (("2 threads hashing 4 x 32 MB each", hashing),
                       ("mixed: 2 CPU, 2 sleeping, 2 hashing threads", mixed)):
        times: dict[str, list[float]] = {"plain": [], "instrumented": []}
        job()
        for _ in range(rounds):
            times["plain"].append(time_it(job))
            rec = Recorder()
            watcher = gil.GilWatcher(rec, gil.DEFAULT_PERIOD_US)
            flusher = Flusher(rec, lambda batch: channel.pack({"events": batch}))
            flusher.start()
            watcher.start()
            times["instrumented"].append(time_it(job))
            watcher.stop()
            flusher.close()
        rows.append(_row(f"GIL sampler at {gil.DEFAULT_PERIOD_US} µs: {label}", times, 0,
                         goal=1.05))
    # Its own CPU: the process's CPU time over an idle second, sampler on minus off.
    def idle_cpu(on: bool) -> float:
        rec = Recorder()
        watcher = gil.GilWatcher(rec, gil.DEFAULT_PERIOD_US)
        if on:
            watcher.start()
        c = time.process_time()
        time.sleep(1.0)
        used = time.process_time() - c
        watcher.stop()
        return used

    share = max(0.0, idle_cpu(True) - idle_cpu(False))
    rows.append({"case": f"GIL sampler at {gil.DEFAULT_PERIOD_US} µs: its own CPU use",
                 "cpu_share_of_one_core": round(share, 4), "realtime": module.info()["fifo"]})
    return rows


def _row(name: str, times: dict[str, list[float]], events: int, goal: float) -> dict[str, Any]:
    plain, inst = statistics.median(times["plain"]), statistics.median(times["instrumented"])
    ratio = inst / plain
    return {
        "case": name,
        "plain_s": round(plain, 4),
        "instrumented_s": round(inst, 4),
        "ratio": round(ratio, 3),
        "goal": goal,
        "met": ratio <= goal,
        "rounds": len(times["plain"]),
        "events_recorded": events,
        "all_plain_s": [round(t, 4) for t in times["plain"]],
        "all_instrumented_s": [round(t, 4) for t in times["instrumented"]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds per case")
    parser.add_argument("--out", default="bench-results/bench.json", help="where to write JSON")
    args = parser.parse_args(argv)
    rows = []
    cases: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("threads", lambda: thread_case(args.rounds)),
        ("processes-fork", lambda: process_case(args.rounds, "fork")),
        ("processes-spawn", lambda: process_case(args.rounds, "spawn")),
        ("asyncio, 1 task", lambda: asyncio_case(args.rounds, 1)),
        ("asyncio, 100 tasks", lambda: asyncio_case(args.rounds, 100)),
    ]
    for i, (label, case) in enumerate(cases, 1):
        print(f"[{i}/{len(cases) + 1}] {label} …", file=sys.stderr, flush=True)
        rows.append(case())
    print(f"[{len(cases) + 1}/{len(cases) + 1}] GIL sampler …", file=sys.stderr, flush=True)
    rows.extend(gil_cases(args.rounds))
    write_table(args.out, rows, python=platform.python_version())
    print(f"{'case':<72} {'plain s':>8} {'instr s':>8} {'ratio':>6} {'goal':>5}  met")
    for r in rows:
        if "ratio" in r:
            print(f"{r['case']:<72} {r['plain_s']:>8} {r['instrumented_s']:>8} "
                  f"{r['ratio']:>6} {r['goal']:>5}  {'yes' if r['met'] else 'NO'}")
        else:
            print(f"{r['case']:<72} {json.dumps({k: v for k, v in r.items() if k != 'case'})}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
