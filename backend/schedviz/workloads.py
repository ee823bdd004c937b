"""The task functions a run executes: each does real work of one kind for a set time or size.

- `cpu`: a pure-Python loop; holds the GIL the whole time (threads take turns).
- `sleep`: `time.sleep`; releases the GIL (threads overlap).
- `cpu_work`: the loop of `cpu` until the task's own thread has used `ms` of CPU time: the same
  work whatever else runs, so threads sharing the GIL take longer and processes do not.
- `hash`: `hashlib.sha256` over a buffer; releases the GIL for buffers over 2 KiB.
- `mixed`: the three in turn, by task id.
- `convoy`: even tasks `cpu`, odd tasks `io_loop` (short sleeps, each followed by a little
  Python work): beside a CPU-bound thread, every wake-up waits for the GIL (Beazley, 2010).
Every function is module-level so a process pool can pickle it later.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time

_MB = 1024 * 1024


class TaskFailed(ValueError):
    """Raised on purpose by every n-th task of a run with `fail_every` set."""


def cpu(task: int, ms: float) -> int:
    """Spin a pure-Python loop for `ms` milliseconds; returns the iteration count."""
    end = time.perf_counter() + ms / 1000.0
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n


def cpu_work(task: int, ms: float) -> int:
    """Spin the same loop until this thread has used `ms` milliseconds of CPU; the iterations.

    `cpu` stops at a wall-clock time, so two threads sharing the GIL each do half the work in
    it; this stops at a fixed amount of work (a thread waiting for the GIL uses no CPU time),
    which is what a comparison of executors must hold constant.
    """
    end = time.thread_time_ns() + int(ms * 1_000_000)
    n = 0
    while True:
        for _ in range(1000):  # reading the thread's CPU clock is a system call: not each turn
            n += 1
        if time.thread_time_ns() >= end:
            return n


def io_loop(task: int, ms: float) -> int:
    """For `ms`: sleep 0.5 ms (an I/O wait), then a little Python work; returns the rounds."""
    end = time.perf_counter() + ms / 1000.0
    rounds = 0
    while time.perf_counter() < end:
        time.sleep(0.0005)
        sum(range(50))  # needs the GIL right after each wake-up
        rounds += 1
    return rounds


def sleep(task: int, ms: float) -> float:
    """Sleep `ms` milliseconds; returns the seconds actually slept."""
    start = time.perf_counter()
    time.sleep(ms / 1000.0)
    return round(time.perf_counter() - start, 6)


@functools.lru_cache(maxsize=4)
def _buffer(n_bytes: int) -> bytes:
    # One shared read-only buffer per size: allocating one per task would time malloc, not hashing.
    return bytes(range(256)) * (n_bytes // 256) + bytes(n_bytes % 256)


def hash_mb(task: int, mb: float) -> str:
    """SHA-256 over `mb` megabytes (the GIL is released while hashing); returns the hex digest."""
    return hashlib.sha256(_buffer(int(mb * _MB))).hexdigest()[:16]


def run_task(
    task: int,
    workload: str,
    ms: float,
    mb: float,
    fail_every: int,
    kill_every: int = 0,
    payload: list[float] | None = None,
) -> object:
    """Do task number `task` of a run: the workload's work, then fail on purpose if it is due.

    `payload` is there to be pickled (its size is the lesson); the task only counts it.
    """
    if kill_every and (task + 1) % kill_every == 0:
        # Kills this worker process on purpose: the pool breaks, as with a segfault.
        os._exit(1)
    if workload == "mixed":
        kind = ("cpu", "sleep", "hash")[task % 3]
    elif workload == "convoy":
        kind = ("cpu", "io_loop")[task % 2]
    else:
        kind = workload
    result: object
    if kind == "cpu":
        result = cpu(task, ms)
    elif kind == "sleep":
        result = sleep(task, ms)
    elif kind == "cpu_work":
        result = cpu_work(task, ms)
    elif kind == "hash":
        result = hash_mb(task, mb)
    elif kind == "io_loop":
        result = io_loop(task, ms)
    else:
        raise ValueError(
            f"unknown workload {workload!r}; expected cpu, cpu_work, sleep, hash, mixed or "
            "convoy"
        )
    if fail_every and (task + 1) % fail_every == 0:
        raise TaskFailed(f"task {task} failed on purpose (fail_every={fail_every})")
    if payload is not None:
        return (result, len(payload))
    return result


def run_item(
    workload: str,
    ms: float,
    mb: float,
    fail_every: int,
    kill_every: int,
    payload: list[float] | None,
    item: int,
) -> object:
    """One item of a map() call: `run_task` with the item's number last, for functools.partial."""
    return run_task(item, workload, ms, mb, fail_every, kill_every, payload)

