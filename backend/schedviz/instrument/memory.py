"""Samples the memory of the lab and its worker processes from /proc, on its own thread.

RSS counts every resident page, shared ones too, so forked workers look bigger than they cost;
USS (private pages, from smaps_rollup) is what a worker really adds. USS needs read access to
the process's smaps, which a worker of our own always grants; when it cannot be read the sample
says null rather than guess.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable

from schedviz.instrument import gil
from schedviz.instrument.recorder import Recorder

DEFAULT_INTERVAL_S = 0.25
#: USS costs the kernel a walk of the page tables (ms for a big process): every n-th sample
USS_EVERY = 4
#: how often the set of processes is looked at: a new worker gets its first sample this soon
WATCH_S = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _read(path: str) -> bytes:
    # One read of the whole file, off the GIL: the kernel does the work, not Python.
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 1 << 16)
    finally:
        os.close(fd)


_PRIVATE = re.compile(rb"^Private_(?:Clean|Dirty):\s+(\d+) kB", re.M)


def read_memory(pid: int, with_uss: bool = True) -> tuple[int, int | None] | None:
    """(rss, uss) in bytes of a live process; None if it is gone. USS only if asked."""
    try:
        rss = int(_read(f"/proc/{pid}/statm").split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None
    if not with_uss:
        return rss, None
    try:
        uss = sum(int(kb) for kb in _PRIVATE.findall(_read(f"/proc/{pid}/smaps_rollup"))) * 1024
    except (OSError, ValueError):
        return rss, None
    return rss, uss


class MemorySampler:
    """Records a `memory` event per process every `interval_s` until stopped."""

    def __init__(
        self,
        recorder: Recorder,
        processes: Callable[[], dict[int, int | None]],
        interval_s: float = DEFAULT_INTERVAL_S,
    ) -> None:
        self._rec = recorder
        self._processes = processes  # pid -> worker id (None for the lab itself)
        self._interval = interval_s
        self._stop = threading.Event()
        self._samples = 0
        self._thread = threading.Thread(target=self._loop, name="memory-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def sample(self) -> None:
        """Take one sample of every process now."""
        self._sample(self._processes())

    def _sample(self, processes: dict[int, int | None]) -> None:
        self._samples += 1
        with_uss = self._samples % USS_EVERY == 1
        for pid, worker in processes.items():
            mem = read_memory(pid, with_uss)
            if mem is not None:
                self._rec.record("memory", pid, worker, mem[0], mem[1])

    def _loop(self) -> None:
        gil.register_current_thread(None)
        known: set[int] = set()
        last = 0.0
        while True:
            try:
                processes = self._processes()
                now = time.monotonic()
                # Every interval, and at once when a process appears: a short run of new
                # workers should still show what each of them costs.
                if now - last >= self._interval or set(processes) - known:
                    self._sample(processes)
                    known, last = set(processes), now
            except Exception as exc:  # a sampler must never take the run down with it
                self._rec.record("warning", f"memory sampling stopped: {exc!r}")
                return
            if self._stop.wait(WATCH_S):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
