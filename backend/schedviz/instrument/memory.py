"""Samples the memory of the lab and its worker processes from /proc, on its own thread.

RSS counts every resident page, shared ones too, so forked workers look bigger than they cost;
USS (private pages, from smaps_rollup) is what a worker really adds. USS needs read access to
the process's smaps, which a worker of our own always grants; when it cannot be read the sample
says null rather than guess.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from schedviz.instrument.recorder import Recorder

DEFAULT_INTERVAL_S = 0.25
#: how often the set of processes is looked at: a new worker gets its first sample this soon
WATCH_S = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")


def read_memory(pid: int) -> tuple[int, int | None] | None:
    """(rss, uss) in bytes of a live process; None if it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            rss = int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None
    uss: int | None = None
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            private = 0
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    private += int(line.split()[1]) * 1024
            uss = private
    except (OSError, IndexError, ValueError):
        uss = None
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
        self._thread = threading.Thread(target=self._loop, name="memory-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def sample(self) -> None:
        """Take one sample of every process now."""
        self._sample(self._processes())

    def _sample(self, processes: dict[int, int | None]) -> None:
        for pid, worker in processes.items():
            mem = read_memory(pid)
            if mem is not None:
                self._rec.record("memory", pid, worker, mem[0], mem[1])

    def _loop(self) -> None:
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
