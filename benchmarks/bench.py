"""Speed goals of schedviz, measured as ratios side by side in one run (`make bench`).

Each case runs the same work on the plain executor and on the instrumented one, alternating
rounds so that drift of a noisy machine hits both alike, and reports the ratio of the medians
(instrumented / plain). The instrumented side pays for everything the lab pays for: recording,
and a Flusher draining, numbering and framing batches for the web process every 30 ms.

Writes the table as JSON (default bench-results/bench.json) and prints it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

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


def thread_case(rounds: int) -> dict[str, Any]:
    workers, n, ms = 4, 2000, 0.5

    def job(pool: Executor) -> None:
        wait([pool.submit(cpu_ms, ms) for _ in range(n)])

    plain = ThreadPoolExecutor(workers)
    inst = Instrumented(lambda rec: InstrumentedThreadPoolExecutor(workers, recorder=rec))
    job(plain)
    job(inst.pool)  # warm both: threads started, code paths hot
    times: dict[str, list[float]] = {"plain": [], "instrumented": []}
    for _ in range(rounds):
        times["plain"].append(time_it(lambda: job(plain)))
        times["instrumented"].append(time_it(lambda: job(inst.pool)))
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
    job(plain)
    job(inst.pool)  # warm both: workers started (start-up is not what this measures)
    times: dict[str, list[float]] = {"plain": [], "instrumented": []}
    for _ in range(rounds):
        times["plain"].append(time_it(lambda: job(plain)))
        times["instrumented"].append(time_it(lambda: job(inst.pool)))
    plain.shutdown()
    inst.close()
    return _row(f"ProcessPool ({method}) map of {n} small items, chunksize {chunk}, "
                f"{workers} workers", times, inst.events, goal=1.03)


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
    ]
    for i, (label, case) in enumerate(cases, 1):
        print(f"[{i}/{len(cases)}] {label} …", file=sys.stderr, flush=True)
        rows.append(case())
    table = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": rows,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(table, indent=2) + "\n")
    print(f"{'case':<72} {'plain s':>8} {'instr s':>8} {'ratio':>6} {'goal':>5}  met")
    for r in rows:
        print(f"{r['case']:<72} {r['plain_s']:>8} {r['instrumented_s']:>8} {r['ratio']:>6} "
              f"{r['goal']:>5}  {'yes' if r['met'] else 'NO'}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
